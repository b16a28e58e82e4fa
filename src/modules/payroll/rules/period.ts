/**
 * The calendar the statutory rules run on: the financial year (April–March, Income-tax Act 1961 s.2(9)
 * "previous year"), the ESI contribution periods (April–September, October–March; spec §3) and the
 * half-years of half-yearly professional tax (spec §4, Tamil Nadu).
 */
import { istMonthBounds, type IsoMonth } from '../../../platform/clock/index.js';

export interface PayMonth {
  /** `YYYY-MM`, as given. */
  month: IsoMonth;
  year: number;
  /** 1 = January … 12 = December. */
  monthNumber: number;
  /** Days in the calendar month (28–31). */
  days: number;
  /** `2026-27` for any month from April 2026 to March 2027. */
  financialYear: string;
  /** Months left in the financial year counting this one: 12 in April, 1 in March (spec §5 "remaining"). */
  remainingMonths: number;
  /** 1 for April–September, 2 for October–March (ESI contribution periods, PT half-years). */
  halfYear: 1 | 2;
  /** Months left in this half-year counting this one: 6 in April and October, 1 in September and March. */
  remainingInHalfYear: number;
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export function monthName(monthNumber: number): string {
  return MONTH_NAMES[monthNumber - 1] ?? `month ${monthNumber}`;
}

/** Reads `YYYY-MM`; throws RangeError for anything else (the input schema checks the shape first). */
export function payMonth(month: IsoMonth): PayMonth {
  const { days } = istMonthBounds(month);
  const year = Number(month.slice(0, 4));
  const monthNumber = Number(month.slice(5, 7));
  const startYear = monthNumber >= 4 ? year : year - 1;
  // Months since April: April 0 … March 11.
  const sinceApril = (monthNumber + 8) % 12;
  return {
    month,
    year,
    monthNumber,
    days,
    financialYear: `${startYear}-${String((startYear + 1) % 100).padStart(2, '0')}`,
    remainingMonths: 12 - sinceApril,
    halfYear: sinceApril < 6 ? 1 : 2,
    remainingInHalfYear: 6 - (sinceApril % 6),
  };
}

/** The calendar months from `from` to the end of its financial year, in order (for projections). */
export function monthsToYearEnd(from: PayMonth): number[] {
  const months: number[] = [];
  for (let i = 0; i < from.remainingMonths; i++) months.push(((from.monthNumber - 1 + i) % 12) + 1);
  return months;
}
