import { describe, expect, it } from 'vitest';
import { datesBetween, weekday } from '../../src/platform/clock/index.js';
import { Invalid } from '../../src/platform/errors.js';
import {
  attendanceDayOf,
  attendanceWindow,
  checkRegularisation,
  dayRecord,
  monthPunchRange,
  monthSummary,
  type LeaveMark,
  type Punch,
} from '../../src/modules/attendance/rules/days.js';
import { dayKind, isNightShift, parseShiftRules, shiftRulesSchema, type ShiftRulesInput } from '../../src/modules/attendance/rules/shift.js';

/** An IST wall-clock time as the instant it is: `ist('2026-05-05T00:30')` is 19:00 UTC on the 4th. */
const ist = (local: string) => new Date(local.length === 16 ? `${local}:00+05:30` : `${local}+05:30`);
const face = (local: string): Punch => ({ at: ist(local), method: 'face' });

const dayShift: ShiftRulesInput = { start: '09:30', end: '18:30', graceMinutes: 15, halfDayHours: 4, fullDayHours: 8, weeklyOffs: [0] };
const nightShift: ShiftRulesInput = { start: '22:00', end: '06:00', graceMinutes: 10, halfDayHours: 4, fullDayHours: 8, weeklyOffs: [] };
const employed = { joinedOn: '2020-01-01' };
const problems = (input: unknown) => {
  try {
    parseShiftRules(input);
  } catch (error) {
    if (error instanceof Invalid) return error.problems;
    throw error;
  }
  return [];
};
/** A normal day at the office: in at 09:20, out at 18:40 (9 h 20 min). */
const officeDay = (date: string) => [face(`${date}T09:20`), face(`${date}T18:40`)];

