import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Db } from '../../platform/db/client.js';
import { duplicateKeyOf, inTransaction } from '../../platform/db/client.js';
import { newId } from '../../platform/db/columns.js';
import { Forbidden, Invalid } from '../../platform/errors.js';
import type { FieldProblem } from '../../platform/errors.js';
import { can, type Caller } from '../access/index.js';
import type { Audit } from '../audit/index.js';
import { employeeInput, type EmployeeInput } from './input.js';
import type { Department, Employee, SensitiveField } from './schema.js';
import * as store from './store.js';

export const MAX_IMPORT_ROWS = 5000;

/** CSV header → form field. The header row is matched case-insensitively, spaces as underscores. */
const COLUMNS: Record<string, keyof EmployeeInput | 'department'> = {
  code: 'code',
  full_name: 'fullName',
  email: 'email',
  phone: 'phone',
  department: 'department',
  designation: 'designation',
  date_of_joining: 'dateOfJoining',
  date_of_leaving: 'dateOfLeaving',
  work_state: 'workState',
  gender: 'gender',
  pan: 'pan',
  aadhaar: 'aadhaarLast4',
  bank_account: 'bankAccount',
  ifsc: 'ifsc',
  uan: 'uan',
  esic_number: 'esicNumber',
};
export const IMPORT_HEADER = Object.keys(COLUMNS);

export interface RowReport {
  line: number;
  code: string;
  problems: FieldProblem[];
}

export interface ImportResult {
  imported: number;
  rejected: RowReport[];
  total: number;
}

/** What the CSV use cases need of the people service (passed in, so this file does not import it back). */
export interface CsvPeople {
  panIndex(tenantId: string, pan: string): Promise<string>;
  panIndexes(tenantId: string, pan: string): Promise<string[]>;
  plainColumns(input: EmployeeInput): Omit<EmployeeInput, SensitiveField>;
  sealSensitive(tenantId: string, employeeId: string, input: EmployeeInput): Promise<Partial<store.EmployeeRow>>;
  list(caller: Caller, query: { page: number }): Promise<{ rows: Employee[]; pages: number }>;
  masked(
    employee: Employee,
  ): Promise<Partial<Record<SensitiveField, { present: false } | { present: true; masked: string } | { present: true; unreadable: true }>>>;
  listDepartments(caller: Caller): Promise<Department[]>;
}

/** Import and export of employees as CSV, for HR. */
export function csvUseCases(deps: { db: Db; audit: Audit }, people: CsvPeople) {
  return {
    importEmployees: (caller: Caller, csv: string, mode: 'all' | 'valid') => importEmployees(deps, people, caller, csv, mode),

    /** Every employee in the caller's scope, sensitive fields masked, cells safe to open in a spreadsheet. */
    async exportEmployees(caller: Caller): Promise<string> {
      if (!can(caller.viewer, 'employee.seeSensitive')) throw new Forbidden();
      const departments = new Map((await people.listDepartments(caller)).map((d) => [d.id, d.name]));
      const rows: string[][] = [];
      for (let page = 1; ; page++) {
        const result = await people.list(caller, { page });
        for (const e of result.rows) {
          const masked = await people.masked(e);
          const show = (m: (typeof masked)['pan']) => (m?.present ? ('masked' in m ? m.masked : 'unreadable') : '');
          rows.push([
            e.code,
            e.fullName,
            e.email ?? '',
            e.phone ?? '',
            departments.get(e.departmentId ?? '') ?? '',
            e.designation ?? '',
            e.dateOfJoining,
            e.dateOfLeaving ?? '',
            e.workState,
            e.gender ?? '',
            show(masked.pan),
            show(masked.aadhaarLast4),
            show(masked.bankAccount),
            e.ifsc ?? '',
            e.uan ?? '',
            e.esicNumber ?? '',
          ]);
        }
        if (page >= result.pages) break;
      }
      await deps.audit.recordFor(deps.db, caller.context, 'employee.exported', null, { rows: rows.length });
      return toCsv(IMPORT_HEADER, rows);
    },
  };
}

/**
 * Parses and checks every row before writing any. With `mode: 'all'` one bad row means nothing is
 * imported; with `mode: 'valid'` the good rows go in (one transaction) and the bad ones are reported.
 */
