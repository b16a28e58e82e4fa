import { beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { useTestApp } from '../support/app.js';
import { getPage, sessionFor, type Browserish } from '../support/auth.js';
import { testClock } from '../support/clock.js';
import * as factories from '../support/factories.js';
import { auditOf, problemsOf, sendForm } from '../support/days.js';
import { salaryStructures, salaryTemplates } from '../../src/modules/payroll/index.js';
import { structuresInForce } from '../../src/modules/payroll/store.js';
import type { FactoryEmployee } from '../support/factories.js';

/** Salary templates and effective-dated structures (issue 18 item 3), through HTTP and the database. */
const clock = testClock(new Date('2026-11-20T06:30:00Z'));
const t = useTestApp({ adapters: () => ({ clock }) });
const db = () => t.app.database.db;

type Company = { id: string; emails: Record<'owner' | 'hr' | 'finance' | 'head' | 'employee', string> };
const A = {} as Company;
const B = {} as Company;
const as = (company: Company, role: keyof Company['emails']): Promise<Browserish> => sessionFor(t.app, company.emails[role]);
let priya: FactoryEmployee;
let bobOfB: FactoryEmployee;
let templateOfB: string;

async function makeCompany(company: Company) {
  const row = await factories.company(db());
  company.id = row.id;
  const department = await factories.department(db(), row.id);
  const employee = await factories.employee(t.app, row.id, { fullName: 'Priya Sharma', dateOfJoining: '2026-04-01', departmentId: department.id });
  company.emails = {
    owner: (await factories.user(db(), row.id, { role: 'owner' })).email,
    hr: (await factories.user(db(), row.id, { role: 'hr_admin' })).email,
    finance: (await factories.user(db(), row.id, { role: 'finance' })).email,
    head: (await factories.departmentHead(db(), row.id, department.id)).email,
    employee: (await factories.user(db(), row.id, { role: 'employee', employeeId: employee.id })).email,
  };
  return employee;
}

const templateIdOf = async (tenantId: string, name: string) =>
  (await db().select().from(salaryTemplates).where(eq(salaryTemplates.tenantId, tenantId))).find((t) => t.name === name)!.id;
const structuresOf = async (employeeId: string) => db().select().from(salaryStructures).where(eq(salaryStructures.employeeId, employeeId));

beforeAll(async () => {
  priya = await makeCompany(A);
  bobOfB = await makeCompany(B);
  await sendForm(t.app, await as(B, 'hr'), '/payroll/templates', { name: 'B standard', basicPercentOfCtc: '50', hraPercentOfBasic: '40' });
  templateOfB = await templateIdOf(B.id, 'B standard');
});

describe('salary templates', () => {
  it('HR adds a template (audited) and sees it listed; a second of the same name is refused naming the field', async () => {
    const hr = await as(A, 'hr');
    const added = await sendForm(t.app, hr, '/payroll/templates', { name: 'Standard', basicPercentOfCtc: '50', hraPercentOfBasic: '40' });
    expect(added.statusCode).toBe(303);
    const page = await getPage(t.app, hr, '/payroll/templates');
    expect(page.body).toMatch(/Standard<\/th><td class="num">50%<\/td><td class="num">40%/);
    expect(await auditOf(db(), A.id, 'salary_template.created')).toEqual([expect.objectContaining({ actorKind: 'user', details: { name: 'Standard' } })]);

    const again = await sendForm(t.app, hr, '/payroll/templates', { name: 'Standard', basicPercentOfCtc: '40', hraPercentOfBasic: '50' });
    expect(again.statusCode).toBe(400);
    expect(problemsOf(again.body)).toEqual(['name: is already a template']);
  });

  it.each([
    [{ name: 'Odd', basicPercentOfCtc: '50.555', hraPercentOfBasic: '40' }, 'basicPercentOfCtc: takes at most two decimals'],
    [{ name: 'Odd', basicPercentOfCtc: '50', hraPercentOfBasic: 'lots' }, 'hraPercentOfBasic: must be a percentage'],
    [{ name: '', basicPercentOfCtc: '50', hraPercentOfBasic: '40' }, 'name: is required'],
  ])('refuses %o with a 400 naming the field and adds nothing', async (fields, problem) => {
    const before = (await db().select().from(salaryTemplates).where(eq(salaryTemplates.tenantId, A.id))).length;
    const res = await sendForm(t.app, await as(A, 'hr'), '/payroll/templates', fields);
    expect(res.statusCode).toBe(400);
    expect(problemsOf(res.body)).toContain(problem);
    expect((await db().select().from(salaryTemplates).where(eq(salaryTemplates.tenantId, A.id))).length).toBe(before);
  });
});

describe('salary structures, effective-dated', () => {
  const form = (overrides: Record<string, string | string[]> = {}) => ({
    effectiveMonth: '2026-04',
    annualCtc: '1200000',
    pfMode: 'restricted',
    ...overrides,
  });

  it('a raise from October leaves April to September as they were, and the page shows both with their month', async () => {
    const hr = await as(A, 'hr');
    const templateId = await templateIdOf(A.id, 'Standard');
    expect((await sendForm(t.app, hr, `/payroll/salaries/${priya.id}`, form({ templateId }))).statusCode).toBe(303);
    const raise = await sendForm(
      t.app,
      hr,
      `/payroll/salaries/${priya.id}`,
      form({ templateId, effectiveMonth: '2026-10', annualCtc: '1500000', allowanceName: ['Conveyance', ''], allowanceAmount: ['1600', ''] }),
    );
    expect(raise.statusCode).toBe(303);

    const september = await structuresInForce(db(), A.id, [priya.id], '2026-09-01');
    const october = await structuresInForce(db(), A.id, [priya.id], '2026-10-01');
    const march = await structuresInForce(db(), A.id, [priya.id], '2026-03-01');
    expect(september.get(priya.id)).toMatchObject({ annualCtc: 1_200_000, effectiveFrom: '2026-04-01' });
    expect(october.get(priya.id)).toMatchObject({ annualCtc: 1_500_000, effectiveFrom: '2026-10-01', allowances: '{"Conveyance":1600}' });
    expect(march.has(priya.id)).toBe(false);

    const page = await getPage(t.app, hr, `/payroll/salaries/${priya.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/2026-10<\/th>[\s\S]*Conveyance[\s\S]*2026-04<\/th>[\s\S]*basic: ₹50,000[\s\S]*Gross: ₹98,200/);
    const overview = await getPage(t.app, hr, '/payroll/salaries');
    expect(overview.body).toMatch(/Priya Sharma<\/a><\/th>\s*<td>Standard<\/td>\s*<td class="num">₹15,00,000/);

    // Amounts stay out of the audit log.
    const entries = await auditOf(db(), A.id, 'salary_structure.set');
    expect(entries.map((e) => e.details)).toEqual([
      { effectiveFrom: '2026-04-01', template: 'Standard' },
      { effectiveFrom: '2026-10-01', template: 'Standard' },
    ]);
    expect(JSON.stringify(entries)).not.toContain('1500000');
  });

  it('setting the same month again corrects it, audited as a correction', async () => {
    const templateId = await templateIdOf(A.id, 'Standard');
    const res = await sendForm(
      t.app,
      await as(A, 'owner'),
      `/payroll/salaries/${priya.id}`,
      form({ templateId, effectiveMonth: '2026-10', annualCtc: '1440000' }),
    );
    expect(res.statusCode).toBe(303);
    expect((await structuresOf(priya.id)).map((s) => [s.effectiveFrom, s.annualCtc]).sort()).toEqual([
      ['2026-04-01', 1_200_000],
      ['2026-10-01', 1_440_000],
    ]);
    expect(await auditOf(db(), A.id, 'salary_structure.corrected')).toHaveLength(1);
  });

  it.each([
    ['a month before joining', { effectiveMonth: '2026-03' }, 'effectiveMonth: is before Priya Sharma joined (2026-04-01)'],
    ['a month that is not one', { effectiveMonth: '2026-13' }, 'effectiveMonth: must be a month YYYY-MM'],
    ['a CTC too small for the fixed parts', { annualCtc: '120000', basicOverride: '9000', hraOverride: '3600' }, 'annualCtc: is too small'],
    ['fractional rupees', { annualCtc: '1200000.50' }, 'annualCtc: must be whole rupees'],
    ['a negative DA', { da: '-1' }, 'da: cannot be negative'],
    [
      'an allowance with a markup name',
      { allowanceName: '<script>', allowanceAmount: '5' },
      'allowanceName: &quot;&lt;script&gt;&quot; is not an allowance name',
    ],
    ['an unknown PF mode', { pfMode: 'none' }, 'pfMode: must be restricted or actual'],
  ])('refuses %s with a 400 naming the field, and writes nothing', async (_case, overrides, problem) => {
    const before = await structuresOf(priya.id);
    const templateId = await templateIdOf(A.id, 'Standard');
    const res = await sendForm(t.app, await as(A, 'hr'), `/payroll/salaries/${priya.id}`, form({ templateId, effectiveMonth: '2027-01', ...overrides }));
    expect(res.statusCode).toBe(400);
    expect(problemsOf(res.body).join('\n')).toContain(problem);
    expect(await structuresOf(priya.id)).toEqual(before);
  });

  it('another company’s employee is not found and another company’s template is refused', async () => {
    const hr = await as(A, 'hr');
    const templateId = await templateIdOf(A.id, 'Standard');
    expect((await getPage(t.app, hr, `/payroll/salaries/${bobOfB.id}`)).statusCode).toBe(404);
    expect((await sendForm(t.app, hr, `/payroll/salaries/${bobOfB.id}`, form({ templateId }))).statusCode).toBe(404);
    const foreignTemplate = await sendForm(t.app, hr, `/payroll/salaries/${priya.id}`, form({ templateId: templateOfB, effectiveMonth: '2027-02' }));
    expect(foreignTemplate.statusCode).toBe(400);
    expect(problemsOf(foreignTemplate.body)).toEqual(['templateId: is not a salary template of your company']);
    expect(await structuresOf(bobOfB.id)).toEqual([]);
    expect((await getPage(t.app, hr, '/payroll/salaries/not-an-id')).statusCode).toBe(400);
  });

  it('finance, department heads and employees get none of it', async () => {
    for (const role of ['finance', 'head', 'employee'] as const) {
      const jar = await as(A, role);
      for (const path of ['/payroll/templates', '/payroll/salaries', `/payroll/salaries/${priya.id}`])
        expect((await getPage(t.app, jar, path)).statusCode, `${role} ${path}`).toBe(403);
      expect((await sendForm(t.app, jar, `/payroll/salaries/${priya.id}`, form({ templateId: await templateIdOf(A.id, 'Standard') }))).statusCode).toBe(403);
    }
  });
});
