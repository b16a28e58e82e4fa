import { describe, expect, it } from 'vitest';
import { datesBetween, weekday } from '../../src/platform/clock/index.js';
import { monthSummary } from '../../src/modules/attendance/rules/days.js';
import {
  checkLeaveRequest,
  countLeaveDays,
  credited,
  leaveBalance,
  leaveDays,
  leaveMarks,
  leavePolicySchema,
  leaveYearOf,
  type LeaveApplication,
  type LeavePolicyInput,
} from '../../src/modules/attendance/rules/leave.js';
import { parseShiftRules } from '../../src/modules/attendance/rules/shift.js';

const policyInput: LeavePolicyInput = {
  leaveYear: 'calendar',
  types: [
    { code: 'CL', name: 'Casual leave', kind: 'casual', yearlyQuota: 12, credit: 'monthly', carryForwardCap: 0 },
    { code: 'SL', name: 'Sick leave', kind: 'sick', yearlyQuota: 6, credit: 'year_start', carryForwardCap: 0 },
    { code: 'EL', name: 'Earned leave', kind: 'earned', yearlyQuota: 18, credit: 'monthly', carryForwardCap: 30 },
    { code: 'LWP', name: 'Leave without pay', kind: 'unpaid' },
  ],
};
const policy = leavePolicySchema.parse(policyInput);
const sandwichPolicy = leavePolicySchema.parse({ ...policyInput, sandwich: true });
// Saturday and Sunday off; Republic Day a holiday.
const rules = parseShiftRules({
  start: '09:30',
  end: '18:30',
  graceMinutes: 15,
  halfDayHours: 4,
  fullDayHours: 8,
  weeklyOffs: [0, 6],
  holidays: [{ date: '2026-01-26', name: 'Republic Day' }],
});
const employment = { joinedOn: '2024-01-01' };
const application = (
  leaveType: string,
  from: string,
  to: string,
  status: LeaveApplication['status'],
  days: number,
  halves: Partial<LeaveApplication> = {},
): LeaveApplication => ({
  leaveType,
  from,
  to,
  status,
  days,
  ...halves,
});
const check = (request: object, existing: LeaveApplication[] = [], overrides: { policy?: typeof policy } = {}) =>
  checkLeaveRequest({ policy: overrides.policy ?? policy, rules, employment, request, existing });

describe('leave types and the leave year', () => {
  it('refuses bad policies naming the field', () => {
    const issues = (input: unknown) => leavePolicySchema.safeParse(input).error?.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
    expect(issues({ types: [...policyInput.types, { code: 'CL', name: 'Again', kind: 'casual', yearlyQuota: 1 }] })).toEqual([
      { field: 'types.4.code', message: 'code CL is used twice' },
    ]);
    expect(issues({ types: [{ code: 'LWP', name: 'Unpaid', kind: 'unpaid', yearlyQuota: 5 }] })?.[0]?.field).toBe('types.0.yearlyQuota');
    expect(issues({ types: [{ code: 'CL', name: 'Casual', kind: 'casual', yearlyQuota: 12.25 }] })?.[0]).toEqual({
      field: 'types.0.yearlyQuota',
      message: 'yearlyQuota must be in whole or half days',
    });
    expect(issues({ types: [{ code: 'CL', name: 'Casual', kind: 'holiday', yearlyQuota: 12 }] })?.[0]?.field).toBe('types.0.kind');
    expect(issues({ leaveYear: 'july', types: policyInput.types })?.[0]?.field).toBe('leaveYear');
    expect(issues({ types: [] })?.[0]).toEqual({ field: 'types', message: 'types needs at least one leave type' });
  });

  it('runs the leave year over the calendar year or April to March', () => {
    expect(leaveYearOf('2026-03-31', policy)).toEqual({ start: '2026-01-01', end: '2026-12-31' });
    expect(leaveYearOf('2026-03-31', { leaveYear: 'april_march' })).toEqual({ start: '2025-04-01', end: '2026-03-31' });
    expect(leaveYearOf('2026-04-01', { leaveYear: 'april_march' })).toEqual({ start: '2026-04-01', end: '2027-03-31' });
  });
});