async function importEmployees(deps: { db: Db; audit: Audit }, people: CsvPeople, caller: Caller, csv: string, mode: 'all' | 'valid'): Promise<ImportResult> {
  if (!can(caller.viewer, 'employee.edit')) throw new Forbidden();
  const { db } = deps;
  const viewer = caller.viewer;
  let lines: string[][];
  try {
    // Rows as arrays: the header is read here, so a column named `__proto__` or `constructor` is just unknown.
    lines = parse(csv, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: false, to: MAX_IMPORT_ROWS + 2 });
  } catch (error) {
    throw new Invalid('file', `is not a readable CSV file (${(error as Error).message.split('\n')[0]})`);
  }
  const [header, ...rows] = lines;
  if (!header || rows.length === 0) throw new Invalid('file', 'has no rows');
  if (rows.length > MAX_IMPORT_ROWS) throw new Invalid('file', `has more than ${MAX_IMPORT_ROWS} rows; split it`);
  const columns = header.map((h) => h.trim().toLowerCase().replace(/\s+/g, '_'));
  const unknown = columns.filter((h) => !Object.hasOwn(COLUMNS, h));
  if (unknown.length > 0) throw new Invalid('file', `has unknown columns: ${unknown.join(', ')} (expected ${IMPORT_HEADER.join(', ')})`);
  const repeated = [...new Set(columns.filter((h, i) => columns.indexOf(h) !== i))];
  if (repeated.length > 0) throw new Invalid('file', `repeats the column ${repeated.join(', ')}: which one holds the value?`);
  const records = rows.map((values) => columns.map((column, i) => [column, values[i] ?? ''] as const));

  const departments = new Map((await store.listDepartments(db, viewer.tenantId)).map((d) => [d.name.toLowerCase(), d.id]));
  const rejected: RowReport[] = [];
  let good: { line: number; input: EmployeeInput; panIndex: string | null; panIndexes: string[] }[] = [];
  const seenCodes = new Map<string, number>();
  const seenPans = new Map<string, number>();

  for (const [index, record] of records.entries()) {
    const line = index + 2; // the header is line 1
    const problems: FieldProblem[] = [];
    const form: Record<string, string | null> = {};
    for (const [column, value] of record) form[COLUMNS[column]!] = value;
    const departmentName = form.department?.trim();
    delete form.department;
    if (departmentName) {
      const id = departments.get(departmentName.toLowerCase());
      if (id) form.departmentId = id;
      else problems.push({ field: 'department', message: `"${departmentName}" is not a department of your company` });
    }
    const parsed = employeeInput.safeParse(form);
    if (!parsed.success) problems.push(...parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? 'row'), message: i.message })));
    const code = (form.code ?? '').trim();
    if (code && seenCodes.has(code.toUpperCase())) problems.push({ field: 'code', message: `repeats line ${seenCodes.get(code.toUpperCase())}` });
    if (code) seenCodes.set(code.toUpperCase(), line);
    let panIndex: string | null = null;
    let panIndexes: string[] = [];
    if (parsed.success && parsed.data.pan) {
      panIndex = await people.panIndex(viewer.tenantId, parsed.data.pan);
      panIndexes = await people.panIndexes(viewer.tenantId, parsed.data.pan);
      if (seenPans.has(panIndex)) problems.push({ field: 'pan', message: `repeats line ${seenPans.get(panIndex)}` });
      seenPans.set(panIndex, line);
    }
    if (problems.length > 0 || !parsed.success) rejected.push({ line, code, problems });
    else good.push({ line, input: parsed.data, panIndex, panIndexes });
  }

  // Codes and PANs already in the company.
  if (good.length > 0) {
    const taken = await store.findTaken(
      db,
      viewer.tenantId,
      good.map((g) => g.input.code),
      good.flatMap((g) => g.panIndexes),
    );
    const takenCodes = new Set(taken.codes.map((c) => c.toUpperCase()));
    const takenPans = new Set(taken.panIndexes);
    good = good.filter((row) => {
      const problems: FieldProblem[] = [];
      if (takenCodes.has(row.input.code.toUpperCase())) problems.push({ field: 'code', message: 'is already used by an employee' });
      if (row.panIndexes.some((index) => takenPans.has(index))) problems.push({ field: 'pan', message: 'is already used by an employee' });
      if (problems.length > 0) rejected.push({ line: row.line, code: row.input.code, problems });
      return problems.length === 0;
    });
  }
  rejected.sort((a, b) => a.line - b.line);

  if (rejected.length > 0 && mode === 'all') return { imported: 0, rejected, total: records.length };
  if (good.length > 0) {
    const rows: Omit<store.EmployeeRow, 'tenantId'>[] = [];
    for (const { input } of good) {
      const id = newId();
      rows.push({ id, ...people.plainColumns(input), ...(await people.sealSensitive(viewer.tenantId, id, input)) });
    }
    await inTransaction(db, async (tx) => {
      for (let i = 0; i < rows.length; i += 500) await store.insertEmployeeRows(tx, viewer.tenantId, rows.slice(i, i + 500));
      await deps.audit.recordFor(tx, caller.context, 'employee.imported', null, { imported: rows.length, rejected: rejected.length });
    }).catch((error: unknown) => {
      // Another import or a new employee took a code or PAN after the check above: nothing was written.
      if (duplicateKeyOf(error) === undefined) throw error;
      throw new Invalid('file', 'uses a code or PAN that another employee was given meanwhile; nothing was imported, import it again');
    });
  }
  return { imported: good.length, rejected, total: records.length };
}

/**
 * The text of an uploaded CSV file. Excel writes Windows-1252 ("CSV") or UTF-16 with a byte-order mark
 * ("Unicode text") as readily as UTF-8; reading those as UTF-8 would store U+FFFD in people's names.
 * Valid UTF-8 is UTF-8; a UTF-16 mark says which UTF-16; anything else is read as Windows-1252, which
 * gives every byte a character (Latin-1's accented letters included).
 */
export function decodeCsvFile(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab/CR before one) as a formula:
 * `=HYPERLINK(...)` in a name would phone home. Such cells get a leading apostrophe.
 */
export function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export function toCsv(header: string[], rows: (string | null | undefined)[][]): string {
  return stringify([header, ...rows.map((row) => row.map((cell) => neutraliseFormula(cell ?? '')))]);
}
