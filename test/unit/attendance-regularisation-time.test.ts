import { describe, expect, it } from 'vitest';
import { instantInDay } from '../../src/modules/attendance/regularisations.js';
import { attendanceDayOf } from '../../src/modules/attendance/rules/days.js';

const DAY = { start: '09:30', end: '18:30' };
const NIGHT = { start: '22:00', end: '06:00' };

describe('instantInDay: the time an employee types for a day, as an instant', () => {
  it('is on the day itself for a day shift, midnight and the last minute included', () => {
    expect(instantInDay('2026-12-07', '09:20', DAY).toISOString()).toBe('2026-12-07T03:50:00.000Z');
    expect(instantInDay('2026-12-07', '00:00', DAY).toISOString()).toBe('2026-12-06T18:30:00.000Z');
    expect(instantInDay('2026-12-07', '23:59', DAY).toISOString()).toBe('2026-12-07T18:29:00.000Z');
  });

  it('is the next morning for a night shift’s times before the middle of the off-time (14:00 for 22:00–06:00)', () => {
    expect(instantInDay('2026-12-01', '22:00', NIGHT).toISOString()).toBe('2026-12-01T16:30:00.000Z');
    expect(instantInDay('2026-12-01', '06:00', NIGHT).toISOString()).toBe('2026-12-02T00:30:00.000Z');
    expect(instantInDay('2026-12-01', '14:00', NIGHT).toISOString()).toBe('2026-12-01T08:30:00.000Z');
    expect(instantInDay('2026-12-01', '13:59', NIGHT).toISOString()).toBe('2026-12-02T08:29:00.000Z');
  });

  it('always lands inside the attendance day it was typed for, whatever the time', () => {
    for (const rules of [DAY, NIGHT, { start: '18:00', end: '02:00' }, { start: '06:00', end: '14:00' }]) {
      for (let minutes = 0; minutes < 24 * 60; minutes += 7) {
        const time = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
        expect(attendanceDayOf(instantInDay('2026-03-31', time, rules), rules), `${time} under ${rules.start}–${rules.end}`).toBe('2026-03-31');
      }
    }
  });
});