describe('shift rules', () => {
  it('takes a valid shift and fills the defaults', () => {
    const rules = parseShiftRules({ start: '09:30', end: '18:30', graceMinutes: 15, halfDayHours: 4, fullDayHours: 8 });
    expect(rules).toMatchObject({ weeklyOffs: [], monthlyOffs: [], holidays: [] });
    expect(isNightShift(rules)).toBe(false);
    expect(isNightShift(parseShiftRules(nightShift))).toBe(true);
  });

  it('refuses bad rules with a message naming each field', () => {
    expect(problems({ ...dayShift, start: '9:30' })).toEqual([{ field: 'start', message: 'start must be a time HH:MM (24-hour, IST)' }]);
    expect(problems({ ...dayShift, end: '24:00' })[0]?.field).toBe('end');
    expect(problems({ ...dayShift, end: '09:30' })).toEqual([{ field: 'end', message: 'end must differ from start' }]);
    expect(problems({ ...dayShift, graceMinutes: -1 })[0]?.field).toBe('graceMinutes');
    expect(problems({ ...dayShift, halfDayHours: 8 })).toEqual([{ field: 'halfDayHours', message: 'halfDayHours must be fewer than fullDayHours' }]);
    // 09:30–18:30 is 9 hours: a 10-hour full day can never be reached.
    expect(problems({ ...dayShift, fullDayHours: 10 })).toEqual([
      { field: 'fullDayHours', message: 'fullDayHours cannot be longer than the shift from start to end' },
    ]);
    expect(problems({ ...dayShift, weeklyOffs: [0, 0] })[0]?.field).toBe('weeklyOffs');
    expect(problems({ ...dayShift, weeklyOffs: [7] })[0]?.field).toBe('weeklyOffs.0');
    expect(problems({ ...dayShift, monthlyOffs: [{ weekday: 0, weeks: [2] }] })[0]).toEqual({
      field: 'monthlyOffs.0.weekday',
      message: 'monthlyOffs names a weekday that is already off every week',
    });
    expect(problems({ ...dayShift, monthlyOffs: [{ weekday: 6, weeks: [6] }] })[0]?.field).toBe('monthlyOffs.0.weeks.0');
    expect(problems({ ...dayShift, holidays: [{ date: '2026-02-30', name: 'Nope' }] })[0]).toEqual({
      field: 'holidays.0.date',
      message: 'holidays date must be a real date YYYY-MM-DD',
    });
    expect(
      problems({
        ...dayShift,
        holidays: [
          { date: '2026-08-15', name: 'Independence Day' },
          { date: '2026-08-15', name: 'Again' },
        ],
      })[0]?.field,
    ).toBe('holidays.1.date');
    expect(problems({ ...dayShift, holidays: [{ date: '2026-08-15', name: ' ' }] })[0]?.field).toBe('holidays.0.name');
    // A night shift of 8 hours can hold a full day of 8 hours.
    expect(shiftRulesSchema.safeParse(nightShift).success).toBe(true);
  });

  it('keeps the 2nd and 4th Saturday off in a month that starts on a Saturday, and a holiday on a weekly off counts once, as the holiday', () => {
    // August 2026 starts on Saturday 1st. Saturdays 1, 8, 15, 22, 29 are its 1st … 5th; Sundays 2, 9, 16, 23, 30.
    const rules = parseShiftRules({
      ...dayShift,
      monthlyOffs: [{ weekday: 6, weeks: [2, 4] }],
      holidays: [
        { date: '2026-08-15', name: 'Independence Day' }, // the 3rd Saturday: a working Saturday made a holiday
        { date: '2026-08-09', name: 'Foundation Day' }, // a Sunday: already off
      ],
    });
    expect(weekday('2026-08-01')).toBe(6);
    const kinds = Object.fromEntries(datesBetween('2026-08-01', '2026-08-31').map((d) => [d, dayKind(d, rules).kind]));
    expect(kinds['2026-08-01']).toBe('working'); // 1st Saturday works
    expect(kinds['2026-08-08']).toBe('weekly_off'); // 2nd Saturday
    expect(kinds['2026-08-15']).toBe('holiday');
    expect(kinds['2026-08-22']).toBe('weekly_off'); // 4th Saturday
    expect(kinds['2026-08-29']).toBe('working'); // 5th Saturday works
    expect(dayKind('2026-08-09', rules)).toEqual({ kind: 'holiday', name: 'Foundation Day' });

    // Everybody works every working day: 31 days − Sundays 2, 16, 23, 30 (4) − Saturdays 8, 22 (2) − holidays 9, 15 (2) = 23.
    const punches = datesBetween('2026-08-01', '2026-08-31')
      .filter((d) => kinds[d] === 'working')
      .flatMap(officeDay);
    const { totals } = monthSummary({ month: '2026-08', rules, employment: employed, punches });
    expect(totals).toMatchObject({ calendarDays: 31, present: 23, weeklyOffs: 6, holidays: 2, absent: 0, lopDays: 0, payableDays: 31 });
  });
});

