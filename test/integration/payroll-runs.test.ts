import { beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { useTestApp } from '../support/app.js';
import { getPage, sessionFor, type Browserish } from '../support/auth.js';
import { testClock } from '../support/clock.js';
import * as factories from '../support/factories.js';
import { auditOf, problemsOf, sendForm } from '../support/days.js';
import { insertPunches } from '../support/punches.js';
import { fullMonth, setSalary, startRun } from '../support/payroll-files.js';
import { calculateEmployeeMonth, payRuns, payslips, type EmployeeMonthBreakdown } from '../../src/modules/payroll/index.js';
import { insertTemplate } from '../../src/modules/payroll/store.js';
import type { FactoryEmployee } from '../support/factories.js';

/** Pay runs (issue 18 item 4): from structures, attendance and approved year-to-date pay, through the job runner. */
const clock = testClock(new Date('2026-11-20T06:30:00Z'));
const hooks = { failAtBatch: 0 };
const t = useTestApp({
  adapters: () => ({
    clock,
    payRuns: {
      batchSize: 2,
      beforeBatch: (_runId: string, batch: number) => {
        if (batch === hooks.failAtBatch) throw new Error(`injected failure before batch ${batch}`);
      },
    },
  }),
});
const db = () => t.app.database.db;

type Role = 'owner' | 'hr' | 'finance' | 'head' | 'employee';
interface Company {
  id: string;
  emails: Record<Role, string>;
  userIds: Record<Role, string>;
  templateId: string;
}

async function makeCompany(options: { onlyOwner?: boolean } = {}): Promise<Company> {
  const row = await factories.company(db());
  const department = await factories.department(db(), row.id);
  const self = await factories.employee(t.app, row.id, { departmentId: department.id, workState: 'MH', gender: 'male' });
  const users = {
    owner: await factories.user(db(), row.id, { role: 'owner' }),
    hr: await factories.user(db(), row.id, { role: options.onlyOwner ? 'finance' : 'hr_admin' }),
    finance: await factories.user(db(), row.id, { role: 'finance' }),
    head: await factories.departmentHead(db(), row.id, department.id),
    employee: await factories.user(db(), row.id, { role: 'employee', employeeId: self.id }),
  };
  const templateId = await insertTemplate(db(), row.id, { name: 'Standard', basicBasisPoints: 5000, hraBasisPoints: 4000 });
  await setSalary(db(), row.id, templateId, self.id, '2026-04', 600_000);
  await insertPunches(db(), row.id, fullMonth(self.id, '2026-04'));
  return {
    id: row.id,
    emails: Object.fromEntries(Object.entries(users).map(([k, u]) => [k, u.email])) as Record<Role, string>,
    userIds: Object.fromEntries(Object.entries(users).map(([k, u]) => [k, u.id])) as Record<Role, string>,
    templateId,
  };
}

const as = (company: Company, role: Role): Promise<Browserish> => sessionFor(t.app, company.emails[role]);

async function runJobs() {
  await t.app.jobs.runUntilIdle();
}

async function payslipOf(runId: string, employeeId: string) {
  const [row] = await db()
    .select()
    .from(payslips)
    .where(and(eq(payslips.runId, runId), eq(payslips.employeeId, employeeId)));
  return row && { ...row, breakdown: JSON.parse(row.output) as EmployeeMonthBreakdown, input: JSON.parse(row.input) as Record<string, unknown> };
}

const runRow = async (runId: string) => (await db().select().from(payRuns).where(eq(payRuns.id, runId)))[0]!;
const payslipsOfRun = (runId: string) => db().select().from(payslips).where(eq(payslips.runId, runId));

describe('a pay run for April 2026', () => {
  const A = {} as Company;
  let asha: FactoryEmployee;
  let ravi: FactoryEmployee;
  let joiner: FactoryEmployee;
  let unpaid: FactoryEmployee;
  let delhi: FactoryEmployee;
  let runId: string;

  beforeAll(async () => {
    Object.assign(A, await makeCompany());
    asha = await factories.employee(t.app, A.id, { fullName: 'Asha Patil', workState: 'MH', gender: 'male', uan: null });
    ravi = await factories.employee(t.app, A.id, { fullName: 'Ravi Kulkarni', workState: 'MH', gender: 'male' });
    joiner = await factories.employee(t.app, A.id, { fullName: 'Late Joiner', workState: 'MH', gender: 'male', dateOfJoining: '2026-04-16' });
    unpaid = await factories.employee(t.app, A.id, { fullName: 'No Structure', workState: 'MH', gender: 'female' });
    delhi = await factories.employee(t.app, A.id, { fullName: 'Delhi Person', workState: 'DL', gender: 'female' });
    for (const e of [asha, ravi, joiner, delhi]) await setSalary(db(), A.id, A.templateId, e.id, '2026-04', 1_200_000);
    await insertPunches(db(), A.id, [
      ...fullMonth(asha.id, '2026-04'),
      ...fullMonth(ravi.id, '2026-04', ['2026-04-06', '2026-04-07', '2026-04-08']),
      ...fullMonth(joiner.id, '2026-04'),
      ...fullMonth(unpaid.id, '2026-04'),
      ...fullMonth(delhi.id, '2026-04'),
    ]);
  });

  it("the pre-run check lists each employee's problems before anything is run", async () => {
    const page = await getPage(t.app, await as(A, 'hr'), '/payroll/runs?month=2026-04');
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/No Structure<\/strong> \(skipped\): no salary structure in force in 2026-04/);
    expect(page.body).toMatch(/Delhi Person<\/strong> \(skipped\): no professional tax rules for DL/);
    expect(page.body).toMatch(/Asha Patil<\/strong> \(warning\): no UAN/);
    expect(page.body).not.toMatch(/Ravi Kulkarni<\/strong>/);
    const bad = await getPage(t.app, await as(A, 'hr'), '/payroll/runs?month=2026-4');
    expect(bad.statusCode).toBe(400);
    expect(problemsOf(bad.body)).toEqual(['month: must be a month YYYY-MM']);
  });

  it('while the job has not run, the run page shows progress and refreshes, but no register', async () => {
    runId = await startRun(t.app, await as(A, 'hr'), '2026-04');
    const page = await getPage(t.app, await as(A, 'hr'), `/payroll/runs/${runId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-status="computing"');
    expect(page.body).toContain('<meta http-equiv="refresh"');
    expect(page.body).toMatch(/<progress[^>]*>/);
    expect(page.body).not.toContain('id="register"');
  });

  it('worked example A as a real employee: net 96,200 (spec §7 A)', async () => {
    await runJobs();
    expect((await runRow(runId)).status).toBe('computed');
    const slip = (await payslipOf(runId, asha.id))!;
    expect(slip).toMatchObject({ gross: 98_200, net: 96_200, totalDeductions: 2_000, lopHalfDays: 0, tds: 0, professionalTax: 200 });
    expect(slip.breakdown.pf).toMatchObject({ employee: 1800, eps: 1250, employerEpf: 550 });
    expect(slip.employerCost).toBe(slip.breakdown.employerCost);
    const page = await getPage(t.app, await as(A, 'hr'), `/payroll/runs/${runId}`);
    expect(page.body).toMatch(
      /Asha Patil<\/th><td class="num">₹98,200\.00<\/td><td class="num">₹2,000\.00<\/td><td class="num">₹96,200\.00<\/td><td class="num">0<\/td>/,
    );
    expect(page.body).not.toContain('<meta http-equiv="refresh"');
    // Once computed, the check is shown again beside the register, until the run is approved.
    expect(page.body).toMatch(/Asha Patil<\/strong> \(warning\): no UAN/);
  });

  it('absent working days with no punches are LOP, paid pro rata (spec §1)', async () => {
    const slip = (await payslipOf(runId, ravi.id))!;
    // 3 LOP days of 30: basic 50,000 → 45,000, HRA 20,000 → 18,000, special 28,200 → 25,380.
    expect(slip.breakdown.earnings).toMatchObject({ basic: 45_000, hra: 18_000, special: 25_380 });
    expect(slip).toMatchObject({ gross: 88_380, lopHalfDays: 6, net: 88_380 - 1_800 - 200 });
    const page = await getPage(t.app, await as(A, 'hr'), `/payroll/runs/${runId}`);
    expect(page.body).toMatch(
      /Ravi Kulkarni<\/th><td class="num">₹88,380\.00<\/td><td class="num">₹2,000\.00<\/td><td class="num">₹86,380\.00<\/td><td class="num">3<\/td>/,
    );
  });

  it('a mid-month joiner is paid for the days employed only', async () => {
    const slip = (await payslipOf(runId, joiner.id))!;
    expect(slip.breakdown.earnings).toMatchObject({ basic: 25_000, hra: 10_000, special: 14_100 });
    expect(slip.gross).toBe(49_100);
  });

  it('skips the employee without a structure and the one in a state without PT rules, and lists them', async () => {
    expect(await payslipOf(runId, unpaid.id)).toBeUndefined();
    expect(await payslipOf(runId, delhi.id)).toBeUndefined();
    const run = await runRow(runId);
    expect(JSON.parse(run.problems!).map((p: { employeeId: string }) => p.employeeId)).toEqual(expect.arrayContaining([unpaid.id, delhi.id]));
    const page = await getPage(t.app, await as(A, 'hr'), `/payroll/runs/${runId}`);
    expect(page.body).toContain(`data-skipped="${unpaid.id}"`);
    expect(page.body).toMatch(/Total \(4\)/);
  });
});

describe('a high earner over two approved months, with a raise', () => {
  const C = {} as Company;
  let karan: FactoryEmployee;

  beforeAll(async () => {
    Object.assign(C, await makeCompany());
    karan = await factories.employee(t.app, C.id, { fullName: 'Karan Mehta', workState: 'KA', gender: 'male' });
    await setSalary(db(), C.id, C.templateId, karan.id, '2026-04', 3_600_000);
    await setSalary(db(), C.id, C.templateId, karan.id, '2026-05', 4_800_000);
    await insertPunches(db(), C.id, [...fullMonth(karan.id, '2026-04'), ...fullMonth(karan.id, '2026-05')]);
  });

  it('maker-checker: the HR admin who started it may not approve; the owner does, audited', async () => {
    const hr = await as(C, 'hr');
    const runId = await startRun(t.app, hr, '2026-04');
    await runJobs();
    const page = await getPage(t.app, hr, `/payroll/runs/${runId}`);
    expect(page.body).not.toContain('/approve"');
    expect(page.body).toContain('Another owner or HR admin approves this run');
    expect((await sendForm(t.app, hr, `/payroll/runs/${runId}/approve`, {})).statusCode).toBe(403);

    const owner = await as(C, 'owner');
    expect((await getPage(t.app, owner, `/payroll/runs/${runId}`)).body).toContain(`/payroll/runs/${runId}/approve`);
    expect((await sendForm(t.app, owner, `/payroll/runs/${runId}/approve`, {})).statusCode).toBe(303);
    expect(await runRow(runId)).toMatchObject({ status: 'approved', approvedBy: C.userIds.owner, startedBy: C.userIds.hr });
    expect(await auditOf(db(), C.id, 'pay_run.started')).toEqual([expect.objectContaining({ actorId: C.userIds.hr, targetId: runId })]);
    expect(await auditOf(db(), C.id, 'pay_run.approved')).toEqual([
      expect.objectContaining({ actorId: C.userIds.owner, targetId: runId, details: { month: '2026-04' } }),
    ]);
  });

  it('an approved run never changes: running or approving it again is a 409 and its payslips stay as they were', async () => {
    const [run] = await db()
      .select()
      .from(payRuns)
      .where(and(eq(payRuns.tenantId, C.id), eq(payRuns.month, '2026-04')));
    const before = await payslipsOfRun(run!.id);
    await setSalary(db(), C.id, C.templateId, karan.id, '2026-04', 3_000_000); // a correction after approval
    expect((await sendForm(t.app, await as(C, 'hr'), '/payroll/runs', { month: '2026-04' })).statusCode).toBe(409);
    expect((await sendForm(t.app, await as(C, 'owner'), `/payroll/runs/${run!.id}/approve`, {})).statusCode).toBe(409);
    await runJobs();
    expect(await payslipsOfRun(run!.id)).toEqual(before);
    await setSalary(db(), C.id, C.templateId, karan.id, '2026-04', 3_600_000);
  });

  it('the raise from May changes May’s pay, and April’s approved pay feeds May’s TDS', async () => {
    const april = (await db().select().from(payslips).where(eq(payslips.employeeId, karan.id)))[0]!;
    expect(april.gross).toBe(298_200); // 36 L: monthly 3,00,000 − employer PF 1,800
    expect(april.tds).toBeGreaterThan(0);

    const mayRun = await startRun(t.app, await as(C, 'hr'), '2026-05');
    await runJobs();
    const may = (await payslipOf(mayRun, karan.id))!;
    expect(may.gross).toBe(398_200); // 48 L from May
    expect(may.input.ytd).toMatchObject({ taxableGross: april.gross, tdsDeducted: april.tds });
    const withoutYtd = calculateEmployeeMonth({ ...may.input, ytd: { taxableGross: 0, tdsDeducted: 0 } });
    const expected = calculateEmployeeMonth({ ...may.input, ytd: { taxableGross: april.gross, tdsDeducted: april.tds } });
    expect(may.tds).toBe(expected.tds.month);
    expect(may.tds).not.toBe(withoutYtd.tds.month);
  });

  it('a company with a single payroll admin approves its own run', async () => {
    const D = await makeCompany({ onlyOwner: true });
    const owner = await as(D, 'owner');
    const runId = await startRun(t.app, owner, '2026-04');
    await runJobs();
    expect((await sendForm(t.app, owner, `/payroll/runs/${runId}/approve`, {})).statusCode).toBe(303);
    expect((await runRow(runId)).status).toBe('approved');
  });
});

describe('a run that crashes mid-way', () => {
  it('shows no payslips until computed, and the next attempt recomputes cleanly; a re-run replaces the draft', async () => {
    const E = await makeCompany();
    for (let i = 0; i < 4; i++) {
      const e = await factories.employee(t.app, E.id, { workState: 'KA', gender: 'female' });
      await setSalary(db(), E.id, E.templateId, e.id, '2026-04', 600_000 + i * 12_000);
    }
    hooks.failAtBatch = 2; // 5 employees in batches of 2: the first batch commits, then the job dies
    const hr = await as(E, 'hr');
    const runId = await startRun(t.app, hr, '2026-04');
    await runJobs();
    const crashed = await runRow(runId);
    expect(crashed.status).toBe('computing');
    expect(await payslipsOfRun(runId)).toHaveLength(2);
    const page = await getPage(t.app, hr, `/payroll/runs/${runId}`);
    expect(page.body).toContain('injected failure before batch 2');
    expect(page.body).not.toContain('id="register"');
    expect((await sendForm(t.app, await as(E, 'owner'), `/payroll/runs/${runId}/approve`, {})).statusCode).toBe(409);

    hooks.failAtBatch = 0;
    expect((await t.app.jobs.runJob(crashed.jobId!)).status).toBe('done');
    const slips = await payslipsOfRun(runId);
    expect(slips).toHaveLength(5);
    expect(await runRow(runId)).toMatchObject({ status: 'computed', employeesDone: 5, employeesTotal: 5 });

    // Running the draft again replaces its payslips (same employees, new rows).
    expect(await startRun(t.app, hr, '2026-04')).toBe(runId);
    await runJobs();
    const again = await payslipsOfRun(runId);
    expect(again).toHaveLength(5);
    expect(again.map((s) => s.id).filter((id) => slips.some((s) => s.id === id))).toEqual([]);

    // Started twice before any job ran: the first job finds the run pointing at the second and leaves it alone.
    await startRun(t.app, hr, '2026-04');
    await startRun(t.app, hr, '2026-04');
    await runJobs();
    expect(await payslipsOfRun(runId)).toHaveLength(5);
    expect(await runRow(runId)).toMatchObject({ status: 'computed', employeesDone: 5 });
    expect((await auditOf(db(), E.id, 'pay_run.started')).map((e) => e.details)).toEqual([
      { month: '2026-04', rerun: false },
      { month: '2026-04', rerun: true },
      { month: '2026-04', rerun: true },
      { month: '2026-04', rerun: true },
    ]);
  });
});

describe('who may see and run pay runs', () => {
  const A = {} as Company;
  const B = {} as Company;
  let runOfA: string;

  beforeAll(async () => {
    Object.assign(A, await makeCompany());
    Object.assign(B, await makeCompany());
    runOfA = await startRun(t.app, await as(A, 'hr'), '2026-04');
    await runJobs();
  });

  it.each(['finance', 'head', 'employee'] as const)('%s gets 403 on every pay run route', async (role) => {
    const jar = await as(A, role);
    expect((await getPage(t.app, jar, '/payroll/runs')).statusCode).toBe(403);
    expect((await getPage(t.app, jar, `/payroll/runs/${runOfA}`)).statusCode).toBe(403);
    expect((await sendForm(t.app, jar, '/payroll/runs', { month: '2026-04' })).statusCode).toBe(403);
    expect((await sendForm(t.app, jar, `/payroll/runs/${runOfA}/approve`, {})).statusCode).toBe(403);
  });

  it("another company's run is not found", async () => {
    const hrOfB = await as(B, 'hr');
    expect((await getPage(t.app, hrOfB, `/payroll/runs/${runOfA}`)).statusCode).toBe(404);
    expect((await sendForm(t.app, await as(B, 'owner'), `/payroll/runs/${runOfA}/approve`, {})).statusCode).toBe(404);
    expect((await runRow(runOfA)).status).toBe('computed');
  });

  it.each([
    ['2026-13', 'month: must be a month YYYY-MM'],
    ['April', 'month: must be a month YYYY-MM'],
    ['2027-01', 'month: 2027-01 has not started yet'],
  ])('a bad month %s is a 400 naming month', async (month, problem) => {
    const res = await sendForm(t.app, await as(A, 'hr'), '/payroll/runs', { month });
    expect(res.statusCode).toBe(400);
    expect(problemsOf(res.body)).toEqual([problem]);
  });

  it('lists runs by month with a start form', async () => {
    const page = await getPage(t.app, await as(A, 'owner'), '/payroll/runs');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`href="/payroll/runs/${runOfA}">2026-04</a>`);
    expect(page.body).toContain('name="month" type="month"');
  });
});