describe('the days a leave takes', () => {
  it('counts only working days for a leave over a weekend, unless the sandwich rule is on', () => {
    // Friday 8 May to Monday 11 May 2026: Saturday 9 and Sunday 10 are off → 2 days.
    expect(weekday('2026-05-08')).toBe(5);
    const request = { from: '2026-05-08', to: '2026-05-11' };
    expect(leaveDays(request, rules, policy)).toEqual([
      { date: '2026-05-08', portion: 'full' },
      { date: '2026-05-11', portion: 'full' },
    ]);
    // Sandwiched between two leave days, the weekend counts: 4 days.
    expect(countLeaveDays(leaveDays(request, rules, sandwichPolicy))).toBe(4);
    // A weekend at the edge is not sandwiched: Saturday 9 to Tuesday 12 → Monday and Tuesday, 2 days either way.
    expect(countLeaveDays(leaveDays({ from: '2026-05-09', to: '2026-05-12' }, rules, sandwichPolicy))).toBe(2);
    // Friday afternoon to Monday morning: 0.5 + 0.5 = 1 day.
    expect(countLeaveDays(leaveDays({ ...request, fromHalf: 'second_half', toHalf: 'first_half' }, rules, policy))).toBe(1);
    // One day, one half.
    expect(leaveDays({ from: '2026-05-08', to: '2026-05-08', fromHalf: 'first_half' }, rules, policy)).toEqual([{ date: '2026-05-08', portion: 'first_half' }]);
    // A holiday inside the range does not count: Friday 23 to Tuesday 27 January 2026 (26th Republic Day) → 23, 27 = 2.
    expect(countLeaveDays(leaveDays({ from: '2026-01-23', to: '2026-01-27' }, rules, policy))).toBe(2);
  });

  it('accepts a leave over a weekend and says how many days it takes', () => {
    expect(check({ leaveType: 'CL', from: '2026-05-08', to: '2026-05-11' })).toMatchObject({ ok: true, count: 2 });
  });

  it('refuses a leave that is all weekly offs and holidays, and badly formed requests, naming the field', () => {
    expect(check({ leaveType: 'CL', from: '2026-05-09', to: '2026-05-10' })).toEqual({
      ok: false,
      field: 'from',
      message: '2026-05-09 to 2026-05-10 are all weekly offs or holidays: there is no working day to take leave for',
    });
    expect(check({ leaveType: 'CL', from: '2026-01-26', to: '2026-01-26' })).toMatchObject({ ok: false, field: 'from' });
    expect(check({ leaveType: 'XL', from: '2026-05-11', to: '2026-05-11' })).toMatchObject({ ok: false, field: 'leaveType' });
    expect(check({ leaveType: 'CL', from: '2026-05-12', to: '2026-05-11' })).toEqual({ ok: false, field: 'to', message: 'to cannot be before from' });
    expect(check({ leaveType: 'CL', from: '2026-02-30', to: '2026-03-02' })).toEqual({
      ok: false,
      field: 'from',
      message: 'from must be a real date YYYY-MM-DD',
    });
    expect(check({ leaveType: 'CL', from: '2026-05-11', to: '2026-05-12', fromHalf: 'first_half' })).toMatchObject({ ok: false, field: 'fromHalf' });
    expect(check({ leaveType: 'CL', from: '2026-05-11', to: '2026-05-12', toHalf: 'second_half' })).toMatchObject({ ok: false, field: 'toHalf' });
    expect(check({ leaveType: 'CL', from: '2026-05-11', to: '2026-05-11', fromHalf: 'first_half', toHalf: 'second_half' })).toMatchObject({
      ok: false,
      field: 'toHalf',
    });
    expect(check({ leaveType: 'CL', from: '2026-05-11', to: '2026-05-11', fromHalf: 'morning' })).toMatchObject({ ok: false, field: 'fromHalf' });
    expect(check({ leaveType: 'LWP', from: '2026-12-31', to: '2027-01-01' })).toMatchObject({ ok: false, field: 'to' });
    expect(check({ leaveType: 'LWP', from: '2023-12-29', to: '2023-12-29' })).toMatchObject({ ok: false, field: 'from' });
    expect(
      checkLeaveRequest({
        policy,
        rules,
        employment: { joinedOn: '2024-01-01', leftOn: '2026-05-08' },
        request: { leaveType: 'LWP', from: '2026-05-08', to: '2026-05-11' },
        existing: [],
      }),
    ).toMatchObject({
      ok: false,
      field: 'to',
    });
  });
});