describe('which attendance day a punch belongs to', () => {
  it('puts a punch at 00:30 IST on the 5th on the 5th for a day shift (it is 19:00 UTC on the 4th)', () => {
    const rules = parseShiftRules(dayShift);
    const punch = face('2026-05-05T00:30');
    expect(punch.at.toISOString()).toBe('2026-05-04T19:00:00.000Z');
    expect(attendanceDayOf(punch.at, rules)).toBe('2026-05-05');
    expect(attendanceWindow('2026-05-05', rules)).toEqual({ start: new Date('2026-05-04T18:30:00.000Z'), end: new Date('2026-05-05T18:30:00.000Z') });
    // Tuesday 5th: in 00:30, out 09:00 → 8 h 30 min, present; the 4th has no punch.
    const fifth = dayRecord({ date: '2026-05-05', rules, employment: employed, punches: [punch, face('2026-05-05T09:00')] });
    expect(fifth).toMatchObject({ status: 'present', workedMinutes: 510, punchCount: 2, lateMinutes: 0 });
    expect(dayRecord({ date: '2026-05-04', rules, employment: employed, punches: [punch] })).toMatchObject({ status: 'absent', punchCount: 0 });
  });

  it('counts a night shift 22:00–06:00 as one day on its first date: in 21:55, out 06:10 next morning = 8 h 15 min', () => {
    const rules = parseShiftRules(nightShift);
    const punches = [face('2026-05-05T21:55'), face('2026-05-06T06:10')];
    // The window of the 5th runs from the middle of the off-time before it to the middle after it:
    // (22:00 + 06:00) / 2 = 14:00 IST on the 5th to 14:00 IST on the 6th.
    expect(attendanceWindow('2026-05-05', rules)).toEqual({ start: ist('2026-05-05T14:00'), end: ist('2026-05-06T14:00') });
    expect(punches.map((p) => attendanceDayOf(p.at, rules))).toEqual(['2026-05-05', '2026-05-05']);
    expect(attendanceDayOf(ist('2026-05-06T13:59'), rules)).toBe('2026-05-05');
    expect(attendanceDayOf(ist('2026-05-06T14:00'), rules)).toBe('2026-05-06');
    // 21:55 → 06:10 is 2 h 5 min before midnight + 6 h 10 min after = 8 h 15 min = 495 min ≥ 8 h: present, early so not late.
    const fifth = dayRecord({ date: '2026-05-05', rules, employment: employed, punches });
    expect(fifth).toMatchObject({ status: 'present', workedMinutes: 495, lateMinutes: 0, firstIn: ist('2026-05-05T21:55'), lastOut: ist('2026-05-06T06:10') });
    // The 6th has no punch of its own: the 06:10 out is not a first in of the 6th.
    expect(dayRecord({ date: '2026-05-06', rules, employment: employed, punches })).toMatchObject({ status: 'absent', punchCount: 0 });
    // Late on a night shift: 22:10 is start + grace (on time), 22:11 is late by 11 minutes.
    expect(dayRecord({ date: '2026-05-05', rules, employment: employed, punches: [face('2026-05-05T22:10'), face('2026-05-06T06:10')] }).lateMinutes).toBe(0);
    expect(dayRecord({ date: '2026-05-05', rules, employment: employed, punches: [face('2026-05-05T22:11'), face('2026-05-06T06:15')] }).lateMinutes).toBe(11);
  });

  it('keeps a night shift that starts on the last day of a month in that month', () => {
    const rules = parseShiftRules(nightShift);
    // In 21:58 on 31 May, out 06:02 on 1 June: May's last day, not June's first.
    const punches = [face('2026-05-31T21:58'), face('2026-06-01T06:02')];
    expect(monthPunchRange('2026-05', rules)).toEqual({ start: ist('2026-05-01T14:00'), end: ist('2026-06-01T14:00') });
    const may = monthSummary({ month: '2026-05', rules, employment: employed, punches });
    expect(may.days.at(-1)).toMatchObject({ date: '2026-05-31', status: 'present', workedMinutes: 484 });
    const june = monthSummary({ month: '2026-06', rules, employment: employed, punches });
    expect(june.days[0]).toMatchObject({ date: '2026-06-01', status: 'absent', punchCount: 0 });
  });
});

