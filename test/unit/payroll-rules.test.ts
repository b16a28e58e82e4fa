/**
 * Each statutory rule at its edges (issue 18, "Tests"), through the one calculator so that the whole path
 * is exercised. Expected numbers are worked by hand from specs/payroll-india.md, shown beside each.
 */
import { describe, expect, it } from 'vitest';
import { calculateEmployeeMonth, type EmployeeMonthInput } from '../../src/modules/payroll/index.js';
import { showRupees } from '../../src/modules/payroll/rules/money.js';

const base: EmployeeMonthInput = {
  month: '2026-04',
  state: 'MH',
  gender: 'male',
  earnings: { basic: 15000 },
  ytd: { taxableGross: 0, tdsDeducted: 0 },
};
const calc = (overrides: Partial<EmployeeMonthInput>) => calculateEmployeeMonth({ ...base, ...overrides });
const basic = (amount: number, overrides: Partial<EmployeeMonthInput> = {}) => calc({ earnings: { basic: amount }, ...overrides });

describe('PF (spec §2)', () => {
  it('at the 15,000 ceiling: 12% = 1,800; EPS 8.33% = 1,249.50 → 1,250; EPF 550; EDLI and admin 75', () => {
    expect(basic(15000).pf).toMatchObject({ wages: 15000, employee: 1800, eps: 1250, employerEpf: 550, edli: 75, admin: 75 });
  });

  it('just below: 14,999 → 1,799.88 → 1,800; EPS 1,249.42 → 1,249; EPF 551; EDLI 74.995 → 75', () => {
    expect(basic(14999).pf).toMatchObject({ wages: 14999, employee: 1800, eps: 1249, employerEpf: 551, edli: 75, admin: 75 });
  });

  it('just above, restricted: PF wages stay at 15,000', () => {
    expect(basic(15001).pf).toMatchObject({ wages: 15000, employee: 1800, eps: 1250, employerEpf: 550, edli: 75, admin: 75 });
  });

  it('actual mode: both shares on 20,000 (2,400), EPS and EDLI still on 15,000, admin on 20,000', () => {
    const { pf, ecr } = basic(20000, { pf: { mode: 'actual' } });
    expect(pf).toMatchObject({ wages: 20000, employee: 2400, eps: 1250, employerEpf: 1150, edli: 75, admin: 100 });
    expect(ecr).toMatchObject({ epfWages: 20000, epsWages: 15000, edliWages: 15000, epfContri: 2400, epsContri: 1250, diff: 1150 });
  });

  it('rounds 50 paise up: EPS on 5,000 is 416.50 → 417; EDLI on 8,100 is 40.50 → 41', () => {
    expect(basic(5000).pf).toMatchObject({ employee: 600, eps: 417, employerEpf: 183, edli: 25 });
    expect(basic(8100).pf).toMatchObject({ employee: 972, eps: 675, employerEpf: 297, edli: 41, admin: 41 });
  });

  it('PF wages are basic + DA only (HRA and special do not count)', () => {
    expect(calc({ earnings: { basic: 6000, da: 2000, hra: 9000, special: 3000 } }).pf).toMatchObject({ wages: 8000, employee: 960 });
  });

  it('10% rate (a company setting): 1,500 each, EPS 1,250, EPF 250', () => {
    expect(basic(15000, { pf: { contributionRate: 10 } }).pf).toMatchObject({ employee: 1500, eps: 1250, employerEpf: 250 });
  });

  it('Labour Codes 50% basis adds back allowances above half of gross; pre-code does not', () => {
    const earnings = { basic: 8000, hra: 6000, special: 6000 }; // gross 20,000; excluded 12,000 − 10,000 = 2,000 added
    expect(calc({ earnings, pf: { wageBasis: 'code-50' } }).pf).toMatchObject({ wages: 10000, employee: 1200 });
    expect(calc({ earnings }).pf).toMatchObject({ wages: 8000, employee: 960 });
    // Odd gross: excluded 6,001 − 10,000.5 → nothing; 5,001 basic of 10,001 is already half.
    expect(calc({ earnings: { basic: 4000, hra: 6001 }, pf: { wageBasis: 'code-50' } }).pf.wages).toBe(5001);
  });
});

