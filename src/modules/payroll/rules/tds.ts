/**
 * Monthly tax deducted at source on salary by projection (specs/payroll-india.md §5, "Monthly TDS"; the
 * Income-tax Act 1961 s.192(1): tax "at the average rate" on the estimated income of the year):
 *
 *   remaining  = months left in the FY including this one
 *   projected  = ytdTaxableGross + thisMonthGross × remaining − standardDeduction (− other regime deductions)
 *   annualTax  = round(cess(surcharge(rebate(slabTax(round10(projected))))))
 *   monthlyTDS = max(0, roundHalfUp((annualTax − tdsDeductedSoFar) / remaining))
 *
 * The last month (remaining = 1) trues up by construction.
 */
import { roundHalfUp, showRupees } from './money.js';
import { annualIncomeTax, regimeRules, roundToTen, type AnnualTax, type Regime } from './income-tax.js';
import type { PayMonth } from './period.js';
import type { ExplanationStep } from './rule-table.js';

export interface TdsInput {
  regime: Regime;
  /** This month's gross after LOP; all of it is taxable salary (employer PF is not in gross, spec §5). */
  gross: number;
  /** Taxable gross paid in this FY before this month. */
  ytdTaxableGross: number;
  /** Tax deducted in this FY before this month. */
  ytdTdsDeducted: number;
  /** Old regime: professional tax for the whole year (paid so far, this month's and projected). */
  professionalTaxForYear: number;
  /** Old regime: the year's declared deductions (80C, HRA exemption, …), as the employee's declaration allows. */
  declaredDeductions: number;
}

export interface MonthlyTds extends AnnualTax {
  regime: Regime;
  /** The projected taxable income of spec §5 before rounding to the ten. */
  projectedTaxable: number;
  standardDeduction: number;
  otherDeductions: number;
  ytdTaxableGross: number;
  ytdTdsDeducted: number;
  remainingMonths: number;
  /** TDS for this month. */
  month: number;
}

const SOURCE = 'spec §5 "Monthly TDS"; Income-tax Act 1961 s.192';

export function monthlyTds(input: TdsInput, month: PayMonth): { tds: MonthlyTds; steps: ExplanationStep[] } {
  const rules = regimeRules(input.regime, month.financialYear);
  const remaining = month.remainingMonths;
  const salary = input.ytdTaxableGross + input.gross * remaining;
  // The standard deduction cannot exceed the salary itself (s.16(ia): "or the amount of salary, whichever is less").
  const standardDeduction = Math.min(rules.standardDeduction, salary);
  const otherDeductions =
    (rules.professionalTaxDeductible ? input.professionalTaxForYear : 0) + (rules.declaredDeductionsAllowed ? input.declaredDeductions : 0);
  const projectedTaxable = Math.max(0, salary - standardDeduction - otherDeductions);
  const steps: ExplanationStep[] = [
    {
      rule: 'Projected income',
      says:
        `taxable gross so far ${showRupees(input.ytdTaxableGross)} + this month's ${showRupees(input.gross)} × ${remaining} months left (this one included) ` +
        `− standard deduction ${showRupees(standardDeduction)}` +
        (rules.professionalTaxDeductible ? ` − professional tax ${showRupees(input.professionalTaxForYear)}` : '') +
        (rules.declaredDeductionsAllowed ? ` − declared deductions ${showRupees(input.declaredDeductions)}` : '') +
        ` = ${showRupees(projectedTaxable)}, rounded to the nearest ten: ${showRupees(roundToTen(projectedTaxable))}` +
        (input.regime === 'new' ? ' (new regime: professional tax, HRA exemption and 80C are not deductible)' : ''),
      source: `${SOURCE}, s.16, s.288A`,
    },
  ];
  const { tax, steps: taxSteps } = annualIncomeTax(input.regime, roundToTen(projectedTaxable), month.financialYear);
  steps.push(...taxSteps);

  const due = tax.annualTax - input.ytdTdsDeducted;
  const thisMonth = due <= 0 ? 0 : roundHalfUp(due, remaining);
  steps.push({
    rule: 'TDS this month',
    says:
      due <= 0
        ? `tax for the year ${showRupees(tax.annualTax)} is already covered by the ${showRupees(input.ytdTdsDeducted)} deducted so far: nil this month`
        : `(tax for the year ${showRupees(tax.annualTax)} − deducted so far ${showRupees(input.ytdTdsDeducted)}) ÷ ${remaining} months left = ${showRupees(thisMonth)}, rounded to the nearest rupee, 50 paise up`,
    source: SOURCE,
  });
  return {
    tds: {
      regime: input.regime,
      projectedTaxable,
      standardDeduction,
      otherDeductions,
      ...tax,
      ytdTaxableGross: input.ytdTaxableGross,
      ytdTdsDeducted: input.ytdTdsDeducted,
      remainingMonths: remaining,
      month: thisMonth,
    },
    steps,
  };
}
