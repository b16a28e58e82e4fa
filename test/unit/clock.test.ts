import { describe, expect, it } from 'vitest';
import {
  addDays,
  businessDaysBetween,
  datesBetween,
  daysBetween,
  isIsoDate,
  istDay,
  istDayBounds,
  istInstant,
  istMonth,
  istMonthBounds,
  weekday,
  weekdayOccurrence,
} from '../../src/platform/clock/index.js';

describe('the IST calendar', () => {
  it('turns the day at IST midnight, which is 18:30 UTC the day before', () => {
    expect(istDay(new Date('2026-03-31T18:29:59.999Z'))).toBe('2026-03-31');
    expect(istDay(new Date('2026-03-31T18:30:00.000Z'))).toBe('2026-04-01');
    expect(istDay(new Date('2026-04-01T00:00:00.000Z'))).toBe('2026-04-01');
    expect(istDayBounds('2026-04-01')).toEqual({ start: new Date('2026-03-31T18:30:00.000Z'), end: new Date('2026-04-01T18:30:00.000Z') });
  });

  it('puts an instant late on the last evening of a month (UTC) in the next IST month, and back', () => {
    expect(istMonth(new Date('2026-01-31T18:30:00.000Z'))).toBe('2026-02');
    expect(istMonth(new Date('2026-01-31T18:29:59.999Z'))).toBe('2026-01');
    expect(istMonth(new Date('2026-12-31T20:00:00.000Z'))).toBe('2027-01');
  });

  it('bounds a month from its first IST midnight to the next one, across year ends and leap Februaries', () => {
    expect(istMonthBounds('2026-12')).toEqual({
      start: new Date('2026-11-30T18:30:00.000Z'),
      end: new Date('2026-12-31T18:30:00.000Z'),
      firstDay: '2026-12-01',
      lastDay: '2026-12-31',
      days: 31,
    });
    expect(istMonthBounds('2028-02')).toMatchObject({ lastDay: '2028-02-29', days: 29 });
    expect(istMonthBounds('2026-02')).toMatchObject({ lastDay: '2026-02-28', days: 28, end: new Date('2026-02-28T18:30:00.000Z') });
    const { start, end } = istMonthBounds('2026-04');
    // An instant is in the month exactly when its IST day is.
    for (const at of [start, new Date(end.getTime() - 1)]) expect(istMonth(at)).toBe('2026-04');
    expect(istMonth(new Date(start.getTime() - 1))).toBe('2026-03');
    expect(istMonth(end)).toBe('2026-05');
  });

  it('refuses what is not a calendar date or month', () => {
    expect(() => istMonthBounds('2026-13')).toThrow(RangeError);
    expect(() => istDayBounds('2026-02-30')).toThrow(RangeError);
    expect(() => addDays('1 April', 1)).toThrow(RangeError);
  });

  it('counts business days between two dates, both included, without weekly offs and holidays', () => {
    // April 2026: 30 days, Sundays on 5, 12, 19, 26; Saturdays on 4, 11, 18, 25.
    expect(weekday('2026-04-05')).toBe(0);
    const april = { from: '2026-04-01', to: '2026-04-30' };
    expect(businessDaysBetween(april.from, april.to, { weeklyOffs: [], holidays: [] })).toBe(30);
    expect(businessDaysBetween(april.from, april.to, { weeklyOffs: [0], holidays: [] })).toBe(26);
    expect(businessDaysBetween(april.from, april.to, { weeklyOffs: [0, 6], holidays: [] })).toBe(22);
    // Ambedkar Jayanti (Tue 14 April) is a holiday; a holiday on a Sunday does not count twice.
    expect(businessDaysBetween(april.from, april.to, { weeklyOffs: [0, 6], holidays: ['2026-04-14', '2026-04-05'] })).toBe(21);
    // Across a month end and a year end.
    expect(businessDaysBetween('2026-12-28', '2027-01-03', { weeklyOffs: [0], holidays: ['2027-01-01'] })).toBe(5);
    expect(businessDaysBetween('2026-04-10', '2026-04-09', { weeklyOffs: [], holidays: [] })).toBe(0);
    expect(() => businessDaysBetween(april.from, april.to, { weeklyOffs: [7], holidays: [] })).toThrow(RangeError);
  });

  it('adds calendar days across month and year ends', () => {
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});

describe('calendar helpers for attendance and leave', () => {
  it('tells a real calendar date from a look-alike', () => {
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2026-4-1')).toBe(false);
    expect(isIsoDate('')).toBe(false);
  });

  it('counts and lists the days between two dates, across a year end', () => {
    expect(daysBetween('2026-12-30', '2027-01-02')).toBe(3);
    expect(daysBetween('2026-04-10', '2026-04-10')).toBe(0);
    expect(daysBetween('2026-04-10', '2026-04-09')).toBe(-1);
    expect(datesBetween('2026-12-30', '2027-01-02')).toEqual(['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02']);
    expect(datesBetween('2026-04-10', '2026-04-09')).toEqual([]);
  });

  it('numbers a weekday within its month: August 2026 starts on a Saturday', () => {
    // Saturdays of August 2026: 1, 8, 15, 22, 29 → occurrences 1 … 5.
    expect(weekday('2026-08-01')).toBe(6);
    expect(['2026-08-01', '2026-08-08', '2026-08-15', '2026-08-22', '2026-08-29'].map(weekdayOccurrence)).toEqual([1, 2, 3, 4, 5]);
    expect(weekdayOccurrence('2026-08-07')).toBe(1);
    expect(weekdayOccurrence('2026-08-14')).toBe(2);
  });

  it('turns an IST wall-clock time on a date into the instant, past midnight too', () => {
    // 09:00 IST = 03:30 UTC; 00:30 IST on the 5th = 19:00 UTC on the 4th; 22:00 + 8 h = 06:00 IST the next day.
    expect(istInstant('2026-04-05', 9 * 60)).toEqual(new Date('2026-04-05T03:30:00.000Z'));
    expect(istInstant('2026-04-05', 30)).toEqual(new Date('2026-04-04T19:00:00.000Z'));
    expect(istInstant('2026-04-05', 30 * 60)).toEqual(new Date('2026-04-06T00:30:00.000Z'));
    expect(istDay(istInstant('2026-04-05', 30 * 60))).toBe('2026-04-06');
  });
});
