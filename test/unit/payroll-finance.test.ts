/**
 * Finance reports without people data (issue 18 item 6): the groups, the 3-person rule and its "Other" edge,
 * gratuity per spec §6, and sums that add up to the payslips they came from.
 */
import { describe, expect, it } from 'vitest';
import { calculateEmployeeMonth } from '../../src/modules/payroll/index.js';
import { costReportCsv } from '../../src/modules/payroll/finance-reports.js';
import {
  gratuityAccrual,
  groupCosts,
  monthCosts,
  OTHER,
  statutoryTotals,
  trendOf,
  type CostFigures,
  type PayslipCost,
} from '../../src/modules/payroll/rules/finance.js';

let serial = 0;
/** A payslip whose amounts tell people apart: each one's gross is unique, so a leak would show. */
function payslip(department: string | null, costCentre: string | null = null, overrides: Partial<PayslipCost> = {}): PayslipCost {
  serial += 1;
  const gross = 30_000 + serial;
  return {
    department,
    costCentre,
    gross,
    basicAndDa: 15_000,
    net: gross - 2_000,
    employerCost: gross + 1_950,
    pfEmployee: 1_800,
    eps: 1_250,
    employerEpf: 550,
    edli: 75,
    admin: 75,
    esiEmployee: 0,
    esiEmployer: 0,
    professionalTax: 200,
    tds: 0,
    ...overrides,
  };
}
const many = (n: number, department: string | null, costCentre: string | null = null) => Array.from({ length: n }, () => payslip(department, costCentre));
const shape = (groups: { name: string; headcount: number; merged: string[] }[]) => groups.map((g) => [g.name, g.headcount, g.merged]);
const sum = (rows: readonly PayslipCost[], pick: (p: PayslipCost) => number) => rows.reduce((s, p) => s + pick(p), 0);

describe('gratuity accrual (spec §6: (basic + DA) × 15/26/12, half-up per employee)', () => {
  it('is exact where the fraction is whole and rounds half-up otherwise', () => {
    expect(gratuityAccrual(0)).toBe(0);
    expect(gratuityAccrual(312)).toBe(15); // 312 × 15 / 312
    expect(gratuityAccrual(50_000)).toBe(2404); // 750000/312 = 2403.85 → 2404
    expect(gratuityAccrual(15_000)).toBe(721); // 225000/312 = 721.15 → 721
    // 52 × 15 / 312 = 2.5 exactly: half goes up.
    expect(gratuityAccrual(52)).toBe(3);
    // 51 × 15 / 312 = 2.45 → 2; 53 → 2.548 → 3
    expect(gratuityAccrual(51)).toBe(2);
    expect(gratuityAccrual(53)).toBe(3);
  });

  it('is rounded per employee before summing, not on the group total', () => {
    // Two people on basic 52 each: 2.5 → 3 each = 6; the total's 104 × 15/312 = 5 would be wrong.
    const [group] = groupCosts(
      [payslip('A', null, { basicAndDa: 52 }), payslip('A', null, { basicAndDa: 52 }), payslip('A', null, { basicAndDa: 52 })],
      (p) => p.department!,
    );
    expect(group!.gratuityAccrual).toBe(9);
  });
});

