/**
 * Properties of the calculator over generated employee-months (issue 18, "property tests"): pay adds up,
 * never goes negative, every amount is whole rupees, and tax does not fall as income rises, except where
 * the spec's own rules make it fall (shown below).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { calculateEmployeeMonth, type EmployeeMonthBreakdown, type EmployeeMonthInput } from '../../src/modules/payroll/index.js';
import { annualIncomeTax } from '../../src/modules/payroll/rules/income-tax.js';

const MONTHS = ['2025-04', '2025-09', '2025-10', '2026-02', '2026-03', '2026-04', '2026-05', '2026-09', '2026-11', '2027-02', '2027-03'];
const DAYS: Record<string, number> = { '02': 28, '04': 30, '09': 30, '11': 30 };
const daysIn = (month: string) => DAYS[month.slice(5)] ?? 31;

const employeeMonth: fc.Arbitrary<EmployeeMonthInput> = fc
  .record({
    month: fc.constantFrom(...MONTHS),
    state: fc.constantFrom('MH', 'KA', 'TN', 'WB', 'TG', 'GJ'),
    gender: fc.constantFrom('male' as const, 'female' as const, 'other' as const),
    regime: fc.constantFrom('new' as const, 'old' as const),
    earnings: fc.record({
      basic: fc.integer({ min: 0, max: 400_000 }),
      da: fc.integer({ min: 0, max: 20_000 }),
      hra: fc.integer({ min: 0, max: 150_000 }),
      special: fc.integer({ min: 0, max: 300_000 }),
      overtime: fc.integer({ min: 0, max: 10_000 }),
    }),
    pf: fc.record({
      mode: fc.constantFrom('restricted' as const, 'actual' as const),
      epsEligible: fc.boolean(),
      contributionRate: fc.constantFrom(12 as const, 10 as const),
      wageBasis: fc.constantFrom('pre-code' as const, 'code-50' as const),
    }),
    esi: fc.record({ coveredAtPeriodStart: fc.boolean(), disabled: fc.boolean() }),
    daysBasis: fc.constantFrom('calendar' as const, 'fixed30' as const, 'fixed26' as const),
    lopHalves: fc.integer({ min: 0, max: 62 }),
    ytd: fc.record({
      taxableGross: fc.integer({ min: 0, max: 6_000_000 }),
      tdsDeducted: fc.integer({ min: 0, max: 1_500_000 }),
      professionalTax: fc.integer({ min: 0, max: 2_500 }),
      halfYearGross: fc.integer({ min: 0, max: 2_000_000 }),
    }),
    declaredDeductions: fc.integer({ min: 0, max: 500_000 }),
  })
  .map(({ lopHalves, ...input }) => ({ ...input, lopDays: Math.min(lopHalves / 2, daysIn(input.month)) }));

/** Every number in the breakdown except the day counts (LOP and NCP days may be halves). */
function amounts(breakdown: EmployeeMonthBreakdown): number[] {
  const { lopDays: _lop, paidDays: _paid, ecr, explanation: _words, ...money } = breakdown;
  const { ncpDays: _ncp, ...ecrMoney } = ecr;
  const found: number[] = [];
  const walk = (value: unknown) => {
    if (typeof value === 'number') found.push(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(money);
  walk(ecrMoney);
  return found;
}

describe('calculator properties', () => {
  it('net = gross − employee deductions; never negative; all amounts whole rupees, none negative', () => {
    fc.assert(
      fc.property(employeeMonth, (input) => {
        const result = calculateEmployeeMonth(input);
        expect(result.net).toBe(result.gross - result.pf.employee - result.esi.employee - result.pt - result.tds.month);
        expect(result.net).toBeGreaterThanOrEqual(0);
        for (const amount of amounts(result)) {
          expect(Number.isSafeInteger(amount)).toBe(true);
          expect(amount).toBeGreaterThanOrEqual(0);
        }
        expect(result.employerCost).toBeGreaterThanOrEqual(result.gross);
        expect(result.pf.eps + result.pf.employerEpf).toBe(result.pf.employee); // employer share = employee share (spec §2)
      }),
      { numRuns: 1_000 },
    );
  });

  it('gross is the sum of the earnings after LOP, each at most its full-month amount', () => {
    fc.assert(
      fc.property(employeeMonth, (input) => {
        const result = calculateEmployeeMonth(input);
        expect(Object.values(result.earnings).reduce((sum, amount) => sum + amount, 0)).toBe(result.gross);
        for (const [name, full] of Object.entries(input.earnings)) expect(result.earnings[name]).toBeLessThanOrEqual(full);
      }),
      { numRuns: 500 },
    );
  });
});

describe('tax does not fall as income rises', () => {
  const taxable = (max: number) => fc.integer({ min: 0, max: max / 10 }).map((tens) => tens * 10);
  // Around the edges the rules create: rebate, marginal relief, surcharge thresholds.
  const nearEdges = fc
    .tuple(fc.constantFrom(500_000, 1_200_000, 1_270_590, 5_000_000, 10_000_000, 20_000_000), fc.integer({ min: -20_000, max: 20_000 }))
    .map(([edge, offset]) => Math.max(0, edge + offset * 10));

  for (const [regime, max] of [
    ['new', 300_000_000],
    ['old', 50_000_000],
  ] as const) {
    it(`${regime} regime: annual tax is non-decreasing in taxable income`, () => {
      const income = fc.oneof(taxable(max), nearEdges);
      fc.assert(
        fc.property(income, income, (a, b) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          expect(annualIncomeTax(regime, low, '2026-27').tax.annualTax).toBeLessThanOrEqual(annualIncomeTax(regime, high, '2026-27').tax.annualTax);
        }),
        { numRuns: 3_000 },
      );
    });
  }

  it('new regime: the year’s tax is non-decreasing in the month’s gross', () => {
    fc.assert(
      fc.property(employeeMonth, fc.integer({ min: 0, max: 50_000 }), (input, raise) => {
        const newRegime = { ...input, regime: 'new' as const };
        const raised = { ...newRegime, earnings: { ...newRegime.earnings, special: newRegime.earnings.special! + raise } };
        expect(calculateEmployeeMonth(newRegime).tds.annualTax).toBeLessThanOrEqual(calculateEmployeeMonth(raised).tds.annualTax);
      }),
      { numRuns: 1_000 },
    );
  });

  it('old regime: a rupee more can lower the year’s tax where professional tax steps up (the spec’s own rules)', () => {
    // West Bengal PT is 150 up to 40,000 and 200 above (spec §4), and the old regime deducts PT (spec §5): one
    // rupee more of gross in October adds 6 rupees to projected income but 6 × 50 of PT, so the tax falls.
    const october = (gross: number) =>
      calculateEmployeeMonth({
        month: '2026-10',
        state: 'WB',
        gender: 'male',
        regime: 'old',
        earnings: { basic: gross },
        ytd: { taxableGross: 1_000_000, tdsDeducted: 0, professionalTax: 900 },
      }).tds;
    const [before, after] = [october(40_000), october(40_001)];
    expect(after.projectedTaxable).toBe(before.projectedTaxable + 6 - 300);
    expect(after.annualTax).toBeLessThan(before.annualTax);
  });
});