describe('EPS eligibility (spec §2)', () => {
  const notEligible = { eps: 0, employerEpf: 1800, epsEligible: false, epsWages: 0 };

  it('HR’s flag excludes the member: the whole employer share goes to EPF, EPS wages 0 in the ECR', () => {
    const { pf, ecr } = basic(15000, { pf: { epsEligible: false } });
    expect(pf).toMatchObject(notEligible);
    expect(ecr).toMatchObject({ epsWages: 0, epsContri: 0, diff: 1800, edliWages: 15000 });
  });

  it('stops at 58: born 15 May 1968, still in the month of the birthday (May 2026), out from June', () => {
    expect(basic(15000, { month: '2026-05', pf: { dateOfBirth: '1968-05-15' } }).pf).toMatchObject({ eps: 1250, epsEligible: true });
    expect(basic(15000, { month: '2026-06', pf: { dateOfBirth: '1968-05-15' } }).pf).toMatchObject(notEligible);
    expect(basic(15000, { month: '2026-05', pf: { dateOfBirth: '1968-05-01' } }).pf).toMatchObject(notEligible);
  });

  it('joined on/after 1-Sep-2014 with wages above 15,000 at joining: not eligible; at 15,000 or earlier: eligible', () => {
    expect(basic(15000, { pf: { joinedOn: '2014-09-01', wagesAtJoining: 15001 } }).pf).toMatchObject(notEligible);
    expect(basic(15000, { pf: { joinedOn: '2014-09-01', wagesAtJoining: 15000 } }).pf.eps).toBe(1250);
    expect(basic(15000, { pf: { joinedOn: '2014-08-31', wagesAtJoining: 40000 } }).pf.eps).toBe(1250);
  });
});

describe('ESI (spec §3)', () => {
  it('at 21,000 covered: 0.75% = 157.50 → 158, 3.25% = 682.50 → 683 (rounded up)', () => {
    expect(calc({ earnings: { basic: 10500, hra: 10500 } }).esi).toEqual({ covered: true, employee: 158, employer: 683 });
  });

  it('at 21,001 not covered, unless covered at the start of the contribution period', () => {
    const earnings = { basic: 10500, hra: 10501 };
    expect(calc({ earnings }).esi).toEqual({ covered: false, employee: 0, employer: 0 });
    expect(calc({ earnings, month: '2026-09', esi: { coveredAtPeriodStart: true } }).esi).toEqual({ covered: true, employee: 158, employer: 683 });
  });

  it('tests the ceiling without overtime, but contributes on it', () => {
    const { esi, earnings } = calc({ earnings: { basic: 20000, overtime: 2000 }, lopDays: 3 });
    expect(earnings.overtime).toBe(2000); // overtime is not pro-rated for LOP
    expect(esi).toEqual({ covered: true, employee: 150, employer: 650 }); // 18,000 + 2,000 = 20,000 → 150, 650
    expect(calc({ earnings: { basic: 20000, overtime: 2000 } }).esi).toEqual({ covered: true, employee: 165, employer: 715 });
  });

  it('tests the ceiling on the monthly salary, not on a month cut short by LOP', () => {
    // 22,000 a month with 3 LOP days draws 19,800 in April, still above the 21,000 ceiling as a monthly salary.
    expect(calc({ earnings: { basic: 22000 }, lopDays: 3 }).esi).toEqual({ covered: false, employee: 0, employer: 0 });
  });

  it('25,000 ceiling for a person with disability', () => {
    expect(calc({ earnings: { basic: 25000 }, esi: { disabled: true } }).esi.covered).toBe(true);
    expect(calc({ earnings: { basic: 25001 }, esi: { disabled: true } }).esi.covered).toBe(false);
  });

  it('employee share nil when the average daily wage is at most 176; the employer still pays', () => {
    // April: 30 days × 176 = 5,280.
    expect(basic(5280).esi).toEqual({ covered: true, employee: 0, employer: 172 }); // 171.60 → 172
    expect(basic(5281).esi).toEqual({ covered: true, employee: 40, employer: 172 }); // 39.61 → 40
    // May: 31 days × 176 = 5,456.
    expect(basic(5456, { month: '2026-05' }).esi.employee).toBe(0);
    // With LOP the day count shrinks with the pay: 5,456 × 27/31 = 4,752 = 176 × 27.
    expect(basic(5456, { month: '2026-05', lopDays: 4 }).esi.employee).toBe(0);
  });
});