describe('grouping and the 3-person rule', () => {
  it('groups of 3 or more stand alone, largest employer cost first', () => {
    const groups = groupCosts([...many(3, 'Sales'), ...many(5, 'Engineering')], (p) => p.department!);
    expect(shape(groups)).toEqual([
      ['Engineering', 5, []],
      ['Sales', 3, []],
    ]);
  });

  it('merges every group under 3 people into Other', () => {
    const groups = groupCosts([...many(4, 'Engineering'), ...many(3, 'Sales'), ...many(2, 'Design'), ...many(1, 'Legal')], (p) => p.department!);
    expect(shape(groups)).toEqual([
      ['Engineering', 4, []],
      ['Sales', 3, []],
      [OTHER, 3, ['Design', 'Legal']],
    ]);
  });

  it('an Other of 1 or 2 takes the smallest named group with it, so no row is under 3', () => {
    const people = [...many(6, 'Engineering'), ...many(3, 'Sales'), ...many(4, 'Support'), ...many(2, 'Design')];
    const groups = groupCosts(people, (p) => p.department!);
    expect(shape(groups)).toEqual([
      ['Engineering', 6, []],
      ['Support', 4, []],
      [OTHER, 5, ['Design', 'Sales']],
    ]);
    expect(groups.every((g) => g.headcount >= 3)).toBe(true);
    // Company total minus the named rows is Other: never one or two people's pay.
    expect(sum(people, (p) => p.gross) - groups.filter((g) => g.name !== OTHER).reduce((s, g) => s + g.gross, 0)).toBe(groups.at(-1)!.gross);
  });

  it('ties for the smallest named group are broken by name, so the outcome is stable', () => {
    const groups = groupCosts([...many(3, 'Beta'), ...many(3, 'Alpha'), ...many(1, 'Solo')], (p) => p.department!);
    expect(shape(groups)).toEqual([
      ['Beta', 3, []],
      [OTHER, 4, ['Alpha', 'Solo']],
    ]);
  });

  it('all groups small but 3 or more people in all: one Other row', () => {
    const groups = groupCosts([...many(2, 'A'), ...many(2, 'B'), ...many(1, 'C')], (p) => p.department!);
    expect(shape(groups)).toEqual([[OTHER, 5, ['A', 'B', 'C']]]);
  });

  it('a real group named Other is folded into Other: one name, one row', () => {
    const groups = groupCosts([...many(3, 'Other'), ...many(1, 'Legal'), ...many(3, 'Sales')], (p) => p.department!);
    expect(shape(groups)).toEqual([
      ['Sales', 3, []],
      [OTHER, 4, ['Legal', 'Other']],
    ]);
  });

  it('a month of fewer than 3 people gives no amounts at all (the company total would be their pay)', () => {
    for (const n of [0, 1, 2]) {
      const costs = monthCosts(many(n, 'Sales'));
      expect(costs).toEqual({ headcount: n, suppressed: true, byDepartment: [], byCostCentre: [], total: null, statutory: null });
    }
    expect(monthCosts(many(3, 'Sales')).suppressed).toBe(false);
  });

  it('no department or cost centre is a group of its own', () => {
    const costs = monthCosts([...many(3, null, null), ...many(3, 'Sales', 'CC-1')]);
    expect(costs.byDepartment.map((g) => g.name).sort()).toEqual(['No department', 'Sales']);
    expect(costs.byCostCentre.map((g) => g.name).sort()).toEqual(['CC-1', 'No cost centre']);
  });

  it('groups by cost centre across departments', () => {
    const costs = monthCosts([...many(2, 'Sales', 'CC-1'), ...many(2, 'Support', 'CC-1'), ...many(3, 'Engineering', 'CC-2')]);
    expect(shape(costs.byCostCentre)).toEqual([
      ['CC-1', 4, []],
      ['CC-2', 3, []],
    ]);
    expect(shape(costs.byDepartment)).toEqual([
      ['Engineering', 3, []],
      [OTHER, 4, ['Sales', 'Support']],
    ]);
  });
});

