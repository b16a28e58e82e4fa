import type { Clock } from '../../platform/clock/index.js';
import type { Db } from '../../platform/db/client.js';
import { duplicateKeyOf, inTransaction } from '../../platform/db/client.js';
import { newId } from '../../platform/db/columns.js';
import { CiphertextRejected, type FieldCipher } from '../../platform/crypto/index.js';
import { Conflict, Forbidden, Invalid, NotFound } from '../../platform/errors.js';
import { can, type Caller } from '../access/index.js';
import type { Audit } from '../audit/index.js';
import { csvUseCases } from './csv.js';
import { departmentUseCases } from './departments.js';
import { PAN_INDEX_PURPOSE, SENSITIVE_COLUMNS, SENSITIVE_FIELDS, type Employee, type SensitiveField } from './schema.js';
import * as store from './store.js';
import type { EmployeeInput } from './input.js';

export const PAGE_SIZE = 50;
/** Rows per read of the CSV export: a 5,000-person company is 5 reads, not 100 (each with its count). */
export const EXPORT_PAGE_SIZE = 1000;
/**
 * Aadhaar is kept as its last 4 digits only, so the usual "last 4 visible" mask would show all of it
 * and its reveal-with-a-reason would guard nothing: it shows as the shape of the number until revealed.
 */
export const AADHAAR_MASKED = 'XXXX XXXX ••••';
const PAN_INDEX = PAN_INDEX_PURPOSE;

export interface PeopleDeps {
  db: Db;
  cipher: FieldCipher;
  clock: Clock;
  audit: Audit;
}

/** What a page may show of a sensitive field: masked text, or that the value would not decrypt. */
export type MaskedValue = { present: false } | { present: true; masked: string } | { present: true; unreadable: true };

type ListQuery = { search?: string; departmentId?: string; page: number };

/** What decrypting `F` needs of an employee row: its id and company (the associated data) and the ciphertext. */
type Sealed<F extends SensitiveField> = Pick<Employee, 'id' | 'tenantId' | `${F}Cipher`>;

export const location = (employeeId: string, field: SensitiveField) => ({ table: 'employees', column: SENSITIVE_COLUMNS[field], rowId: employeeId });

