import { istDay, type Clock } from '../../platform/clock/index.js';
import { inTransaction, type Db } from '../../platform/db/client.js';
import { newId } from '../../platform/db/columns.js';
import { Conflict, Forbidden, Invalid, NotFound } from '../../platform/errors.js';
import type { Caller } from '../access/index.js';
import type { Audit } from '../audit/index.js';
import { checkLeaveRequest, leaveBalance, leavePolicySchema, leaveRequestSchema, type LeavePolicy, type LeaveType } from './rules/leave.js';
import { DEFAULT_LEAVE_POLICY, ensureLeavePolicyRow, leavePolicyOf, saveLeavePolicy } from './leave-policy.js';
import * as store from './leave-store.js';
import { shiftRulesOf } from './shift-store.js';

export interface LeaveDeps {
  db: Db;
  clock: Clock;
  audit: Audit;
}

/** What an employee sends to apply (the rules check every field and name the one that is wrong). */
export interface LeaveApplicationInput {
  leaveType: string;
  from: string;
  to: string;
  fromHalf: string | null;
  toHalf: string | null;
  reason: string | null;
}

export interface LeaveDecision {
  decision: 'approve' | 'reject';
  note: string | null;
}

/** A leave type as HR's form sends it; `originalCode` names the type being edited (none: a new type). */
export interface LeaveTypeInput {
  originalCode: string | null;
  code: string;
  name: string;
  kind: string;
  credit?: string;
  yearlyQuota?: number;
  carryForwardCap?: number;
}

const applicationTarget = (id: string) => ({ type: 'leave_application', id });
const isPaid = (type: Pick<LeaveType, 'kind'>) => type.kind !== 'unpaid';

export type Leave = ReturnType<typeof createLeave>;

