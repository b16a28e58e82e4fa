/**
 * Employees' State Insurance. Numbers from specs/payroll-india.md §3, marked [law]: the ESI Act 1948
 * (s.2(9) coverage by wage ceiling, s.39 contributions) and the ESI (Central) Rules 1950 (r.50 the 21,000
 * and 25,000 ceilings; r.51 the rates, rounded up to the next rupee; the exemption of the employee's share
 * for low daily wages).
 */
import { applyRateUp, percent, showRate, showRupees, type Rate } from './money.js';
import { ruleFor, type ByFinancialYear, type ExplanationStep } from './rule-table.js';
import type { PayMonth } from './period.js';

export interface EsiRules {
  /** Covered when the monthly gross excluding overtime is at most this. Spec §3 [law]. */
  wageCeiling: number;
  /** The ceiling for persons with disability. Spec §3 [law]. */
  wageCeilingDisabled: number;
  /** Spec §3 [law]: 0.75%, rounded up. */
  employeeRate: Rate;
  /** Spec §3 [law]: 3.25%, rounded up. */
  employerRate: Rate;
  /** The employee's share is nil when the average daily wage is at most this; the employer still pays. Spec §3 [law]. */
  exemptDailyWage: number;
}

const ESI_AS_SPECIFIED: EsiRules = {
  wageCeiling: 21_000,
  wageCeilingDisabled: 25_000,
  employeeRate: percent(75, 10_000),
  employerRate: percent(325, 10_000),
  exemptDailyWage: 176,
};

/** The spec covers FY 2025-26 and FY 2026-27 with the same numbers. */
export const ESI_RULES: ByFinancialYear<EsiRules> = { '2025-26': ESI_AS_SPECIFIED, '2026-27': ESI_AS_SPECIFIED };

const SOURCE = 'spec §3 [law]; ESI Act 1948 s.2(9), s.39, s.42(1); ESI (Central) Rules 1950 r.50, r.51';

export interface EsiSettings {
  /** Covered at the start of this contribution period (April or October): stays covered to its end. */
  coveredAtPeriodStart: boolean;
  /** A person with disability: the higher ceiling applies. */
  disabled: boolean;
}

export interface EsiShares {
  covered: boolean;
  employee: number;
  employer: number;
}

/**
 * @param gross the month's gross after LOP, on which contributions are paid (spec §1)
 * @param monthlyWages the full month's gross before LOP, excluding overtime, tested against the ceiling. Spec §3
 *   says "monthly gross (excluding overtime)" without saying whether LOP counts; we read it as the salary's
 *   monthly rate, so a few days of LOP do not bring a 22,000 earner into ESI for one month.
 * @param paidDays the days the month's wages pay for, by the company's days basis (for the average daily wage)
 */
export function stateInsurance(
  gross: number,
  monthlyWages: number,
  paidDays: number,
  settings: EsiSettings,
  month: PayMonth,
): { esi: EsiShares; steps: ExplanationStep[] } {
  const rules = ruleFor(ESI_RULES, month.financialYear, 'ESI');
  const ceiling = settings.disabled ? rules.wageCeilingDisabled : rules.wageCeiling;
  const period = month.halfYear === 1 ? 'April–September' : 'October–March';
  const withinCeiling = monthlyWages <= ceiling;
  const covered = settings.coveredAtPeriodStart || withinCeiling;
  const coverageSays = withinCeiling
    ? `covered: monthly gross excluding overtime (before LOP) ${showRupees(monthlyWages)} is within the ${showRupees(ceiling)} ceiling`
    : covered
      ? `covered: monthly gross excluding overtime (before LOP) ${showRupees(monthlyWages)} is above the ${showRupees(ceiling)} ceiling, but the employee was covered at the start of the ${period} contribution period and stays covered to its end`
      : `not covered: monthly gross excluding overtime (before LOP) ${showRupees(monthlyWages)} is above the ${showRupees(ceiling)} ceiling`;
  const steps: ExplanationStep[] = [{ rule: 'ESI coverage', says: coverageSays, source: SOURCE }];
  if (!covered) return { esi: { covered, employee: 0, employer: 0 }, steps };

  const employer = applyRateUp(gross, rules.employerRate);
  // Average daily wage ≤ 176 ⇔ gross ≤ 176 × paid days; compared without dividing (paid days may be a half).
  const exempt = gross <= rules.exemptDailyWage * paidDays;
  const employee = exempt ? 0 : applyRateUp(gross, rules.employeeRate);
  steps.push({
    rule: 'ESI contributions',
    says:
      (exempt
        ? `employee share nil: average daily wage ${showRupees(gross)} ÷ ${paidDays} paid days is at most ${showRupees(rules.exemptDailyWage)}; `
        : `employee ${showRate(rules.employeeRate)} of ${showRupees(gross)} = ${showRupees(employee)}; `) +
      `employer ${showRate(rules.employerRate)} of ${showRupees(gross)} = ${showRupees(employer)}; each rounded up to the next rupee`,
    source: SOURCE,
  });
  return { esi: { covered, employee, employer }, steps };
}
