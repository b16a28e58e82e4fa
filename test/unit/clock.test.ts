import { describe, expect, it } from 'vitest';
import { addDays, businessDaysBetween, istDay, istDayBounds, istMonth, istMonthBounds, weekday } from '../../src/platform/clock/index.js';

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
