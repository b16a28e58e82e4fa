/**
 * The statutory calculation for one employee-month (specs/payroll-india.md §9): a pure function, no
 * database. The pay run, the payslip, the "How was this worked out?" page and `npm run payroll:explain`
 * all call `calculateEmployeeMonth`, so they cannot disagree. Each rule lives in its own file with its
 * numbers (pf.ts, esi.ts, pt.ts, income-tax.ts, tds.ts); this file only puts them in order:
 * LOP → gross → PF → ESI → PT → TDS → net, employer cost and the ECR figures.
 */
import { roundHalfUp, showRupees } from './money.js';
import { payMonth, type PayMonth } from './period.js';
import { parseEmployeeMonth, type EmployeeMonth } from './input.js';
import { ecrFigures, providentFund, statutoryWages, type EcrFigures, type PfShares } from './pf.js';
import { stateInsurance, type EsiShares } from './esi.js';
import { professionalTax, projectedProfessionalTax } from './pt.js';
import { monthlyTds, type MonthlyTds } from './tds.js';
import type { ExplanationStep } from './rule-table.js';

export interface EmployeeMonthBreakdown {
  month: string;
  financialYear: string;
  state: string;
  daysBasis: EmployeeMonth['daysBasis'];
  /** Days the month's salary is divided by: the calendar month's days, 30 or 26. */
  basisDays: number;
  lopDays: number;
  /** Days paid for on that basis (basisDays − lopDays, never below 0). */
  paidDays: number;
  /** Each component after LOP, whole rupees. */
  earnings: Record<string, number>;
  gross: number;
  pf: PfShares & { mode: EmployeeMonth['pf']['mode']; wageBasis: EmployeeMonth['pf']['wageBasis'] };
  esi: EsiShares;
  /** Professional tax deducted this month. */
  pt: number;
  tds: MonthlyTds;
  /** Deductions that did not fit in this month's pay (pay never goes below zero); TDS is recovered by later months' projection. */
  shortfall: { pt: number; tds: number };
  net: number;
  /** Gross + employer PF (EPS + EPF) + EDLI + admin charges + employer ESI. */
  employerCost: number;
  ecr: EcrFigures;
  /** "How was this worked out?": each step in plain words with its rule and source. */
  explanation: ExplanationStep[];
}

/** Validates the §9 input (Invalid naming the field) and works out the month. */
export function calculateEmployeeMonth(input: unknown): EmployeeMonthBreakdown {
  const employeeMonth = parseEmployeeMonth(input);
  return workOut(employeeMonth, payMonth(employeeMonth.month));
}

const BASIS_DAYS = { fixed30: 30, fixed26: 26 } as const;

/**
 * Spec §1: each attendance-dependent earning × (basisDays − lopDays) / basisDays, rounded half-up to the
 * rupee per component. Overtime and components listed in `notProrated` are paid as given.
 */
function prorate(
  employeeMonth: EmployeeMonth,
  month: PayMonth,
): { earnings: Record<string, number>; basisDays: number; paidDays: number; step: ExplanationStep } {
  const { lopDays, daysBasis } = employeeMonth;
  const basisDays = daysBasis === 'calendar' ? month.days : BASIS_DAYS[daysBasis];
  // Absent the whole calendar month pays nothing, even on a 30-day basis in February (2 days of 30 otherwise):
  // the spec's formula is silent on it; we read "no day worked" as no pay. LOP above 26 on a 26-day basis pays nothing too.
  const paidDays = lopDays >= month.days ? 0 : Math.max(0, basisDays - lopDays);
  const fixed = new Set(['overtime', ...employeeMonth.notProrated]);
  const earnings: Record<string, number> = {};
  for (const [name, amount] of Object.entries(employeeMonth.earnings))
    earnings[name] = fixed.has(name) ? amount : roundHalfUp(amount * 2 * paidDays, 2 * basisDays); // halves of days, kept whole
  if (!('da' in earnings)) earnings.da = 0;
  const paidAsGiven = [...fixed].filter((name) => name in employeeMonth.earnings);
  const basisName = daysBasis === 'calendar' ? `the calendar basis (${basisDays} days in ${employeeMonth.month})` : `the fixed ${basisDays}-day basis`;
  const step: ExplanationStep = {
    rule: 'Loss of pay',
    says:
      lopDays === 0
        ? `no LOP days: earnings paid in full`
        : `${lopDays} LOP day(s) on ${basisName}: each attendance-dependent earning × ${paidDays}/${basisDays}, rounded to the nearest rupee per component (50 paise up)` +
          (paidAsGiven.length > 0 ? `; ${paidAsGiven.join(', ')} paid as given` : ''),
    source: 'spec §1 (days basis is a company setting)',
  };
  return { earnings, basisDays, paidDays, step };
}

