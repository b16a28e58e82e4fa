import { describe, expect, it } from 'vitest';
import { monthlyEarnings, salaryTemplateSchema, structureTermsSchema, type SalaryTemplate } from '../../src/modules/payroll/rules/structure.js';
import { employerPfOn } from '../../src/modules/payroll/structures.js';
import { calculateEmployeeMonth } from '../../src/modules/payroll/index.js';

const HALF_AND_FORTY: SalaryTemplate = { name: 'Standard', basicBasisPoints: 5000, hraBasisPoints: 4000 };
const terms = (input: Parameters<typeof structureTermsSchema.parse>[0]) => structureTermsSchema.parse(input);

describe('a CTC template to a month’s earnings (issue 18 item 3)', () => {
  it('worked example A: CTC 12,00,000 gives basic 50,000, HRA 20,000, employer PF 1,800, special 28,200, gross 98,200', () => {
    const result = monthlyEarnings(HALF_AND_FORTY, terms({ annualCtc: 1_200_000 }), employerPfOn('2026-04', 'restricted'));
    expect(result).toEqual({
      ok: true,
      value: { monthlyCtc: 100_000, earnings: { basic: 50_000, da: 0, hra: 20_000, special: 28_200 }, gross: 98_200, employerPf: 1_800 },
    });
  });

  it('example A’s earnings through the calculator give the spec’s net of 96,200 (the structure and the calculator agree)', () => {
    const result = monthlyEarnings(HALF_AND_FORTY, terms({ annualCtc: 1_200_000 }), employerPfOn('2026-04', 'restricted'));
    if (!result.ok) throw new Error(result.message);
    const month = calculateEmployeeMonth({
      month: '2026-04',
      state: 'MH',
      gender: 'male',
      regime: 'new',
      earnings: result.value.earnings,
      pf: { mode: 'restricted', epsEligible: true },
      esi: { coveredAtPeriodStart: false },
      daysBasis: 'calendar',
      lopDays: 0,
      ytd: { taxableGross: 0, tdsDeducted: 0 },
    });
    expect(month.gross).toBe(result.value.gross);
    expect(month.pf.employee).toBe(result.value.employerPf);
    expect(month.net).toBe(96_200);
  });

  it('worked example B by fixed amounts: basic 9,000 and HRA 3,600 inside a CTC of gross + employer PF leave special 5,400', () => {
    const result = monthlyEarnings(
      HALF_AND_FORTY,
      terms({ annualCtc: 19_080 * 12, basicOverride: 9_000, hraOverride: 3_600 }),
      employerPfOn('2026-04', 'restricted'),
    );
    expect(result).toMatchObject({ ok: true, value: { earnings: { basic: 9_000, hra: 3_600, special: 5_400 }, gross: 18_000, employerPf: 1_080 } });
  });

  it('PF inside CTC follows the mode: restricted stops at the 15,000 ceiling, actual does not', () => {
    const ctc = terms({ annualCtc: 3_000_000 });
    const restricted = monthlyEarnings(HALF_AND_FORTY, ctc, employerPfOn('2026-04', 'restricted'));
    const actual = monthlyEarnings(HALF_AND_FORTY, ctc, employerPfOn('2026-04', 'actual'));
    expect(restricted).toMatchObject({ ok: true, value: { earnings: { basic: 125_000 }, employerPf: 1_800 } });
    expect(actual).toMatchObject({ ok: true, value: { earnings: { basic: 125_000 }, employerPf: 15_000 } });
    if (!restricted.ok || !actual.ok) throw new Error('both fit');
    expect(restricted.value.earnings.special! - actual.value.earnings.special!).toBe(13_200);
  });

  it('DA and named allowances are fixed parts; DA joins basic in PF wages, allowances do not', () => {
    const result = monthlyEarnings(
      { name: 'Low basic', basicBasisPoints: 4000, hraBasisPoints: 5000 },
      terms({ annualCtc: 360_000, da: 2_000, allowances: { Conveyance: 1_600 } }),
      employerPfOn('2026-04', 'restricted'),
    );
    // monthly 30,000: basic 12,000, HRA 6,000, PF 12% of 14,000 = 1,680, special 30,000 − 12,000 − 2,000 − 6,000 − 1,600 − 1,680.
    expect(result).toMatchObject({
      ok: true,
      value: { earnings: { basic: 12_000, da: 2_000, hra: 6_000, Conveyance: 1_600, special: 6_720 }, employerPf: 1_680 },
    });
  });

  it('refuses a CTC that cannot hold the fixed parts, naming annualCtc and the figures', () => {
    const result = monthlyEarnings(
      HALF_AND_FORTY,
      terms({ annualCtc: 120_000, basicOverride: 9_000, hraOverride: 3_600 }),
      employerPfOn('2026-04', 'restricted'),
    );
    expect(result).toEqual({ ok: false, field: 'annualCtc', message: expect.stringContaining('more than the monthly CTC of ₹10000') });
  });

  it('rounds each derived amount half-up to the rupee', () => {
    // 1,00,001 a year: monthly 8,333.42 → 8,333; basic 50% = 4,166.5 → 4,167; HRA 40% = 1,666.8 → 1,667.
    const result = monthlyEarnings(HALF_AND_FORTY, terms({ annualCtc: 100_001 }), () => 0);
    expect(result).toMatchObject({ ok: true, value: { monthlyCtc: 8_333, earnings: { basic: 4_167, hra: 1_667, special: 2_499 } } });
  });

  it.each([
    [{ name: 'X', basicPercentOfCtc: '50.123', hraPercentOfBasic: '40' }, 'basicPercentOfCtc takes at most two decimals'],
    [{ name: 'X', basicPercentOfCtc: '0', hraPercentOfBasic: '40' }, 'basicPercentOfCtc must be at least 1%'],
    [{ name: 'X', basicPercentOfCtc: '50', hraPercentOfBasic: '101' }, 'hraPercentOfBasic must be at most 100%'],
    [{ name: 'X', basicPercentOfCtc: 'half', hraPercentOfBasic: '40' }, 'basicPercentOfCtc must be a percentage'],
    [{ name: ' ', basicPercentOfCtc: '50', hraPercentOfBasic: '40' }, 'name is required'],
  ])('refuses a bad template %o: %s', (input, message) => {
    const result = salaryTemplateSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.message)).toContain(message);
  });

  it('keeps percentages as basis points, so 33.33% is exact', () => {
    expect(salaryTemplateSchema.parse({ name: 'Thirds', basicPercentOfCtc: '33.33', hraPercentOfBasic: '0' })).toEqual({
      name: 'Thirds',
      basicPercentOfCtc: 3333,
      hraPercentOfBasic: 0,
    });
  });

  it.each([
    [{ annualCtc: -1 }, 'annualCtc cannot be negative'],
    [{ annualCtc: 1200000.5 }, 'annualCtc must be whole rupees'],
    [{ annualCtc: 1200000, allowances: { Special: 10 } }, 'allowances cannot be named basic, da, hra or special'],
    [{ annualCtc: 1200000, allowances: { '<b>': 10 } }, 'allowance names are letters, digits and spaces, up to 40'],
    [{ annualCtc: 1200000, da: -5 }, 'da cannot be negative'],
  ])('refuses bad terms %o: %s', (input, message) => {
    const result = structureTermsSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.message)).toContain(message);
  });
});
