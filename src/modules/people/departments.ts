import type { Clock } from '../../platform/clock/index.js';
import { duplicateKeyOf, inTransaction, type Db } from '../../platform/db/client.js';
import { Invalid, NotFound } from '../../platform/errors.js';
import { can, type Caller } from '../access/index.js';
import type { Audit } from '../audit/index.js';
import { listTenantUsers } from '../identity/index.js';
import type { Department } from './schema.js';
import * as store from './store.js';
import { createDepartmentChoices } from './department-choices.js';

export interface DepartmentInput {
  name: string;
  costCentre: string | null;
}

const departmentTarget = (id: string) => ({ type: 'department', id });

function sameName(error: unknown): never {
  if (duplicateKeyOf(error) !== undefined) throw new Invalid('name', 'is already a department');
  throw error;
}

/** Departments: name, cost centre (finance's reports group by it) and head user(s). */
export function departmentUseCases(deps: { db: Db; clock: Clock; audit: Audit }) {
  const { db, audit } = deps;
  const choices = createDepartmentChoices(db);

  /** The departments a caller may open: all of them for the company scope, the ones they head for a team scope. */
  async function listDepartments(caller: Caller): Promise<Department[]> {
    if (caller.scope.kind === 'departments') return store.listHeadedDepartments(db, caller.tenantId, caller.scope.headUserId);
    return store.listDepartments(db, caller.tenantId);
  }

  return {
    listDepartments,

    /**
     * The same departments, for the employee list's filter on every view: the company's list may be a
     * few seconds old (department-choices.ts). Which departments a head heads is read each time: it
     * decides what they may open.
     */
    departmentChoices(caller: Caller): Promise<readonly Department[]> {
      return caller.scope.kind === 'departments' ? listDepartments(caller) : choices.list(caller.tenantId);
    },

    /** A department the caller may open, with its heads; another company's, or another team's, is not found. */
    async openDepartment(caller: Caller, departmentId: string) {
      const department = await store.findDepartment(db, caller.tenantId, departmentId);
      if (!department) throw new NotFound('No such department');
      const headUserIds = (await store.listDepartmentHeads(db, caller.tenantId, departmentId)).map((h) => h.userId);
      if (!can(caller.viewer, 'department.open', { id: department.id, headUserIds })) throw new NotFound('No such department');
      return { ...department, headUserIds };
    },

    /** An employee's department must be one of the caller's company. */
    async assertDepartmentOf(caller: Caller, departmentId: string | null) {
      if (departmentId && !(await store.findDepartment(db, caller.tenantId, departmentId)))
        throw new Invalid('departmentId', 'is not a department of your company');
    },

    /** The departments page: each with its head count and heads, and who may be made a head. */
    async departmentsOverview(caller: Caller) {
      const [departments, heads, users, counts] = await Promise.all([
        store.listDepartments(db, caller.tenantId),
        store.listDepartmentHeads(db, caller.tenantId),
        listTenantUsers(db, caller.tenantId),
        store.countEmployeesByDepartment(db, caller.tenantId),
      ]);
      return {
        departments: departments.map((d) => ({
          ...d,
          people: counts.get(d.id) ?? 0,
          heads: heads.filter((h) => h.departmentId === d.id).map((h) => users.find((u) => u.id === h.userId)?.email ?? '?'),
        })),
        headCandidates: users.filter((u) => can(u, 'department.lead') && u.status === 'active'),
      };
    },

    async createDepartment(caller: Caller, input: DepartmentInput): Promise<string> {
      const created = await inTransaction(db, async (tx) => {
        const id = await store.insertDepartment(tx, caller.tenantId, input);
        await audit.recordFor(tx, caller.context, 'department.created', departmentTarget(id), { ...input });
        return id;
      }).catch(sameName);
      choices.forget(caller.tenantId);
      return created;
    },

    /** `before` is the department as openDepartment loaded it for this caller (so it is theirs to open). */
    async updateDepartment(caller: Caller, before: Department, input: DepartmentInput & { headUserIds: string[] }) {
      const departmentId = before.id;
      const users = await listTenantUsers(db, caller.tenantId);
      // A head ticked twice (a repeated form field) is one head, not a duplicate-key error blamed on the name.
      input = { ...input, headUserIds: [...new Set(input.headUserIds)] };
      for (const id of input.headUserIds) {
        const user = users.find((u) => u.id === id);
        if (!user || !can(user, 'department.lead') || user.status !== 'active') throw new Invalid('heads', 'must be active department heads of your company');
      }
      await inTransaction(db, async (tx) => {
        await store.updateDepartment(tx, caller.tenantId, departmentId, { name: input.name, costCentre: input.costCentre }, deps.clock.now());
        await store.setDepartmentHeads(tx, caller.tenantId, departmentId, input.headUserIds);
        await audit.recordFor(tx, caller.context, 'department.updated', departmentTarget(departmentId), {
          before: { name: before.name, costCentre: before.costCentre },
          after: { name: input.name, costCentre: input.costCentre },
          heads: input.headUserIds,
        });
      }).catch(sameName);
      choices.forget(caller.tenantId);
    },
  };
}
