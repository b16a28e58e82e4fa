/**
 * Finance reports without people data (issue 18 item 6; security.md: finance sees totals, not people). Pure:
 * approved payslips' figures in, group totals out. No name, code or per-person amount leaves this file: every
 * figure is a sum over a group of at least MIN_GROUP people, or it is not given at all.
 */
import { roundHalfUp } from './money.js';

/** security.md: "a group smaller than 3 people is suppressed"; issue 18: merged into "Other". */
export const MIN_GROUP = 3;
export const OTHER = 'Other';

/** One approved payslip as the report needs it: whole rupees, as the calculator gave them. */
export interface PayslipCost {
  department: string | null;
  costCentre: string | null;
  gross: number;
  /** Earned basic + DA of the month (after LOP): the wage gratuity is worked out on (spec §6). */
  basicAndDa: number;
  net: number;
  employerCost: number;
  pfEmployee: number;
  eps: number;
  employerEpf: number;
  edli: number;
  admin: number;
  esiEmployee: number;
  esiEmployer: number;
  professionalTax: number;
  tds: number;
}

/** What one group cost in the month. */
export interface CostFigures {
  headcount: number;
  gross: number;
  /** Employer's PF: EPS + employer EPF. */
  employerPf: number;
  employerEsi: number;
  /** EDLI + PF admin charges, both the employer's. */
  edliAndAdmin: number;
  gratuityAccrual: number;
  net: number;
  employerCost: number;
}

export interface CostGroup extends CostFigures {
  name: string;
  /** The groups merged into this one (for "Other"): their names only, never who is in them. */
  merged: string[];
}

export interface StatutoryTotals {
  pfEmployee: number;
  pfEmployer: number;
  eps: number;
  edli: number;
  admin: number;
  esiEmployee: number;
  esiEmployer: number;
  professionalTax: number;
  tds: number;
}

export interface MonthCosts {
  headcount: number;
  /**
   * True when the month has fewer than MIN_GROUP payslips: the company's own total would then be one or two
   * people's pay, so no amount is given (headcount only). Every table below is empty then.
   */
  suppressed: boolean;
  byDepartment: CostGroup[];
  byCostCentre: CostGroup[];
  total: CostFigures | null;
  statutory: StatutoryTotals | null;
}

/**
 * Spec §6: gratuity accrues each month at (basic + DA) × 15/26/12, i.e. 15 days' wages (a month being 26
 * working days) per year of service, spread over 12 months. Rounded half-up to the rupee per employee, as
 * every other per-employee figure is, before any sum. The 20,00,000 cap (spec §6) bounds the payout, not the
 * accrual of one month, and needs years of service the report does not have: it is not applied here.
 */
export function gratuityAccrual(basicAndDa: number): number {
  return roundHalfUp(basicAndDa * 15, 26 * 12);
}

const NO_DEPARTMENT = 'No department';
const NO_COST_CENTRE = 'No cost centre';

const emptyFigures = (): CostFigures => ({
  headcount: 0,
  gross: 0,
  employerPf: 0,
  employerEsi: 0,
  edliAndAdmin: 0,
  gratuityAccrual: 0,
  net: 0,
  employerCost: 0,
});

function add(figures: CostFigures, payslip: PayslipCost): void {
  figures.headcount += 1;
  figures.gross += payslip.gross;
  figures.employerPf += payslip.eps + payslip.employerEpf;
  figures.employerEsi += payslip.esiEmployer;
  figures.edliAndAdmin += payslip.edli + payslip.admin;
  figures.gratuityAccrual += gratuityAccrual(payslip.basicAndDa);
  figures.net += payslip.net;
  figures.employerCost += payslip.employerCost;
}

const FIGURES = Object.keys(emptyFigures()) as (keyof CostFigures)[];

function combine(into: CostFigures, from: CostFigures): void {
  for (const key of FIGURES) into[key] += from[key];
}