export function createPeople(deps: PeopleDeps) {
  const { db, cipher, audit } = deps;
  const now = () => deps.clock.now();
  const departments = departmentUseCases(deps);

  async function sealSensitive(tenantId: string, employeeId: string, input: { [K in SensitiveField]?: string | null }) {
    const sealed: Partial<Record<'panCipher' | 'panIndex' | 'aadhaarLast4Cipher' | 'bankAccountCipher', string | null>> = {};
    if (input.pan !== undefined) {
      sealed.panCipher = input.pan ? await cipher.encrypt(tenantId, location(employeeId, 'pan'), input.pan) : null;
      sealed.panIndex = input.pan ? await cipher.blindIndex(tenantId, PAN_INDEX, input.pan) : null;
    }
    if (input.aadhaarLast4 !== undefined) {
      sealed.aadhaarLast4Cipher = input.aadhaarLast4 ? await cipher.encrypt(tenantId, location(employeeId, 'aadhaarLast4'), input.aadhaarLast4) : null;
    }
    if (input.bankAccount !== undefined) {
      sealed.bankAccountCipher = input.bankAccount ? await cipher.encrypt(tenantId, location(employeeId, 'bankAccount'), input.bankAccount) : null;
    }
    return sealed;
  }

  function plainColumns(input: EmployeeInput) {
    const { pan: _pan, aadhaarLast4: _aadhaar, bankAccount: _account, ...plain } = input;
    return plain;
  }

  /**
   * A PAN already used by another employee is refused. The unique index catches it only under one key
   * version; while a rotation moves the indexes, the other employee's may be under the other, so look
   * it up under every version first.
   */
  async function refuseTakenPan(tenantId: string, employeeId: string, pan: string | null | undefined): Promise<void> {
    if (!pan) return;
    const holder = await store.employeeWithPanIndex(db, tenantId, await cipher.blindIndexes(tenantId, PAN_INDEX, pan));
    if (holder !== undefined && holder !== employeeId) throw new Invalid('pan', 'is already used by another employee');
  }

  /** A PAN already used by another employee of this company is refused (found by blind index). */
  function duplicatePan(error: unknown): never {
    const key = duplicateKeyOf(error);
    if (key === 'employees_tenant_pan_uq') throw new Invalid('pan', 'is already used by another employee');
    if (key === 'employees_tenant_code_uq') throw new Invalid('code', 'is already used by another employee');
    throw error;
  }

  async function decryptField(employee: Employee, field: SensitiveField): Promise<string | undefined> {
    const ciphertext = employee[`${field}Cipher` as const];
    if (!ciphertext) return undefined;
    return cipher.decrypt(employee.tenantId, location(employee.id, field), ciphertext);
  }

  /** A page of the caller's employees, as whole rows or as the list's summaries (`read`). */
  async function pageOf<Row>(
    caller: Caller,
    query: ListQuery,
    read: (db: Db, tenantId: string, scope: Caller['scope'], query: store.EmployeeQuery) => Promise<{ rows: Row[]; total: number }>,
    size = PAGE_SIZE,
  ) {
    // A team filter names a department the caller may open: another team's, or another company's, is not found.
    if (query.departmentId) await departments.openDepartment(caller, query.departmentId);
    const { rows, total } = await read(db, caller.tenantId, caller.scope, {
      search: query.search,
      departmentId: query.departmentId,
      limit: size,
      offset: (query.page - 1) * size,
    });
    return { rows, total, pages: Math.max(1, Math.ceil(total / size)) };
  }

  const employeeTarget = (id: string) => ({ type: 'employee', id });

  /** One's own record, whatever one's role (the route declares the self scope). */
  async function own(caller: Caller): Promise<Employee | null> {
    if (caller.scope.kind !== 'self' || !caller.scope.employeeId) return null;
    return (await store.findEmployee(db, caller.tenantId, caller.scope, caller.scope.employeeId)) ?? null;
  }

  const panIndex = (tenantId: string, pan: string) => cipher.blindIndex(tenantId, PAN_INDEX, pan);
  /** The PAN's index under every key version a stored one may be under (look-ups during a rotation). */
  const panIndexes = (tenantId: string, pan: string) => cipher.blindIndexes(tenantId, PAN_INDEX, pan);

  const employeeUseCases = {
    ...departments,

    /** A page of whole rows, EXPORT_PAGE_SIZE of them (the CSV export). */
    list: (caller: Caller, query: ListQuery) => pageOf(caller, query, store.listEmployees, EXPORT_PAGE_SIZE),

    /** A page of the list: only the columns it shows (store.listEmployeeSummaries). */
    listSummaries: (caller: Caller, query: ListQuery) => pageOf(caller, query, store.listEmployeeSummaries),

    /** Another company's id, or a row outside the viewer's scope, is simply not found. */
    async get(caller: Caller, employeeId: string): Promise<Employee> {
      const employee = await store.findEmployee(db, caller.tenantId, caller.scope, employeeId);
      if (!employee) throw new NotFound('No such employee');
      return employee;
    },

    /** Masked display of the sensitive fields; an unreadable value is shown as such and alerted by the cipher. */
    async masked<F extends SensitiveField = SensitiveField>(
      employee: Sealed<F>,
      fields: readonly F[] = SENSITIVE_FIELDS as unknown as readonly F[],
    ): Promise<Partial<Record<F, MaskedValue>>> {
      const out: Partial<Record<F, MaskedValue>> = {};
      for (const field of fields) {
        try {
          const ciphertext = employee[`${field}Cipher`];
          // The cipher remembers masked forms (never plaintexts) per stored value: see decryptMasked.
          // Decrypted even when the shape is fixed: an unreadable value must show (and alert) as such.
          const masked = ciphertext ? await cipher.decryptMasked(employee.tenantId, location(employee.id, field), ciphertext) : undefined;
          out[field] = masked === undefined ? { present: false } : { present: true, masked: field === 'aadhaarLast4' ? AADHAAR_MASKED : masked };
        } catch (error) {
          if (!(error instanceof CiphertextRejected)) throw error;
          out[field] = { present: true, unreadable: true };
        }
      }
      return out;
    },

    async create(caller: Caller, input: EmployeeInput): Promise<string> {
      if (!can(caller.viewer, 'employee.edit')) throw new Forbidden();
      await departments.assertDepartmentOf(caller, input.departmentId);
      const id = newId();
      await refuseTakenPan(caller.tenantId, id, input.pan);
      const sealed = await sealSensitive(caller.tenantId, id, input);
      await inTransaction(db, async (tx) => {
        await store.insertEmployeeRows(tx, caller.tenantId, [{ id, ...plainColumns(input), ...sealed }]);
        await audit.recordFor(tx, caller.context, 'employee.created', employeeTarget(id), {
          code: input.code,
          sensitiveFieldsSet: Object.keys(sealed).filter((k) => k.endsWith('Cipher') && sealed[k as keyof typeof sealed]),
        });
      }).catch(duplicatePan);
      return id;
    },

    /** `before` is the row as `get` loaded it for this viewer (so it is in their company and scope). */
    async update(caller: Caller, before: Employee, input: EmployeeInput): Promise<void> {
      if (!can(caller.viewer, 'employee.edit')) throw new Forbidden();
      await departments.assertDepartmentOf(caller, input.departmentId);
      const employeeId = before.id;
      await refuseTakenPan(caller.tenantId, employeeId, input.pan);
      // Blank sensitive inputs on the edit form mean "keep": only typed values replace.
      const sealed = await sealSensitive(caller.tenantId, employeeId, {
        pan: input.pan || undefined,
        aadhaarLast4: input.aadhaarLast4 || undefined,
        bankAccount: input.bankAccount || undefined,
      });
      const plain = plainColumns(input);
      const changed = Object.entries(plain)
        .filter(([key, value]) => (before as Record<string, unknown>)[key] !== value)
        .map(([key]) => key);
      await inTransaction(db, async (tx) => {
        await store.updateEmployeeRow(tx, caller.tenantId, employeeId, { ...plain, ...sealed }, now());
        await audit.recordFor(tx, caller.context, 'employee.updated', employeeTarget(employeeId), {
          changed: [
            ...changed,
            ...Object.keys(sealed)
              .filter((k) => k.endsWith('Cipher'))
              .map((k) => k.replace('Cipher', '')),
          ],
          before: Object.fromEntries(changed.map((k) => [k, (before as Record<string, unknown>)[k]])),
          after: Object.fromEntries(changed.map((k) => [k, (plain as Record<string, unknown>)[k]])),
        });
      }).catch(duplicatePan);
    },

    /** A deliberate, audited look at one sensitive value by HR or the owner, with a reason. */
    async reveal(caller: Caller, employee: Employee, field: SensitiveField, reason: string): Promise<string> {
      if (!can(caller.viewer, 'employee.reveal')) throw new Forbidden();
      let value: string | undefined;
      try {
        value = await decryptField(employee, field);
      } catch (error) {
        if (error instanceof CiphertextRejected) throw new Conflict('This value cannot be read. The security team has been alerted.');
        throw error;
      }
      if (value === undefined) throw new Invalid('field', 'has no value to reveal');
      await audit.recordFor(db, caller.context, 'employee.sensitive_revealed', employeeTarget(employee.id), { field, reason });
      return value;
    },

    own,

    async requestCorrection(caller: Caller, input: { field: string; message: string }) {
      const employee = await own(caller);
      if (!employee) throw new NotFound('Your account is not linked to an employee profile');
      await inTransaction(db, async (tx) => {
        await store.insertCorrection(tx, caller.tenantId, { employeeId: employee.id, requestedBy: caller.viewer.userId, ...input });
        await audit.recordFor(tx, caller.context, 'employee.correction_requested', employeeTarget(employee.id), { field: input.field });
      });
    },

    openCorrections: (caller: Caller) => store.listOpenCorrections(db, caller.tenantId),

    sealSensitive,
    plainColumns,
    panIndex,
    panIndexes,
  };
  return { ...employeeUseCases, ...csvUseCases({ db, audit }, employeeUseCases) };
}

export type People = ReturnType<typeof createPeople>;
