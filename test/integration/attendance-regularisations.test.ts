import { beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { useTestApp } from '../support/app.js';
import { getPage, sessionFor, type Browserish } from '../support/auth.js';
import { testClock } from '../support/clock.js';
import * as factories from '../support/factories.js';
import { auditOf, dayCellText, problemsOf, sendForm } from '../support/days.js';
import { dayRecordsOf, monthSummariesOf, regularisations, type Staff } from '../../src/modules/attendance/index.js';
import type { FactoryEmployee } from '../support/factories.js';

// Thursday 10 December 2026, 12:00 IST. Default shift 09:30–18:30, Sundays off.
const clock = testClock(new Date('2026-12-10T06:30:00Z'));
const t = useTestApp({ adapters: () => ({ clock }) });
const db = () => t.app.database.db;

const emails = {} as Record<'hr' | 'owner' | 'finance' | 'engHead' | 'salesHead' | 'priya' | 'otherHr' | 'nightHr' | 'nightEmployee', string>;
const as = (who: keyof typeof emails): Promise<Browserish> => sessionFor(t.app, emails[who]);
const ids = {} as Record<'a' | 'b' | 'n' | 'engHead', string>;

let priya: FactoryEmployee;
let headEmployee: FactoryEmployee;
let nisha: FactoryEmployee;

const staffOf = (employee: FactoryEmployee): Staff => ({ id: employee.id, dateOfJoining: employee.dateOfJoining, dateOfLeaving: null });
async function dayOf(tenantId: string, employee: FactoryEmployee, date: string) {
  const month = await monthSummariesOf(db(), tenantId, [staffOf(employee)], date.slice(0, 7), clock.now());
  return month.get(employee.id)!.days.find((d) => d.date === date)!;
}
const requestsOf = (employeeId: string, date?: string) =>
  db()
    .select()
    .from(regularisations)
    .where(date ? and(eq(regularisations.employeeId, employeeId), eq(regularisations.date, date)) : eq(regularisations.employeeId, employeeId))
    .orderBy(regularisations.createdAt);
const ask = (who: keyof typeof emails, fields: Record<string, string>) => as(who).then((jar) => sendForm(t.app, jar, '/attendance/me/regularisations', fields));
const decide = (who: keyof typeof emails, id: string, fields: Record<string, string>) =>
  as(who).then((jar) => sendForm(t.app, jar, `/attendance/regularisations/${id}/decision`, fields));

beforeAll(async () => {
  const a = await factories.company(db());
  ids.a = a.id;
  const engineering = await factories.department(db(), a.id, { name: 'Engineering' });
  const sales = await factories.department(db(), a.id, { name: 'Sales' });
  priya = await factories.employee(t.app, a.id, { fullName: 'Priya Sharma', departmentId: engineering.id, dateOfJoining: '2026-11-15' });
  headEmployee = await factories.employee(t.app, a.id, { fullName: 'Hari Head', departmentId: engineering.id });
  const engHead = await factories.departmentHead(db(), a.id, engineering.id, { employeeId: headEmployee.id });
  ids.engHead = engHead.id;
  emails.engHead = engHead.email;
  emails.salesHead = (await factories.departmentHead(db(), a.id, sales.id)).email;
  emails.hr = (await factories.user(db(), a.id, { role: 'hr_admin' })).email;
  emails.owner = (await factories.user(db(), a.id, { role: 'owner' })).email;
  emails.finance = (await factories.user(db(), a.id, { role: 'finance' })).email;
  emails.priya = (await factories.user(db(), a.id, { role: 'employee', employeeId: priya.id })).email;
  const b = await factories.company(db());
  ids.b = b.id;
  emails.otherHr = (await factories.user(db(), b.id, { role: 'hr_admin' })).email;
  const n = await factories.company(db());
  ids.n = n.id;
  nisha = await factories.employee(t.app, n.id, { fullName: 'Nisha Night' });
  emails.nightHr = (await factories.user(db(), n.id, { role: 'hr_admin' })).email;
  emails.nightEmployee = (await factories.user(db(), n.id, { role: 'employee', employeeId: nisha.id })).email;

  const hr = await as('hr');
  expect((await sendForm(t.app, hr, '/attendance/shift/holidays', { date: '2026-12-04', name: 'Founders day' })).statusCode).toBe(303);
  // Priya punched in on Monday the 7th and never out.
  const punch = { employeeCode: priya.code, date: '2026-12-07', time: '09:20', direction: 'in', reason: 'Kiosk was offline' };
  expect((await sendForm(t.app, hr, '/attendance/punches', punch)).statusCode).toBe(303);
  const night = { start: '22:00', end: '06:00', graceMinutes: '10', halfDayHours: '4', fullDayHours: '8', weeklyOffs: '0' };
  expect((await sendForm(t.app, await as('nightHr'), '/attendance/shift', night)).statusCode).toBe(303);
});

const REQUEST = { date: '2026-12-07', firstIn: '09:20', lastOut: '18:40', reason: 'Forgot to punch out' };
let requestId: string;

describe('an employee asks', () => {
  it('sees the missing punch on their month and asks to correct it: pending, audited, the day unchanged', async () => {
    const before = await getPage(t.app, await as('priya'), '/attendance/me?month=2026-12');
    expect(dayCellText(before.body, '2026-12-07')).toBe('7 Absent In 09:20 Missing punch Request regularisation');

    const res = await ask('priya', REQUEST);
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe('/attendance/me?month=2026-12');
    const [row] = await requestsOf(priya.id);
    requestId = row!.id;
    expect(row).toMatchObject({ status: 'pending', date: '2026-12-07', reason: 'Forgot to punch out', pendingKey: 1, decidedBy: null });
    expect(row!.firstIn.toISOString()).toBe('2026-12-07T03:50:00.000Z');
    expect(row!.lastOut.toISOString()).toBe('2026-12-07T13:10:00.000Z');
    const [entry] = await auditOf(db(), ids.a, 'attendance.regularisation_requested');
    expect(entry).toMatchObject({
      actorKind: 'user',
      targetType: 'regularisation',
      targetId: requestId,
      details: { employeeId: priya.id, date: '2026-12-07' },
    });

    const after = await getPage(t.app, await as('priya'), '/attendance/me?month=2026-12');
    expect(dayCellText(after.body, '2026-12-07')).toBe('7 Absent In 09:20 Missing punch Regularisation pending');
    expect(after.body).toMatch(/Forgot to punch out<\/td><td>pending<\/td>/);
    expect(await dayOf(ids.a, priya, '2026-12-07')).toMatchObject({ status: 'absent', missingPunch: true, regularised: false });
  });

  it('keeps one pending request per employee-day', async () => {
    const res = await ask('priya', { ...REQUEST, lastOut: '19:00' });
    expect(res.statusCode).toBe(409);
    expect(await requestsOf(priya.id)).toHaveLength(1);
  });

  it.each([
    ['a day not started yet', { date: '2026-12-11' }, 'date: 2026-12-11 has not started yet'],
    ['an out time still to come today', { date: '2026-12-10', firstIn: '09:30', lastOut: '18:30' }, 'lastOut: lastOut cannot be in the future'],
    ['out before in', { date: '2026-12-08', firstIn: '18:00', lastOut: '09:00' }, 'lastOut: lastOut must be after firstIn'],
    ['a weekly off', { date: '2026-12-06' }, 'date: is a weekly off: there is nothing to correct'],
    ['a holiday', { date: '2026-12-04' }, 'date: is a holiday (Founders day): there is nothing to correct'],
    ['a day before joining', { date: '2026-11-10' }, 'date: is outside your employment'],
    ['a date that does not exist', { date: '2026-11-31' }, 'date: must be a real date YYYY-MM-DD'],
    ['a time 9:5', { date: '2026-12-08', firstIn: '9:5' }, 'firstIn: must be a time HH:MM (24-hour, IST)'],
    ['no reason', { date: '2026-12-08', reason: ' ' }, 'reason: must say why (at least 5 characters)'],
  ])('refuses %s, naming the field, and keeps nothing', async (_case, change, problem) => {
    const audits = (await auditOf(db(), ids.a, 'attendance.regularisation_requested')).length;
    const res = await ask('priya', { ...REQUEST, ...change });
    expect(res.statusCode).toBe(400);
    expect(problemsOf(res.body)).toEqual([problem]);
    expect(await requestsOf(priya.id)).toHaveLength(1);
    expect((await auditOf(db(), ids.a, 'attendance.regularisation_requested')).length).toBe(audits);
  });

  it('files a request for the signed-in employee only, whatever employee the form names', async () => {
    const res = await ask('priya', { ...REQUEST, date: '2026-12-03', employeeId: headEmployee.id, employeeCode: headEmployee.code });
    expect(res.statusCode).toBe(303);
    expect(await requestsOf(headEmployee.id)).toEqual([]);
    const [mine] = await requestsOf(priya.id, '2026-12-03');
    expect(mine).toMatchObject({ status: 'pending' });
    await db().delete(regularisations).where(eq(regularisations.id, mine!.id));
  });

  it('tells an account without an employee record it has no days to correct', async () => {
    const res = await ask('finance', { ...REQUEST, date: '2026-12-08' });
    expect(res.statusCode).toBe(400);
    expect(problemsOf(res.body)).toEqual(['date: your account is not linked to an employee record']);
  });
});

describe('who decides', () => {
  it('gives finance and employees nothing', async () => {
    for (const who of ['finance', 'priya'] as const) {
      expect((await getPage(t.app, await as(who), '/attendance/regularisations')).statusCode).toBe(403);
      expect((await decide(who, requestId, { decision: 'approve' })).statusCode).toBe(403);
    }
    expect((await requestsOf(priya.id))[0]).toMatchObject({ status: 'pending' });
  });

  it('hides the request from the head of another department and from another company', async () => {
    const queue = await getPage(t.app, await as('salesHead'), '/attendance/regularisations');
    expect(queue.statusCode).toBe(200);
    expect(queue.body).not.toContain('Priya Sharma');
    expect((await decide('salesHead', requestId, { decision: 'approve' })).statusCode).toBe(404);
    expect((await decide('otherHr', requestId, { decision: 'approve' })).statusCode).toBe(404);
    expect((await decide('hr', '00000000-0000-7000-8000-000000000000', { decision: 'approve' })).statusCode).toBe(404);
    expect((await decide('hr', 'not-an-id', { decision: 'approve' })).statusCode).toBe(400);
    expect((await requestsOf(priya.id))[0]).toMatchObject({ status: 'pending' });
    expect(await auditOf(db(), ids.a, 'attendance.regularisation_approved')).toEqual([]);
  });

  it('lets their own head decide with a note; a rejection needs one; a second decision is a conflict', async () => {
    const queue = await getPage(t.app, await as('engHead'), '/attendance/regularisations');
    expect(queue.body).toContain('Priya Sharma');
    expect(queue.body).toContain('Forgot to punch out');

    const vague = await decide('engHead', requestId, { decision: 'maybe' });
    expect(vague.statusCode).toBe(400);
    expect(problemsOf(vague.body)).toEqual(['decision: must be approve or reject']);
    const bare = await decide('engHead', requestId, { decision: 'reject', note: '  ' });
    expect(bare.statusCode).toBe(400);
    expect(problemsOf(bare.body)).toEqual(['note: must say why the request is rejected']);
    expect((await requestsOf(priya.id))[0]).toMatchObject({ status: 'pending' });

    const res = await decide('engHead', requestId, { decision: 'approve', note: 'Seen on the gate log' });
    expect(res.statusCode, res.body).toBe(303);
    expect((await requestsOf(priya.id))[0]).toMatchObject({
      status: 'approved',
      decidedBy: ids.engHead,
      pendingKey: null,
      decisionNote: 'Seen on the gate log',
    });
    const [entry] = await auditOf(db(), ids.a, 'attendance.regularisation_approved');
    expect(entry).toMatchObject({
      actorId: ids.engHead,
      targetId: requestId,
      details: { employeeId: priya.id, date: '2026-12-07', note: 'Seen on the gate log' },
    });

    const again = await decide('hr', requestId, { decision: 'reject', note: 'Too late' });
    expect(again.statusCode).toBe(409);
    expect((await requestsOf(priya.id))[0]).toMatchObject({ status: 'approved' });
    expect(await auditOf(db(), ids.a, 'attendance.regularisation_rejected')).toEqual([]);
  });

  it('changes the day once approved, the same for the month and the day board', async () => {
    const day = await dayOf(ids.a, priya, '2026-12-07');
    expect(day).toMatchObject({ status: 'present', regularised: true, missingPunch: false, workedMinutes: 560, lateMinutes: 0 });
    expect(day.firstIn?.toISOString()).toBe('2026-12-07T03:50:00.000Z');
    expect(day.lastOut?.toISOString()).toBe('2026-12-07T13:10:00.000Z');
    expect((await dayRecordsOf(db(), ids.a, [staffOf(priya)], '2026-12-07')).get(priya.id)).toEqual(day);
    const page = await getPage(t.app, await as('priya'), '/attendance/me?month=2026-12');
    expect(dayCellText(page.body, '2026-12-07')).toBe('7 Present (regularised) In 09:20 · Out 18:40 9:20 h worked');
  });

  it('lets a later approval for the same day replace the earlier one everywhere', async () => {
    clock.advance(60_000);
    expect((await ask('priya', { ...REQUEST, firstIn: '09:50', lastOut: '18:00', reason: 'Wrong times before' })).statusCode).toBe(303);
    const [, second] = await requestsOf(priya.id, '2026-12-07');
    expect((await decide('hr', second!.id, { decision: 'approve' })).statusCode).toBe(303);
    const day = await dayOf(ids.a, priya, '2026-12-07');
    expect(day).toMatchObject({ status: 'present', workedMinutes: 490, lateMinutes: 20 });
    expect((await dayRecordsOf(db(), ids.a, [staffOf(priya)], '2026-12-07')).get(priya.id)).toEqual(day);
  });

  it('leaves the day as it was after a rejection, and the employee may ask again', async () => {
    expect((await ask('priya', { ...REQUEST, date: '2026-12-08', firstIn: '09:30', lastOut: '18:30' })).statusCode).toBe(303);
    const [first] = await requestsOf(priya.id, '2026-12-08');
    const res = await decide('hr', first!.id, { decision: 'reject', note: 'No record at the gate' });
    expect(res.statusCode).toBe(303);
    expect((await requestsOf(priya.id, '2026-12-08'))[0]).toMatchObject({ status: 'rejected', decisionNote: 'No record at the gate' });
    const [entry] = await auditOf(db(), ids.a, 'attendance.regularisation_rejected');
    expect(entry).toMatchObject({ targetId: first!.id, details: { note: 'No record at the gate' } });
    expect(await dayOf(ids.a, priya, '2026-12-08')).toMatchObject({ status: 'absent', regularised: false });
    const page = await getPage(t.app, await as('priya'), '/attendance/me?month=2026-12');
    expect(page.body).toContain('No record at the gate');
    expect((await ask('priya', { ...REQUEST, date: '2026-12-08', firstIn: '09:30', lastOut: '18:30', reason: 'I was there, ask Ravi' })).statusCode).toBe(303);
    expect(await requestsOf(priya.id, '2026-12-08')).toHaveLength(2);
  });

  it('never lets a head decide their own request; HR does', async () => {
    expect((await ask('engHead', { ...REQUEST, date: '2026-12-09' })).statusCode).toBe(303);
    const [own] = await requestsOf(headEmployee.id);
    const queue = await getPage(t.app, await as('engHead'), '/attendance/regularisations');
    expect(queue.body).toContain('Your own request: someone else decides it.');
    expect((await decide('engHead', own!.id, { decision: 'approve' })).statusCode).toBe(403);
    expect((await requestsOf(headEmployee.id))[0]).toMatchObject({ status: 'pending' });
    expect((await decide('owner', own!.id, { decision: 'approve' })).statusCode).toBe(303);
    expect((await requestsOf(headEmployee.id))[0]).toMatchObject({ status: 'approved' });
  });
});

describe('at the same moment', () => {
  it('keeps one of two identical requests sent at once and refuses the other as a conflict', async () => {
    const fields = { ...REQUEST, date: '2026-12-02', firstIn: '09:30', lastOut: '18:30', reason: 'Double click' };
    const results = await Promise.all([ask('priya', fields), ask('priya', fields)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([303, 409]);
    expect(await requestsOf(priya.id, '2026-12-02')).toHaveLength(1);
  });

  it('lets one of two approvers deciding at once win; the other gets a conflict and no audit entry', async () => {
    const [request] = await requestsOf(priya.id, '2026-12-02');
    const approvals = (await auditOf(db(), ids.a, 'attendance.regularisation_approved')).length;
    const rejections = (await auditOf(db(), ids.a, 'attendance.regularisation_rejected')).length;
    const results = await Promise.all([
      decide('engHead', request!.id, { decision: 'approve' }),
      decide('hr', request!.id, { decision: 'reject', note: 'Not on the gate log' }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([303, 409]);
    const decided = (await auditOf(db(), ids.a, 'attendance.regularisation_approved')).length - approvals;
    const rejected = (await auditOf(db(), ids.a, 'attendance.regularisation_rejected')).length - rejections;
    expect(decided + rejected).toBe(1);
    expect((await requestsOf(priya.id, '2026-12-02'))[0]!.status).toBe(decided ? 'approved' : 'rejected');
  });
});

describe('a night shift', () => {
  it('reads the out time as the next morning, and refuses a night not yet begun', async () => {
    const early = await ask('nightEmployee', { date: '2026-12-10', firstIn: '22:00', lastOut: '06:00', reason: 'Tonight, in advance' });
    expect(early.statusCode).toBe(400);
    expect(problemsOf(early.body)).toEqual(['date: 2026-12-10 has not started yet']);

    expect((await ask('nightEmployee', { date: '2026-12-01', firstIn: '22:00', lastOut: '06:00', reason: 'Kiosk was down all night' })).statusCode).toBe(303);
    const [row] = await requestsOf(nisha.id);
    expect(row!.firstIn.toISOString()).toBe('2026-12-01T16:30:00.000Z');
    expect(row!.lastOut.toISOString()).toBe('2026-12-02T00:30:00.000Z');
    expect((await decide('nightHr', row!.id, { decision: 'approve' })).statusCode).toBe(303);
    expect(await dayOf(ids.n, nisha, '2026-12-01')).toMatchObject({ status: 'present', workedMinutes: 480, regularised: true });
    expect(await dayOf(ids.n, nisha, '2026-12-02')).toMatchObject({ status: 'absent', regularised: false });
  });
});
