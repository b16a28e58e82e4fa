/**
 * Salary structures (issue 18 item 3): a CTC-based template and an employee's overrides turned into the
 * month's earnings the calculator takes (specs/payroll-india.md §9 `earnings`).
 *
 * CTC = gross + employer PF (§7 A: "CTC = gross + employer PF; basic 50% of monthly CTC, HRA 40% of basic,
 * special allowance = the rest"). So the special allowance is what is left of the monthly CTC after basic,
 * DA, HRA, the fixed allowances and the employer's PF share on that basic + DA. Employer ESI is not inside
 * CTC here: §7 B's employer cost (19,755) is gross + employer PF + EDLI + admin + employer ESI, above its CTC.
 *
 * Amounts are whole rupees a month (the calculator's unit); percentages are basis points (50% = 5000), so
 * no binary fraction ever meets a rupee. Each derived amount rounds half-up to the rupee, as §1 does.
 */
import { z } from 'zod';

export const BASIS_POINTS = 10_000;

const percentField = (field: string, min: number) =>
  z.coerce
    .number({ error: `${field} must be a percentage` })
    .min(min, `${field} must be at least ${min}%`)
    .max(100, `${field} must be at most 100%`)
    .refine((n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-9, `${field} takes at most two decimals`)
    .transform((n) => Math.round(n * 100));

/** A template as HR fills it in: percentages with up to two decimals, kept as basis points. */
export const salaryTemplateSchema = z.object({
  name: z.string().trim().min(1, 'name is required').max(80, 'name must be at most 80 characters'),
  basicPercentOfCtc: percentField('basicPercentOfCtc', 1),
  hraPercentOfBasic: percentField('hraPercentOfBasic', 0),
});
export type SalaryTemplateInput = z.input<typeof salaryTemplateSchema>;

export interface SalaryTemplate {
  name: string;
  /** Basic as a share of the monthly CTC, in basis points. */
  basicBasisPoints: number;
  /** HRA as a share of basic, in basis points. */
  hraBasisPoints: number;
}

const rupees = (field: string) =>
  z.coerce
    .number({ error: `${field} must be an amount in rupees` })
    .int(`${field} must be whole rupees`)
    .min(0, `${field} cannot be negative`)
    .max(100_000_000, `${field} is too large`);

/** An allowance name: letters, digits and spaces, as it will read on the payslip. */
export const ALLOWANCE_NAME = /^[A-Za-z][A-Za-z0-9 ]{0,39}$/;
const RESERVED = new Set(['basic', 'da', 'hra', 'special']);

/** What an employee's structure says beyond the template: CTC, and the amounts fixed by hand. */
export const structureTermsSchema = z.object({
  annualCtc: rupees('annualCtc').refine((n) => n >= 12, 'annualCtc must be at least 12 rupees'),
  /** Fixed monthly basic instead of the template's percentage (e.g. a minimum-wage basic). */
  basicOverride: rupees('basicOverride').nullable().default(null),
  /** Fixed monthly HRA instead of the template's percentage. */
  hraOverride: rupees('hraOverride').nullable().default(null),
  /** Dearness allowance, monthly; part of PF wages with basic (§2). */
  da: rupees('da').default(0),
  /** Other fixed monthly allowances by name (conveyance, LTA …); they count toward gross, not PF wages. */
  allowances: z
    .record(z.string(), rupees('allowances'))
    .superRefine((allowances, ctx) => {
      for (const name of Object.keys(allowances)) {
        if (!ALLOWANCE_NAME.test(name)) ctx.addIssue({ code: 'custom', message: 'allowance names are letters, digits and spaces, up to 40' });
        else if (RESERVED.has(name.toLowerCase())) ctx.addIssue({ code: 'custom', message: 'allowances cannot be named basic, da, hra or special' });
      }
    })
    .default({}),
});
export type StructureTerms = z.output<typeof structureTermsSchema>;
export type StructureTermsInput = z.input<typeof structureTermsSchema>;

export interface MonthlyEarnings {
  monthlyCtc: number;
  /** basic, da, hra, the named allowances, special: the calculator's `earnings`. */
  earnings: Record<string, number>;
  gross: number;
  /** The employer's PF share counted inside CTC. */
  employerPf: number;
}

export type StructureCheck = { ok: true; value: MonthlyEarnings } | { ok: false; field: string; message: string };

/**
 * The month's earnings under a template and terms. `employerPfOn(pfWages)` is the employer's PF share for
 * those PF wages (basic + DA) under the employee's PF settings: the statutory PF rules own that number.
 * A CTC too small for the fixed parts (special would be negative) is refused, naming what to change.
 */
export function monthlyEarnings(template: SalaryTemplate, terms: StructureTerms, employerPfOn: (pfWages: number) => number): StructureCheck {
  const monthlyCtc = Math.floor((terms.annualCtc * 2 + 12) / 24); // annual / 12, half-up
  const basic = terms.basicOverride ?? Math.floor((monthlyCtc * template.basicBasisPoints * 2 + BASIS_POINTS) / (2 * BASIS_POINTS));
  const hra = terms.hraOverride ?? Math.floor((basic * template.hraBasisPoints * 2 + BASIS_POINTS) / (2 * BASIS_POINTS));
  const employerPf = employerPfOn(basic + terms.da);
  const fixed = basic + terms.da + hra + Object.values(terms.allowances).reduce((sum, amount) => sum + amount, 0);
  const special = monthlyCtc - fixed - employerPf;
  if (special < 0) {
    return {
      ok: false,
      field: 'annualCtc',
      message: `is too small: basic, DA, HRA, allowances and employer PF come to ₹${fixed + employerPf} a month, more than the monthly CTC of ₹${monthlyCtc}`,
    };
  }
  const earnings: Record<string, number> = { basic, da: terms.da, hra, ...terms.allowances, special };
  return { ok: true, value: { monthlyCtc, earnings, gross: monthlyCtc - employerPf, employerPf } };
}
