/**
 * Income tax on salary for the year, new and old regimes. Numbers exactly as specs/payroll-india.md §5
 * gives them for FY 2025-26 and FY 2026-27: the Income-tax Act 1961 as amended by the Finance Act 2025
 * (s.115BAC new-regime slabs, s.16(ia) standard deduction, s.87A rebate and its marginal relief, the First
 * Schedule's surcharge with marginal relief and the 4% health and education cess, s.288A rounding of
 * total income to the ten).
 *
 * Exact arithmetic: amounts are BigInt millionths of a rupee inside this file, so slab rates, surcharge
 * and cess compose without any rounding until the one final rounding to the rupee of spec §5
 * (`annualTax = round(cess(surcharge(rebate(slabTax(round10(projected))))))`).
 */
import { roundHalfUp, showRupees, type Rate } from './money.js';
import { NoStatutoryRule, ruleFor, type ByFinancialYear, type ExplanationStep } from './rule-table.js';

export type Regime = 'new' | 'old';

/** A slab: income above `from` (up to the next slab's `from`) is taxed at `rate`. */
interface TaxSlab {
  from: number;
  rate: Rate;
}

/** Surcharge at `rate` on tax when total income is above `above`. */
interface SurchargeBand {
  above: number;
  rate: Rate;
}

export interface RegimeRules {
  slabs: TaxSlab[];
  standardDeduction: number;
  /** Rebate up to `max` when taxable income is at most `upTo`; `marginalRelief` caps the tax just above at the excess. */
  rebate: { upTo: number; max: number; marginalRelief: boolean };
  surcharge: SurchargeBand[];
  /** Highest income the spec's surcharge bands are known to cover; above it is NoStatutoryRule. `null`: no limit. */
  surchargeKnownUpTo: number | null;
  /** Professional tax paid is deductible (old regime only, s.16(iii)). */
  professionalTaxDeductible: boolean;
  /** Declared deductions (80C, HRA exemption, …) count (old regime only). */
  declaredDeductionsAllowed: boolean;
}

const pct = (parts: number): Rate => ({ parts, per: 100 });
const LAKH = 1_00_000;
const CRORE = 1_00_00_000;

// Spec §5: surcharge above 50L 10%, above 1Cr 15%, above 2Cr 25% ("the cap under new regime"), with marginal relief.
const SURCHARGE_BANDS: SurchargeBand[] = [
  { above: 50 * LAKH, rate: pct(10) },
  { above: 1 * CRORE, rate: pct(15) },
  { above: 2 * CRORE, rate: pct(25) },
];

const NEW_REGIME_FY_2025_26: RegimeRules = {
  // Spec §5: 0–4L nil · 4–8L 5% · 8–12L 10% · 12–16L 15% · 16–20L 20% · 20–24L 25% · above 24L 30% (s.115BAC(1A)).
  slabs: [
    { from: 0, rate: pct(0) },
    { from: 4 * LAKH, rate: pct(5) },
    { from: 8 * LAKH, rate: pct(10) },
    { from: 12 * LAKH, rate: pct(15) },
    { from: 16 * LAKH, rate: pct(20) },
    { from: 20 * LAKH, rate: pct(25) },
    { from: 24 * LAKH, rate: pct(30) },
  ],
  // Spec §5: standard deduction 75,000 (s.16(ia)).
  standardDeduction: 75_000,
  // Spec §5: taxable ≤ 12,00,000 → rebate = min(tax, 60,000); above, tax after rebate = min(slab tax, taxable − 12,00,000) (s.87A).
  rebate: { upTo: 12 * LAKH, max: 60_000, marginalRelief: true },
  surcharge: SURCHARGE_BANDS,
  // 25% is the cap under the new regime (spec §5): the bands cover every income.
  surchargeKnownUpTo: null,
  professionalTaxDeductible: false,
  declaredDeductionsAllowed: false,
};