function workOut(employeeMonth: EmployeeMonth, month: PayMonth): EmployeeMonthBreakdown {
  const { earnings, basisDays, paidDays, step: lopStep } = prorate(employeeMonth, month);
  const gross = Object.values(earnings).reduce((sum, amount) => sum + amount, 0);
  const explanation: ExplanationStep[] = [
    lopStep,
    { rule: 'Gross', says: `the sum of the earnings after LOP: ${showRupees(gross)}`, source: 'spec §1, §9 (all components count toward gross)' },
  ];

  const pfSettings = employeeMonth.pf;
  const { pf, steps: pfSteps } = providentFund(statutoryWages(earnings, gross, pfSettings.wageBasis), pfSettings, month);
  explanation.push(...pfSteps);

  // The average daily wage divides by the days paid on the company's own basis (26, 30 or the calendar), the
  // same days the pay was worked out on; spec §3 does not say which days count.
  const monthlyWages = Object.entries(employeeMonth.earnings).reduce((sum, [name, amount]) => (name === 'overtime' ? sum : sum + amount), 0);
  const { esi, steps: esiSteps } = stateInsurance(gross, monthlyWages, paidDays, employeeMonth.esi, month);
  explanation.push(...esiSteps);

  const ptInput = { state: employeeMonth.state, gender: employeeMonth.gender, gross, halfYearGrossBefore: employeeMonth.ytd.halfYearGross };
  const { pt: ptDue, steps: ptSteps } = professionalTax(ptInput, month);
  explanation.push(...ptSteps);

  const professionalTaxForYear = employeeMonth.regime === 'old' ? employeeMonth.ytd.professionalTax + ptDue + projectedProfessionalTax(ptInput, month) : 0;
  const { tds, steps: tdsSteps } = monthlyTds(
    {
      regime: employeeMonth.regime,
      gross,
      ytdTaxableGross: employeeMonth.ytd.taxableGross,
      ytdTdsDeducted: employeeMonth.ytd.tdsDeducted,
      professionalTaxForYear,
      declaredDeductions: employeeMonth.declaredDeductions,
    },
    month,
  );
  explanation.push(...tdsSteps);

  // Pay never goes below zero: PF and ESI always fit (a fraction of gross); PT, then TDS, take what is left.
  const afterContributions = gross - pf.employee - esi.employee;
  const pt = Math.min(ptDue, afterContributions);
  const tdsDeducted = Math.min(tds.month, afterContributions - pt);
  const shortfall = { pt: ptDue - pt, tds: tds.month - tdsDeducted };
  if (shortfall.pt > 0 || shortfall.tds > 0)
    explanation.push({
      rule: 'Pay not below zero',
      says: `this month's pay after PF and ESI (${showRupees(afterContributions)}) cannot carry all of it: professional tax ${showRupees(pt)} of ${showRupees(ptDue)}, TDS ${showRupees(tdsDeducted)} of ${showRupees(tds.month)}; the TDS not deducted is picked up by the next months' projection`,
      source: 'product rule (the spec is silent): a payslip never pays less than nothing',
    });

  const net = gross - pf.employee - esi.employee - pt - tdsDeducted;
  const employerCost = gross + pf.eps + pf.employerEpf + pf.edli + pf.admin + esi.employer;
  explanation.push({
    rule: 'Net pay and employer cost',
    says: `net = gross ${showRupees(gross)} − PF ${showRupees(pf.employee)} − ESI ${showRupees(esi.employee)} − professional tax ${showRupees(pt)} − TDS ${showRupees(tdsDeducted)} = ${showRupees(net)}; employer cost = gross + employer PF ${showRupees(pf.eps + pf.employerEpf)} + EDLI ${showRupees(pf.edli)} + admin ${showRupees(pf.admin)} + employer ESI ${showRupees(esi.employer)} = ${showRupees(employerCost)}`,
    source: 'spec §7, §9',
  });

  return {
    month: employeeMonth.month,
    financialYear: month.financialYear,
    state: employeeMonth.state,
    daysBasis: employeeMonth.daysBasis,
    basisDays,
    lopDays: employeeMonth.lopDays,
    paidDays,
    earnings,
    gross,
    pf: { ...pf, mode: pfSettings.mode, wageBasis: pfSettings.wageBasis },
    esi,
    pt,
    tds: { ...tds, month: tdsDeducted },
    shortfall,
    net,
    employerCost,
    ecr: ecrFigures(gross, pf, employeeMonth.lopDays),
    explanation,
  };
}
