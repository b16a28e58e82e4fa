/**
 * One employee-month of a pay run, from what the database gave: the salary structure in force, the month's
 * attendance summary and the year-to-date figures become the calculator's §9 input; the calculator's
 * breakdown becomes a payslip. Also the pre-run check's problems. No I/O here.
 */
import { DomainError } from '../../platform/errors.js';
import { calculateEmployeeMonth, type EmployeeMonthBreakdown } from './rules/calculate.js';
import type { EmployeeMonthInput } from './rules/input.js';
import { payMonth } from './rules/period.js';
import { earningsOf } from './structures.js';
import type { SalaryStructureRow, SalaryTemplateRow } from './schema.js';
import type { MonthEmployee, YearToDate } from './pay-run-store.js';

/** skipped: no payslip this run; warning: paid, but something to fix before the bank file or returns; info: worth a look. */
export type ProblemLevel = 'skipped' | 'warning' | 'info';
export interface EmployeeProblem {
  employeeId: string;
  code: string;
  name: string;
  level: ProblemLevel;
  problem: string;
}

/** What attendance says of the month (the parts of attendance's MonthTotals a pay run reads). */
export interface AttendanceTotals {
  lopDays: number;
  notEmployed: number;
}

export interface EmployeeMonthSources {
  employee: MonthEmployee;
  structure: SalaryStructureRow | undefined;
  template: SalaryTemplateRow | undefined;
  attendance: AttendanceTotals | undefined;
  ytd: YearToDate | undefined;
  month: string;
}

export type Worked =
  | { ok: true; employeeId: string; input: EmployeeMonthInput; breakdown: EmployeeMonthBreakdown; problems: EmployeeProblem[] }
  | { ok: false; problems: EmployeeProblem[] };

const NO_YTD: YearToDate = { taxableGross: 0, tdsDeducted: 0, professionalTax: 0, halfYearGross: 0, esiCoveredAtPeriodStart: false };

/** The calculator's component names are letters and digits; an allowance "Conveyance Allowance" reads as ConveyanceAllowance. */
function componentName(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '') || 'allowance';
}

function calculatorEarnings(earnings: Record<string, number>): Record<string, number> {
  const named: Record<string, number> = {};
  for (const [name, amount] of Object.entries(earnings)) {
    const key = componentName(name);
    named[key] = (named[key] ?? 0) + amount;
  }
  return named;
}

/** First months of the financial year and of the half-year (ESI contribution period, PT half-year) holding `month`. */
export function periodStarts(month: string): { fyStart: string; halfYearStart: string } {
  const pm = payMonth(month);
  const fyYear = Number(pm.financialYear.slice(0, 4));
  return { fyStart: `${fyYear}-04`, halfYearStart: pm.halfYear === 1 ? `${fyYear}-04` : `${fyYear}-10` };
}

/** Problems in the employee record that do not stop the month being computed (spec §8 identifiers; issue 18 item 4). */
function recordProblems(employee: MonthEmployee): string[] {
  const problems: string[] = [];
  if (!employee.hasPan) problems.push('no PAN: TDS cannot be reported against it (and is due at a higher rate without one)');
  if (!employee.uan) problems.push('no UAN: left out of the EPF return');
  if (!employee.hasBankAccount || !employee.ifsc) problems.push('no bank account or IFSC: cannot be paid by bank transfer');
  if (!employee.gender) problems.push('gender not recorded: professional tax worked out on the general slabs');
  return problems;
}

export function workOutEmployeeMonth(sources: EmployeeMonthSources): Worked {
  const { employee, structure, template, attendance, month } = sources;
  const problem = (level: ProblemLevel, text: string): EmployeeProblem => ({
    employeeId: employee.id,
    code: employee.code,
    name: employee.fullName,
    level,
    problem: text,
  });
  if (!structure || !template) return { ok: false, problems: [problem('skipped', `no salary structure in force in ${month}`)] };
  const pays = earningsOf(structure, { name: template.name, basicBasisPoints: template.basicBasisPoints, hraBasisPoints: template.hraBasisPoints }, month);
  if (!pays.ok) return { ok: false, problems: [problem('skipped', `salary structure: ${pays.field} ${pays.message}`)] };
  if (!employee.workState) return { ok: false, problems: [problem('skipped', 'no work state: professional tax depends on it')] };

  const ytd = sources.ytd ?? NO_YTD;
  const days = payMonth(month).days;
  // Attendance counts a mid-month joiner's (or leaver's) days outside employment apart, never as LOP (spec §1
  // has no term for them). On the calendar basis they are unpaid days just like LOP, so they are added here.
  const lopDays = Math.min(days, (attendance?.lopDays ?? 0) + (attendance?.notEmployed ?? 0));
  const input: EmployeeMonthInput = {
    month,
    state: employee.workState,
    gender: employee.gender ?? 'other',
    // New regime is the default (spec §5); the employee's declaration for the old one is still to come.
    regime: 'new',
    earnings: calculatorEarnings(pays.value.earnings),
    // EPS eligibility needs the date of birth and wages at joining (spec §2), which the employee record does not
    // hold yet: every member is taken as eligible, the calculator's default.
    pf: { mode: structure.pfMode, epsEligible: true },
    esi: { coveredAtPeriodStart: ytd.esiCoveredAtPeriodStart },
    // The days basis is a company setting still to come (spec §1); calendar is its default.
    daysBasis: 'calendar',
    lopDays,
    ytd: { taxableGross: ytd.taxableGross, tdsDeducted: ytd.tdsDeducted, professionalTax: ytd.professionalTax, halfYearGross: ytd.halfYearGross },
  };
  let breakdown: EmployeeMonthBreakdown;
  try {
    breakdown = calculateEmployeeMonth(input);
  } catch (error) {
    // A state without PT rules (NoStatutoryRule) or an input the calculator refuses: a configuration problem
    // shown before and after the run, never a silent zero (spec §4).
    if (error instanceof DomainError) return { ok: false, problems: [problem('skipped', error.message)] };
    throw error;
  }
  const problems = recordProblems(employee).map((text) => problem('warning', text));
  if (ytd.esiCoveredAtPeriodStart && pays.value.gross > 21_000)
    problems.push(problem('info', `gross ₹${pays.value.gross} is above the ESI ceiling, but ESI continues to the end of the contribution period (spec §3)`));
  return { ok: true, employeeId: employee.id, input, breakdown, problems };
}

/** The payslip row's figures (whole rupees) from the breakdown. */
export function payslipFigures(breakdown: EmployeeMonthBreakdown) {
  return {
    gross: breakdown.gross,
    totalDeductions: breakdown.gross - breakdown.net,
    net: breakdown.net,
    employerCost: breakdown.employerCost,
    tds: breakdown.tds.month,
    professionalTax: breakdown.pt,
    esiCovered: breakdown.esi.covered ? 1 : 0,
    lopHalfDays: Math.round(breakdown.lopDays * 2),
  };
}