describe('overlapping applications', () => {
  const existing = [
    application('CL', '2026-05-12', '2026-05-13', 'approved', 2),
    application('SL', '2026-05-15', '2026-05-15', 'pending', 0.5, { fromHalf: 'first_half' }),
  ];

  it('refuses a leave overlapping a pending or approved one, of any type', () => {
    expect(check({ leaveType: 'LWP', from: '2026-05-13', to: '2026-05-14' }, existing)).toEqual({
      ok: false,
      field: 'from',
      message: 'overlaps your approved CL leave of 2026-05-12 to 2026-05-13 (on 2026-05-13)',
    });
    expect(check({ leaveType: 'CL', from: '2026-05-15', to: '2026-05-15' }, existing)).toEqual({
      ok: false,
      field: 'from',
      message: 'overlaps your pending SL leave of 2026-05-15 (on 2026-05-15)',
    });
    expect(check({ leaveType: 'CL', from: '2026-05-15', to: '2026-05-15', fromHalf: 'first_half' }, existing)).toMatchObject({ ok: false, field: 'from' });
  });

  it('lets the other half of the same day, and dates after a rejected or cancelled leave, through', () => {
    expect(check({ leaveType: 'CL', from: '2026-05-15', to: '2026-05-15', fromHalf: 'second_half' }, existing)).toMatchObject({ ok: true, count: 0.5 });
    const rejected = [application('CL', '2026-05-12', '2026-05-13', 'rejected', 2), application('CL', '2026-05-14', '2026-05-14', 'cancelled', 1)];
    expect(check({ leaveType: 'CL', from: '2026-05-12', to: '2026-05-14' }, rejected)).toMatchObject({ ok: true, count: 3 });
  });
});