describe('professional tax (spec §4)', () => {
  const pt = (state: string, gross: number, month = '2026-04', gender: 'male' | 'female' = 'male') => basic(gross, { state, month, gender }).pt;

  it('Maharashtra men: ≤7,500 nil; to 10,000 175; above 200, 300 in February', () => {
    expect([pt('MH', 7500), pt('MH', 7501), pt('MH', 10000), pt('MH', 10001)]).toEqual([0, 175, 175, 200]);
    expect([pt('MH', 10001, '2027-02'), pt('MH', 9000, '2027-02')]).toEqual([300, 175]);
  });

  it('Maharashtra women: ≤25,000 nil; above 200, 300 in February', () => {
    expect([pt('MH', 25000, '2026-04', 'female'), pt('MH', 25001, '2026-04', 'female'), pt('MH', 25001, '2026-02', 'female')]).toEqual([0, 200, 300]);
  });

  it('Karnataka: below 25,000 nil; 25,000 and above 200, 300 in February', () => {
    expect([pt('KA', 24999), pt('KA', 25000), pt('KA', 25000, '2027-02')]).toEqual([0, 200, 300]);
  });

  it('Telangana, Gujarat, West Bengal slabs at their edges', () => {
    expect([pt('TG', 15000), pt('TG', 15001), pt('TG', 20000), pt('TG', 20001), pt('TG', 20001, '2027-02')]).toEqual([0, 150, 150, 200, 200]);
    expect([pt('GJ', 12000), pt('GJ', 12001)]).toEqual([0, 200]);
    expect([10000, 10001, 15000, 15001, 25000, 25001, 40000, 40001].map((gross) => pt('WB', gross))).toEqual([0, 110, 110, 130, 130, 150, 150, 200]);
  });

  it('old regime deducts the year’s PT; in Tamil Nadu both half-years are projected', () => {
    // 20,000 a month from April: each half-year earns 1,20,000 → 1,250 in September and in March.
    const result = basic(20000, { state: 'TN', regime: 'old' });
    expect(result.pt).toBe(0);
    expect(result.tds.otherDeductions).toBe(2500);
  });

  it('Tamil Nadu: half-yearly, on the half-year’s income, in September and March', () => {
    const tn = (month: string, gross: number, halfYearGross?: number) =>
      basic(gross, { state: 'TN', month, ytd: { taxableGross: 0, tdsDeducted: 0, halfYearGross } }).pt;
    expect(tn('2026-04', 30000)).toBe(0);
    expect(tn('2026-09', 3500, 17500)).toBe(0); // 21,000
    expect(tn('2026-09', 3501, 17500)).toBe(180); // 21,001
    expect(tn('2026-09', 12500, 62500)).toBe(1025); // 75,000
    expect(tn('2026-09', 12501, 62500)).toBe(1250); // 75,001
    expect(tn('2027-03', 30000, 150000)).toBe(1250);
    expect(() => tn('2026-09', 30000)).toThrow(/ytd\.halfYearGross/);
  });

  it('a real state without a table is NoStatutoryRule naming it, never a zero', () => {
    expect(() => calc({ state: 'KL' })).toThrow(expect.objectContaining({ code: 'no_statutory_rule', field: 'state', message: expect.stringContaining('KL') }));
  });
});

describe('loss of pay (spec §1)', () => {
  it('calendar basis: April has 30 days; 3 LOP days pay 27/30 of each component', () => {
    const result = calc({ earnings: { basic: 30000, hra: 12000 }, lopDays: 3 });
    expect(result.earnings).toEqual({ basic: 27000, hra: 10800, da: 0 });
    expect(result).toMatchObject({ basisDays: 30, paidDays: 27, gross: 37800 });
    expect(result.ecr.ncpDays).toBe(3);
  });

  it('fixed 30 in a 31-day month: 31,000 × 29/30 = 29,966.67 → 29,967', () => {
    expect(calc({ month: '2026-05', daysBasis: 'fixed30', earnings: { basic: 31000 }, lopDays: 1 }).earnings.basic).toBe(29967);
  });

  it('fixed 26 with a half day: 26,000 × 24.5/26 = 24,500', () => {
    expect(calc({ daysBasis: 'fixed26', earnings: { basic: 26000 }, lopDays: 1.5 }).earnings.basic).toBe(24500);
  });

  it('rounds half-up per component: 10,001 × 29/30 = 9,667.63 → 9,668; 15 × 29/30 = 14.50 → 15', () => {
    expect(calc({ earnings: { basic: 10001, conveyance: 15 }, lopDays: 1 }).earnings).toMatchObject({ basic: 9668, conveyance: 15 });
  });

  it('PF, ESI and PT follow the pro-rated amounts', () => {
    const result = calc({ earnings: { basic: 16000, hra: 4000 }, lopDays: 6 }); // × 24/30: 12,800 + 3,200 = 16,000
    expect(result.pf).toMatchObject({ wages: 12800, employee: 1536 });
    expect(result.esi).toEqual({ covered: true, employee: 120, employer: 520 });
    expect(result.pt).toBe(200);
  });

  it('absent the whole month pays nothing, whatever the basis', () => {
    expect(calc({ month: '2027-02', daysBasis: 'fixed30', earnings: { basic: 30000 }, lopDays: 28 }).gross).toBe(0);
    expect(calc({ month: '2026-05', daysBasis: 'fixed26', earnings: { basic: 26000 }, lopDays: 27 }).gross).toBe(0);
  });

  it('components named in notProrated are paid in full', () => {
    expect(calc({ earnings: { basic: 30000, bonus: 5000 }, notProrated: ['bonus'], lopDays: 15 }).earnings).toMatchObject({ basic: 15000, bonus: 5000 });
  });
});

describe('amounts in the explanation', () => {
  it('use Indian digit grouping', () => {
    expect([0, 999, 1000, 117840, 1178400, 12345678, 1000000000, 5.5].map(showRupees)).toEqual([
      '₹0',
      '₹999',
      '₹1,000',
      '₹1,17,840',
      '₹11,78,400',
      '₹1,23,45,678',
      '₹1,00,00,00,000',
      '₹5.5',
    ]);
  });
});
