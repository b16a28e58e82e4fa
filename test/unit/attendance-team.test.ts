import { describe, expect, it } from 'vitest';
import { istInstant } from '../../src/platform/clock/index.js';
import { dayRecord, monthSummary, type Punch } from '../../src/modules/attendance/rules/days.js';
import { parseShiftRules } from '../../src/modules/attendance/rules/shift.js';
import { boardGroupOf, cellOf, dailyRates } from '../../src/modules/attendance/rules/team.js';

const rules = parseShiftRules({
  start: '09:30',
  end: '18:30',
  graceMinutes: 15,
  halfDayHours: 4,
  fullDayHours: 8,
  weeklyOffs: [0],
  holidays: [{ date: '2026-12-25', name: 'Christmas' }],
});
const employment = { joinedOn: '2026-01-01' };
const at = (date: string, hh: number, mm = 0) => istInstant(date, hh * 60 + mm);
const punch = (date: string, hh: number, mm = 0): Punch => ({ at: at(date, hh, mm), method: 'face' });
const day = (date: string, punches: Punch[], extra: Partial<Parameters<typeof dayRecord>[0]> = {}) => dayRecord({ date, rules, employment, punches, ...extra });

describe("today's board groups", () => {
  const shiftEnd = at('2026-12-15', 18, 30);
  const noon = at('2026-12-15', 12);
  it('counts a lone first punch as in, though the day record has no worked time yet', () => {
    const record = day('2026-12-15', [punch('2026-12-15', 10, 2)]);
    expect(record.status).toBe('absent');
    expect(boardGroupOf(record, shiftEnd, noon)).toBe('in');
  });
  it('tells not yet in from absent by the shift end', () => {
    const record = day('2026-12-15', []);
    expect(boardGroupOf(record, shiftEnd, noon)).toBe('not_yet_in');
    expect(boardGroupOf(record, shiftEnd, at('2026-12-15', 18, 30))).toBe('absent');
  });
  it('puts leave, weekly offs and holidays apart, someone who came in on a Sunday in, and a leaver nowhere', () => {
    const leave = [{ date: '2026-12-15', portion: 'full' as const, paid: true, leaveType: 'casual' }];
    expect(boardGroupOf(day('2026-12-15', [], { leave }), shiftEnd, noon)).toBe('on_leave');
    expect(boardGroupOf(day('2026-12-13', []), shiftEnd, noon)).toBe('off');
    expect(boardGroupOf(day('2026-12-25', []), shiftEnd, noon)).toBe('off');
    expect(boardGroupOf(day('2026-12-13', [punch('2026-12-13', 11)]), shiftEnd, noon)).toBe('in');
    expect(boardGroupOf(dayRecord({ date: '2026-12-15', rules, employment: { joinedOn: '2027-01-01' }, punches: [] }), shiftEnd, noon)).toBeNull();
  });
});

describe('month grid cells and daily rates', () => {
  it('codes each status and marks a late first in', () => {
    expect(cellOf(day('2026-12-14', [punch('2026-12-14', 10), punch('2026-12-14', 18, 30)]))).toEqual({ code: 'P', status: 'present', late: true });
    expect(cellOf(day('2026-12-14', [punch('2026-12-14', 9, 30), punch('2026-12-14', 14)])).code).toBe('½');
    expect(cellOf(day('2026-12-13', [])).code).toBe('WO');
    expect(cellOf(day('2026-12-25', [])).code).toBe('H');
  });

  it('divides present units by those expected at work; days nobody was expected have no rate', () => {
    const month = (punches: Punch[], leave: Parameters<typeof monthSummary>[0]['leave'] = []) =>
      monthSummary({ month: '2026-12', rules, employment, punches, leave });
    const full = month([punch('2026-12-01', 9, 30), punch('2026-12-01', 18, 30)]);
    const half = month([punch('2026-12-01', 9, 30), punch('2026-12-01', 14)]);
    const onLeave = month([], [{ date: '2026-12-01', portion: 'full', paid: true, leaveType: 'casual' }]);
    const rates = dailyRates([full, half, onLeave]);
    expect(rates[0]).toEqual({ date: '2026-12-01', present: 1.5, expected: 3, rate: 0.5 });
    expect(rates[5]).toEqual({ date: '2026-12-06', present: 0, expected: 0, rate: null }); // Sunday
    expect(rates[24]!.rate).toBeNull(); // Christmas
    expect(dailyRates([])).toEqual([]);
  });
});