/** Leave use cases (issue 17 item 7): apply, cancel, decide, and HR's policy. The rules are in rules/leave.ts. */
export function createLeave(deps: LeaveDeps) {
  const { db, audit } = deps;
  const today = () => istDay(deps.clock.now());

  /** The caller's own employee record (the self-scoped routes): a user without one has no leave to apply for. */
  function ownEmployeeId(caller: Caller): string {
    if (caller.scope.kind !== 'self' || !caller.scope.employeeId) throw new Forbidden('Your account is not linked to an employee record: ask HR.');
    return caller.scope.employeeId;
  }

  /**
   * Runs an edit of the company's policy holding its row. The row is made first, on its own (the default
   * policy, when none is stored): two first edits at once would otherwise each lock only the gap where the row
   * would go, both insert, and one edit would be lost or deadlock.
   */
  async function editingPolicy(caller: Caller, edit: (tx: Db, before: LeavePolicy) => Promise<void>): Promise<void> {
    await ensureLeavePolicyRow(db, caller.tenantId, DEFAULT_LEAVE_POLICY, deps.clock.now());
    await inTransaction(db, async (tx) => edit(tx, await leavePolicyOf(tx, caller.tenantId, 'update')));
  }

  /** The policy with one change, checked whole: a problem names the form's field (`yearlyQuota`, not `types.3.yearlyQuota`). */
  function checkedPolicy(candidate: unknown): LeavePolicy {
    const parsed = leavePolicySchema.safeParse(candidate);
    if (parsed.success) return parsed.data;
    throw new Invalid(parsed.error.issues.map((issue) => ({ field: String(issue.path[issue.path.length - 1] ?? 'policy'), message: issue.message })));
  }

  return {
    /** The employee's page: balances of every type today and their applications. Null without an employee record. */
    async ownLeave(caller: Caller) {
      if (caller.scope.kind !== 'self' || !caller.scope.employeeId) return null;
      const employeeId = caller.scope.employeeId;
      const [policy, rows, employment] = await Promise.all([
        leavePolicyOf(db, caller.tenantId),
        store.applicationsOf(db, caller.tenantId, employeeId),
        store.employmentOf(db, caller.tenantId, employeeId),
      ]);
      if (!employment) return null;
      const asOf = today() < employment.joinedOn ? employment.joinedOn : today();
      const applications = rows.map(store.asLeaveApplication);
      const balances = policy.types.map((type) => ({
        type,
        ...leaveBalance({ policy, leaveType: type.code, employment, applications, asOf }),
      }));
      return { policy, balances, applications: rows, asOf };
    },

    /**
     * Applies for leave. The employee's row is locked first, so their applications are checked and written one
     * at a time (two sent at once cannot both spend the last day), and the policy is read under a shared lock
     * (HR cannot rename the type under an application in flight).
     */
    async apply(caller: Caller, input: LeaveApplicationInput): Promise<string> {
      const employeeId = ownEmployeeId(caller);
      const { reason, ...request } = input;
      return inTransaction(db, async (tx) => {
        const employee = await store.lockEmployee(tx, caller.tenantId, employeeId);
        if (!employee) throw new NotFound();
        const policy = await leavePolicyOf(tx, caller.tenantId, 'share');
        const rules = await shiftRulesOf(tx, caller.tenantId);
        const existing = (await store.applicationsOf(tx, caller.tenantId, employeeId)).map(store.asLeaveApplication);
        const check = checkLeaveRequest({
          policy,
          rules,
          employment: { joinedOn: employee.dateOfJoining, leftOn: employee.dateOfLeaving },
          request,
          existing,
        });
        if (!check.ok) throw new Invalid(check.field, check.message);
        const accepted = leaveRequestSchema.parse(request); // cannot fail once the check passed: the typed halves
        const id = newId();
        const application = {
          leaveType: check.leaveType.code,
          fromDate: accepted.from,
          toDate: accepted.to,
          fromHalf: accepted.fromHalf ?? null,
          toHalf: accepted.toHalf ?? null,
          days: check.count,
          sandwich: policy.sandwich,
        };
        await store.insertApplication(tx, caller.tenantId, { id, employeeId, ...application, reason, appliedBy: caller.viewer.userId });
        await audit.recordFor(tx, caller.context, 'leave.applied', applicationTarget(id), { employeeId, ...application });
        return id;
      });
    },

    /** The employee withdraws a pending application of their own; a decided one stays as decided (Conflict). */
    async cancel(caller: Caller, applicationId: string): Promise<void> {
      ownEmployeeId(caller);
      await inTransaction(db, async (tx) => {
        const found = await store.findApplicationInScope(tx, caller.tenantId, caller.scope, applicationId);
        if (!found) throw new NotFound('No such leave application of yours');
        const { application } = found;
        if (application.status !== 'pending') throw new Conflict(`This application is already ${application.status}: only a pending one can be cancelled.`);
        const settled = await store.settleApplication(tx, caller.tenantId, applicationId, {
          status: 'cancelled',
          decidedBy: caller.viewer.userId,
          decidedAt: deps.clock.now(),
          decisionNote: null,
        });
        if (!settled) throw new Conflict('This application was decided meanwhile: only a pending one can be cancelled.');
        await audit.recordFor(tx, caller.context, 'leave.cancelled', applicationTarget(applicationId), { employeeId: application.employeeId });
      });
    },

    /** The approval queue: pending applications in the caller's scope (HR: everyone; a head: their departments), never their own. */
    approvals: (caller: Caller) => store.pendingInScope(db, caller.tenantId, caller.scope, caller.viewer.employeeId),

    /** One application in the caller's scope (another company's or another department's is not found). */
    async application(caller: Caller, applicationId: string) {
      const found = await store.findApplicationInScope(db, caller.tenantId, caller.scope, applicationId);
      if (!found) throw new NotFound('No such leave application');
      return found;
    },

    /** Approves or rejects a pending application; of two approvers at once, one decides and the other gets a Conflict. */
    async decide(caller: Caller, applicationId: string, decision: LeaveDecision): Promise<void> {
      await inTransaction(db, async (tx) => {
        const found = await store.findApplicationInScope(tx, caller.tenantId, caller.scope, applicationId);
        if (!found) throw new NotFound('No such leave application');
        const { application } = found;
        if (caller.viewer.employeeId && application.employeeId === caller.viewer.employeeId)
          throw new Forbidden('You cannot decide your own leave application: another approver does.');
        if (application.status !== 'pending') throw new Conflict(`This application is already ${application.status}.`);
        if (decision.decision === 'reject' && !decision.note) throw new Invalid('note', 'say why the leave is rejected');
        const status = decision.decision === 'approve' ? 'approved' : 'rejected';
        const settled = await store.settleApplication(tx, caller.tenantId, applicationId, {
          status,
          decidedBy: caller.viewer.userId,
          decidedAt: deps.clock.now(),
          decisionNote: decision.note,
        });
        if (!settled) throw new Conflict('This application was decided meanwhile.');
        await audit.recordFor(tx, caller.context, `leave.${status}`, applicationTarget(applicationId), {
          employeeId: application.employeeId,
          leaveType: application.leaveType,
          from: application.fromDate,
          to: application.toDate,
          days: application.days,
          note: decision.note,
        });
      });
    },

    // HR: the policy

    policy: (caller: Caller) => leavePolicyOf(db, caller.tenantId),

    async setLeaveYear(caller: Caller, input: { leaveYear: string; sandwich: boolean }): Promise<void> {
      await editingPolicy(caller, async (tx, before) => {
        const after = checkedPolicy({ ...before, leaveYear: input.leaveYear, sandwich: input.sandwich });
        await saveLeavePolicy(tx, caller.tenantId, after, deps.clock.now());
        await audit.recordFor(
          tx,
          caller.context,
          'leave.policy_changed',
          { type: 'company', id: caller.tenantId },
          {
            before: { leaveYear: before.leaveYear, sandwich: before.sandwich },
            after: { leaveYear: after.leaveYear, sandwich: after.sandwich },
          },
        );
      });
    },

    /**
     * Adds a leave type, or edits one. A code that applications name cannot change, and such a type cannot
     * turn from paid to unpaid or back: months already paid would read their leave differently.
     */
    async saveType(caller: Caller, input: LeaveTypeInput): Promise<void> {
      const { originalCode, ...type } = input;
      await editingPolicy(caller, async (tx, before) => {
        const index = originalCode ? before.types.findIndex((t) => t.code === originalCode) : -1;
        if (originalCode && index < 0) throw new NotFound(`No leave type ${originalCode}`);
        const previous = before.types[index];
        if (!previous && before.types.some((t) => t.code === type.code)) throw new Invalid('code', `${type.code} is already a leave type: edit it instead`);
        const types: unknown[] = [...before.types];
        if (previous) types[index] = type;
        else types.push(type);
        const after = checkedPolicy({ ...before, types });
        const saved = after.types[previous ? index : after.types.length - 1]!;
        if (previous && (await store.leaveTypeInUse(tx, caller.tenantId, previous.code))) {
          if (saved.code !== previous.code)
            throw new Invalid('code', `${previous.code} is named by leave applications, so its code cannot change: change its name instead`);
          if (isPaid(saved) !== isPaid(previous))
            throw new Invalid('kind', `${previous.code} is named by leave applications, so it cannot turn between paid and unpaid: add a new type instead`);
        }
        await saveLeavePolicy(tx, caller.tenantId, after, deps.clock.now());
        await audit.recordFor(
          tx,
          caller.context,
          previous ? 'leave.type_changed' : 'leave.type_added',
          { type: 'company', id: caller.tenantId },
          {
            before: previous ?? null,
            after: saved,
          },
        );
      });
    },

    /** Removes a leave type no application names. */
    async removeType(caller: Caller, code: string): Promise<void> {
      await editingPolicy(caller, async (tx, before) => {
        const removed = before.types.find((t) => t.code === code);
        if (!removed) throw new NotFound(`No leave type ${code}`);
        if (await store.leaveTypeInUse(tx, caller.tenantId, code)) throw new Invalid('code', `${code} is named by leave applications, so it cannot be removed`);
        const after = checkedPolicy({ ...before, types: before.types.filter((t) => t.code !== code) });
        await saveLeavePolicy(tx, caller.tenantId, after, deps.clock.now());
        await audit.recordFor(tx, caller.context, 'leave.type_removed', { type: 'company', id: caller.tenantId }, { before: removed });
      });
    },
  };
}