const OLD_REGIME_FY_2025_26: RegimeRules = {
  // Spec §5: 0–2.5L nil · 2.5–5L 5% · 5–10L 20% · above 10L 30%.
  slabs: [
    { from: 0, rate: pct(0) },
    { from: 2.5 * LAKH, rate: pct(5) },
    { from: 5 * LAKH, rate: pct(20) },
    { from: 10 * LAKH, rate: pct(30) },
  ],
  // Spec §5: standard deduction 50,000.
  standardDeduction: 50_000,
  // Spec §5: rebate up to 12,500 when taxable ≤ 5L (no marginal relief).
  rebate: { upTo: 5 * LAKH, max: 12_500, marginalRelief: false },
  // The spec lists the surcharge bands once and calls 25% "the cap under new regime", implying the old regime
  // goes higher; it does not say how high or from where. We apply the listed bands up to 5 crore, the top of
  // what they describe, and refuse above it rather than invent a band.
  surcharge: SURCHARGE_BANDS,
  surchargeKnownUpTo: 5 * CRORE,
  professionalTaxDeductible: true,
  declaredDeductionsAllowed: true,
};

// Spec §5: health & education cess 4% on tax + surcharge.
const CESS_RATE = pct(4);

/** Spec §5: "FY 2025-26, unchanged for FY 2026-27". */
export const INCOME_TAX_RULES: ByFinancialYear<Record<Regime, RegimeRules>> = {
  '2025-26': { new: NEW_REGIME_FY_2025_26, old: OLD_REGIME_FY_2025_26 },
  '2026-27': { new: NEW_REGIME_FY_2025_26, old: OLD_REGIME_FY_2025_26 },
};

export function regimeRules(regime: Regime, financialYear: string): RegimeRules {
  return ruleFor(INCOME_TAX_RULES, financialYear, 'income tax')[regime];
}

const SOURCE = 'spec §5; Income-tax Act 1961 as amended by the Finance Act 2025';
const MICRO = 1_000_000n;
const micro = (rupees: number) => BigInt(rupees) * MICRO;
/** `amount × rate` in millionths of a rupee; exact because every `per` here divides a million. */
const microTimes = (amountMicro: bigint, rate: Rate) => (amountMicro * BigInt(rate.parts)) / BigInt(rate.per);
const minBig = (a: bigint, b: bigint) => (a < b ? a : b);
/** Millionths to whole rupees, half-up: the one rounding of spec §5. */
const toRupees = (amountMicro: bigint) => Number((2n * amountMicro + MICRO) / (2n * MICRO));

/** Spec §5: "Taxable income is rounded to the nearest 10 (5 rounds up)" (s.288A). Negative income is nil. */
export function roundToTen(income: number): number {
  return income <= 0 ? 0 : roundHalfUp(income, 10) * 10;
}

function slabTaxMicro(rules: RegimeRules, taxable: number): bigint {
  let tax = 0n;
  rules.slabs.forEach((slab, i) => {
    const next = rules.slabs[i + 1]?.from ?? Number.POSITIVE_INFINITY;
    const portion = Math.min(taxable, next) - slab.from;
    if (portion > 0) tax += microTimes(micro(portion), slab.rate);
  });
  return tax;
}

function afterRebateMicro(rules: RegimeRules, taxable: number, slabTax: bigint): bigint {
  const { upTo, max, marginalRelief } = rules.rebate;
  if (taxable <= upTo) return slabTax - minBig(slabTax, micro(max));
  // Marginal relief (spec §5): tax after rebate = min(slab tax, taxable − 12,00,000).
  return marginalRelief ? minBig(slabTax, micro(taxable - upTo)) : slabTax;
}

function taxBeforeSurchargeMicro(rules: RegimeRules, taxable: number): bigint {
  return afterRebateMicro(rules, taxable, slabTaxMicro(rules, taxable));
}

/**
 * Tax plus surcharge. Marginal relief: above a band's threshold, tax + surcharge never exceeds the tax +
 * surcharge at the threshold plus the income above it (spec §5 "with marginal relief").
 */
function withSurchargeMicro(rules: RegimeRules, taxable: number, tax: bigint): { total: bigint; band: SurchargeBand | undefined; relieved: boolean } {
  let bandIndex = -1;
  rules.surcharge.forEach((band, i) => {
    if (taxable > band.above) bandIndex = i;
  });
  const band = rules.surcharge[bandIndex];
  if (!band) return { total: tax, band: undefined, relieved: false };
  const full = tax + microTimes(tax, band.rate);
  const previous = rules.surcharge[bandIndex - 1];
  const atThreshold = taxBeforeSurchargeMicro(rules, band.above);
  const atThresholdWithSurcharge = atThreshold + (previous ? microTimes(atThreshold, previous.rate) : 0n);
  const limit = atThresholdWithSurcharge + micro(taxable - band.above);
  return { total: minBig(full, limit), band, relieved: limit < full };
}

