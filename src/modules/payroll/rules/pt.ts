/**
 * Professional tax, by the state where the employee works, on the month's gross after LOP.
 * Slabs exactly as specs/payroll-india.md §4 gives them (each state's own Act is named beside its table
 * for the reader; the numbers are the spec's). A state without a table is NoStatutoryRule, never a zero.
 */
import { Invalid } from '../../../platform/errors.js';
import { monthName, monthsToYearEnd, type PayMonth } from './period.js';
import { NoStatutoryRule, type ByFinancialYear, type ExplanationStep } from './rule-table.js';
import { showRupees } from './money.js';

/** A slab: gross up to `upTo` (inclusive; `null` = no upper end) pays `amount`, or `february` in February. */
export interface PtSlab {
  upTo: number | null;
  amount: number;
  february?: number;
}

export type PtRule =
  | { kind: 'monthly'; act: string; slabs: PtSlab[]; womenSlabs?: PtSlab[] }
  /** Charged once per half-year (April–September, October–March) on the half-year's income. */
  | { kind: 'half-yearly'; act: string; slabs: PtSlab[] };

export const PT_STATE_NAMES: Readonly<Record<string, string>> = {
  MH: 'Maharashtra',
  KA: 'Karnataka',
  TG: 'Telangana',
  GJ: 'Gujarat',
  WB: 'West Bengal',
  TN: 'Tamil Nadu',
};

const PT_TABLES: Readonly<Record<string, PtRule>> = {
  // Spec §4: men ≤7,500 nil; 7,501–10,000 175; >10,000 200, 300 in February. Women ≤25,000 nil; >25,000 200,
  // 300 in February. The Act's first slabs are for persons other than women, so `other` takes them too.
  MH: {
    kind: 'monthly',
    act: 'Maharashtra State Tax on Professions, Trades, Callings and Employments Act 1975, Schedule I entry 1',
    slabs: [
      { upTo: 7_500, amount: 0 },
      { upTo: 10_000, amount: 175 },
      { upTo: null, amount: 200, february: 300 },
    ],
    womenSlabs: [
      { upTo: 25_000, amount: 0 },
      { upTo: null, amount: 200, february: 300 },
    ],
  },
  // Spec §4 (from Apr 2025): <25,000 nil; ≥25,000 200, 300 in February. Gross is whole rupees, so <25,000 is ≤24,999.
  KA: {
    kind: 'monthly',
    act: 'Karnataka Tax on Professions, Trades, Callings and Employments Act 1976, as amended from April 2025',
    slabs: [
      { upTo: 24_999, amount: 0 },
      { upTo: null, amount: 200, february: 300 },
    ],
  },
  // Spec §4: ≤15,000 nil; 15,001–20,000 150; >20,000 200.
  TG: {
    kind: 'monthly',
    act: 'Telangana Tax on Professions, Trades, Callings and Employments Act 1987',
    slabs: [
      { upTo: 15_000, amount: 0 },
      { upTo: 20_000, amount: 150 },
      { upTo: null, amount: 200 },
    ],
  },
  // Spec §4: ≤12,000 nil; >12,000 200.
  GJ: {
    kind: 'monthly',
    act: 'Gujarat State Tax on Professions, Traders, Callings and Employments Act 1976',
    slabs: [
      { upTo: 12_000, amount: 0 },
      { upTo: null, amount: 200 },
    ],
  },
  // Spec §4: ≤10,000 nil; 10,001–15,000 110; 15,001–25,000 130; 25,001–40,000 150; >40,000 200.
  WB: {
    kind: 'monthly',
    act: 'West Bengal State Tax on Professions, Trades, Callings and Employments Act 1979',
    slabs: [
      { upTo: 10_000, amount: 0 },
      { upTo: 15_000, amount: 110 },
      { upTo: 25_000, amount: 130 },
      { upTo: 40_000, amount: 150 },
      { upTo: null, amount: 200 },
    ],
  },
  // Spec §4 (Chennai), half-yearly on the half-year's income: ≤21,000 nil; 21,001–30,000 180; 30,001–45,000 425;
  // 45,001–60,000 930; 60,001–75,000 1,025; >75,000 1,250.
  TN: {
    kind: 'half-yearly',
    act: 'Tamil Nadu Urban Local Bodies Act 1998 (Greater Chennai Corporation professional tax)',
    slabs: [
      { upTo: 21_000, amount: 0 },
      { upTo: 30_000, amount: 180 },
      { upTo: 45_000, amount: 425 },
      { upTo: 60_000, amount: 930 },
      { upTo: 75_000, amount: 1_025 },
      { upTo: null, amount: 1_250 },
    ],
  },
};

/** The spec gives one set of tables for FY 2025-26 and FY 2026-27. */
export const PT_RULES: ByFinancialYear<Readonly<Record<string, PtRule>>> = { '2025-26': PT_TABLES, '2026-27': PT_TABLES };

