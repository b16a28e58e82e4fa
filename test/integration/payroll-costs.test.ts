import { beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { useTestApp } from '../support/app.js';
import { getPage, sessionFor, type Browserish } from '../support/auth.js';
import { testClock } from '../support/clock.js';
import * as factories from '../support/factories.js';
import { auditOf, problemsOf, sendForm } from '../support/days.js';
import { insertPunches } from '../support/punches.js';
import { fullMonth } from '../support/payroll-files.js';
import { formatMoney } from '../../src/platform/views/filters.js';
import { payRuns, payslips, type EmployeeMonthBreakdown } from '../../src/modules/payroll/index.js';
import { insertTemplate, upsertStructure } from '../../src/modules/payroll/store.js';
import type { FactoryEmployee } from '../support/factories.js';

/**
 * Finance reports without people data (issue 18 item 6): payroll cost by department and cost centre, statutory
 * totals and the month-over-month trend, from approved runs only; finance sees sums, never a person.
 */
const clock = testClock(new Date('2026-11-20T06:30:00Z'));
const t = useTestApp({ adapters: () => ({ clock }) });
const db = () => t.app.database.db;

type Role = 'owner' | 'hr' | 'finance' | 'head' | 'employee';
interface Company {
  id: string;
  emails: Record<Role, string>;
  userIds: Record<Role, string>;
  staff: FactoryEmployee[];
}
const as = (company: Company, role: Role): Promise<Browserish> => sessionFor(t.app, company.emails[role]);

/**
 * A company whose people sit in departments of the given sizes (name, cost centre, people); CTCs spread from
 * 2 L (in ESI range) up, so every statutory column has something in it.
 */
async function makeCompany(prefix: string, groups: { name: string | null; costCentre: string | null; people: number }[], months: string[]): Promise<Company> {
  const row = await factories.company(db());
  const templateId = await insertTemplate(db(), row.id, { name: 'Standard', basicBasisPoints: 5000, hraBasisPoints: 4000 });
  const staff: FactoryEmployee[] = [];
  let headDepartment: string | undefined;
  for (const group of groups) {
    const department = group.name ? await factories.department(db(), row.id, { name: group.name, costCentre: group.costCentre }) : null;
    headDepartment ??= department?.id;
    for (let i = 0; i < group.people; i++) {
      const n = staff.length + 1;
      const person = await factories.employee(t.app, row.id, {
        fullName: `${prefix} Person${String.fromCharCode(64 + n)}`,
        departmentId: department?.id ?? null,
        workState: 'MH',
        gender: n % 2 ? 'male' : 'female',
      });
      staff.push(person);
      await upsertStructure(db(), row.id, person.id, '2026-04-01', {
        templateId,
        annualCtc: 200_000 + 97_531 * (n - 1),
        basicOverride: null,
        hraOverride: null,
        da: 0,
        allowances: '{}',
        pfMode: 'restricted',
        setBy: row.id,
      });
      await insertPunches(
        db(),
        row.id,
        months.flatMap((m) => fullMonth(person.id, m)),
      );
    }
  }
  const users = {
    owner: await factories.user(db(), row.id, { role: 'owner' }),
    hr: await factories.user(db(), row.id, { role: 'hr_admin' }),
    finance: await factories.user(db(), row.id, { role: 'finance' }),
    head: await factories.departmentHead(db(), row.id, headDepartment!),
    employee: await factories.user(db(), row.id, { role: 'employee', employeeId: staff[0]!.id }),
  };
  return {
    id: row.id,
    emails: Object.fromEntries(Object.entries(users).map(([k, u]) => [k, u.email])) as Record<Role, string>,
    userIds: Object.fromEntries(Object.entries(users).map(([k, u]) => [k, u.id])) as Record<Role, string>,
    staff,
  };
}

/** HR starts and the job computes the month's run; the owner approves it (maker-checker) unless told not to. */
async function payMonth(company: Company, month: string, approve = true): Promise<string> {
  const res = await sendForm(t.app, await as(company, 'hr'), '/payroll/runs', { month });
  expect(res.statusCode, res.body).toBe(303);
  const runId = String(res.headers.location).split('/').pop()!;
  await t.app.jobs.runUntilIdle();
  if (approve) expect((await sendForm(t.app, await as(company, 'owner'), `/payroll/runs/${runId}/approve`, {})).statusCode).toBe(303);
  return runId;
}

async function runTotals(runId: string) {
  const [row] = await db()
    .select({
      count: sql<string>`COUNT(*)`,
      gross: sql<string>`SUM(${payslips.gross})`,
      net: sql<string>`SUM(${payslips.net})`,
      employerCost: sql<string>`SUM(${payslips.employerCost})`,
    })
    .from(payslips)
    .where(eq(payslips.runId, runId));
  return { count: Number(row!.count), gross: Number(row!.gross), net: Number(row!.net), employerCost: Number(row!.employerCost) };
}

const rupees = (amount: number) => formatMoney(amount * 100);
/** The rows of one table of the page: `data-group` → the cells' text. */
function tableRows(html: string, id: string): Record<string, string[]> {
  const table = html.match(new RegExp(`<table id="${id}">([\\s\\S]*?)</table>`))?.[1] ?? '';
  const rows: Record<string, string[]> = {};
  for (const [, group, cells] of table.matchAll(/<tr data-group="([^"]+)">([\s\S]*?)<\/tr>/g))
    rows[group!] = [...cells!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, '').trim());
  return rows;
}
function csvFigure(csv: string, table: string, group: string, measure: string): number | undefined {
  const line = csv.split('\n').find((l) => l.startsWith(`2026-09,${table},${group},${measure},`));
  return line === undefined ? undefined : Number(line.split(',').at(-1));
}

