import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { useTestApp } from '../support/app.js';
import { getPage, sessionFor, type Browserish } from '../support/auth.js';
import { testClock } from '../support/clock.js';
import * as factories from '../support/factories.js';
import { auditOf, problemsOf, sendForm } from '../support/days.js';
import { insertPunches } from '../support/punches.js';
import { fullMonth, setSalary, startRun } from '../support/payroll-files.js';
import { payRuns } from '../../src/modules/payroll/index.js';
import { insertTemplate } from '../../src/modules/payroll/store.js';
import { newId } from '../../src/platform/db/columns.js';
import type { FactoryEmployee } from '../support/factories.js';

/** Bank and statutory files of an approved pay run (issue 18 item 5; spec §2 ECR, §3 ESI, §4 PT). */
const clock = testClock(new Date('2026-11-20T06:30:00Z'));
const t = useTestApp({ adapters: () => ({ clock }) });
const db = () => t.app.database.db;

type Role = 'owner' | 'hr' | 'finance' | 'head' | 'employee';
const emails = {} as Record<Role, string>;
const userIds = {} as Record<Role, string>;
let tenantId: string;
let asha: FactoryEmployee;
let formula: FactoryEmployee;
let noBank: FactoryEmployee;
let noUan: FactoryEmployee;
let low: FactoryEmployee;
let runId: string;

const as = (role: Role): Promise<Browserish> => sessionFor(t.app, emails[role]);
const download = async (role: Role, file: string, id = runId) => getPage(t.app, await as(role), `/payroll/runs/${id}/files/${file}`);
const csvRecords = (body: string) => parse(body, { columns: true }) as Record<string, string>[];

beforeAll(async () => {
  const company = await factories.company(db());
  tenantId = company.id;
  const department = await factories.department(db(), tenantId, { name: 'Operations' });
  const self = await factories.employee(t.app, tenantId, { fullName: 'Self Service', departmentId: department.id, workState: 'MH', gender: 'female' });
  const users = {
    owner: await factories.user(db(), tenantId, { role: 'owner' }),
    hr: await factories.user(db(), tenantId, { role: 'hr_admin' }),
    finance: await factories.user(db(), tenantId, { role: 'finance' }),
    head: await factories.departmentHead(db(), tenantId, department.id),
    employee: await factories.user(db(), tenantId, { role: 'employee', employeeId: self.id }),
  };
  for (const [role, user] of Object.entries(users)) {
    emails[role as Role] = user.email;
    userIds[role as Role] = user.id;
  }
  const male = { departmentId: department.id, workState: 'MH', gender: 'male' };
  asha = await factories.employee(t.app, tenantId, { ...male, fullName: 'Asha Patil' });
  formula = await factories.employee(t.app, tenantId, { ...male, fullName: '=HYPERLINK("http://evil.test","pay")' });
  noBank = await factories.employee(t.app, tenantId, { ...male, fullName: 'No Bank', bankAccount: null, ifsc: null });
  noUan = await factories.employee(t.app, tenantId, { ...male, fullName: 'No Uan', uan: null });
  low = await factories.employee(t.app, tenantId, { ...male, fullName: 'Low Earner', esicNumber: '3100123456' });
  const templateId = await insertTemplate(db(), tenantId, { name: 'Standard', basicBasisPoints: 5000, hraBasisPoints: 4000 });
  for (const e of [self, asha, formula, noBank, noUan]) await setSalary(db(), tenantId, templateId, e.id, '2026-04', 1_200_000);
  // Monthly CTC 20,000: gross 18,800, under the ESI ceiling (spec §3).
  await setSalary(db(), tenantId, templateId, low.id, '2026-04', 240_000);
  await insertPunches(
    db(),
    tenantId,
    [self, asha, formula, noBank, noUan, low].flatMap((e) => fullMonth(e.id, '2026-04')),
  );
  runId = await startRun(t.app, await as('hr'), '2026-04');
  await t.app.jobs.runUntilIdle();
});

describe('before approval', () => {
  it('a computed run has no files: 409 with a clear message, and no links on its page', async () => {
    const res = await download('hr', 'ecr');
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('is not approved yet: only an approved run has bank and statutory files');
    expect((await getPage(t.app, await as('hr'), `/payroll/runs/${runId}`)).body).not.toContain('/files/');
    expect(await auditOf(db(), tenantId, 'pay_run.file_downloaded')).toEqual([]);
  });
});

