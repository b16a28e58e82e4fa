/**
 * The worked examples of specs/payroll-india.md §7 (Maharashtra, male, April 2026, new regime, PF
 * restricted), every §9 output key as the spec states it, and the ECR line it prints.
 */
import { describe, expect, it } from 'vitest';
import { calculateEmployeeMonth, ecrLine } from '../../src/modules/payroll/index.js';
import { EXAMPLE_A_INPUT } from '../support/payroll-examples.js';

/** The §9 input, verbatim: example A, CTC 12,00,000 a year. */
const exampleA = EXAMPLE_A_INPUT; // spec §9 verbatim

describe('worked example A: CTC 12,00,000 (spec §7 A, §9)', () => {
  const breakdown = calculateEmployeeMonth(exampleA);

  it('gives every §9 output key as the spec states it', () => {
    expect(breakdown.earnings).toEqual({ basic: 50000, hra: 20000, special: 28200, da: 0 });
    expect(breakdown.gross).toBe(98200);
    expect(breakdown.pf).toMatchObject({ wages: 15000, employee: 1800, eps: 1250, employerEpf: 550, edli: 75, admin: 75 });
    expect(breakdown.esi).toEqual({ covered: false, employee: 0, employer: 0 });
    expect(breakdown.pt).toBe(200);
    expect(breakdown.tds).toMatchObject({ projectedTaxable: 1103400, annualTax: 0, month: 0 });
    expect(breakdown.net).toBe(96200);
    expect(breakdown.employerCost).toBe(100150);
    expect(breakdown.ecr).toEqual({
      gross: 98200,
      epfWages: 15000,
      epsWages: 15000,
      edliWages: 15000,
      epfContri: 1800,
      epsContri: 1250,
      diff: 550,
      ncpDays: 0,
    });
  });

  it('works the tax as §7 does: 11,78,400 − 75,000 = 11,03,400, slab tax 50,340, fully rebated', () => {
    expect(breakdown.tds).toMatchObject({ standardDeduction: 75000, taxableIncome: 1103400, slabTax: 50340, rebate: 50340, surcharge: 0, cess: 0 });
  });

  it('prints the ECR line of §7', () => {
    expect(ecrLine('UAN', 'NAME', breakdown.ecr)).toBe('UAN#~#NAME#~#98200#~#15000#~#15000#~#15000#~#1800#~#1250#~#550#~#0#~#0');
  });

  it('nets 96,100 in February (PT 300), the year-to-date tax still nil', () => {
    const february = calculateEmployeeMonth({ ...exampleA, month: '2027-02', ytd: { taxableGross: 98200 * 10, tdsDeducted: 0 } });
    expect(february.pt).toBe(300);
    expect(february.tds.annualTax).toBe(0);
    expect(february.net).toBe(96100);
  });

  it('explains each step with its source', () => {
    const rules = breakdown.explanation.map((step) => step.rule);
    expect(rules).toEqual(
      expect.arrayContaining(['Loss of pay', 'PF wages', 'PF employee share', 'EPS (pension)', 'ESI coverage', 'Professional tax', 'Income tax slabs']),
    );
    for (const step of breakdown.explanation) expect(step.source).toMatch(/spec §\d|product rule/);
    expect(breakdown.explanation.find((step) => step.rule === 'PF wages')?.says).toContain('₹15,000 ceiling');
  });
});

describe('worked example B: monthly gross 18,000 (spec §7 B)', () => {
  const breakdown = calculateEmployeeMonth({
    month: '2026-04',
    state: 'MH',
    gender: 'male',
    regime: 'new',
    earnings: { basic: 9000, hra: 3600, special: 5400 },
    pf: { mode: 'restricted', epsEligible: true },
    esi: { coveredAtPeriodStart: false },
    daysBasis: 'calendar',
    lopDays: 0,
    ytd: { taxableGross: 0, tdsDeducted: 0 },
  });

  it('gives the spec’s numbers', () => {
    expect(breakdown.gross).toBe(18000);
    expect(breakdown.pf).toMatchObject({ wages: 9000, employee: 1080, eps: 750, employerEpf: 330, edli: 45, admin: 45 });
    expect(breakdown.esi).toEqual({ covered: true, employee: 135, employer: 585 });
    expect(breakdown.pt).toBe(200);
    expect(breakdown.tds.month).toBe(0);
    expect(breakdown.net).toBe(16585);
    expect(breakdown.employerCost).toBe(19755);
  });

  it('gives the ECR figures for PF on the full basic', () => {
    expect(ecrLine('100200300400', 'A. Kumar', breakdown.ecr)).toBe('100200300400#~#A. Kumar#~#18000#~#9000#~#9000#~#9000#~#1080#~#750#~#330#~#0#~#0');
  });
});

describe('ECR names', () => {
  it('carry no special characters except the dot (spec §2)', () => {
    const ecr = { gross: 1, epfWages: 1, epsWages: 1, edliWages: 1, epfContri: 0, epsContri: 0, diff: 0, ncpDays: 2 };
    expect(ecrLine('U', "  D'Souza,  R.   (Jr)#~# ", ecr, 5)).toBe('U#~#DSouza R. Jr#~#1#~#1#~#1#~#1#~#0#~#0#~#0#~#2#~#5');
  });
});