describe('a day record', () => {
  const rules = parseShiftRules(dayShift);
  const day = (punches: Punch[], leave: LeaveMark[] = []) => dayRecord({ date: '2026-05-05', rules, employment: employed, punches, leave });

  it('is on time at exactly start + grace and late a moment after', () => {
    // Start 09:30, grace 15: 09:45:00 is on time; 09:45:30 is late, 15 whole minutes after the start; 09:46 is 16.
    expect(day([face('2026-05-05T09:45'), face('2026-05-05T18:30')]).lateMinutes).toBe(0);
    expect(day([{ at: ist('2026-05-05T09:45:30'), method: 'face' }, face('2026-05-05T18:30')]).lateMinutes).toBe(15);
    expect(day([face('2026-05-05T09:46'), face('2026-05-05T18:30')])).toMatchObject({ lateMinutes: 16, status: 'present' });
  });

  it('draws the half-day and full-day lines exactly at the hours', () => {
    // halfDayHours 4, fullDayHours 8; in at 09:30.
    expect(day([face('2026-05-05T09:30'), face('2026-05-05T13:29')])).toMatchObject({ status: 'absent', workedMinutes: 239, units: { absent: 1 } });
    expect(day([face('2026-05-05T09:30'), face('2026-05-05T13:30')])).toMatchObject({
      status: 'half_day',
      workedMinutes: 240,
      units: { present: 0.5, absent: 0.5 },
    });
    expect(day([face('2026-05-05T09:30'), face('2026-05-05T17:29')])).toMatchObject({ status: 'half_day', workedMinutes: 479 });
    expect(day([face('2026-05-05T09:30'), face('2026-05-05T17:30')])).toMatchObject({
      status: 'present',
      workedMinutes: 480,
      units: { present: 1, absent: 0 },
    });
  });

  it('takes the span from the first punch to the last, whatever lies between, and flags a lone punch', () => {
    const punches = [face('2026-05-05T13:00'), face('2026-05-05T09:30'), face('2026-05-05T18:00'), face('2026-05-05T14:00')];
    expect(day(punches)).toMatchObject({ firstIn: ist('2026-05-05T09:30'), lastOut: ist('2026-05-05T18:00'), workedMinutes: 510, punchCount: 4 });
    expect(day([face('2026-05-05T09:30')])).toMatchObject({ status: 'absent', missingPunch: true, workedMinutes: 0, lastOut: null });
  });

  it('takes the approved times of a regularised day', () => {
    const record = dayRecord({
      date: '2026-05-05',
      rules,
      employment: employed,
      punches: [face('2026-05-05T09:30')],
      regularisation: { date: '2026-05-05', firstIn: ist('2026-05-05T09:30'), lastOut: ist('2026-05-05T18:30') },
    });
    expect(record).toMatchObject({ status: 'present', regularised: true, missingPunch: false, workedMinutes: 540, punchCount: 1 });
  });

  it('marks leave: full, and a half with the other half worked or not', () => {
    const casual = (portion: LeaveMark['portion']): LeaveMark => ({ date: '2026-05-05', portion, paid: true, leaveType: 'CL' });
    expect(day([], [casual('full')])).toMatchObject({ status: 'on_leave', leavePortion: 'full', units: { paidLeave: 1, absent: 0 } });
    // Two halves of different types make a full day: paid morning, unpaid afternoon.
    expect(day([], [casual('first_half'), { ...casual('second_half'), paid: false, leaveType: 'LWP' }])).toMatchObject({
      leavePortion: 'full',
      units: { paidLeave: 0.5, unpaidLeave: 0.5 },
    });
    // Morning off, in at 14:00 (late is not judged after a first-half leave), out 18:30: 4 h 30 min ≥ 4 h, the other half is present.
    expect(day([face('2026-05-05T14:00'), face('2026-05-05T18:30')], [casual('first_half')])).toMatchObject({
      status: 'on_leave',
      leavePortion: 'first_half',
      lateMinutes: 0,
      units: { paidLeave: 0.5, present: 0.5, absent: 0 },
    });
    // Afternoon off but only 2 h in the morning: the morning is absent.
    expect(day([face('2026-05-05T09:30'), face('2026-05-05T11:30')], [casual('second_half')])).toMatchObject({
      units: { paidLeave: 0.5, present: 0, absent: 0.5 },
    });
  });
});

