import type { Config } from '../config.js';
import { findUserByEmail, hashPassword, insertUser } from '../modules/identity/index.js';
import type { Role } from '../modules/access/index.js';
import type { Db } from '../platform/db/client.js';
import { inTransaction } from '../platform/db/client.js';
import { findCompanyByDomain, insertCompany, type Plan } from '../modules/tenancy/index.js';
import {
  addDepartmentHead,
  countEmployees,
  createPeople,
  firstEmployeeOf,
  insertDepartment,
  insertEmployeeRows,
  listDepartments,
  verhoeffCheckDigit,
  type EmployeeInput,
} from '../modules/people/index.js';
import { createFieldCipher, createKeyProvider } from '../platform/crypto/index.js';
import { newId } from '../platform/db/columns.js';
// The demo is made at the real time of `npm run dev`: there is no business clock to follow yet.
import { systemClock } from '../platform/clock/index.js';
import { createAudit } from '../modules/audit/index.js';
import { DESIGNATIONS, FIRST_NAMES_FEMALE, FIRST_NAMES_MALE, SURNAMES, WORK_STATES } from './names.js';
import { seedDemoKiosk } from './kiosk.js';
import { seedDemoPayroll, type DemoPayrollSummary } from './payroll.js';

export const DEMO_COMPANIES = [
  { name: 'Acme Industries', domain: 'acme.test', plan: 'enterprise' as Plan, codePrefix: 'ACM' },
  { name: 'Globex Labs', domain: 'globex.test', plan: 'growth' as Plan, codePrefix: 'GLX' },
];
export const DEMO_DEPARTMENTS = [
  { name: 'Engineering', costCentre: 'CC-100' },
  { name: 'Sales', costCentre: 'CC-200' },
  { name: 'Operations', costCentre: 'CC-300' },
  { name: 'Finance', costCentre: 'CC-400' },
];
export const DEMO_EMPLOYEES_PER_COMPANY = 60;

/** Demo sign-ins at each company's domain; all share DEMO_PASSWORD. */
export const DEMO_USERS: { local: string; displayName: string; role: Role; heads?: string; isEmployeeOf?: string }[] = [
  { local: 'owner', displayName: 'Company Owner', role: 'owner' },
  { local: 'hr', displayName: 'HR Admin', role: 'hr_admin' },
  { local: 'finance', displayName: 'Finance Lead', role: 'finance' },
  { local: 'head.engineering', displayName: 'Head of Engineering', role: 'dept_head', heads: 'Engineering' },
  { local: 'head.sales', displayName: 'Head of Sales', role: 'dept_head', heads: 'Sales' },
  { local: 'employee', displayName: 'Demo Employee', role: 'employee', isEmployeeOf: 'Engineering' },
];

export interface SeedSummary {
  companies: {
    name: string;
    domain: string;
    tenantId: string;
    employees: number;
    kiosk: { kioskId: string; enrolled: number; keyFile: string };
    payroll: DemoPayrollSummary;
  }[];
  logins: { email: string; role: Role }[];
}