describe('balances', () => {
  it('refuses a leave over the balance, and lets a half day that fits through', () => {
    // CL: 12 a year, credited 1 on the first of each month. By Monday 9 March 2026: Jan, Feb, Mar = 3.
    // Approved 5–6 Jan (2), pending half a day → available 3 − 2 − 0.5 = 0.5.
    const existing = [
      application('CL', '2026-01-05', '2026-01-06', 'approved', 2),
      application('CL', '2026-02-02', '2026-02-02', 'pending', 0.5, { fromHalf: 'second_half' }),
    ];
    expect(leaveBalance({ policy, leaveType: 'CL', employment, applications: existing, asOf: '2026-03-09' })).toEqual({
      leaveType: 'CL',
      year: { start: '2026-01-01', end: '2026-12-31' },
      carriedIn: 0,
      credited: 3,
      taken: 2,
      pending: 0.5,
      available: 0.5,
    });
    expect(check({ leaveType: 'CL', from: '2026-03-09', to: '2026-03-10' }, existing)).toEqual({
      ok: false,
      field: 'leaveType',
      message: 'Casual leave: 0.5 days available on 2026-03-09 (carried in 0, credited 3, taken 2, pending 0.5); this leave needs 2 days',
    });
    expect(check({ leaveType: 'CL', from: '2026-03-09', to: '2026-03-09', fromHalf: 'first_half' }, existing)).toMatchObject({ ok: true, count: 0.5 });
    // Unpaid leave has no balance: any length that fits the year is fine.
    expect(check({ leaveType: 'LWP', from: '2026-03-09', to: '2026-03-20' }, existing)).toMatchObject({ ok: true, count: 10 });
    expect(leaveBalance({ policy, leaveType: 'LWP', employment, applications: existing, asOf: '2026-03-09' }).available).toBeNull();
  });

  it('caps the carry forward', () => {
    // EL: 18 a year (1.5 a month), carry forward up to 30. Joined 1 Jan 2024.
    //   2024: 18 credited, 3 taken → closes at 15, carries 15.
    //   2025: 15 + 18 = 33, nothing taken → closes at 33, capped → carries 30.
    //   2026 on 15 Jan: 30 carried + 1.5 credited (January) − 0 = 31.5.
    const taken = [application('EL', '2024-06-03', '2024-06-05', 'approved', 3)];
    expect(leaveBalance({ policy, leaveType: 'EL', employment, applications: taken, asOf: '2025-12-31' })).toMatchObject({
      carriedIn: 15,
      credited: 18,
      available: 33,
    });
    expect(leaveBalance({ policy, leaveType: 'EL', employment, applications: taken, asOf: '2026-01-15' })).toMatchObject({
      carriedIn: 30,
      credited: 1.5,
      available: 31.5,
    });
    // Casual leave carries nothing (cap 0), and a year overdrawn carries nothing either.
    expect(leaveBalance({ policy, leaveType: 'CL', employment, applications: [], asOf: '2026-01-15' })).toMatchObject({ carriedIn: 0, credited: 1 });
    // A leave still pending at the end of 2025 takes nothing from what 2025 carries: still 30.
    const pendingAtYearEnd = [...taken, application('EL', '2025-12-01', '2025-12-05', 'pending', 5)];
    expect(leaveBalance({ policy, leaveType: 'EL', employment, applications: pendingAtYearEnd, asOf: '2026-01-15' })).toMatchObject({
      carriedIn: 30,
      pending: 0,
    });
    const overdrawn = [application('EL', '2025-03-02', '2025-04-24', 'approved', 40)];
    // 2025: 15 carried + 18 − 40 = −7 → carries 0.
    expect(leaveBalance({ policy, leaveType: 'EL', employment, applications: [...taken, ...overdrawn], asOf: '2026-01-15' })).toMatchObject({
      carriedIn: 0,
      available: 1.5,
    });
  });

  it('credits a mid-year joiner from the joining month', () => {
    // Joined Monday 20 July 2026.
    const joiner = { joinedOn: '2026-07-20' };
    const balance = (leaveType: string, asOf: string) => leaveBalance({ policy, leaveType, employment: joiner, applications: [], asOf });
    // CL monthly 12: July is credited on the joining date → 1; by 30 September, July–September → 3.
    expect(balance('CL', '2026-07-19').available).toBe(0);
    expect(balance('CL', '2026-07-20').available).toBe(1);
    expect(balance('CL', '2026-09-30').available).toBe(3);
    // EL monthly 18: July–September = 3 × 1.5 = 4.5.
    expect(balance('EL', '2026-09-30').available).toBe(4.5);
    // SL 6 as a lump sum at the year start; a joiner gets the months left, July–December 6 of 12: 6 × 6 / 12 = 3, on the joining date.
    expect(balance('SL', '2026-07-19').available).toBe(0);
    expect(balance('SL', '2026-07-20').available).toBe(3);
    // Credits round down to the half day: 15 a year is 1.25 a month → 1 after one month, 2.5 after two, 15 after twelve.
    const fifteen = leavePolicySchema.parse({ types: [{ code: 'EL', name: 'Earned', kind: 'earned', yearlyQuota: 15, credit: 'monthly' }] }).types[0]!;
    const year = { start: '2026-01-01', end: '2026-12-31' };
    expect([
      credited(fifteen, year, employment, '2026-01-01'),
      credited(fifteen, year, employment, '2026-02-01'),
      credited(fifteen, year, employment, '2026-12-31'),
    ]).toEqual([1, 2.5, 15]);
    // A leaver keeps what was credited up to leaving: left 10 March → January–March = 3.
    expect(
      leaveBalance({ policy, leaveType: 'CL', employment: { joinedOn: '2024-01-01', leftOn: '2026-03-10' }, applications: [], asOf: '2026-12-31' }).credited,
    ).toBe(3);
  });

  it('credits on an April–March leave year', () => {
    const aprilPolicy = leavePolicySchema.parse({ ...policyInput, leaveYear: 'april_march' });
    // Joined 1 April 2026; by 15 June 2026: April, May, June → EL 4.5. SL lump sum on 1 April: 6.
    const joiner = { joinedOn: '2026-04-01' };
    expect(leaveBalance({ policy: aprilPolicy, leaveType: 'EL', employment: joiner, applications: [], asOf: '2026-06-15' })).toMatchObject({
      year: { start: '2026-04-01', end: '2027-03-31' },
      credited: 4.5,
    });
    expect(leaveBalance({ policy: aprilPolicy, leaveType: 'SL', employment: joiner, applications: [], asOf: '2026-06-15' }).credited).toBe(6);
    // 31 March 2027 closes the year: 18 credited, none taken → 1 April 2027 carries 18 (cap 30) + 1.5 for April.
    expect(leaveBalance({ policy: aprilPolicy, leaveType: 'EL', employment: joiner, applications: [], asOf: '2027-04-01' })).toMatchObject({
      carriedIn: 18,
      credited: 1.5,
      available: 19.5,
    });
  });
});