describe('an approved run', () => {
  beforeAll(async () => {
    const res = await sendForm(t.app, await as('owner'), `/payroll/runs/${runId}/approve`, {});
    expect(res.statusCode, res.body).toBe(303);
  });

  it('the ECR has worked example A’s line exactly, one line per member with a UAN, no header (spec §2, §7 A)', async () => {
    const res = await download('hr', 'ecr');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="epf-ecr-2026-04.txt"');
    const lines = res.body.split('\n');
    expect(lines).toContain(`${asha.uan}#~#Asha Patil#~#98200#~#15000#~#15000#~#15000#~#1800#~#1250#~#550#~#0#~#0`);
    // Six payslips, one without a UAN: five members. Names keep letters, spaces and dots only.
    expect(lines).toHaveLength(5);
    expect(lines.every((line) => line.split('#~#').length === 11)).toBe(true);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${formula.uan}#~#HYPERLINKhttpevil.testpay#~#`)));
    expect(res.body).not.toContain('No Uan');
  });

  it('the run page links the files and names who the bank file and the ECR leave out', async () => {
    const page = await getPage(t.app, await as('hr'), `/payroll/runs/${runId}`);
    for (const file of ['bank', 'ecr', 'esi', 'pt', 'register']) expect(page.body).toContain(`/payroll/runs/${runId}/files/${file}"`);
    expect(page.body).toContain(`data-no-bank="${noBank.id}"`);
    expect(page.body).toContain(`data-no-uan="${noUan.id}"`);
    expect(page.body).not.toContain(`data-no-bank="${asha.id}"`);
  });

  it('the bank file: decrypted account, IFSC, net in whole rupees and name; formulas neutralised; audited with counts only', async () => {
    const res = await download('hr', 'bank');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    const rows = csvRecords(res.body);
    expect(rows.map((r) => r.name)).not.toContain('No Bank');
    expect(rows).toHaveLength(5);
    expect(rows).toContainEqual({ account_number: asha.bankAccount, ifsc: asha.ifsc, amount: '96200', name: 'Asha Patil' });
    // A spreadsheet would run a cell starting with '=': it gets a leading apostrophe.
    expect(rows.find((r) => r.account_number === formula.bankAccount)!.name).toBe(`'${formula.fullName}`);
    expect(res.body).not.toMatch(/(^|,|\n)"?=/);
    const [entry] = (await auditOf(db(), tenantId, 'pay_run.file_downloaded')).filter((e) => e.details?.file === 'bank');
    expect(entry).toMatchObject({ actorId: userIds.hr, targetId: runId, details: { file: 'bank', month: '2026-04', rows: 5, leftOut: 1, sensitive: true } });
    expect(JSON.stringify(entry)).not.toContain(asha.bankAccount!);
  });

  it('the ESI register lists the covered employee with both contributions (spec §3)', async () => {
    const rows = csvRecords((await download('hr', 'esi')).body);
    // 0.75% and 3.25% of 18,800, each rounded up: 141 and 611.
    expect(rows).toEqual([
      { ip_number: '3100123456', name: 'Low Earner', days_paid: '30', gross: '18800', employee_contribution: '141', employer_contribution: '611' },
    ]);
  });

  it('the PT register, by state, and the payroll register with each earning and deduction', async () => {
    const pt = csvRecords((await download('hr', 'pt')).body);
    expect(pt).toHaveLength(6);
    expect(pt).toContainEqual({ state: 'MH', code: asha.code, name: 'Asha Patil', gross: '98200', professional_tax: '200' });
    const register = csvRecords((await download('hr', 'register')).body);
    expect(register).toHaveLength(6);
    expect(register.find((r) => r.code === asha.code)).toMatchObject({
      name: 'Asha Patil',
      department: 'Operations',
      days_paid: '30',
      basic: '50000',
      hra: '20000',
      special: '28200',
      gross: '98200',
      pf_employee: '1800',
      esi_employee: '0',
      professional_tax: '200',
      tds: '0',
      total_deductions: '2000',
      net: '96200',
      employer_cost: '100150',
    });
  });

  it('every download is audited: who, which run, which file', async () => {
    const entries = await auditOf(db(), tenantId, 'pay_run.file_downloaded');
    expect(entries.map((e) => e.details?.file).sort()).toEqual(['bank', 'ecr', 'esi', 'pt', 'register']);
    for (const entry of entries) expect(entry).toMatchObject({ actorId: userIds.hr, targetType: 'pay_run', targetId: runId });
  });

  it('finance, a department head and an employee are refused', async () => {
    for (const role of ['finance', 'head', 'employee'] as const)
      for (const file of ['bank', 'ecr']) expect((await download(role, file)).statusCode, role).toBe(403);
  });

  it('another company’s run is not found, and bad input names the field', async () => {
    const other = await factories.company(db());
    const otherRun = newId();
    await db()
      .insert(payRuns)
      .values({ id: otherRun, tenantId: other.id, month: '2026-04', status: 'approved', startedBy: newId(), createdAt: new Date(), updatedAt: new Date() });
    expect((await download('hr', 'bank', otherRun)).statusCode).toBe(404);
    const badFile = await download('hr', 'salaries');
    expect(badFile.statusCode).toBe(400);
    expect(problemsOf(badFile.body)).toEqual(['file: must be one of bank, ecr, esi, pt, register']);
    const badRun = await download('hr', 'ecr', 'not-a-run');
    expect(badRun.statusCode).toBe(400);
    expect(problemsOf(badRun.body)).toEqual(['runId: is not a pay run id']);
  });
});
