import { beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { useTestApp } from '../support/app.js';
import { getPage, sessionFor, type Browserish } from '../support/auth.js';
import { testClock } from '../support/clock.js';
import * as factories from '../support/factories.js';
import { auditOf, problemsOf, sendForm } from '../support/days.js';
import { pdfText } from '../support/pdf.js';
import { insertPunches } from '../support/punches.js';
import { fullMonth } from '../support/payroll-files.js';
import { payslips } from '../../src/modules/payroll/index.js';
import { insertTemplate, upsertStructure } from '../../src/modules/payroll/store.js';
import type { FactoryEmployee } from '../support/factories.js';

/** Payslips (issue 18 item 5): the PDF and "How was this worked out?" of an approved run, for the employee and for HR. */
const clock = testClock(new Date('2026-05-20T06:30:00Z'));
const t = useTestApp({ adapters: () => ({ clock }) });
const db = () => t.app.database.db;

type Role = 'owner' | 'hr' | 'finance' | 'employee' | 'colleague';

async function setSalary(tenantId: string, templateId: string, employeeId: string, annualCtc: number) {
  await upsertStructure(db(), tenantId, employeeId, '2026-04-01', {
    templateId,
    annualCtc,
    basicOverride: null,
    hraOverride: null,
    da: 0,
    allowances: '{}',
    pfMode: 'restricted',
    setBy: tenantId,
  });
}

async function runMonth(hr: Browserish, month: string): Promise<string> {
  const res = await sendForm(t.app, hr, '/payroll/runs', { month });
  expect(res.statusCode, res.body).toBe(303);
  await t.app.jobs.runUntilIdle();
  return String(res.headers.location).split('/').pop()!;
}

async function payslipId(runId: string, employeeId: string): Promise<string> {
  const [row] = await db()
    .select({ id: payslips.id })
    .from(payslips)
    .where(and(eq(payslips.runId, runId), eq(payslips.employeeId, employeeId)));
  return row!.id;
}

describe('payslips of an approved run', () => {
  let tenantId: string;
  let otherTenantId: string;
  const emails = {} as Record<Role, string>;
  let asha: FactoryEmployee;
  let ravi: FactoryEmployee;
  let ashaApril: string;
  let raviApril: string;
  let ashaMay: string;
  const as = (role: Role) => sessionFor(t.app, emails[role]);

  beforeAll(async () => {
    const company = await factories.company(db());
    tenantId = company.id;
    const department = await factories.department(db(), tenantId);
    // Worked example A (spec §7): CTC 12,00,000, template 50/40, Maharashtra, male, April 2026.
    asha = await factories.employee(t.app, tenantId, {
      fullName: 'Asha Patil',
      departmentId: department.id,
      workState: 'MH',
      gender: 'male',
      pan: 'ABCPA1234K',
    });
    ravi = await factories.employee(t.app, tenantId, { fullName: 'Ravi Kulkarni', departmentId: department.id, workState: 'MH', gender: 'male' });
    emails.owner = (await factories.user(db(), tenantId, { role: 'owner' })).email;
    emails.hr = (await factories.user(db(), tenantId, { role: 'hr_admin' })).email;
    emails.finance = (await factories.user(db(), tenantId, { role: 'finance' })).email;
    emails.employee = (await factories.user(db(), tenantId, { role: 'employee', employeeId: asha.id })).email;
    emails.colleague = (await factories.user(db(), tenantId, { role: 'employee', employeeId: ravi.id })).email;
    const templateId = await insertTemplate(db(), tenantId, { name: 'Standard', basicBasisPoints: 5000, hraBasisPoints: 4000 });
    for (const e of [asha, ravi]) await setSalary(tenantId, templateId, e.id, 1_200_000);
    await insertPunches(db(), tenantId, [...fullMonth(asha.id, '2026-04'), ...fullMonth(ravi.id, '2026-04')]);

    const april = await runMonth(await as('hr'), '2026-04');
    // Maker-checker: the HR admin started it, the owner approves it.
    expect((await sendForm(t.app, await as('owner'), `/payroll/runs/${april}/approve`, {})).statusCode).toBe(303);
    ashaApril = await payslipId(april, asha.id);
    raviApril = await payslipId(april, ravi.id);
    // May is computed but never approved: its payslips are not pay yet.
    ashaMay = await payslipId(await runMonth(await as('hr'), '2026-05'), asha.id);

    otherTenantId = (await factories.company(db())).id;
    otherHr = (await factories.user(db(), otherTenantId, { role: 'hr_admin' })).email;
  });
  let otherHr: string;

  it("the employee's list shows the approved month only, with its PDF and explanation links", async () => {
    const page = await getPage(t.app, await as('employee'), '/payslips');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`/payslips/${ashaApril}/pdf`);
    expect(page.body).toContain(`/payslips/${ashaApril}/explanation`);
    expect(page.body).toContain('April 2026');
    expect(page.body).not.toContain(ashaMay);
    expect(page.body).not.toContain(raviApril);
  });

  it('the employee downloads their own payslip: example A in Indian format, PAN and account masked', async () => {
    const res = await getPage(t.app, await as('employee'), `/payslips/${ashaApril}/pdf`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="payslip-E\d+-2026-04\.pdf"$/);
    const text = await pdfText(res.rawPayload);
    expect(text).toContain('Payslip for April 2026');
    expect(text).toContain(`Asha Patil (${asha.code})`);
    expect(text).toMatch(/Net pay\s*₹96,200/);
    expect(text).toMatch(/Provident fund \(PF\)\s*₹1,800/);
    expect(text).toMatch(/Professional tax \(PT\)\s*₹200/);
    expect(text).toMatch(/Gross earnings\s*₹98,200/);
    expect(text).toMatch(/Basic\s*₹50,000/);
    expect(text).toContain('XXXXXX234K');
    expect(text).not.toContain('ABCPA1234K');
    expect(text).toContain(`XXXXXX${asha.bankAccount!.slice(-4)}`);
    expect(text).not.toContain(asha.bankAccount!);
    expect(text).toContain(asha.uan!);
    // Employer contributions (spec §2: 15,000 × 3.67% and 8.33%, EDLI 0.5%, admin 0.5%).
    expect(text).toMatch(/EPF \(employer share\)\s*₹550/);
    expect(text).toMatch(/EPS \(pension\)\s*₹1,250/);
    expect(text).toMatch(/Year to date[^]*Gross earnings\s*₹98,200[^]*TDS deducted\s*₹0/);
  });

  it('the explanation page shows the PF ceiling and the TDS rebate, grouped', async () => {
    const page = await getPage(t.app, await as('employee'), `/payslips/${ashaApril}/explanation`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/data-group="Provident fund"[^]*data-rule="PF wages"[^]*capped at the ₹15,000 ceiling/);
    expect(page.body).toMatch(/data-group="Income tax \(TDS\)"[^]*data-rule="Rebate \(s.87A\)"/);
    expect(page.body).toContain('data-group="Earnings and loss of pay"');
    expect(page.body).toContain('data-group="Professional tax"');
    expect(page.body).toContain('Source: ');
  });

  it("HR downloads anyone's payslip from the run page, audited", async () => {
    const hr = await as('hr');
    const run = await getPage(t.app, hr, `/payroll/runs/${(await db().select().from(payslips).where(eq(payslips.id, ashaApril)))[0]!.runId}`);
    expect(run.body).toContain(`/payroll/payslips/${ashaApril}/pdf`);
    const res = await getPage(t.app, hr, `/payroll/payslips/${ashaApril}/pdf`);
    expect(res.statusCode).toBe(200);
    expect(await pdfText(res.rawPayload)).toMatch(/Net pay\s*₹96,200/);
    const explanation = await getPage(t.app, hr, `/payroll/payslips/${ashaApril}/explanation`);
    expect(explanation.statusCode).toBe(200);
    expect(explanation.body).toContain(`href="/payroll/payslips/${ashaApril}/pdf"`);
    const audit = await auditOf(db(), tenantId, 'payslip.viewed');
    expect(audit.map((a) => ({ target: a.targetId, details: a.details }))).toEqual([
      { target: asha.id, details: { payslipId: ashaApril, month: '2026-04', view: 'pdf' } },
      { target: asha.id, details: { payslipId: ashaApril, month: '2026-04', view: 'explanation' } },
    ]);
    // The employee's own downloads, earlier in this file, are not audited: the two entries are HR's.
    expect(audit.every((a) => a.actorKind === 'user')).toBe(true);
  });

  it("a draft run's payslip is not found, for the employee and for HR", async () => {
    expect((await getPage(t.app, await as('employee'), `/payslips/${ashaMay}/pdf`)).statusCode).toBe(404);
    expect((await getPage(t.app, await as('employee'), `/payslips/${ashaMay}/explanation`)).statusCode).toBe(404);
    expect((await getPage(t.app, await as('hr'), `/payroll/payslips/${ashaMay}/pdf`)).statusCode).toBe(404);
  });

  it("nobody else gets a payslip: a colleague, finance, another company's HR", async () => {
    expect((await getPage(t.app, await as('colleague'), `/payslips/${ashaApril}/pdf`)).statusCode).toBe(404);
    expect((await getPage(t.app, await as('colleague'), `/payslips/${ashaApril}/explanation`)).statusCode).toBe(404);
    expect((await getPage(t.app, await as('colleague'), `/payroll/payslips/${ashaApril}/pdf`)).statusCode).toBe(403);
    expect((await getPage(t.app, await as('finance'), `/payroll/payslips/${ashaApril}/pdf`)).statusCode).toBe(403);
    expect((await getPage(t.app, await as('finance'), `/payroll/payslips/${ashaApril}/explanation`)).statusCode).toBe(403);
    // Finance has no employee record here: its own list says so and another's payslip is not found.
    const list = await getPage(t.app, await as('finance'), '/payslips');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Your account has no employee record');
    expect(list.body).not.toContain(ashaApril);
    expect((await getPage(t.app, await as('finance'), `/payslips/${ashaApril}/pdf`)).statusCode).toBe(404);
    const other = await sessionFor(t.app, otherHr);
    expect((await getPage(t.app, other, `/payroll/payslips/${ashaApril}/pdf`)).statusCode).toBe(404);
    expect((await getPage(t.app, other, `/payroll/payslips/${ashaApril}/explanation`)).statusCode).toBe(404);
    expect(otherTenantId).not.toBe(tenantId);
  });

  it('a malformed payslip id is a 400 naming the field', async () => {
    const res = await getPage(t.app, await as('employee'), '/payslips/not-an-id/pdf');
    expect(res.statusCode).toBe(400);
    expect(problemsOf(res.body)).toEqual(['payslipId: is not a payslip id']);
  });
});