describe('checking a regularisation request', () => {
  const now = ist('2026-05-10T12:00');
  it('takes times inside the attendance day, out after in, nothing in the future', () => {
    const rules = parseShiftRules(nightShift);
    // The night shift of the 5th: 22:05 → 06:00 on the 6th is inside its window (14:00 on the 5th to 14:00 on the 6th).
    expect(checkRegularisation({ date: '2026-05-05', firstIn: ist('2026-05-05T22:05'), lastOut: ist('2026-05-06T06:00'), rules, now })).toEqual({ ok: true });
    expect(checkRegularisation({ date: '2026-05-05', firstIn: ist('2026-05-05T22:05'), lastOut: ist('2026-05-06T14:00'), rules, now })).toMatchObject({
      ok: false,
      field: 'lastOut',
    });
    expect(checkRegularisation({ date: '2026-05-05', firstIn: ist('2026-05-05T13:00'), lastOut: ist('2026-05-06T06:00'), rules, now })).toMatchObject({
      ok: false,
      field: 'firstIn',
    });
    const day = parseShiftRules(dayShift);
    expect(checkRegularisation({ date: '2026-05-05', firstIn: ist('2026-05-05T18:00'), lastOut: ist('2026-05-05T09:00'), rules: day, now })).toEqual({
      ok: false,
      field: 'lastOut',
      message: 'lastOut must be after firstIn',
    });
    expect(checkRegularisation({ date: '2026-05-10', firstIn: ist('2026-05-10T09:00'), lastOut: ist('2026-05-10T18:00'), rules: day, now })).toMatchObject({
      ok: false,
      field: 'lastOut',
    });
    expect(checkRegularisation({ date: '2026-05-11', firstIn: ist('2026-05-11T09:00'), lastOut: ist('2026-05-11T18:00'), rules: day, now })).toMatchObject({
      ok: false,
      field: 'date',
    });
  });
});