describe('payroll costs for finance', () => {
  const A = {} as Company;
  const B = {} as Company;
  let septemberRun: string;
  let bRun: string;

  beforeAll(async () => {
    Object.assign(
      A,
      await makeCompany(
        'Alpha',
        [
          { name: 'Engineering', costCentre: 'CC-ENG', people: 4 },
          { name: 'Sales', costCentre: 'CC-SAL', people: 3 },
          { name: 'Design', costCentre: 'CC-ENG', people: 2 },
          { name: 'Legal', costCentre: null, people: 1 },
        ],
        ['2026-08', '2026-09', '2026-10'],
      ),
    );
    Object.assign(B, await makeCompany('Bravo', [{ name: 'Engineering', costCentre: 'CC-ENG', people: 3 }], ['2026-09']));
    await payMonth(A, '2026-08');
    septemberRun = await payMonth(A, '2026-09');
    await payMonth(A, '2026-10', false); // computed, not approved
    bRun = await payMonth(B, '2026-09');
  });

  it('finance sees cost by department: a department of 2 and one of 1 merged into Other, totals equal the approved run', async () => {
    const page = await getPage(t.app, await as(A, 'finance'), '/payroll/costs?month=2026-09');
    expect(page.statusCode, page.body).toBe(200);
    const departments = tableRows(page.body, 'by-department');
    expect(Object.keys(departments).sort()).toEqual(['Engineering', 'Other', 'Sales']);
    expect(departments.Engineering![1]).toBe('4');
    expect(departments.Sales![1]).toBe('3');
    expect(departments.Other![0]).toBe('Other (merged: Design, Legal)');
    expect(departments.Other![1]).toBe('3');
    expect(page.body).not.toContain('data-group="Design"');

    const totals = await runTotals(septemberRun);
    expect(totals.count).toBe(10);
    expect(page.body).toContain(`<td class="num" data-total="gross">${rupees(totals.gross)}</td>`);
    expect(page.body).toContain(`<td class="num" data-total="net">${rupees(totals.net)}</td>`);
    expect(page.body).toContain(`<td class="num" data-total="employer-cost">${rupees(totals.employerCost)}</td>`);
    // The rows add up to the run too.
    const grossOfRows = Object.values(departments).reduce((s, cells) => s + Number(cells[2]!.replace(/[₹,]/g, '')), 0);
    expect(grossOfRows).toBe(totals.gross);
  });

  it('by cost centre, an Other of 1 takes the smallest cost centre with it; statutory totals and the trend are there', async () => {
    const page = await getPage(t.app, await as(A, 'finance'), '/payroll/costs?month=2026-09');
    const centres = tableRows(page.body, 'by-cost-centre');
    expect(Object.keys(centres).sort()).toEqual(['CC-ENG', 'Other']);
    expect(centres['CC-ENG']![1]).toBe('6');
    expect(centres.Other).toEqual(expect.arrayContaining(['Other (merged: CC-SAL, No cost centre)', '4']));
    expect(page.body).toMatch(/<table id="statutory">[\s\S]*data-statutory="esiEmployer">₹[1-9]/);
    expect(page.body).toContain('data-month="2026-08"');
    expect(page.body).toContain('data-month="2026-09"');
    expect(page.body).not.toContain('data-month="2026-10"'); // not approved
    expect(page.body).toContain('<svg');
    expect(page.body).toContain('Employer cost by month');
  });

  it('no name or employee code of anyone, in the page or the CSV', async () => {
    const finance = await as(A, 'finance');
    const page = await getPage(t.app, finance, '/payroll/costs?month=2026-09');
    const csv = await getPage(t.app, finance, '/payroll/costs?month=2026-09&format=csv');
    for (const body of [page.body, csv.body])
      for (const person of [...A.staff, ...B.staff]) {
        expect(body).not.toContain(person.fullName);
        expect(body).not.toContain(person.code);
      }
    expect(page.body).not.toMatch(/Alpha|Bravo/);
  });

  it('the CSV has the same figures, and its download is audited with who and which month', async () => {
    const res = await getPage(t.app, await as(A, 'finance'), '/payroll/costs?month=2026-09&format=csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toBe('attachment; filename="payroll-costs-2026-09.csv"');
    const totals = await runTotals(septemberRun);
    expect(csvFigure(res.body, 'company', 'All', 'gross')).toBe(totals.gross);
    expect(csvFigure(res.body, 'company', 'All', 'employer_cost')).toBe(totals.employerCost);
    expect(csvFigure(res.body, 'department', 'Other', 'headcount')).toBe(3);
    expect(csvFigure(res.body, 'department', 'Design', 'headcount')).toBeUndefined();
    expect(res.body).toContain('2026-08,month_over_month,All,gross,');
    // Gratuity (spec §6, half-up per person) and the statutory totals from the stored breakdowns themselves.
    const stored = (await db().select().from(payslips).where(eq(payslips.runId, septemberRun))).map((p) => JSON.parse(p.output) as EmployeeMonthBreakdown);
    const add = (pick: (b: EmployeeMonthBreakdown) => number) => stored.reduce((s, b) => s + pick(b), 0);
    expect(csvFigure(res.body, 'company', 'All', 'gratuity_accrual')).toBe(add((b) => Math.floor(((b.earnings.basic! + b.earnings.da!) * 15 * 2 + 312) / 624)));
    expect(csvFigure(res.body, 'company', 'All', 'employer_pf')).toBe(add((b) => b.pf.eps + b.pf.employerEpf));
    expect(csvFigure(res.body, 'statutory', 'All', 'pf_employee')).toBe(add((b) => b.pf.employee));
    expect(csvFigure(res.body, 'statutory', 'All', 'esi_employee')).toBe(add((b) => b.esi.employee));
    expect(csvFigure(res.body, 'statutory', 'All', 'tds')).toBe(add((b) => b.tds.month));
    expect(csvFigure(res.body, 'statutory', 'All', 'professional_tax')).toBe(add((b) => b.pt));
    const exports = await auditOf(db(), A.id, 'payroll.costs_exported');
    expect(exports.length).toBeGreaterThan(0); // the test before downloaded it too
    for (const entry of exports) expect(entry).toMatchObject({ actorKind: 'user', actorId: A.userIds.finance, details: { month: '2026-09', format: 'csv' } });
  });

  it('a month whose run is not approved says so (page) and is not found (CSV); no month shows the latest approved', async () => {
    const finance = await as(A, 'finance');
    const draft = await getPage(t.app, finance, '/payroll/costs?month=2026-10');
    expect(draft.statusCode).toBe(200);
    expect(draft.body).toContain('No approved pay run for 2026-10');
    expect(draft.body).not.toContain('id="by-department"');
    expect((await getPage(t.app, finance, '/payroll/costs?month=2026-10&format=csv')).statusCode).toBe(404);
    expect((await getPage(t.app, finance, '/payroll/costs?month=2025-01')).body).toContain('No approved pay run for 2025-01');
    const latest = await getPage(t.app, finance, '/payroll/costs');
    expect(latest.body).toContain('<h1>Payroll costs 2026-09</h1>');
    const [october] = await db()
      .select()
      .from(payRuns)
      .where(and(eq(payRuns.tenantId, A.id), eq(payRuns.month, '2026-10')));
    expect(october!.status).toBe('computed');
  });

  it('a bad month is a 400 naming month', async () => {
    const finance = await as(A, 'finance');
    for (const month of ['2026-13', '2026-9', 'x']) {
      const res = await getPage(t.app, finance, `/payroll/costs?month=${month}`);
      expect(res.statusCode).toBe(400);
      expect(problemsOf(res.body)).toEqual(['month: must be a month YYYY-MM']);
    }
    const format = await getPage(t.app, finance, '/payroll/costs?month=2026-09&format=pdf');
    expect(format.statusCode).toBe(400);
    expect(problemsOf(format.body)).toEqual(['format: must be html or csv']);
  });

  it('owner and HR admin see it too; an employee and a department head get 403', async () => {
    for (const role of ['owner', 'hr'] as const) expect((await getPage(t.app, await as(A, role), '/payroll/costs?month=2026-09')).statusCode).toBe(200);
    for (const role of ['employee', 'head'] as const) {
      expect((await getPage(t.app, await as(A, role), '/payroll/costs?month=2026-09')).statusCode).toBe(403);
      expect((await getPage(t.app, await as(A, role), '/payroll/costs?month=2026-09&format=csv')).statusCode).toBe(403);
    }
  });

  it("another company's data is never included: each sees its own run", async () => {
    const bTotals = await runTotals(bRun);
    const bPage = await getPage(t.app, await as(B, 'finance'), '/payroll/costs?month=2026-09');
    expect(bPage.body).toContain(`<td class="num" data-total="gross">${rupees(bTotals.gross)}</td>`);
    expect(bPage.body).not.toContain('data-month="2026-08"'); // A's month
    const aCsv = await getPage(t.app, await as(A, 'finance'), '/payroll/costs?month=2026-09&format=csv');
    expect(csvFigure(aCsv.body, 'company', 'All', 'headcount')).toBe(10);
    expect(csvFigure(aCsv.body, 'company', 'All', 'gross')).toBe((await runTotals(septemberRun)).gross);
  });
});
