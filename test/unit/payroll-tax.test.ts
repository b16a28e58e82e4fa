/**
 * Income tax and monthly TDS (specs/payroll-india.md §5) at their edges, and the calculator's refusals of
 * bad input (§9, issue 18 "Bad input"). Expected numbers worked by hand beside each.
 */
import { describe, expect, it } from 'vitest';
import { annualIncomeTax, roundToTen } from '../../src/modules/payroll/rules/income-tax.js';
import { calculateEmployeeMonth, type EmployeeMonthInput } from '../../src/modules/payroll/index.js';
import { Invalid } from '../../src/platform/errors.js';

const tax = (regime: 'new' | 'old', taxable: number) => annualIncomeTax(regime, taxable, '2026-27').tax;

describe('new regime (spec §5)', () => {
  it('12,00,000: slab tax 60,000, all rebated', () => {
    expect(tax('new', 1200000)).toMatchObject({ slabTax: 60000, rebate: 60000, annualTax: 0 });
  });

  it('just above 12 L, marginal relief: 12,00,010 pays min(60,001.50, 10) = 10, + cess 0.40 → 10', () => {
    expect(tax('new', 1200010)).toMatchObject({ slabTax: 60002, rebate: 59992, cess: 0, annualTax: 10 });
  });

  it('12,10,000: min(61,500, 10,000) = 10,000, + 4% cess = 10,400', () => {
    expect(tax('new', 1210000)).toMatchObject({ slabTax: 61500, rebate: 51500, cess: 400, annualTax: 10400 });
  });

  it('where relief ends: 12,70,580 pays the excess 70,580 (slab 70,587); 12,70,590 pays the slab 70,588.50', () => {
    expect(tax('new', 1270580)).toMatchObject({ slabTax: 70587, rebate: 7, annualTax: 73403 }); // 70,580 × 1.04 = 73,403.20
    expect(tax('new', 1270590)).toMatchObject({ rebate: 0, annualTax: 73412 }); // 70,588.50 × 1.04 = 73,412.04
  });

  it('cess 4%: 16,00,000 → 1,20,000 + 4,800', () => {
    expect(tax('new', 1600000)).toMatchObject({ slabTax: 120000, rebate: 0, surcharge: 0, cess: 4800, annualTax: 124800 });
  });

  it('surcharge threshold 50 L: none at 50,00,000; just above, marginal relief limits it to the excess', () => {
    expect(tax('new', 5000000)).toMatchObject({ slabTax: 1080000, surcharge: 0, annualTax: 1123200 });
    // 10,80,003 × 1.1 = 11,88,003.30 capped at 10,80,000 + 10 → surcharge 10; × 1.04 = 11,23,210.40
    expect(tax('new', 5000010)).toMatchObject({ slabTax: 1080003, surcharge: 7, annualTax: 1123210 });
  });

  it('surcharge 10% in full well above 50 L: 60,00,000 → 13,80,000 + 1,38,000, + cess', () => {
    expect(tax('new', 6000000)).toMatchObject({ slabTax: 1380000, surcharge: 138000, annualTax: 1578720 });
  });

  it('surcharge at 1 Cr: 10% at the threshold, the 15% band limited by marginal relief just above', () => {
    expect(tax('new', 10000000)).toMatchObject({ slabTax: 2580000, surcharge: 258000, annualTax: 2951520 });
    expect(tax('new', 10000010).annualTax).toBe(2951530); // (28,38,000 + 10) × 1.04 = 29,51,530.40
  });

  it('25% is the top band under the new regime (3 Cr: 85,80,000 + 21,45,000, + cess)', () => {
    expect(tax('new', 30000000)).toMatchObject({ slabTax: 8580000, surcharge: 2145000, annualTax: 11154000 });
  });
});

describe('old regime (spec §5)', () => {
  it('rebate up to 12,500 at 5 L, no marginal relief just above', () => {
    expect(tax('old', 500000)).toMatchObject({ slabTax: 12500, rebate: 12500, annualTax: 0 });
    expect(tax('old', 500010)).toMatchObject({ slabTax: 12502, rebate: 0, annualTax: 13002 }); // 12,502 × 1.04 = 13,002.08
  });

  it('slabs 5% / 20% / 30%: 10 L → 1,12,500 + cess = 1,17,000', () => {
    expect(tax('old', 1000000).annualTax).toBe(117000);
  });

  it('above 5 Cr the spec gives no old-regime surcharge: NoStatutoryRule', () => {
    expect(() => tax('old', 50000010)).toThrow(expect.objectContaining({ code: 'no_statutory_rule', field: 'regime' }));
  });
});

describe('rounding taxable income to the ten (spec §5, 5 rounds up)', () => {
  it.each([
    [1234, 1230],
    [1235, 1240],
    [0, 0],
    [-500, 0],
  ])('%i → %i', (income, rounded) => expect(roundToTen(income)).toBe(rounded));
});

const month = (overrides: Partial<EmployeeMonthInput>) =>
  calculateEmployeeMonth({
    month: '2026-04',
    state: 'MH',
    gender: 'male',
    earnings: { basic: 200000 },
    ytd: { taxableGross: 0, tdsDeducted: 0 },
    ...overrides,
  });