describe('the figures', () => {
  it('each group sums its people: employer PF is EPS + employer EPF, EDLI + admin together', () => {
    const people = many(3, 'Sales');
    const [group] = groupCosts(people, (p) => p.department!);
    expect(group).toMatchObject({
      headcount: 3,
      gross: sum(people, (p) => p.gross),
      employerPf: 3 * (1_250 + 550),
      employerEsi: 0,
      edliAndAdmin: 3 * 150,
      gratuityAccrual: 3 * 721,
      net: sum(people, (p) => p.net),
      employerCost: sum(people, (p) => p.employerCost),
    });
  });

  it("totals of the department table, the cost-centre table and the company equal the run's payslips, from the calculator", () => {
    // Real breakdowns: the worked examples' salaries and a spread around the ESI and PF thresholds.
    const salaries = [
      { basic: 50_000, hra: 20_000, special: 28_200 },
      { basic: 9_000, hra: 3_600, special: 5_400 },
      { basic: 10_500, hra: 4_200, special: 6_000 },
      { basic: 12_000, hra: 4_800, special: 3_000 },
      { basic: 30_001, hra: 12_000, special: 7 },
      { basic: 7_777, hra: 3_111, special: 1_111 },
      { basic: 80_000, hra: 32_000, special: 10_000 },
    ];
    const departments = ['Sales', 'Sales', 'Sales', 'Design', 'Engineering', 'Engineering', 'Engineering'];
    const centres = ['CC-1', 'CC-2', 'CC-1', 'CC-2', 'CC-1', null, 'CC-2'];
    const people: PayslipCost[] = salaries.map((earnings, i) => {
      const b = calculateEmployeeMonth({ month: '2026-04', state: 'MH', gender: 'male', earnings, ytd: { taxableGross: 0, tdsDeducted: 0 } });
      return {
        department: departments[i]!,
        costCentre: centres[i]!,
        gross: b.gross,
        basicAndDa: (b.earnings.basic ?? 0) + (b.earnings.da ?? 0),
        net: b.net,
        employerCost: b.employerCost,
        pfEmployee: b.pf.employee,
        eps: b.pf.eps,
        employerEpf: b.pf.employerEpf,
        edli: b.pf.edli,
        admin: b.pf.admin,
        esiEmployee: b.esi.employee,
        esiEmployer: b.esi.employer,
        professionalTax: b.pt,
        tds: b.tds.month,
      };
    });
    const costs = monthCosts(people);
    const expected: CostFigures = {
      headcount: 7,
      gross: sum(people, (p) => p.gross),
      employerPf: sum(people, (p) => p.eps + p.employerEpf),
      employerEsi: sum(people, (p) => p.esiEmployer),
      edliAndAdmin: sum(people, (p) => p.edli + p.admin),
      gratuityAccrual: sum(people, (p) => gratuityAccrual(p.basicAndDa)),
      net: sum(people, (p) => p.net),
      employerCost: sum(people, (p) => p.employerCost),
    };
    expect(costs.total).toEqual(expected);
    for (const table of [costs.byDepartment, costs.byCostCentre]) {
      const added = Object.fromEntries(Object.keys(expected).map((k) => [k, table.reduce((s, g) => s + g[k as keyof CostFigures], 0)]));
      expect(added).toEqual(expected);
      expect(table.every((g) => g.headcount >= 3)).toBe(true);
    }
    // Employer cost is gross plus the employer's contributions, as the calculator says.
    expect(expected.employerCost).toBe(expected.gross + expected.employerPf + expected.edliAndAdmin + expected.employerEsi);
    expect(costs.statutory).toEqual({
      pfEmployee: sum(people, (p) => p.pfEmployee),
      pfEmployer: sum(people, (p) => p.employerEpf),
      eps: sum(people, (p) => p.eps),
      edli: sum(people, (p) => p.edli),
      admin: sum(people, (p) => p.admin),
      esiEmployee: sum(people, (p) => p.esiEmployee),
      esiEmployer: sum(people, (p) => p.esiEmployer),
      professionalTax: sum(people, (p) => p.professionalTax),
      tds: sum(people, (p) => p.tds),
    });
    // Someone in ESI range is in there, so the ESI columns are exercised.
    expect(costs.statutory!.esiEmployer).toBeGreaterThan(0);
  });

  it('statutory totals of nobody are zeros', () => {
    expect(Object.values(statutoryTotals([]))).toEqual(Array(9).fill(0));
  });
});

describe('month over month', () => {
  it('oldest first, and a month under 3 people shows its headcount only', () => {
    expect(
      trendOf([
        { month: '2026-05', headcount: 4, gross: 100, employerCost: 120 },
        { month: '2026-04', headcount: 2, gross: 50, employerCost: 60 },
      ]),
    ).toEqual([
      { month: '2026-04', headcount: 2, gross: null, employerCost: null },
      { month: '2026-05', headcount: 4, gross: 100, employerCost: 120 },
    ]);
  });
});

describe('the CSV', () => {
  it('one figure a line, group names guarded against spreadsheet formulas, no per-person row', () => {
    const people = [...many(3, '=HYPERLINK("x")'), ...many(3, 'Legal')];
    const csv = costReportCsv({
      month: '2026-04',
      approved: true,
      costs: monthCosts(people),
      trend: [{ month: '2026-04', headcount: 6, gross: 1, employerCost: 2 }],
    });
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('month,table,group,measure,rupees');
    expect(csv).toContain(`2026-04,department,"'=HYPERLINK(""x"")",headcount,3`);
    expect(csv).not.toMatch(/,=HYPERLINK/);
    expect(csv).toContain('2026-04,statutory,All,tds,0');
    expect(csv).toContain('2026-04,month_over_month,All,employer_cost,2');
    for (const p of people) expect(csv).not.toContain(`,${p.gross}\n`);
  });
});
