/**
 * The one source of "now". Every rule with a time window, every store write that stamps a time and
 * every audit entry reads the injected clock, so tests move time instead of waiting, and two app
 * instances in one test can disagree about it.
 *
 * Business dates are Indian: India keeps one time zone, UTC+05:30, with no daylight saving, so a
 * fixed offset is exact (no time-zone database needed).
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;
/** A calendar month, `YYYY-MM`. */
export type IsoMonth = string;

const IST_OFFSET_MS = (5 * 60 + 30) * 60_000;
const DAY_MS = 24 * 3600_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_MONTH = /^(\d{4})-(\d{2})$/;

/** The IST calendar day an instant falls on: 2026-03-31T18:30Z is already 1 April in India. */
export function istDay(instant: Date): IsoDate {
  return new Date(instant.getTime() + IST_OFFSET_MS).toISOString().slice(0, 10);
}

/** The IST calendar month an instant falls in. */
export function istMonth(instant: Date): IsoMonth {
  return istDay(instant).slice(0, 7);
}

/**
 * Parsed dates, remembered: a month grid or a pay run asks about the same thirty-odd dates for every employee
 * (10,000 employees × 31 days × several calls), and the check below builds a Date and a string each time.
 * Bounded: cleared when full, so a long-running process never grows it without limit.
 */
const parsedDates = new Map<string, number>();
const PARSED_DATES_KEPT = 4096;

function parseDate(date: IsoDate): number {
  const known = parsedDates.get(date);
  if (known !== undefined) return known;
  const match = ISO_DATE.exec(date);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) throw new RangeError(`not a calendar date: ${date}`);
  if (parsedDates.size >= PARSED_DATES_KEPT) parsedDates.clear();
  parsedDates.set(date, ms);
  return ms;
}

/** The instants an IST day covers: [start, end), start at 18:30 UTC of the day before. */
export function istDayBounds(date: IsoDate): { start: Date; end: Date } {
  const midnightUtc = parseDate(date);
  return { start: new Date(midnightUtc - IST_OFFSET_MS), end: new Date(midnightUtc - IST_OFFSET_MS + DAY_MS) };
}

/** The instants an IST month covers: [first day 00:00 IST, first day of the next month 00:00 IST). */
export function istMonthBounds(month: IsoMonth): { start: Date; end: Date; firstDay: IsoDate; lastDay: IsoDate; days: number } {
  const match = ISO_MONTH.exec(month);
  const year = Number(match?.[1]);
  const monthIndex = Number(match?.[2]) - 1;
  if (!match || monthIndex < 0 || monthIndex > 11) throw new RangeError(`not a calendar month: ${month}`);
  const first = Date.UTC(year, monthIndex, 1);
  const next = Date.UTC(year, monthIndex + 1, 1);
  return {
    start: new Date(first - IST_OFFSET_MS),
    end: new Date(next - IST_OFFSET_MS),
    firstDay: new Date(first).toISOString().slice(0, 10),
    lastDay: new Date(next - DAY_MS).toISOString().slice(0, 10),
    days: Math.round((next - first) / DAY_MS),
  };
}

/** `date` plus `days` calendar days. */
export function addDays(date: IsoDate, days: number): IsoDate {
  return new Date(parseDate(date) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Day of the week of a calendar date: 0 = Sunday … 6 = Saturday (as `Date#getUTCDay`). */
export function weekday(date: IsoDate): number {
  return new Date(parseDate(date)).getUTCDay();
}

export interface WorkCalendar {
  /** Days of the week that are off: 0 = Sunday … 6 = Saturday. Most Indian companies: [0], or [0, 6]. */
  weeklyOffs: readonly number[];
  /** Declared holidays (national, state, company), as calendar dates. */
  holidays: Iterable<IsoDate>;
}

/**
 * Working days from `from` to `to`, both included, that are neither a weekly off nor a holiday.
 * An empty range (`to` before `from`) has none.
 */
export function businessDaysBetween(from: IsoDate, to: IsoDate, calendar: WorkCalendar): number {
  const start = parseDate(from);
  const end = parseDate(to);
  const offs = new Set(calendar.weeklyOffs);
  for (const off of offs) if (!Number.isInteger(off) || off < 0 || off > 6) throw new RangeError(`weekly off must be 0 (Sunday) to 6 (Saturday): ${off}`);
  const holidays = new Set(calendar.holidays);
  let count = 0;
  for (let ms = start; ms <= end; ms += DAY_MS) {
    const day = new Date(ms);
    if (offs.has(day.getUTCDay())) continue;
    if (holidays.has(day.toISOString().slice(0, 10))) continue;
    count++;
  }
  return count;
}

/** Whether `value` is a real calendar date written `YYYY-MM-DD` (2026-02-30 is not). */
export function isIsoDate(value: string): boolean {
  try {
    parseDate(value);
    return true;
  } catch {
    return false;
  }
}

/** Calendar days from `from` to `to`: 0 for the same date, negative when `to` is earlier. */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((parseDate(to) - parseDate(from)) / DAY_MS);
}

/** Every date from `from` to `to`, both included, in order; empty when `to` is before `from`. */
export function datesBetween(from: IsoDate, to: IsoDate): IsoDate[] {
  const dates: IsoDate[] = [];
  const end = parseDate(to);
  for (let ms = parseDate(from); ms <= end; ms += DAY_MS) dates.push(new Date(ms).toISOString().slice(0, 10));
  return dates;
}

/**
 * Which occurrence of its weekday in its month a date is: 1 for the first Saturday (days 1–7), 2 for the
 * second (8–14) … 5. "Second and fourth Saturday off" is `weekday(d) === 6 && [2, 4].includes(weekdayOccurrence(d))`.
 */
export function weekdayOccurrence(date: IsoDate): number {
  return Math.ceil(new Date(parseDate(date)).getUTCDate() / 7);
}

/** The instant an IST wall-clock time falls on: `minutes` after 00:00 IST of `date` (may exceed 24 h, into the next day). */
export function istInstant(date: IsoDate, minutes: number): Date {
  if (!Number.isFinite(minutes)) throw new RangeError(`not a number of minutes: ${minutes}`);
  return new Date(parseDate(date) - IST_OFFSET_MS + minutes * 60_000);
}