describe('monthly TDS by projection (spec §5)', () => {
  // 2,00,000 a month: 24,00,000 − 75,000 = 23,25,000 → 2,81,250 + 11,250 cess = 2,92,500 a year.
  it('April: 2,92,500 / 12 = 24,375', () => {
    expect(month({}).tds).toMatchObject({ projectedTaxable: 2325000, annualTax: 292500, remainingMonths: 12, month: 24375 });
  });

  it('October with the year so far: (2,92,500 − 1,46,250) / 6', () => {
    const { tds } = month({ month: '2026-10', ytd: { taxableGross: 1200000, tdsDeducted: 146250 } });
    expect(tds).toMatchObject({ ytdTaxableGross: 1200000, ytdTdsDeducted: 146250, remainingMonths: 6, month: 24375 });
  });

  it('March trues up: whatever is left of the year’s tax', () => {
    expect(month({ month: '2027-03', ytd: { taxableGross: 2200000, tdsDeducted: 260000 } }).tds).toMatchObject({ remainingMonths: 1, month: 32500 });
  });

  it('nil when more has been deducted than the year’s tax', () => {
    expect(month({ month: '2027-03', ytd: { taxableGross: 2200000, tdsDeducted: 300000 } }).tds.month).toBe(0);
  });

  it('old regime deducts the standard 50,000, the year’s professional tax and declared deductions', () => {
    // 12,00,000 − 50,000 − PT (200 × 11 + 300) = 11,47,500 → 12,500 + 1,00,000 + 44,250 = 1,56,750 + cess = 1,63,020
    const old = month({ regime: 'old', earnings: { basic: 100000 } });
    expect(old.tds).toMatchObject({ standardDeduction: 50000, otherDeductions: 2500, projectedTaxable: 1147500, annualTax: 163020, month: 13585 });
    // with 1,50,000 declared: 9,97,500 → 12,500 + 99,500 = 1,12,000 + cess = 1,16,480; / 12 = 9,706.67
    expect(month({ regime: 'old', earnings: { basic: 100000 }, declaredDeductions: 150000 }).tds).toMatchObject({ annualTax: 116480, month: 9707 });
    // the new regime ignores both
    expect(month({ earnings: { basic: 100000 }, declaredDeductions: 150000 }).tds).toMatchObject({ otherDeductions: 0, projectedTaxable: 1125000 });
  });

  it('pay never goes below zero: TDS takes what is left and the rest waits for the projection', () => {
    // A small March salary after a year with no TDS: the year's tax is far more than the month's pay.
    const result = month({ month: '2027-03', earnings: { basic: 10000 }, ytd: { taxableGross: 3000000, tdsDeducted: 0 } });
    expect(result.net).toBe(0);
    // 10,000 − PF 1,200 − ESI 75 (0.75%, covered) − PT 175 (Maharashtra, 7,501–10,000) = 8,550 left for TDS
    expect(result.tds.month).toBe(8550);
    expect(result.shortfall.tds).toBeGreaterThan(0);
  });
});

const problems = (input: unknown) => {
  try {
    calculateEmployeeMonth(input);
  } catch (error) {
    if (error instanceof Invalid) return error.problems.map((problem) => problem.field);
    throw error;
  }
  return [];
};
const good = { month: '2026-04', state: 'MH', gender: 'male', earnings: { basic: 15000 }, ytd: { taxableGross: 0, tdsDeducted: 0 } };

describe('bad input names the field (§9)', () => {
  it.each([
    ['a negative amount', { ...good, earnings: { basic: -1 } }, 'earnings.basic'],
    ['a fraction of a rupee', { ...good, earnings: { basic: 15000.5 } }, 'earnings.basic'],
    ['a negative year-to-date figure', { ...good, ytd: { taxableGross: -1, tdsDeducted: 0 } }, 'ytd.taxableGross'],
    ['an unknown state', { ...good, state: 'XX' }, 'state'],
    ['LOP beyond the month', { ...good, lopDays: 31 }, 'lopDays'],
    ['LOP in other than half days', { ...good, lopDays: 1.3 }, 'lopDays'],
    ['negative LOP', { ...good, lopDays: -1 }, 'lopDays'],
    ['month 13', { ...good, month: '2026-13' }, 'month'],
    ['a month without its zero', { ...good, month: '2026-4' }, 'month'],
    ['no basic', { ...good, earnings: { hra: 100 } }, 'earnings'],
    ['a misspelt key', { ...good, pf: { mdoe: 'actual' } }, 'pf.mdoe'],
    ['an unknown PF mode', { ...good, pf: { mode: 'capped' } }, 'pf.mode'],
    ['an unknown days basis', { ...good, daysBasis: 'fixed31' }, 'daysBasis'],
    ['no year-to-date figures', { ...good, ytd: undefined }, 'ytd'],
  ])('%s', (_case, input, field) => expect(problems(input)).toEqual([field]));

  it('February has 28 days in both covered years: 29 LOP days are refused, 28 are not', () => {
    expect(problems({ ...good, month: '2027-02', lopDays: 29 })).toEqual(['lopDays']);
    expect(problems({ ...good, month: '2026-02', lopDays: 28 })).toEqual([]);
  });

  it('a financial year the spec does not cover is NoStatutoryRule naming it', () => {
    expect(() => calculateEmployeeMonth({ ...good, month: '2025-03' })).toThrow(/FY 2024-25/);
    expect(() => calculateEmployeeMonth({ ...good, month: '2027-04' })).toThrow(
      expect.objectContaining({ field: 'month', message: expect.stringContaining('FY 2027-28') }),
    );
  });
});

describe('the tax explanation', () => {
  const words = (taxable: number) => annualIncomeTax('new', taxable, '2026-27').steps.map((step) => `${step.rule}: ${step.says}`);

  it('says when marginal relief cut the surcharge, and when it did not', () => {
    expect(words(5000010).find((line) => line.startsWith('Surcharge'))).toContain('marginal relief');
    expect(words(6000000).find((line) => line.startsWith('Surcharge'))).not.toContain('marginal relief');
  });

  it('says when the rebate’s marginal relief applied', () => {
    expect(words(1210000)).toContainEqual(expect.stringContaining('Rebate marginal relief'));
    expect(words(1100000)).toContainEqual(expect.stringContaining('Rebate (s.87A)'));
  });
});
