/**
 * The calculator's input (specs/payroll-india.md §9), checked at the edge: the payroll run, the payslip
 * page and the command line all pass through `parseEmployeeMonth`, whose failures are `Invalid` naming the
 * field (`earnings.basic: cannot be negative`). Amounts are whole rupees per month (§9), so a fraction of a
 * rupee is refused rather than rounded.
 */
import { z } from 'zod';
import { isIsoDate } from '../../../platform/clock/index.js';
import { Invalid, type FieldProblem } from '../../../platform/errors.js';
import { payMonth } from './period.js';

/**
 * ISO 3166-2:IN subdivision codes without the `IN-` prefix (§9), including the codes replaced in 2019–2023
 * (CT/CG, OR/OD, UT/UK, DN/DD/DH) so older records still read. A real state with no professional tax table
 * passes here and fails later as NoStatutoryRule naming it; anything else is not a state.
 */
export const INDIAN_STATE_CODES = [
  'AN', 'AP', 'AR', 'AS', 'BR', 'CH', 'CG', 'CT', 'DD', 'DH', 'DL', 'DN', 'GA', 'GJ', 'HP', 'HR', 'JH', 'JK', 'KA', 'KL', 'LA', 'LD',
  'MH', 'ML', 'MN', 'MP', 'MZ', 'NL', 'OD', 'OR', 'PB', 'PY', 'RJ', 'SK', 'TG', 'TN', 'TR', 'UK', 'UP', 'UT', 'WB',
] as const; // prettier-ignore

/** Product limit, far above any salary: keeps every intermediate product an exact integer in a double. */
const MAX_RUPEES = 1_00_00_00_000;

const rupees = () =>
  z
    .number({ error: 'must be a whole number of rupees' })
    .int('must be a whole number of rupees (no paise)')
    .min(0, 'cannot be negative')
    .max(MAX_RUPEES, `is more than the ₹${MAX_RUPEES.toLocaleString('en-IN')} this calculator accepts`);

const isoDate = () => z.string({ error: 'must be a date YYYY-MM-DD' }).refine(isIsoDate, 'must be a real date YYYY-MM-DD');

const COMPONENT_NAME = /^[A-Za-z][A-Za-z0-9]{0,39}$/;

export const employeeMonthSchema = z
  .strictObject({
    /** The pay month, `YYYY-MM`. */
    month: z.string({ error: 'must be a month YYYY-MM' }).regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM (01 to 12)'),
    /** Work state, for professional tax. */
    state: z
      .string({ error: 'must be a state code such as MH' })
      .refine(
        (code) => (INDIAN_STATE_CODES as readonly string[]).includes(code),
        'is not an Indian state code (ISO 3166-2:IN without IN-, such as MH, KA, TN)',
      ),
    gender: z.enum(['male', 'female', 'other'], { error: 'must be male, female or other' }),
    /** New regime is the default (spec §5); old by the employee's declaration. */
    regime: z.enum(['new', 'old'], { error: 'must be new or old' }).default('new'),
    /** Named components for the full month (before LOP): `basic` and `da` form PF wages; all count toward gross. */
    earnings: z
      .record(z.string().regex(COMPONENT_NAME, 'component names are letters and digits, starting with a letter'), rupees(), {
        error: 'must be an object of named amounts, such as { "basic": 50000 }',
      })
      .refine((earnings) => 'basic' in earnings, 'must include basic'),
    /** Components paid in full whatever the attendance (not pro-rated for LOP). `overtime` never is. */
    notProrated: z.array(z.string()).default([]),
    pf: z
      .strictObject({
        mode: z.enum(['restricted', 'actual'], { error: 'must be restricted or actual' }).default('restricted'),
        contributionRate: z.union([z.literal(12), z.literal(10)], { error: 'must be 12 or 10' }).default(12),
        epsEligible: z.boolean({ error: 'must be true or false' }).default(true),
        dateOfBirth: isoDate().optional(),
        joinedOn: isoDate().optional(),
        wagesAtJoining: rupees().optional(),
        wageBasis: z.enum(['pre-code', 'code-50'], { error: 'must be pre-code or code-50' }).default('pre-code'),
      })
      .default({ mode: 'restricted', contributionRate: 12, epsEligible: true, wageBasis: 'pre-code' }),
    esi: z
      .strictObject({
        coveredAtPeriodStart: z.boolean({ error: 'must be true or false' }).default(false),
        disabled: z.boolean({ error: 'must be true or false' }).default(false),
      })
      .default({ coveredAtPeriodStart: false, disabled: false }),
    daysBasis: z.enum(['calendar', 'fixed30', 'fixed26'], { error: 'must be calendar, fixed30 or fixed26' }).default('calendar'),
    lopDays: z
      .number({ error: 'must be a number of days' })
      .min(0, 'cannot be negative')
      .refine((days) => Number.isInteger(days * 2), 'must be whole or half days (half-days count 0.5)')
      .default(0),
    ytd: z.strictObject(
      {
        taxableGross: rupees(),
        tdsDeducted: rupees(),
        /** Professional tax deducted so far this FY (deductible under the old regime). */
        professionalTax: rupees().default(0),
        /** Half-yearly PT states: gross of this half-year's months before this one. */
        halfYearGross: rupees().optional(),
      },
      // Required, even in April (zeros): a forgotten year-to-date would silently under-deduct tax.
      { error: 'must give the year-to-date figures { "taxableGross": …, "tdsDeducted": … } (zeros in April)' },
    ),
    /** Old regime: the year's declared deductions (80C, HRA exemption, …) in rupees; ignored under the new regime. */
    declaredDeductions: rupees().default(0),
  })
  .superRefine((input, ctx) => {
    if (/^\d{4}-(0[1-9]|1[0-2])$/.test(input.month)) {
      const { days } = payMonth(input.month);
      if (input.lopDays > days) ctx.addIssue({ code: 'custom', path: ['lopDays'], message: `cannot be more than the ${days} days of ${input.month}` });
    }
    for (const name of input.notProrated)
      if (!(name in input.earnings)) ctx.addIssue({ code: 'custom', path: ['notProrated'], message: `names ${name}, which is not in earnings` });
    if ((input.pf.joinedOn === undefined) !== (input.pf.wagesAtJoining === undefined))
      ctx.addIssue({ code: 'custom', path: ['pf', input.pf.joinedOn ? 'wagesAtJoining' : 'joinedOn'], message: 'joinedOn and wagesAtJoining go together' });
  });

/** What callers pass: defaults may be left out. */
export type EmployeeMonthInput = z.input<typeof employeeMonthSchema>;
/** After parsing: every default filled in. */
export type EmployeeMonth = z.output<typeof employeeMonthSchema>;

export function parseEmployeeMonth(input: unknown): EmployeeMonth {
  const result = employeeMonthSchema.safeParse(input);
  if (result.success) return result.data;
  throw new Invalid(problemsOf(result.error));
}

function problemsOf(error: z.ZodError): FieldProblem[] {
  return error.issues.flatMap((issue) => {
    const at = issue.path.map(String);
    // A misspelt key is named itself (`pf.mdoe: is not a field …`), not its parent object.
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => ({ field: [...at, key].join('.'), message: 'is not a field of the calculator input' }));
    return [{ field: at.join('.') || '(input)', message: issue.message }];
  });
}
