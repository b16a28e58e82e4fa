/**
 * A company's shift rules (specs/kiosk.md, "Daily attendance"; issue 17 item 6): when work starts and
 * ends, how late is late, how many hours make a half or a full day, which days are off.
 *
 * Pure: no I/O. The shape comes from outside (HR's settings form, the database), so it is a zod schema
 * whose messages name the field; `parseShiftRules` turns a failure into `Invalid` with one problem per field.
 */
import { z } from 'zod';
import { isIsoDate, weekday, weekdayOccurrence, type IsoDate } from '../../../platform/clock/index.js';
import { Invalid, type FieldProblem } from '../../../platform/errors.js';

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

const clockTime = (field: string) =>
  z.string({ error: `${field} must be a time HH:MM (24-hour, IST)` }).regex(HH_MM, `${field} must be a time HH:MM (24-hour, IST)`);
const isoDate = (field: string) => z.string({ error: `${field} must be a date YYYY-MM-DD` }).refine(isIsoDate, `${field} must be a real date YYYY-MM-DD`);
const weekdayNumber = z.number().int().min(0, 'a weekday is 0 (Sunday) to 6 (Saturday)').max(6, 'a weekday is 0 (Sunday) to 6 (Saturday)');

export const shiftRulesSchema = z
  .object({
    /** Shift start, IST wall clock. */
    start: clockTime('start'),
    /** Shift end, IST wall clock; earlier than `start` means a night shift that ends the next morning. */
    end: clockTime('end'),
    /** Minutes after `start` a first punch is still on time (exactly start + grace is on time). */
    graceMinutes: z.number().int().min(0, 'graceMinutes cannot be negative').max(240, 'graceMinutes is at most 240'),
    /** Fewest worked hours that make a half day; fewer is absent. */
    halfDayHours: z.number().positive('halfDayHours must be more than 0'),
    /** Fewest worked hours that make a full day (present); between the two is a half day. */
    fullDayHours: z.number().positive('fullDayHours must be more than 0').max(24, 'fullDayHours is at most 24'),
    /** Days off every week: 0 = Sunday … 6 = Saturday. */
    weeklyOffs: z.array(weekdayNumber).default([]),
    /** Days off some weeks of each month, e.g. `{ weekday: 6, weeks: [2, 4] }` = second and fourth Saturday. */
    monthlyOffs: z
      .array(
        z.object({
          weekday: weekdayNumber,
          weeks: z.array(z.number().int().min(1, 'weeks are 1 to 5').max(5, 'weeks are 1 to 5')).min(1, 'name at least one week of the month'),
        }),
      )
      .default([]),
    /** Declared holidays (national, state, company) as IST dates. */
    holidays: z
      .array(
        z.object({
          date: isoDate('holidays date'),
          name: z.string().trim().min(1, 'a holiday needs a name').max(100, 'a holiday name is at most 100 characters'),
        }),
      )
      .default([]),
  })
  .superRefine((rules, ctx) => {
    if (rules.start === rules.end) ctx.addIssue({ code: 'custom', path: ['end'], message: 'end must differ from start' });
    if (rules.halfDayHours >= rules.fullDayHours)
      ctx.addIssue({ code: 'custom', path: ['halfDayHours'], message: 'halfDayHours must be fewer than fullDayHours' });
    if (HH_MM.test(rules.start) && HH_MM.test(rules.end) && rules.fullDayHours * 60 > shiftLengthMinutes(rules))
      ctx.addIssue({ code: 'custom', path: ['fullDayHours'], message: 'fullDayHours cannot be longer than the shift from start to end' });
    if (new Set(rules.weeklyOffs).size !== rules.weeklyOffs.length)
      ctx.addIssue({ code: 'custom', path: ['weeklyOffs'], message: 'weeklyOffs lists a weekday twice' });
    if (rules.weeklyOffs.length === 7) ctx.addIssue({ code: 'custom', path: ['weeklyOffs'], message: 'weeklyOffs cannot take every day of the week' });
    rules.monthlyOffs.forEach((off, i) => {
      if (rules.weeklyOffs.includes(off.weekday))
        ctx.addIssue({ code: 'custom', path: ['monthlyOffs', i, 'weekday'], message: 'monthlyOffs names a weekday that is already off every week' });
    });
    const seen = new Set<string>();
    rules.holidays.forEach((holiday, i) => {
      if (seen.has(holiday.date)) ctx.addIssue({ code: 'custom', path: ['holidays', i, 'date'], message: `holidays lists ${holiday.date} twice` });
      seen.add(holiday.date);
    });
  });

export type ShiftRules = z.infer<typeof shiftRulesSchema>;
export type ShiftRulesInput = z.input<typeof shiftRulesSchema>;

/** Validated shift rules, or `Invalid` naming each bad field (`holidays.2.date`, `graceMinutes`, …). */
export function parseShiftRules(input: unknown): ShiftRules {
  const result = shiftRulesSchema.safeParse(input);
  if (result.success) return result.data;
  throw new Invalid(problemsOf(result.error));
}

export function problemsOf(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({ field: issue.path.map(String).join('.') || '(input)', message: issue.message }));
}

/** `HH:MM` as minutes after midnight. */
export function minutesOfDay(time: string): number {
  const match = HH_MM.exec(time);
  if (!match) throw new RangeError(`not a time HH:MM: ${time}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** A shift whose end is earlier in the day than its start runs past midnight into the next IST day. */
export function isNightShift(rules: Pick<ShiftRules, 'start' | 'end'>): boolean {
  return minutesOfDay(rules.end) < minutesOfDay(rules.start);
}

/** Minutes from start to end (through midnight for a night shift). */
export function shiftLengthMinutes(rules: Pick<ShiftRules, 'start' | 'end'>): number {
  const length = minutesOfDay(rules.end) - minutesOfDay(rules.start);
  return length > 0 ? length : length + 24 * 60;
}

export type DayKind = { kind: 'working' } | { kind: 'weekly_off' } | { kind: 'holiday'; name: string };

/**
 * What a date is under the rules. A holiday that falls on a weekly off is one day off, counted as the
 * holiday (its name is what people see); it is never counted twice and gives no extra day.
 */
export function dayKind(date: IsoDate, rules: Pick<ShiftRules, 'weeklyOffs' | 'monthlyOffs' | 'holidays'>): DayKind {
  const holiday = rules.holidays.find((h) => h.date === date);
  if (holiday) return { kind: 'holiday', name: holiday.name };
  const day = weekday(date);
  if (rules.weeklyOffs.includes(day)) return { kind: 'weekly_off' };
  const occurrence = weekdayOccurrence(date);
  if (rules.monthlyOffs.some((off) => off.weekday === day && off.weeks.includes(occurrence))) return { kind: 'weekly_off' };
  return { kind: 'working' };
}