/**
 * Sums payslips into groups by `keyOf`, then merges every group of fewer than MIN_GROUP people into "Other".
 *
 * When "Other" itself ends up with 1 or 2 people (a single small group, say 2 of 20), its total would still be
 * those people's pay, and "company total − the named groups" would give it away even if "Other" were hidden.
 * So the smallest named group (fewest people; ties by name, so the outcome is stable) joins "Other" too, which
 * then has at least MIN_GROUP + 1 people: no row, and no difference of rows within this table, is fewer than
 * MIN_GROUP people. A real group that happens to be called "Other" is folded into "Other" as well, so one name
 * never means two rows. Named groups come by employer cost, largest first; "Other" last.
 *
 * Not protected: differences between two reports (a month against the next, the department table against the
 * cost-centre table) can narrow down a small change; the totals are what finance needs, and the 3-person rule
 * is what security.md asks for.
 */
export function groupCosts(payslips: readonly PayslipCost[], keyOf: (payslip: PayslipCost) => string): CostGroup[] {
  const groups = new Map<string, CostFigures>();
  for (const payslip of payslips) {
    const name = keyOf(payslip);
    let figures = groups.get(name);
    if (!figures) groups.set(name, (figures = emptyFigures()));
    add(figures, payslip);
  }

  const named: CostGroup[] = [];
  const other: CostGroup = { name: OTHER, merged: [], ...emptyFigures() };
  for (const [name, figures] of groups) {
    if (figures.headcount < MIN_GROUP || name === OTHER) {
      combine(other, figures);
      other.merged.push(name);
    } else named.push({ name, merged: [], ...figures });
  }

  if (other.headcount > 0 && other.headcount < MIN_GROUP && named.length > 0) {
    named.sort((a, b) => a.headcount - b.headcount || a.name.localeCompare(b.name));
    const smallest = named.shift()!;
    combine(other, smallest);
    other.merged.push(smallest.name);
  }

  named.sort((a, b) => b.employerCost - a.employerCost || a.name.localeCompare(b.name));
  other.merged.sort((a, b) => a.localeCompare(b));
  return other.headcount > 0 ? [...named, other] : named;
}

export function statutoryTotals(payslips: readonly PayslipCost[]): StatutoryTotals {
  const totals: StatutoryTotals = { pfEmployee: 0, pfEmployer: 0, eps: 0, edli: 0, admin: 0, esiEmployee: 0, esiEmployer: 0, professionalTax: 0, tds: 0 };
  for (const p of payslips) {
    totals.pfEmployee += p.pfEmployee;
    totals.pfEmployer += p.employerEpf;
    totals.eps += p.eps;
    totals.edli += p.edli;
    totals.admin += p.admin;
    totals.esiEmployee += p.esiEmployee;
    totals.esiEmployer += p.esiEmployer;
    totals.professionalTax += p.professionalTax;
    totals.tds += p.tds;
  }
  return totals;
}

/** The month's report: cost by department and by cost centre, the company total and the statutory totals. */
export function monthCosts(payslips: readonly PayslipCost[]): MonthCosts {
  const headcount = payslips.length;
  if (headcount < MIN_GROUP) return { headcount, suppressed: true, byDepartment: [], byCostCentre: [], total: null, statutory: null };
  const total = emptyFigures();
  for (const payslip of payslips) add(total, payslip);
  return {
    headcount,
    suppressed: false,
    byDepartment: groupCosts(payslips, (p) => p.department?.trim() || NO_DEPARTMENT),
    byCostCentre: groupCosts(payslips, (p) => p.costCentre?.trim() || NO_COST_CENTRE),
    total,
    statutory: statutoryTotals(payslips),
  };
}

/** One approved month's totals for the month-over-month chart. */
export interface MonthTotal {
  month: string;
  headcount: number;
  gross: number;
  employerCost: number;
}

/** A month's totals as finance may see them: amounts of a month with fewer than MIN_GROUP payslips are withheld. */
export function trendOf(months: readonly MonthTotal[]): { month: string; headcount: number; gross: number | null; employerCost: number | null }[] {
  return [...months]
    .sort((a, b) => a.month.localeCompare(b.month))
    .map((m) => (m.headcount < MIN_GROUP ? { month: m.month, headcount: m.headcount, gross: null, employerCost: null } : { ...m }));
}