describe('a month summary for payroll', () => {
  it('counts a joiner on the 10th from the 10th: the days before are neither present nor LOP', () => {
    // June 2026: 30 days, Monday 1st, Sundays 7, 14, 21, 28. Joined Wednesday 10th.
    // Before joining: 1–9 = 9 days. Employed 10–30 = 21 days, of which Sundays 14, 21, 28 = 3, working 18.
    // Present every working day but Monday 15th (no punch): present 17, absent 1 → LOP 1, payable 21 − 1 = 20.
    const rules = parseShiftRules(dayShift);
    const punches = datesBetween('2026-06-10', '2026-06-30')
      .filter((d) => weekday(d) !== 0 && d !== '2026-06-15')
      .flatMap(officeDay);
    // A punch before joining (a visit for the interview) changes nothing.
    punches.push(...officeDay('2026-06-03'));
    const { totals, days } = monthSummary({ month: '2026-06', rules, employment: { joinedOn: '2026-06-10' }, punches });
    expect(days[2]).toMatchObject({ date: '2026-06-03', status: 'not_employed' });
    expect(totals).toEqual({
      calendarDays: 30,
      employedDays: 21,
      present: 17,
      halfDays: 0,
      absent: 1,
      paidLeave: 0,
      unpaidLeave: 0,
      weeklyOffs: 3,
      holidays: 0,
      notEmployed: 9,
      upcoming: 0,
      lateDays: 0,
      lopDays: 1,
      payableDays: 20,
    });
  });

  it('counts a leaver up to the last day only', () => {
    // June 2026, left on Friday 12th: employed 1–12 (12 days, Sunday 7 off, 11 working), 18 days after.
    const rules = parseShiftRules(dayShift);
    const punches = datesBetween('2026-06-01', '2026-06-12').flatMap(officeDay);
    const { totals } = monthSummary({ month: '2026-06', rules, employment: { joinedOn: '2020-01-01', leftOn: '2026-06-12' }, punches });
    expect(totals).toMatchObject({ employedDays: 12, present: 11, weeklyOffs: 1, notEmployed: 18, lopDays: 0, payableDays: 12 });
  });

  it('makes LOP from unpaid leave, absence and missing halves (payroll-india.md §1: absent working days without paid leave, halves 0.5)', () => {
    // July 2026: 31 days, Wednesday 1st, Sundays 5, 12, 19, 26 → 27 working days. Special days:
    //   Mon 6  no punch                                  absent 1
    //   Tue 7  unpaid leave (LWP), full                   unpaid 1
    //   Wed 8  09:30–14:30 (5 h: between 4 and 8)         half day: present 0.5, absent 0.5
    //   Thu 9  paid leave first half, 14:00–18:30 (4.5 h) paid 0.5, present 0.5
    //   Fri 10 paid leave first half, 14:00–16:00 (2 h)   paid 0.5, absent 0.5
    //   Mon 13 one punch at 09:30                          absent 1 (missing punch)
    //   Tue 14 one punch, regularised 09:30–18:30          present 1
    // The other 20 working days are office days: present 20.
    // present = 20 + 1 (14th) + 0.5 + 0.5 = 22; absent = 1 + 0.5 + 0.5 + 1 = 3; paid 1; unpaid 1; offs 4 → 22 + 3 + 1 + 1 + 4 = 31.
    // LOP = absent 3 + unpaid 1 = 4; payable = 31 − 4 = 27.
    const rules = parseShiftRules(dayShift);
    const special = ['2026-07-06', '2026-07-07', '2026-07-08', '2026-07-09', '2026-07-10', '2026-07-13', '2026-07-14'];
    const punches = datesBetween('2026-07-01', '2026-07-31')
      .filter((d) => weekday(d) !== 0 && !special.includes(d))
      .flatMap(officeDay);
    punches.push(face('2026-07-08T09:30'), face('2026-07-08T14:30'));
    punches.push(face('2026-07-09T14:00'), face('2026-07-09T18:30'));
    punches.push(face('2026-07-10T14:00'), face('2026-07-10T16:00'));
    punches.push(face('2026-07-13T09:30'), face('2026-07-14T09:30'));
    const leave: LeaveMark[] = [
      { date: '2026-07-07', portion: 'full', paid: false, leaveType: 'LWP' },
      { date: '2026-07-09', portion: 'first_half', paid: true, leaveType: 'CL' },
      { date: '2026-07-10', portion: 'first_half', paid: true, leaveType: 'CL' },
    ];
    const regularisations = [{ date: '2026-07-14', firstIn: ist('2026-07-14T09:30'), lastOut: ist('2026-07-14T18:30') }];
    const { totals, days } = monthSummary({ month: '2026-07', rules, employment: employed, punches, leave, regularisations });
    expect(totals).toEqual({
      calendarDays: 31,
      employedDays: 31,
      present: 22,
      halfDays: 1,
      absent: 3,
      paidLeave: 1,
      unpaidLeave: 1,
      weeklyOffs: 4,
      holidays: 0,
      notEmployed: 0,
      upcoming: 0,
      lateDays: 0,
      lopDays: 4,
      payableDays: 27,
    });
    expect(days.filter((d) => d.missingPunch).map((d) => d.date)).toEqual(['2026-07-13']);
    // Every day's units add up to one day.
    for (const day of days) expect(Object.values(day.units).reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('leaves the days after `through` of a running month unjudged, neither absent nor payable', () => {
    // June 2026 seen on the evening of Wednesday 10th, judged through Tuesday 9th: 1–9 has Sunday 7 off and 8 working days,
    // all worked but Monday 8th (absent). 10–30 = 21 upcoming days (the 10th still running, its lone punch no missing punch yet).
    const rules = parseShiftRules(dayShift);
    const punches = datesBetween('2026-06-01', '2026-06-09')
      .filter((d) => weekday(d) !== 0 && d !== '2026-06-08')
      .flatMap(officeDay);
    punches.push(face('2026-06-10T09:20'));
    const { totals, days } = monthSummary({ month: '2026-06', rules, employment: employed, punches, through: '2026-06-09' });
    expect(days[9]).toMatchObject({ date: '2026-06-10', status: 'upcoming', missingPunch: false, punchCount: 1 });
    expect(totals).toMatchObject({ present: 7, absent: 1, weeklyOffs: 1, upcoming: 21, lopDays: 1, employedDays: 30, payableDays: 8 });
  });
});