export interface AnnualTax {
  taxableIncome: number;
  slabTax: number;
  rebate: number;
  surcharge: number;
  cess: number;
  annualTax: number;
}

/** The year's tax on `taxableIncome` (already rounded to the ten), each part in whole rupees adding up to `annualTax`. */
export function annualIncomeTax(regime: Regime, taxableIncome: number, financialYear: string): { tax: AnnualTax; steps: ExplanationStep[] } {
  const rules = regimeRules(regime, financialYear);
  if (rules.surchargeKnownUpTo !== null && taxableIncome > rules.surchargeKnownUpTo)
    throw new NoStatutoryRule(
      'regime',
      `the spec gives no ${regime}-regime surcharge for taxable income above ${showRupees(rules.surchargeKnownUpTo)} (this one is ${showRupees(taxableIncome)})`,
    );
  const slab = slabTaxMicro(rules, taxableIncome);
  const afterRebate = afterRebateMicro(rules, taxableIncome, slab);
  const { total: withSurcharge, band, relieved } = withSurchargeMicro(rules, taxableIncome, afterRebate);
  // Cess on tax + surcharge, kept exact: in hundredths of a millionth until the final rounding.
  const withCessHundredths = withSurcharge * BigInt(CESS_RATE.per + CESS_RATE.parts);
  const annualTax = Number((2n * withCessHundredths + 100n * MICRO) / (200n * MICRO));

  const slabTax = toRupees(slab);
  const afterRebateRupees = toRupees(afterRebate);
  const withSurchargeRupees = toRupees(withSurcharge);
  const tax: AnnualTax = {
    taxableIncome,
    slabTax,
    rebate: slabTax - afterRebateRupees,
    surcharge: withSurchargeRupees - afterRebateRupees,
    cess: annualTax - withSurchargeRupees,
    annualTax,
  };
  return { tax, steps: taxSteps(regime, rules, tax, band && { ...band, relieved }) };
}

function taxSteps(regime: Regime, rules: RegimeRules, tax: AnnualTax, band: (SurchargeBand & { relieved: boolean }) | undefined): ExplanationStep[] {
  const slabs = rules.slabs
    .map((slab, i) => {
      const next = rules.slabs[i + 1]?.from;
      return `${next === undefined ? `above ${showRupees(slab.from)}` : `${showRupees(slab.from)}–${showRupees(next)}`} ${slab.rate.parts}%`;
    })
    .join(' · ');
  const steps: ExplanationStep[] = [
    {
      rule: 'Income tax slabs',
      says: `${regime} regime slabs (${slabs}) on ${showRupees(tax.taxableIncome)}: ${showRupees(tax.slabTax)}`,
      source: `${SOURCE}, s.115BAC`,
    },
  ];
  const { upTo, max } = rules.rebate;
  if (tax.taxableIncome <= upTo)
    steps.push({
      rule: 'Rebate (s.87A)',
      says: `taxable income is at most ${showRupees(upTo)}: rebate of the tax up to ${showRupees(max)} = ${showRupees(tax.rebate)}`,
      source: `${SOURCE}, s.87A`,
    });
  else if (tax.rebate > 0)
    steps.push({
      rule: 'Rebate marginal relief (s.87A)',
      says: `taxable income is above ${showRupees(upTo)} by ${showRupees(tax.taxableIncome - upTo)}: the tax is capped at that excess, a relief of ${showRupees(tax.rebate)}`,
      source: `${SOURCE}, s.87A`,
    });
  if (band)
    steps.push({
      rule: 'Surcharge',
      says: band.relieved
        ? `taxable income is above ${showRupees(band.above)}: surcharge ${band.rate.parts}% of the tax, reduced by marginal relief (tax + surcharge may exceed that at ${showRupees(band.above)} by no more than the income above it): ${showRupees(tax.surcharge)}`
        : `taxable income is above ${showRupees(band.above)}: surcharge ${band.rate.parts}% of the tax: ${showRupees(tax.surcharge)}`,
      source: `${SOURCE}, First Schedule`,
    });
  steps.push({
    rule: 'Health and education cess',
    says: `${CESS_RATE.parts}% on tax + surcharge: ${showRupees(tax.cess)}; tax for the year ${showRupees(tax.annualTax)} (rounded to the rupee once, at the end)`,
    source: 'spec §5; Finance Act 2025 s.2 (health and education cess)',
  });
  return steps;
}