/** A small deterministic generator, so every run of the seed makes the same people. */
function sequence(seed: number) {
  let state = seed >>> 0;
  return (n: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
}

const BANKS = ['HDFC', 'ICIC', 'SBIN', 'UTIB', 'KKBK', 'PUNB'];

export function demoEmployees(company: { codePrefix: string; domain: string }, seed: number, departmentIds: Map<string, string>): EmployeeInput[] {
  const { codePrefix, domain } = company;
  const pick = sequence(seed);
  const departmentNames = [...departmentIds.keys()];
  const usedNames = new Set<string>();
  const people: EmployeeInput[] = [];
  for (let i = 1; people.length < DEMO_EMPLOYEES_PER_COMPANY; i++) {
    const female = pick(2) === 0;
    const firstNames = female ? FIRST_NAMES_FEMALE : FIRST_NAMES_MALE;
    const fullName = `${firstNames[pick(firstNames.length)]} ${SURNAMES[pick(SURNAMES.length)]}`;
    if (usedNames.has(fullName)) continue;
    usedNames.add(fullName);
    const department = departmentNames[people.length % departmentNames.length]!;
    const designations = DESIGNATIONS[department]!;
    const joined = new Date(Date.UTC(2018 + pick(8), pick(12), 1 + pick(28)));
    const handle = fullName.toLowerCase().replace(/[^a-z]+/g, '.');
    const surname = fullName.split(' ')[1]!.toUpperCase();
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    // PAN: 3 letters, P for a person, the surname's initial, 4 digits, a letter.
    const pan = `${letters[pick(26)]}${letters[pick(26)]}${letters[pick(26)]}P${surname[0]}${String(1000 + pick(9000))}${letters[pick(26)]}`;
    const aadhaar11 = `${2 + pick(8)}${String(pick(10_000_000_000)).padStart(10, '0')}`;
    people.push({
      pan,
      aadhaarLast4: `${aadhaar11}${verhoeffCheckDigit(aadhaar11)}`.slice(-4),
      bankAccount: String(10_000_000_000 + pick(2_000_000_000)) + String(pick(100)).padStart(2, '0'),
      ifsc: `${BANKS[pick(BANKS.length)]}0${String(pick(1_000_000)).padStart(6, '0')}`,
      uan: `10${String(pick(10_000_000_000)).padStart(10, '0')}`,
      esicNumber: null,
      dateOfLeaving: null,
      code: `${codePrefix}${String(i).padStart(4, '0')}`,
      fullName,
      email: `${handle}@${domain}`,
      phone: `+91 9${String(100000000 + pick(899999999)).slice(0, 9)}`,
      departmentId: departmentIds.get(department)!,
      designation: designations[pick(designations.length)]!,
      dateOfJoining: joined.toISOString().slice(0, 10),
      workState: WORK_STATES[pick(WORK_STATES.length)]!,
      gender: female ? 'female' : 'male',
    });
  }
  return people;
}

/**
 * Creates the demo companies, departments and employees, their kiosks, and their payroll (structures and the
 * previous month's approved run, src/demo/payroll.ts). Idempotent (each step checks what is
 * there) and never in production.
 */
export async function seedDemo(
  db: Db,
  config: Pick<Config, 'isProduction' | 'demoPassword' | 'passwordPepper' | 'keyProvider' | 'dataDir' | 'aws'>,
): Promise<SeedSummary> {
  if (config.isProduction) throw new Error('the demo seed never runs in production');
  // The same key provider the app uses, so the app can read what the seed encrypts.
  const cipher = createFieldCipher({ db, keyProvider: createKeyProvider(config), alert: () => {} });
  const audit = createAudit({ clock: systemClock });
  const people = createPeople({ db, cipher, clock: systemClock, audit });
  const summary: SeedSummary = { companies: [], logins: [] };
  // One hash serves every demo user (same password); cost 12 like any other.
  let passwordHash: Promise<string> | undefined;
  for (const [index, demo] of DEMO_COMPANIES.entries()) {
    const tenantId = await inTransaction(db, async (tx) => {
      const company = (await findCompanyByDomain(tx, demo.domain)) ?? (await insertCompany(tx, demo));
      const existing = new Map((await listDepartments(tx, company.id)).map((d) => [d.name, d.id]));
      const departmentIds = new Map<string, string>();
      for (const department of DEMO_DEPARTMENTS) {
        departmentIds.set(department.name, existing.get(department.name) ?? (await insertDepartment(tx, company.id, department)));
      }
      if ((await countEmployees(tx, company.id)) === 0) {
        const rows = [];
        for (const input of demoEmployees(demo, 2026 + index, departmentIds)) {
          const id = newId();
          rows.push({ id, ...people.plainColumns(input), ...(await people.sealSensitive(company.id, id, input)) });
        }
        await insertEmployeeRows(tx, company.id, rows);
      }
      return company.id;
    });
    const departments = new Map((await listDepartments(db, tenantId)).map((d) => [d.name, d.id]));
    const userIds = new Map<string, string>();
    for (const demoUser of DEMO_USERS) {
      const email = `${demoUser.local}@${demo.domain}`;
      summary.logins.push({ email, role: demoUser.role });
      const found = await findUserByEmail(db, email);
      if (found) {
        userIds.set(demoUser.local, found.id);
        continue;
      }
      passwordHash ??= hashPassword(config.demoPassword, config.passwordPepper);
      const employee = demoUser.isEmployeeOf ? await firstEmployeeOf(db, tenantId, departments.get(demoUser.isEmployeeOf)!) : undefined;
      const userId = await insertUser(
        db,
        tenantId,
        {
          email,
          displayName: employee?.fullName ?? demoUser.displayName,
          role: demoUser.role,
          passwordHash: await passwordHash,
          status: 'active',
          employeeId: employee?.id ?? null,
        },
        systemClock.now(),
      );
      userIds.set(demoUser.local, userId);
      if (demoUser.heads) await addDepartmentHead(db, tenantId, departments.get(demoUser.heads)!, userId);
    }
    const kiosk = await seedDemoKiosk(db, cipher, config, tenantId, demo.domain);
    // HR starts the previous month's run and the owner approves it: maker-checker, as in the app.
    const admin = (local: string) => {
      const demoUser = DEMO_USERS.find((u) => u.local === local)!;
      return { userId: userIds.get(local)!, email: `${local}@${demo.domain}`, displayName: demoUser.displayName, role: demoUser.role };
    };
    const payroll = await seedDemoPayroll({ db, clock: systemClock, audit, tenantId, companyName: demo.name, maker: admin('hr'), checker: admin('owner') });
    summary.companies.push({ name: demo.name, domain: demo.domain, tenantId, employees: await countEmployees(db, tenantId), kiosk, payroll });
  }
  return summary;
}
