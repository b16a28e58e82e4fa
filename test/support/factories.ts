import type { FastifyInstance } from 'fastify';
import type { Db } from '../../src/platform/db/client.js';
import { newId } from '../../src/platform/db/columns.js';
import { findCompany, insertCompany, type Company, type Plan } from '../../src/modules/tenancy/index.js';
import { hashPassword, insertUser } from '../../src/modules/identity/index.js';
import type { Role } from '../../src/modules/access/index.js';
import {
  addDepartmentHead,
  employeeInput,
  insertDepartment,
  insertEmployeeRows,
  verhoeffCheckDigit,
  type EmployeeInput,
} from '../../src/modules/people/index.js';

/**
 * Small test data: only the rows a test needs, instead of the whole demo. Each call makes unique
 * codes, names, emails and domains from one counter (a test file runs in its own process over its
 * own database, so a counter per file is enough); pass overrides for what the test looks at.
 */
let serial = 0;
const next = () => ++serial;
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const letters = (n: number, count: number) => Array.from({ length: count }, (_, i) => LETTERS[Math.floor(n / 26 ** (count - 1 - i)) % 26]).join('');

export async function company(db: Db, overrides: { name?: string; domain?: string; plan?: Plan } = {}): Promise<Company> {
  const n = next();
  return insertCompany(db, { name: `Company ${n}`, domain: `company${n}.test`, ...overrides });
}

export interface FactoryDepartment {
  id: string;
  tenantId: string;
  name: string;
  costCentre: string | null;
}

export async function department(db: Db, tenantId: string, overrides: { name?: string; costCentre?: string | null } = {}): Promise<FactoryDepartment> {
  const n = next();
  const input = { name: `Department ${n}`, costCentre: `CC-${pad(n, 3)}`, ...overrides };
  return { id: await insertDepartment(db, tenantId, input), tenantId, ...input };
}

/** bcrypt at cost 12 is slow: each password is hashed once per test file, when first asked for. */
const hashes = new Map<string, Promise<string>>();
function passwordHash(password: string, pepper: string): Promise<string> {
  const key = `${pepper}\u0000${password}`;
  if (!hashes.has(key)) hashes.set(key, hashPassword(password, pepper));
  return hashes.get(key)!;
}

export type UserOptions = {
  role: Role;
  email?: string;
  displayName?: string;
  employeeId?: string | null;
  status?: 'invited' | 'active';
  /** When the password was set (the app's clock in tests that move it). */
  at?: Date;
} & (
  | { password?: undefined }
  /** To sign in through the login form; the pepper is the app's (`t.config.passwordPepper`). */
  | { password: string; pepper: string }
);

export interface FactoryUser {
  id: string;
  tenantId: string;
  email: string;
  role: Role;
}

/**
 * A user at the company's domain. Without a password the hash is null: such a user signs in only
 * through `sessionFor`, which costs no bcrypt.
 */
export async function user(db: Db, tenantId: string, options: UserOptions): Promise<FactoryUser> {
  const n = next();
  const email = options.email ?? (await defaultEmail(db, tenantId, `${options.role.replace('_', '.')}${n}`));
  const account = {
    email,
    displayName: options.displayName ?? `${options.role} ${n}`,
    role: options.role,
    passwordHash: options.password === undefined ? null : await passwordHash(options.password, options.pepper),
    status: options.status ?? 'active',
    employeeId: options.employeeId ?? null,
  } as const;
  const id = await insertUser(db, tenantId, account, options.at ?? new Date());
  return { id, tenantId, email: email.toLowerCase(), role: options.role };
}

async function defaultEmail(db: Db, tenantId: string, local: string): Promise<string> {
  const owner = await findCompany(db, tenantId);
  if (!owner) throw new Error(`no company ${tenantId}`);
  return `${local}@${owner.domain}`;
}

/** A department head user, recorded as heading the department (so their pages are scoped to it). */
export async function departmentHead(db: Db, tenantId: string, departmentId: string, options: Omit<UserOptions, 'role'> = {}): Promise<FactoryUser> {
  const head = await user(db, tenantId, { ...options, role: 'dept_head' } as UserOptions);
  await addDepartmentHead(db, tenantId, departmentId, head.id);
  return head;
}

/** Employee fields as a form or CSV row gives them: strings, blank or null for none. */
export type EmployeeOverrides = { [K in keyof EmployeeInput]?: string | null };

export type FactoryEmployee = EmployeeInput & { id: string; tenantId: string };

/**
 * An employee with valid Indian identifiers by default (PAN, Aadhaar with its Verhoeff check digit,
 * IFSC, account number, UAN). The values go through the same parser as the form and are sealed by
 * the app's own people service, so the app reads them back as it would its own. The returned
 * record holds the parsed values in clear, for the test to compare with.
 */
export async function employee(app: FastifyInstance, tenantId: string, overrides: EmployeeOverrides = {}): Promise<FactoryEmployee> {
  const n = next();
  const aadhaar11 = `${2 + (n % 8)}${pad(n, 10)}`;
  const raw = {
    code: `E${pad(n, 5)}`,
    fullName: `Employee ${n}`,
    email: `employee${n}@people.test`,
    dateOfJoining: '2024-04-01',
    workState: 'KA',
    pan: `${letters(n, 3)}P${letters(n * 7, 1)}${pad(n % 10_000, 4)}${letters(n * 11, 1)}`,
    aadhaarLast4: `${aadhaar11}${verhoeffCheckDigit(aadhaar11)}`,
    bankAccount: `9${pad(n, 11)}`,
    ifsc: `HDFC0${pad(n % 1_000_000, 6)}`,
    uan: `10${pad(n, 10)}`,
    ...overrides,
  };
  const parsed = employeeInput.safeParse(raw);
  if (!parsed.success) throw new Error(`factory employee is invalid: ${parsed.error.message}`);
  const input = parsed.data;
  const id = newId();
  await insertEmployeeRows(app.database.db, tenantId, [{ id, ...app.people.plainColumns(input), ...(await app.people.sealSensitive(tenantId, id, input)) }]);
  return { id, tenantId, ...input };
}