/**
 * Half-yearly states charge in the last month of each half-year (September, March), when the half-year's
 * income is known. The spec says "half-yearly" without naming the month: this is our reading.
 */
const HALF_YEAR_DUE_MONTHS = [9, 3];

export function ptRuleFor(state: string, financialYear: string): PtRule {
  const tables = PT_RULES[financialYear];
  if (!tables) throw new NoStatutoryRule('month', `no professional tax rules for FY ${financialYear} (rules exist for FY ${Object.keys(PT_RULES).join(', ')})`);
  const rule = tables[state];
  if (!rule)
    throw new NoStatutoryRule(
      'state',
      `no professional tax rules for ${state} (rules exist for ${Object.keys(tables).join(', ')}); set up the state's table first`,
    );
  return rule;
}

type MonthlyPtRule = Extract<PtRule, { kind: 'monthly' }>;

/** The Act's slabs for women where it has them; everyone else (men, `other`) takes the general slabs. */
function slabsFor(rule: MonthlyPtRule, gender: PtInput['gender']): { slabs: PtSlab[]; women: boolean } {
  return gender === 'female' && rule.womenSlabs ? { slabs: rule.womenSlabs, women: true } : { slabs: rule.slabs, women: false };
}

function slabAmount(slabs: PtSlab[], income: number, monthNumber: number): { amount: number; slab: string; february: boolean } {
  let from = 0;
  for (const slab of slabs) {
    if (slab.upTo === null || income <= slab.upTo) {
      const february = monthNumber === 2 && slab.february !== undefined;
      const range =
        slab.upTo === null ? `above ${showRupees(from)}` : from === 0 ? `up to ${showRupees(slab.upTo)}` : `${showRupees(from + 1)}–${showRupees(slab.upTo)}`;
      return { amount: february ? (slab.february ?? slab.amount) : slab.amount, slab: range, february };
    }
    from = slab.upTo;
  }
  throw new Error('a professional tax table must end with an open slab');
}

export interface PtInput {
  state: string;
  gender: 'male' | 'female' | 'other';
  gross: number;
  /** Half-yearly states: the gross of this half-year's earlier months (needed in the month the tax falls due). */
  halfYearGrossBefore: number | undefined;
}

export function professionalTax(input: PtInput, month: PayMonth): { pt: number; steps: ExplanationStep[] } {
  const rule = ptRuleFor(input.state, month.financialYear);
  const source = `spec §4; ${rule.act}`;
  const stateName = PT_STATE_NAMES[input.state] ?? input.state;
  if (rule.kind === 'half-yearly') {
    if (!HALF_YEAR_DUE_MONTHS.includes(month.monthNumber))
      return { pt: 0, steps: [{ rule: 'Professional tax', says: `nil this month: ${stateName} charges half-yearly, in September and March`, source }] };
    if (input.halfYearGrossBefore === undefined)
      throw new Invalid('ytd.halfYearGross', `is needed in ${monthName(month.monthNumber)}: ${stateName} charges professional tax on the half-year's income`);
    const income = input.halfYearGrossBefore + input.gross;
    const { amount, slab } = slabAmount(rule.slabs, income, month.monthNumber);
    return {
      pt: amount,
      steps: [
        {
          rule: 'Professional tax',
          says: `${stateName}, half-yearly: the half-year's gross ${showRupees(income)} is in the slab ${slab}: ${showRupees(amount)}`,
          source,
        },
      ],
    };
  }
  const { slabs, women } = slabsFor(rule, input.gender);
  const { amount, slab, february } = slabAmount(slabs, input.gross, month.monthNumber);
  return {
    pt: amount,
    steps: [
      {
        rule: 'Professional tax',
        says: `${stateName}${women ? ', women’s slabs' : ''}: gross ${showRupees(input.gross)} is in the slab ${slab}: ${showRupees(amount)}${february ? ' (the February amount)' : ''}`,
        source,
      },
    ],
  };
}

/**
 * Professional tax for the rest of the financial year after this month, on the same assumption as the tax
 * projection (spec §5): this month's gross continues. Used by the old regime, where it is deductible.
 */
export function projectedProfessionalTax(input: PtInput, month: PayMonth): number {
  const rule = ptRuleFor(input.state, month.financialYear);
  let total = 0;
  const later = monthsToYearEnd(month).slice(1);
  for (const monthNumber of later) {
    if (rule.kind === 'monthly') {
      total += slabAmount(slabsFor(rule, input.gender).slabs, input.gross, monthNumber).amount;
    } else if (HALF_YEAR_DUE_MONTHS.includes(monthNumber)) {
      const sameHalfYear = (monthNumber === 9) === (month.halfYear === 1);
      const income = sameHalfYear
        ? (input.halfYearGrossBefore ?? input.gross * (6 - month.remainingInHalfYear)) + input.gross * month.remainingInHalfYear
        : input.gross * 6;
      total += slabAmount(rule.slabs, income, monthNumber).amount;
    }
  }
  return total;
}