describe('leave in the month summary', () => {
  it('makes LOP from unpaid leave plus unapproved absence; paid leave and pending leave are what they are', () => {
    // May 2026 (Friday 1st), Saturdays and Sundays off: 2, 3, 9, 10, 16, 17, 23, 24, 30, 31 → 10 off, 21 working.
    // Approved LWP Thu 7 – Fri 8 (2 unpaid days), approved CL Mon 11 (paid), pending CL Tue 12 (not a mark: absent),
    // rejected CL Wed 13 (absent), no punches on those days; office days the other 16.
    // LOP = unpaid 2 + absent (12, 13) 2 = 4; payable = 31 − 4 = 27.
    const applications = [
      application('LWP', '2026-05-07', '2026-05-08', 'approved', 2),
      application('CL', '2026-05-11', '2026-05-11', 'approved', 1),
      application('CL', '2026-05-12', '2026-05-12', 'pending', 1),
      application('CL', '2026-05-13', '2026-05-13', 'rejected', 1),
    ];
    const leave = leaveMarks(applications, rules, policy);
    expect(leave).toEqual([
      { date: '2026-05-07', portion: 'full', paid: false, leaveType: 'LWP' },
      { date: '2026-05-08', portion: 'full', paid: false, leaveType: 'LWP' },
      { date: '2026-05-11', portion: 'full', paid: true, leaveType: 'CL' },
    ]);
    const away = ['2026-05-07', '2026-05-08', '2026-05-11', '2026-05-12', '2026-05-13'];
    const punches = datesBetween('2026-05-01', '2026-05-31')
      .filter((d) => ![0, 6].includes(weekday(d)) && !away.includes(d))
      .flatMap((d) => [
        { at: new Date(`${d}T09:25:00+05:30`), method: 'face' },
        { at: new Date(`${d}T18:35:00+05:30`), method: 'pin' },
      ]);
    const { totals } = monthSummary({ month: '2026-05', rules, employment, punches, leave });
    expect(totals).toMatchObject({ present: 16, paidLeave: 1, unpaidLeave: 2, absent: 2, weeklyOffs: 10, lopDays: 4, payableDays: 27 });
  });

  it('charges a sandwiched weekend as leave under the sandwich rule', () => {
    // Approved CL Fri 8 – Mon 11 May with the sandwich rule: 4 marks, the weekend is leave, not weekly off.
    const leave = leaveMarks([application('CL', '2026-05-08', '2026-05-11', 'approved', 4)], rules, sandwichPolicy);
    expect(leave.map((m) => m.date)).toEqual(['2026-05-08', '2026-05-09', '2026-05-10', '2026-05-11']);
    const { days } = monthSummary({ month: '2026-05', rules, employment, punches: [], leave });
    expect(days.slice(7, 11).map((d) => d.status)).toEqual(['on_leave', 'on_leave', 'on_leave', 'on_leave']);
  });
});
