import { beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { useTestApp } from '../support/app.js';
import { getPage, sessionFor, type Browserish } from '../support/auth.js';
import { testClock } from '../support/clock.js';
import * as factories from '../support/factories.js';
import { auditOf, dayCellText, monthTotal, problemsOf, sendForm } from '../support/days.js';
import { monthSummariesOf, punches, shiftSettings, type Staff } from '../../src/modules/attendance/index.js';
import { DEFAULT_SHIFT_RULES, lockShiftRules, saveShiftRules, shiftRulesOf } from '../../src/modules/attendance/shift-store.js';
import { inTransaction } from '../../src/platform/db/client.js';
import type { FactoryEmployee } from '../support/factories.js';

// Thursday 10 December 2026, 12:00 IST: the 1st to the 9th are judged, the 10th onwards are upcoming.
const clock = testClock(new Date('2026-12-10T06:30:00Z'));
const t = useTestApp({ adapters: () => ({ clock }) });
const db = () => t.app.database.db;

type Company = { id: string; emails: Record<'hr' | 'head' | 'finance' | 'employee', string> };
const A = {} as Company;
const B = {} as Company;
/** A company on a night shift (22:00–06:00). */
const N = {} as Company;
const as = (company: Company, role: keyof Company['emails']): Promise<Browserish> => sessionFor(t.app, company.emails[role]);

let priya: FactoryEmployee;
let ravi: FactoryEmployee;
let nisha: FactoryEmployee;
let bobOfB: FactoryEmployee;

async function makeCompany(company: Company, linkEmployee: (tenantId: string) => Promise<FactoryEmployee>) {
  const row = await factories.company(db());
  company.id = row.id;
  const department = await factories.department(db(), row.id);
  const hr = await factories.user(db(), row.id, { role: 'hr_admin' });
  const head = await factories.departmentHead(db(), row.id, department.id);
  const finance = await factories.user(db(), row.id, { role: 'finance' });
  const employee = await linkEmployee(row.id);
  const user = await factories.user(db(), row.id, { role: 'employee', employeeId: employee.id });
  company.emails = { hr: hr.email, head: head.email, finance: finance.email, employee: user.email };
  return department;
}

const staffOf = (employee: FactoryEmployee): Staff => ({ id: employee.id, dateOfJoining: employee.dateOfJoining, dateOfLeaving: null });
async function monthOf(company: Company, employee: FactoryEmployee, month = '2026-12') {
  return (await monthSummariesOf(db(), company.id, [staffOf(employee)], month, clock.now())).get(employee.id)!;
}
const dayOf = async (company: Company, employee: FactoryEmployee, date: string) =>
  (await monthOf(company, employee, date.slice(0, 7))).days.find((d) => d.date === date)!;

async function hrPunch(company: Company, employee: FactoryEmployee, date: string, time: string, direction = 'in', reason = 'Kiosk was offline') {
  return sendForm(t.app, await as(company, 'hr'), '/attendance/punches', { employeeCode: employee.code, date, time, direction, reason });
}

const SHIFT = {
  start: '09:00',
  end: '18:00',
  graceMinutes: '10',
  halfDayHours: '4.5',
  fullDayHours: '8',
  weeklyOffs: ['0'],
  monthlyOffWeekday: '6',
  monthlyOffWeeks: ['2', '4'],
};

beforeAll(async () => {
  await makeCompany(A, async (tenantId) => (priya = await factories.employee(t.app, tenantId, { fullName: 'Priya Sharma', dateOfJoining: '2026-11-15' })));
  ravi = await factories.employee(t.app, A.id, { fullName: 'Ravi Iyer' });
  await makeCompany(B, async (tenantId) => (bobOfB = await factories.employee(t.app, tenantId, { fullName: 'Bob of B' })));
  await makeCompany(N, async (tenantId) => (nisha = await factories.employee(t.app, tenantId, { fullName: 'Nisha Night' })));
});

describe('shift settings', () => {
  it('shows the defaults until HR saves rules, then round-trips every field and audits before and after', async () => {
    const hr = await as(A, 'hr');
    const page = await getPage(t.app, hr, '/attendance/shift');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('value="09:30"');
    expect(await shiftRulesOf(db(), A.id)).toEqual(DEFAULT_SHIFT_RULES);

    const res = await sendForm(t.app, hr, '/attendance/shift', SHIFT);
    expect(res.statusCode, res.body).toBe(303);
    const rules = await shiftRulesOf(db(), A.id);
    expect(rules).toEqual({
      start: '09:00',
      end: '18:00',
      graceMinutes: 10,
      halfDayHours: 4.5,
      fullDayHours: 8,
      weeklyOffs: [0],
      monthlyOffs: [{ weekday: 6, weeks: [2, 4] }],
      holidays: [],
    });
    const again = await getPage(t.app, hr, '/attendance/shift');
    expect(again.body).toContain('value="09:00"');
    expect(again.body).toMatch(/name="monthlyOffWeeks" value="4" checked/);

    const [entry] = await auditOf(db(), A.id, 'attendance.shift_rules_changed');
    expect(entry?.details).toMatchObject({
      before: { start: '09:30', end: '18:30', graceMinutes: 15, halfDayHours: 4, monthlyOffs: [] },
      after: { start: '09:00', end: '18:00', graceMinutes: 10, halfDayHours: 4.5, monthlyOffs: [{ weekday: 6, weeks: [2, 4] }] },
    });
    // Unchanged fields are not in the entry.
    expect(entry?.details?.before).not.toHaveProperty('weeklyOffs');
    // The other company keeps its own rules.
    expect(await shiftRulesOf(db(), B.id)).toEqual(DEFAULT_SHIFT_RULES);
  });

  it('adds and removes holidays by date, refusing a date twice or one not on the list', async () => {
    const hr = await as(A, 'hr');
    expect((await sendForm(t.app, hr, '/attendance/shift/holidays', { date: '2026-12-25', name: 'Christmas' })).statusCode).toBe(303);
    expect((await sendForm(t.app, hr, '/attendance/shift/holidays', { date: '2026-12-04', name: 'Founders day' })).statusCode).toBe(303);
    expect((await shiftRulesOf(db(), A.id)).holidays).toEqual([
      { date: '2026-12-04', name: 'Founders day' },
      { date: '2026-12-25', name: 'Christmas' },
    ]);
    const twice = await sendForm(t.app, hr, '/attendance/shift/holidays', { date: '2026-12-25', name: 'Again' });
    expect(twice.statusCode).toBe(400);
    expect(problemsOf(twice.body)).toEqual(['date: is already a holiday (Christmas)']);

    expect((await sendForm(t.app, hr, '/attendance/shift/holidays', { date: '2026-12-31', name: 'Year end' })).statusCode).toBe(303);
    expect((await sendForm(t.app, hr, '/attendance/shift/holidays/remove', { date: '2026-12-31' })).statusCode).toBe(303);
    const missing = await sendForm(t.app, hr, '/attendance/shift/holidays/remove', { date: '2026-12-31' });
    expect(missing.statusCode).toBe(400);
    expect(problemsOf(missing.body)).toEqual(['date: is not on the holiday list']);
    expect((await shiftRulesOf(db(), A.id)).holidays.map((h) => h.date)).toEqual(['2026-12-04', '2026-12-25']);
    expect((await auditOf(db(), A.id, 'attendance.holiday_added')).length).toBe(3);
    const [removed] = await auditOf(db(), A.id, 'attendance.holiday_removed');
    expect(removed?.details).toMatchObject({ before: { holidays: expect.arrayContaining([{ date: '2026-12-31', name: 'Year end' }]) } });
  });

  it('records nothing when a save changes nothing', async () => {
    const audits = (await auditOf(db(), A.id, 'attendance.shift_rules_changed')).length;
    expect((await sendForm(t.app, await as(A, 'hr'), '/attendance/shift', SHIFT)).statusCode).toBe(303);
    expect((await auditOf(db(), A.id, 'attendance.shift_rules_changed')).length).toBe(audits);
  });

  it('keeps both of two holidays added at the same moment (the rules row is locked, not overwritten)', async () => {
    const [one, two] = await Promise.all([
      as(A, 'hr').then((jar) => sendForm(t.app, jar, '/attendance/shift/holidays', { date: '2027-01-26', name: 'Republic Day' })),
      as(A, 'hr').then((jar) => sendForm(t.app, jar, '/attendance/shift/holidays', { date: '2027-01-14', name: 'Pongal' })),
    ]);
    expect([one.statusCode, two.statusCode]).toEqual([303, 303]);
    expect((await shiftRulesOf(db(), A.id)).holidays).toEqual(
      expect.arrayContaining([
        { date: '2027-01-26', name: 'Republic Day' },
        { date: '2027-01-14', name: 'Pongal' },
      ]),
    );
    // The first edit of a company without a rules row: both make it, neither deadlocks.
    // (A jar each: one browser's two tabs would share a CSRF cookie that each page load renews.)
    const [hr, otherTab] = await Promise.all([as(B, 'hr'), as(B, 'hr')]);
    const results = await Promise.all([
      sendForm(t.app, hr, '/attendance/shift/holidays', { date: '2027-08-15', name: 'Independence Day' }),
      sendForm(t.app, otherTab, '/attendance/shift/holidays', { date: '2027-10-02', name: 'Gandhi Jayanti' }),
    ]);
    expect(results.map((r) => r.statusCode)).toEqual([303, 303]);
    expect((await shiftRulesOf(db(), B.id)).holidays.map((h) => h.date)).toEqual(['2027-08-15', '2027-10-02']);
    for (const date of ['2027-08-15', '2027-10-02']) await sendForm(t.app, hr, '/attendance/shift/holidays/remove', { date });
  });

  it('makes an edit wait for one in progress and keeps both', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    // Another edit holds the rules (as a slow request would) while HR adds a holiday.
    const other = inTransaction(db(), async (tx) => {
      const rules = await lockShiftRules(tx, A.id, clock.now());
      locked();
      await held;
      await saveShiftRules(tx, A.id, { ...rules, holidays: [...rules.holidays, { date: '2027-04-14', name: 'Ambedkar Jayanti' }] }, clock.now());
    });
    await isLocked;
    const add = as(A, 'hr').then((jar) => sendForm(t.app, jar, '/attendance/shift/holidays', { date: '2027-05-01', name: 'Labour Day' }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    await other;
    expect((await add).statusCode).toBe(303);
    const dates = (await shiftRulesOf(db(), A.id)).holidays.map((h) => h.date);
    expect(dates).toEqual(expect.arrayContaining(['2027-04-14', '2027-05-01']));
  });

  it('shows a holiday name as text, never as markup', async () => {
    const hr = await as(A, 'hr');
    expect((await sendForm(t.app, hr, '/attendance/shift/holidays', { date: '2027-03-04', name: '<img src=x onerror=alert(1)>' })).statusCode).toBe(303);
    const page = await getPage(t.app, hr, '/attendance/shift');
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect((await sendForm(t.app, hr, '/attendance/shift/holidays/remove', { date: '2027-03-04' })).statusCode).toBe(303);
  });

  it.each([
    ['graceMinutes', { graceMinutes: '' }, 'graceMinutes: must be a number'],
    ['graceMinutes', { graceMinutes: 'ten' }, 'graceMinutes: must be a number'],
    ['graceMinutes', { graceMinutes: '-5' }, 'graceMinutes: graceMinutes cannot be negative'],
    ['start', { start: '9am' }, 'start: must be a time HH:MM (24-hour, IST)'],
    ['end', { end: '24:00' }, 'end: must be a time HH:MM (24-hour, IST)'],
    ['end', { end: '09:00' }, 'end: end must differ from start'],
    ['halfDayHours', { halfDayHours: '8' }, 'halfDayHours: halfDayHours must be fewer than fullDayHours'],
    ['fullDayHours', { fullDayHours: '10' }, 'fullDayHours: fullDayHours cannot be longer than the shift from start to end'],
    [
      'weeklyOffs',
      { weeklyOffs: ['0', '1', '2', '3', '4', '5', '6'], monthlyOffWeekday: '', monthlyOffWeeks: [] },
      'weeklyOffs: weeklyOffs cannot take every day of the week',
    ],
    ['weeklyOffs', { weeklyOffs: ['9'] }, 'weeklyOffs.0: is not a weekday'],
    ['monthlyOffWeeks', { monthlyOffWeeks: [] }, 'monthlyOffWeeks: choose which weeks of the month are off'],
    ['monthlyOffWeekday', { monthlyOffWeekday: '' }, 'monthlyOffWeekday: choose the weekday the monthly offs fall on'],
    ['monthlyOffs', { monthlyOffWeekday: '0' }, 'monthlyOffs.0.weekday: monthlyOffs names a weekday that is already off every week'],
  ])('refuses a bad %s, naming it, and changes nothing', async (_name, change, problem) => {
    const before = await shiftRulesOf(db(), A.id);
    const audits = (await auditOf(db(), A.id, 'attendance.shift_rules_changed')).length;
    const res = await sendForm(t.app, await as(A, 'hr'), '/attendance/shift', { ...SHIFT, ...change });
    expect(res.statusCode).toBe(400);
    expect(problemsOf(res.body)).toEqual([problem]);
    expect(await shiftRulesOf(db(), A.id)).toEqual(before);
    expect((await auditOf(db(), A.id, 'attendance.shift_rules_changed')).length).toBe(audits);
  });

  it.each([
    ['a date that does not exist', { date: '2026-02-30', name: 'Nope' }, 'date: must be a real date YYYY-MM-DD'],
    ['no name', { date: '2026-12-26', name: '  ' }, 'name: is required'],
    ['a name too long', { date: '2026-12-26', name: 'x'.repeat(101) }, 'name: must be at most 100 characters'],
  ])('refuses a holiday with %s', async (_case, fields, problem) => {
    const before = await shiftRulesOf(db(), A.id);
    const res = await sendForm(t.app, await as(A, 'hr'), '/attendance/shift/holidays', fields);
    expect(res.statusCode).toBe(400);
    expect(problemsOf(res.body)).toEqual([problem]);
    expect(await shiftRulesOf(db(), A.id)).toEqual(before);
  });

  it('is HR’s alone: heads, finance and employees are refused and nothing changes', async () => {
    const before = await db().select().from(shiftSettings).where(eq(shiftSettings.tenantId, A.id));
    for (const role of ['head', 'finance', 'employee'] as const) {
      const jar = await as(A, role);
      expect((await getPage(t.app, jar, '/attendance/shift')).statusCode).toBe(403);
      expect((await sendForm(t.app, jar, '/attendance/shift', { ...SHIFT, graceMinutes: '60' })).statusCode).toBe(403);
      expect((await sendForm(t.app, jar, '/attendance/shift/holidays', { date: '2026-12-26', name: 'Boxing day' })).statusCode).toBe(403);
    }
    expect(await db().select().from(shiftSettings).where(eq(shiftSettings.tenantId, A.id))).toEqual(before);
  });
});

describe('punches to IST days', () => {
  it('puts a punch at 00:30 IST on that IST day, though it is still the previous day in UTC', async () => {
    expect((await hrPunch(A, ravi, '2026-12-03', '00:30', 'in')).statusCode).toBe(303);
    expect((await hrPunch(A, ravi, '2026-12-03', '09:00', 'out')).statusCode).toBe(303);
    const [row] = await db()
      .select()
      .from(punches)
      .where(and(eq(punches.employeeId, ravi.id), eq(punches.direction, 'in')));
    expect(row!.at.toISOString()).toBe('2026-12-02T19:00:00.000Z');
    expect(row!.istDay).toBe('2026-12-03');

    const third = await dayOf(A, ravi, '2026-12-03');
    expect(third).toMatchObject({ status: 'present', punchCount: 2, workedMinutes: 510, lateMinutes: 0 });
    expect(third.firstIn?.toISOString()).toBe('2026-12-02T19:00:00.000Z');
    expect(await dayOf(A, ravi, '2026-12-02')).toMatchObject({ status: 'absent', punchCount: 0 });
  });

  it('counts a night shift from 21:55 to 06:10 the next morning as one present day', async () => {
    const hr = await as(N, 'hr');
    const night = { ...SHIFT, start: '22:00', end: '06:00', monthlyOffWeekday: '', monthlyOffWeeks: [] };
    expect((await sendForm(t.app, hr, '/attendance/shift', night)).statusCode).toBe(303);
    expect((await hrPunch(N, nisha, '2026-12-01', '21:55', 'in')).statusCode).toBe(303);
    expect((await hrPunch(N, nisha, '2026-12-02', '06:10', 'out')).statusCode).toBe(303);

    const month = await monthOf(N, nisha);
    const first = month.days.find((d) => d.date === '2026-12-01')!;
    expect(first).toMatchObject({ status: 'present', punchCount: 2, workedMinutes: 8 * 60 + 15, lateMinutes: 0, missingPunch: false });
    // The morning's out punch does not make the 2nd a day with a lone punch.
    expect(month.days.find((d) => d.date === '2026-12-02')).toMatchObject({ status: 'absent', punchCount: 0, missingPunch: false });

    const page = await getPage(t.app, await as(N, 'employee'), '/attendance/me?month=2026-12');
    expect(dayCellText(page.body, '2026-12-01')).toBe('1 Present In 21:55 · Out 06:10 (+1) 8:15 h worked');
  });
});

describe('HR records a punch', () => {
  it('records method hr, no kiosk, with the reason in the audit log, and the punch log shows the method', async () => {
    const res = await hrPunch(A, priya, '2026-12-08', '09:05', 'in', 'Face not read, checked by guard');
    expect(res.statusCode, res.body).toBe(303);
    const [row] = await db()
      .select()
      .from(punches)
      .where(and(eq(punches.employeeId, priya.id), eq(punches.istDay, '2026-12-08')));
    expect(row).toMatchObject({ method: 'hr', kioskId: null, direction: 'in', distance: null });
    const entry = (await auditOf(db(), A.id, 'attendance.punch_recorded_by_hr')).find((e) => e.details?.punchId === row!.id);
    expect(entry).toMatchObject({ actorKind: 'user', targetId: priya.id, details: { reason: 'Face not read, checked by guard', method: 'hr' } });
    const log = await getPage(t.app, await as(A, 'hr'), '/attendance/punches');
    expect(log.body).toMatch(/Priya Sharma[\s\S]*?<td>HR<\/td>/);
  });

  it.each([
    ['an unknown code', { employeeCode: 'NOPE' }, 'employeeCode'],
    ['a future time', { date: '2026-12-10', time: '12:30' }, 'time'],
    ['no reason', { reason: '' }, 'reason'],
    ['a time 25:00', { time: '25:00' }, 'time'],
    ['a date 2026-02-29', { date: '2026-02-29' }, 'date'],
    ['a duplicate within 2 minutes', { date: '2026-12-08', time: '09:06' }, 'time'],
    ['no direction', { direction: 'sideways' }, 'direction'],
  ])('refuses %s, naming the field, and records nothing', async (_case, change, field) => {
    const count = (await db().select().from(punches).where(eq(punches.tenantId, A.id))).length;
    const fields = { employeeCode: priya.code, date: '2026-12-09', time: '09:00', direction: 'in', reason: 'Kiosk was offline', ...change };
    const res = await sendForm(t.app, await as(A, 'hr'), '/attendance/punches', fields);
    expect(res.statusCode).toBe(400);
    expect(problemsOf(res.body).map((p) => p.split(':')[0])).toEqual([field]);
    expect((await db().select().from(punches).where(eq(punches.tenantId, A.id))).length).toBe(count);
  });

  it('refuses another company’s employee and every role but HR', async () => {
    const other = await sendForm(t.app, await as(A, 'hr'), '/attendance/punches', {
      employeeCode: bobOfB.code,
      date: '2026-12-09',
      time: '09:00',
      direction: 'in',
      reason: 'Cross-company try',
    });
    expect(other.statusCode).toBe(400);
    expect(problemsOf(other.body)).toEqual(['employeeCode: is not an employee of this company']);
    for (const role of ['head', 'finance', 'employee'] as const) {
      const res = await sendForm(t.app, await as(A, role), '/attendance/punches', {
        employeeCode: priya.code,
        date: '2026-12-09',
        time: '09:00',
        direction: 'in',
        reason: 'Not mine to do',
      });
      expect(res.statusCode).toBe(403);
    }
    expect(await db().select().from(punches).where(eq(punches.employeeId, bobOfB.id))).toEqual([]);
  });
});

describe("the employee's month page", () => {
  it('shows each day’s status, times, lateness and the month totals from monthSummariesOf', async () => {
    // Priya (joined 15 Nov): the 1st in on time, out after a full day; the 2nd late and short (a half day);
    // the 3rd a lone punch; the 8th HR's punch above, also alone.
    await hrPunch(A, priya, '2026-12-01', '08:58', 'in');
    await hrPunch(A, priya, '2026-12-01', '18:05', 'out');
    await hrPunch(A, priya, '2026-12-02', '09:40', 'in');
    await hrPunch(A, priya, '2026-12-02', '15:00', 'out');
    await hrPunch(A, priya, '2026-12-03', '09:20', 'in');

    const page = await getPage(t.app, await as(A, 'employee'), '/attendance/me?month=2026-12');
    expect(page.statusCode).toBe(200);
    const body = page.body;
    expect(body).toContain('December 2026');
    expect(dayCellText(body, '2026-12-01')).toBe('1 Present In 08:58 · Out 18:05 9:07 h worked');
    expect(dayCellText(body, '2026-12-02')).toBe('2 Half day In 09:40 · Out 15:00 5:20 h worked Late by 40 min Request regularisation');
    expect(dayCellText(body, '2026-12-03')).toBe('3 Absent In 09:20 Late by 20 min Missing punch Request regularisation');
    expect(dayCellText(body, '2026-12-04')).toBe('4 Founders day');
    expect(dayCellText(body, '2026-12-05')).toBe('5 Absent Request regularisation'); // 1st Saturday: working
    expect(dayCellText(body, '2026-12-06')).toBe('6 Weekly off');
    expect(dayCellText(body, '2026-12-12')).toBe('12 Upcoming'); // 2nd Saturday, but not yet judged
    expect(dayCellText(body, '2026-12-25')).toBe('25 Upcoming');
    expect(body).toContain('href="/attendance/me?month=2026-12&amp;date=2026-12-03#regularise"');

    const summary = await monthOf(A, priya);
    expect(monthTotal(body, 'present')).toBe(String(summary.totals.present));
    expect(monthTotal(body, 'lopDays')).toBe(String(summary.totals.lopDays));
    expect(monthTotal(body, 'payableDays')).toBe(String(summary.totals.payableDays));
    // 1st present, 2nd half; absent: 2nd's other half, 3rd, 5th, 7th, 8th (a lone punch), 9th.
    expect(summary.totals).toMatchObject({ present: 1.5, halfDays: 1, absent: 5.5, lopDays: 5.5, holidays: 1, weeklyOffs: 1, upcoming: 22, lateDays: 2 });
    expect(monthTotal(body, 'halfDays')).toBe('1');
  });

  it('links the previous and next months and shows the days before joining as such', async () => {
    const page = await getPage(t.app, await as(A, 'employee'), '/attendance/me?month=2026-11');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('href="/attendance/me?month=2026-10"');
    expect(page.body).toContain('href="/attendance/me?month=2026-12"');
    expect(dayCellText(page.body, '2026-11-14')).toBe('14 Not employed');
    expect(dayCellText(page.body, '2026-11-16')).toBe('16 Absent Request regularisation');
    const january = await getPage(t.app, await as(A, 'employee'), '/attendance/me?month=2027-01');
    expect(january.body).toContain('href="/attendance/me?month=2026-12"');
    expect(january.body).toContain('href="/attendance/me?month=2027-02"');
  });

  it('defaults to the current IST month', async () => {
    const page = await getPage(t.app, await as(A, 'employee'), '/attendance/me');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('December 2026');
    expect(page.body).toContain('aria-current="date"');
  });

  it.each(['2026-13', '2026-1', 'december', '2026-12-01', '0000-01', ''])('refuses the month %j with a 400 naming month', async (month) => {
    const page = await getPage(t.app, await as(A, 'employee'), `/attendance/me?month=${encodeURIComponent(month)}`);
    expect(page.statusCode).toBe(400);
    expect(problemsOf(page.body)).toEqual(['month: must be a month YYYY-MM']);
  });

  it('tells an account without an employee record that there is nothing to show', async () => {
    const page = await getPage(t.app, await as(A, 'finance'), '/attendance/me');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('not linked to an employee record');
  });
});
