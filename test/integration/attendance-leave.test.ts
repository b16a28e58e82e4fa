import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { useTestApp } from '../support/app.js';
import { getPage, postForm, sessionFor, type Browserish } from '../support/auth.js';
import { testClock } from '../support/clock.js';
import { postAs, selectRows } from '../support/forms.js';
import { company, department, departmentHead, employee, user } from '../support/factories.js';

/**
 * Leave end to end through HTTP (issue 17 item 7): an employee applies, the head of their department or HR
 * decides, balances follow, and every refusal names its field and changes nothing.
 * The shift rules are the default ones (Sundays off). Monday 4 May 2026, 10:00 IST.
 */
const clock = testClock(new Date('2026-05-04T04:30:00Z'));
const t = useTestApp({ adapters: () => ({ clock }) });
const db = () => t.app.database.db;
const JSON_ACCEPT = { accept: 'application/json' };

const post = (jar: Browserish, url: string, fields: Record<string, string>) => postAs(t.app, jar, url, fields);
const rows = <T>(query: ReturnType<typeof sql>) => selectRows<T>(t.app, query);

interface ApplicationRow {
  id: string;
  status: string;
  days: number;
  decided_by: string | null;
  decision_note: string | null;
}
const applicationsOf = (employeeId: string) =>
  rows<ApplicationRow>(sql`SELECT id, status, days, decided_by, decision_note FROM leave_applications WHERE employee_id = ${employeeId} ORDER BY from_date`);
const auditOf = (targetId: string) =>
  rows<{ action: string; actor_id: string; details: string }>(
    sql`SELECT action, actor_id, details FROM audit_events WHERE target_id = ${targetId} ORDER BY id`,
  );
/** Everything a refusal must leave alone. */
const snapshot = async () => ({
  applications: await rows(sql`SELECT * FROM leave_applications ORDER BY id`),
  policies: await rows(sql`SELECT * FROM leave_policies ORDER BY tenant_id`),
  audit: (await rows<{ n: number }>(sql`SELECT COUNT(*) AS n FROM audit_events`))[0]!.n,
});

/**
 * A company: Engineering (Priya, who joined 1 April 2026, and its head, also an Engineering employee), Sales
 * (its head), HR (an employee too) and finance.
 */
async function world() {
  const acme = await company(db());
  const engineering = await department(db(), acme.id, { name: 'Engineering' });
  const sales = await department(db(), acme.id, { name: 'Sales' });
  const priya = await employee(t.app, acme.id, { departmentId: engineering.id, dateOfJoining: '2026-04-01', fullName: 'Priya Nair' });
  const headSelf = await employee(t.app, acme.id, { departmentId: engineering.id, dateOfJoining: '2020-01-01', fullName: 'Arjun Head' });
  const hrSelf = await employee(t.app, acme.id, { departmentId: sales.id, dateOfJoining: '2020-01-01', fullName: 'Hema HR' });
  const users = {
    priya: await user(db(), acme.id, { role: 'employee', employeeId: priya.id }),
    engineeringHead: await departmentHead(db(), acme.id, engineering.id, { employeeId: headSelf.id }),
    salesHead: await departmentHead(db(), acme.id, sales.id),
    hr: await user(db(), acme.id, { role: 'hr_admin', employeeId: hrSelf.id }),
    finance: await user(db(), acme.id, { role: 'finance' }),
  };
  const jar = async (who: keyof typeof users) => sessionFor(t.app, users[who].email);
  return {
    acme,
    priya,
    headSelf,
    hrSelf,
    users,
    as: {
      priya: await jar('priya'),
      engineeringHead: await jar('engineeringHead'),
      salesHead: await jar('salesHead'),
      hr: await jar('hr'),
      finance: await jar('finance'),
    },
  };
}

type World = Awaited<ReturnType<typeof world>>;

/** Applies and answers the new application's id (the newest of that employee). */
async function apply(w: World, who: Browserish, employeeId: string, fields: Record<string, string>) {
  const res = await post(who, '/leave', fields);
  expect(res.statusCode, res.body).toBe(303);
  const [row] = await rows<{ id: string }>(sql`SELECT id FROM leave_applications WHERE employee_id = ${employeeId} ORDER BY created_at DESC, id DESC LIMIT 1`);
  return row!.id;
}

describe('leave: apply, decide, balances', () => {
  it('Priya applies; the Engineering head approves; Sales head, finance and Priya herself cannot decide; balances follow', async () => {
    const w = await world();
    // By 6 May a joiner of 1 April has CL 2 (April, May), SL 9 (12 × 9 months left / 12), EL 2.5 (15 × 2 / 12).
    const page = await getPage(t.app, w.as.priya, '/leave');
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/data-leave-type="CL">[\s\S]*?<strong>2<\/strong>/);
    expect(page.body).toMatch(/data-leave-type="SL">[\s\S]*?<strong>9<\/strong>/);
    expect(page.body).toMatch(/data-leave-type="EL">[\s\S]*?<strong>2.5<\/strong>/);
    expect(page.body).toContain('unpaid: no balance');
    // The form posts what the route reads.
    for (const name of ['leaveType', 'from', 'to', 'fromHalf', 'toHalf', 'reason']) expect(page.body).toContain(`name="${name}"`);
    expect(page.body).toContain('action="/leave"');

    // Wednesday 6 to Thursday 7 May: 2 days.
    const id = await apply(w, w.as.priya, w.priya.id, { leaveType: 'CL', from: '2026-05-06', to: '2026-05-07', reason: 'Family function' });
    expect(await applicationsOf(w.priya.id)).toMatchObject([{ id, status: 'pending', days: 2 }]);
    expect((await auditOf(id)).map((a) => [a.action, a.actor_id])).toEqual([['leave.applied', w.users.priya.id]]);

    // The queue: the Engineering head and HR see it; the Sales head does not; finance and Priya may not open it.
    expect((await getPage(t.app, w.as.engineeringHead, '/leave/approvals')).body).toContain(id);
    expect((await getPage(t.app, w.as.hr, '/leave/approvals')).body).toContain(id);
    expect((await getPage(t.app, w.as.salesHead, '/leave/approvals')).body).not.toContain(id);
    expect((await getPage(t.app, w.as.finance, '/leave/approvals')).statusCode).toBe(403);
    expect((await getPage(t.app, w.as.priya, '/leave/approvals')).statusCode).toBe(403);

    const before = await snapshot();
    expect((await post(w.as.salesHead, `/leave/approvals/${id}`, { decision: 'approve' })).statusCode).toBe(404);
    expect((await post(w.as.finance, `/leave/approvals/${id}`, { decision: 'approve' })).statusCode).toBe(403);
    expect((await post(w.as.priya, `/leave/approvals/${id}`, { decision: 'approve' })).statusCode).toBe(403);
    // Rejecting needs a reason.
    const noReason = await post(w.as.engineeringHead, `/leave/approvals/${id}`, { decision: 'reject', note: '  ' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().problems).toEqual([{ field: 'note', message: 'say why the leave is rejected' }]);
    const badDecision = await post(w.as.engineeringHead, `/leave/approvals/${id}`, { decision: 'maybe' });
    expect(badDecision.json().problems[0].field).toBe('decision');
    const longNote = await post(w.as.engineeringHead, `/leave/approvals/${id}`, { decision: 'reject', note: 'n'.repeat(501) });
    expect(longNote.json().problems[0].field).toBe('note');
    const badId = await post(w.as.engineeringHead, '/leave/approvals/not-an-id', { decision: 'approve' });
    expect([badId.statusCode, badId.json().problems[0].field]).toEqual([400, 'applicationId']);
    expect(await snapshot()).toEqual(before);

    const approved = await post(w.as.engineeringHead, `/leave/approvals/${id}`, { decision: 'approve', note: 'Enjoy' });
    expect(approved.statusCode).toBe(303);
    expect(await applicationsOf(w.priya.id)).toMatchObject([{ status: 'approved', decided_by: w.users.engineeringHead.id, decision_note: 'Enjoy' }]);
    const trail = await auditOf(id);
    expect(trail.map((a) => [a.action, a.actor_id])).toEqual([
      ['leave.applied', w.users.priya.id],
      ['leave.approved', w.users.engineeringHead.id],
    ]);
    expect(JSON.parse(trail[1]!.details)).toMatchObject({ employeeId: w.priya.id, leaveType: 'CL', days: 2, note: 'Enjoy' });

    // Deciding it again, by anyone, is a conflict, and changes nothing.
    const again = await snapshot();
    expect((await post(w.as.hr, `/leave/approvals/${id}`, { decision: 'reject', note: 'Too late' })).statusCode).toBe(409);
    expect((await post(w.as.engineeringHead, `/leave/approvals/${id}`, { decision: 'approve' })).statusCode).toBe(409);
    expect(await snapshot()).toEqual(again);
    expect((await getPage(t.app, w.as.engineeringHead, '/leave/approvals')).body).not.toContain(id);

    // CL: 2 credited, 2 taken → 0; the page shows the decision.
    const after = await getPage(t.app, w.as.priya, '/leave');
    expect(after.body).toMatch(/data-leave-type="CL">\s*<td>[^<]*<\/td>\s*<td>0<\/td><td>2<\/td><td>2<\/td><td>0<\/td>\s*<td><strong>0<\/strong>/);
    expect(after.body).toContain('approved');
  });

  it('HR rejects with a reason; Priya cancels a pending application once; a cancelled one cannot be decided', async () => {
    const w = await world();
    const rejected = await apply(w, w.as.priya, w.priya.id, { leaveType: 'SL', from: '2026-05-05', to: '2026-05-05' });
    expect((await post(w.as.hr, `/leave/approvals/${rejected}`, { decision: 'reject', note: 'Quarter close' })).statusCode).toBe(303);
    expect((await auditOf(rejected)).map((a) => [a.action, a.actor_id])).toEqual([
      ['leave.applied', w.users.priya.id],
      ['leave.rejected', w.users.hr.id],
    ]);
    // A rejected application cannot be cancelled (it is decided), and its day is free again.
    expect((await post(w.as.priya, '/leave/cancel', { applicationId: rejected })).statusCode).toBe(409);
    const pending = await apply(w, w.as.priya, w.priya.id, { leaveType: 'SL', from: '2026-05-05', to: '2026-05-05', fromHalf: 'second_half' });
    expect((await applicationsOf(w.priya.id)).find((a) => a.id === pending)?.days).toBe(0.5);

    // Nobody else cancels it: the Engineering head's own leave page is for their own applications.
    const before = await snapshot();
    expect((await post(w.as.engineeringHead, '/leave/cancel', { applicationId: pending })).statusCode).toBe(404);
    expect((await post(w.as.hr, '/leave/cancel', { applicationId: pending })).statusCode).toBe(404);
    expect((await post(w.as.finance, '/leave/cancel', { applicationId: pending })).statusCode).toBe(403);
    expect((await post(w.as.priya, '/leave/cancel', { applicationId: 'not-an-id' })).json().problems[0].field).toBe('applicationId');
    expect(await snapshot()).toEqual(before);

    expect((await post(w.as.priya, '/leave/cancel', { applicationId: pending })).statusCode).toBe(303);
    expect((await applicationsOf(w.priya.id)).find((a) => a.id === pending)?.status).toBe('cancelled');
    expect((await auditOf(pending)).map((a) => a.action)).toEqual(['leave.applied', 'leave.cancelled']);
    expect((await post(w.as.priya, '/leave/cancel', { applicationId: pending })).statusCode).toBe(409);
    expect((await post(w.as.engineeringHead, `/leave/approvals/${pending}`, { decision: 'approve' })).statusCode).toBe(409);
  });

  it('an approver never decides their own application: the head’s goes to HR, HR’s to another HR', async () => {
    const w = await world();
    const headLeave = await apply(w, w.as.engineeringHead, w.headSelf.id, { leaveType: 'EL', from: '2026-05-11', to: '2026-05-12' });
    const hrLeave = await apply(w, w.as.hr, w.hrSelf.id, { leaveType: 'CL', from: '2026-05-11', to: '2026-05-11' });
    // Not in their own queues...
    expect((await getPage(t.app, w.as.engineeringHead, '/leave/approvals')).body).not.toContain(headLeave);
    const hrQueue = (await getPage(t.app, w.as.hr, '/leave/approvals')).body;
    expect(hrQueue).toContain(headLeave);
    expect(hrQueue).not.toContain(hrLeave);
    // ...and refused when tried by hand.
    const before = await snapshot();
    const own = await post(w.as.engineeringHead, `/leave/approvals/${headLeave}`, { decision: 'approve' });
    expect(own.statusCode).toBe(403);
    expect(own.json().message).toContain('your own leave application');
    expect((await post(w.as.hr, `/leave/approvals/${hrLeave}`, { decision: 'approve' })).statusCode).toBe(403);
    expect(await snapshot()).toEqual(before);
    // Another HR admin decides HR's; HR decides the head's.
    const otherHr = await sessionFor(t.app, (await user(db(), w.acme.id, { role: 'owner' })).email);
    expect((await post(otherHr, `/leave/approvals/${hrLeave}`, { decision: 'approve' })).statusCode).toBe(303);
    expect((await post(w.as.hr, `/leave/approvals/${headLeave}`, { decision: 'approve' })).statusCode).toBe(303);
    expect((await applicationsOf(w.headSelf.id))[0]!.status).toBe('approved');
    expect((await applicationsOf(w.hrSelf.id))[0]!.status).toBe('approved');
  });

  it('another company sees none of it: its HR gets 404 on the application and an empty queue', async () => {
    const w = await world();
    const id = await apply(w, w.as.priya, w.priya.id, { leaveType: 'CL', from: '2026-05-06', to: '2026-05-06' });
    const globex = await company(db());
    const globexHr = await sessionFor(t.app, (await user(db(), globex.id, { role: 'hr_admin' })).email);
    const before = await snapshot();
    expect((await post(globexHr, `/leave/approvals/${id}`, { decision: 'approve' })).statusCode).toBe(404);
    expect((await post(globexHr, '/leave/cancel', { applicationId: id })).statusCode).toBe(403); // no employee record at all
    expect((await getPage(t.app, globexHr, '/leave/approvals')).body).not.toContain(id);
    expect(await snapshot()).toEqual(before);
    // A user without an employee record sees why there is nothing to apply for, and cannot apply.
    expect((await getPage(t.app, w.as.finance, '/leave')).body).toContain('not linked to an employee record');
    expect((await post(w.as.finance, '/leave', { leaveType: 'CL', from: '2026-05-06', to: '2026-05-06' })).statusCode).toBe(403);
  });
  it('two approvers deciding at once: one decision stands, the other is a conflict, one audit entry', async () => {
    const w = await world();
    const id = await apply(w, w.as.priya, w.priya.id, { leaveType: 'CL', from: '2026-05-06', to: '2026-05-06' });
    const tokenOf = async (jar: Browserish) => /name="_csrf" value="([^"]+)"/.exec((await getPage(t.app, jar, '/account')).body)![1]!;
    const [hrToken, headToken] = [await tokenOf(w.as.hr), await tokenOf(w.as.engineeringHead)];
    const results = await Promise.all([
      postForm(t.app, w.as.hr, `/leave/approvals/${id}`, { _csrf: hrToken, decision: 'approve' }, JSON_ACCEPT),
      postForm(t.app, w.as.engineeringHead, `/leave/approvals/${id}`, { _csrf: headToken, decision: 'reject', note: 'Release week' }, JSON_ACCEPT),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([303, 409]);
    const decisions = (await auditOf(id)).filter((a) => a.action !== 'leave.applied');
    expect(decisions).toHaveLength(1);
    const [row] = await applicationsOf(w.priya.id);
    expect(decisions[0]!.action).toBe(`leave.${row!.status}`);
  });

  it('an employee cancelling while the head approves: exactly one of them happens', async () => {
    const w = await world();
    const id = await apply(w, w.as.priya, w.priya.id, { leaveType: 'CL', from: '2026-05-06', to: '2026-05-06' });
    const tokenOf = async (jar: Browserish) => /name="_csrf" value="([^"]+)"/.exec((await getPage(t.app, jar, '/account')).body)![1]!;
    const [priyaToken, headToken] = [await tokenOf(w.as.priya), await tokenOf(w.as.engineeringHead)];
    const results = await Promise.all([
      postForm(t.app, w.as.priya, '/leave/cancel', { _csrf: priyaToken, applicationId: id }, JSON_ACCEPT),
      postForm(t.app, w.as.engineeringHead, `/leave/approvals/${id}`, { _csrf: headToken, decision: 'approve' }, JSON_ACCEPT),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([303, 409]);
    const [row] = await applicationsOf(w.priya.id);
    expect((await auditOf(id)).map((a) => a.action)).toEqual(['leave.applied', row!.status === 'approved' ? 'leave.approved' : 'leave.cancelled']);
  });
  it('shows what people typed as text, never as markup, on the employee’s and the approver’s pages', async () => {
    const w = await world();
    const id = await apply(w, w.as.priya, w.priya.id, { leaveType: 'CL', from: '2026-05-06', to: '2026-05-06', reason: '<img src=x onerror=alert(1)>' });
    for (const page of [await getPage(t.app, w.as.priya, '/leave'), await getPage(t.app, w.as.hr, '/leave/approvals')]) {
      expect(page.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(page.body).not.toContain('<img src=x');
    }
    // The approver's form posts back to this application, with the decision on its buttons.
    const queue = (await getPage(t.app, w.as.engineeringHead, '/leave/approvals')).body;
    expect(queue).toContain(`action="/leave/approvals/${id}"`);
    expect(queue).toContain('name="decision" value="reject"');
    expect(queue).toContain('Priya Nair');
  });
});

describe('leave: refusals name the field and change nothing', () => {
  it('refuses overlap, over balance, reversed dates, misplaced halves, unknown types and bad dates', async () => {
    const w = await world();
    await apply(w, w.as.priya, w.priya.id, { leaveType: 'CL', from: '2026-05-06', to: '2026-05-06' });
    const before = await snapshot();
    const refused = async (fields: Record<string, string>) => {
      const res = await post(w.as.priya, '/leave', fields);
      expect(res.statusCode, JSON.stringify(fields)).toBe(400);
      return res.json().problems[0] as { field: string; message: string };
    };
    // Overlap with her own pending leave, of another type.
    expect(await refused({ leaveType: 'SL', from: '2026-05-05', to: '2026-05-06' })).toEqual({
      field: 'from',
      message: 'overlaps your pending CL leave of 2026-05-06 (on 2026-05-06)',
    });
    // CL: 2 credited by 7 May, 1 pending → 1 available; 2 days asked.
    expect(await refused({ leaveType: 'CL', from: '2026-05-07', to: '2026-05-08' })).toEqual({
      field: 'leaveType',
      message: 'Casual leave: 1 day available on 2026-05-07 (carried in 0, credited 2, taken 0, pending 1); this leave needs 2 days',
    });
    expect((await refused({ leaveType: 'CL', from: '2026-05-08', to: '2026-05-07' })).field).toBe('to');
    expect((await refused({ leaveType: 'CL', from: '2026-05-07', to: '2026-05-08', fromHalf: 'first_half' })).field).toBe('fromHalf');
    expect((await refused({ leaveType: 'CL', from: '2026-05-07', to: '2026-05-08', toHalf: 'second_half' })).field).toBe('toHalf');
    expect((await refused({ leaveType: 'CL', from: '2026-05-07', to: '2026-05-07', fromHalf: 'noon' })).field).toBe('fromHalf');
    expect((await refused({ leaveType: 'XL', from: '2026-05-07', to: '2026-05-07' })).field).toBe('leaveType');
    expect(await refused({ leaveType: 'CL', from: '2026-02-30', to: '2026-03-02' })).toEqual({ field: 'from', message: 'from must be a real date YYYY-MM-DD' });
    expect((await refused({ leaveType: 'CL', from: '07/05/2026', to: '2026-05-07' })).field).toBe('from');
    // Before joining; only a Sunday; past the leave year; a field missing; a reason too long.
    expect((await refused({ leaveType: 'LWP', from: '2026-03-31', to: '2026-03-31' })).field).toBe('from');
    expect((await refused({ leaveType: 'LWP', from: '2026-05-10', to: '2026-05-10' })).field).toBe('from');
    expect((await refused({ leaveType: 'LWP', from: '2026-12-31', to: '2027-01-01' })).field).toBe('to');
    expect((await refused({ leaveType: 'CL', from: '2026-05-07' })).field).toBe('to');
    expect((await refused({ leaveType: 'LWP', from: '2026-05-07', to: '2026-05-07', reason: 'x'.repeat(501) })).field).toBe('reason');
    expect(await snapshot()).toEqual(before);
    // The other half of a half day is fine, and so is unpaid leave of any length inside the year.
    await apply(w, w.as.priya, w.priya.id, { leaveType: 'LWP', from: '2026-05-18', to: '2026-05-30' });
    expect((await applicationsOf(w.priya.id)).map((a) => a.days)).toEqual([1, 12]);
  });

  it('approved leave blocks its days; rejection and cancellation give the days and the balance back', async () => {
    const w = await world();
    // CL 2 by 6 May. Both days applied and approved: nothing left, and the dates are taken.
    const approved = await apply(w, w.as.priya, w.priya.id, { leaveType: 'CL', from: '2026-05-06', to: '2026-05-07' });
    expect((await post(w.as.hr, `/leave/approvals/${approved}`, { decision: 'approve' })).statusCode).toBe(303);
    const overlap = await post(w.as.priya, '/leave', { leaveType: 'LWP', from: '2026-05-07', to: '2026-05-07', fromHalf: 'second_half' });
    expect(overlap.json().problems[0]).toEqual({ field: 'from', message: 'overlaps your approved CL leave of 2026-05-06 to 2026-05-07 (on 2026-05-07)' });
    expect((await post(w.as.priya, '/leave', { leaveType: 'CL', from: '2026-05-08', to: '2026-05-08' })).json().problems[0].field).toBe('leaveType');
    // SL 9: 5 days pending, then rejected; the same 5 days again, cancelled; then 9 days fit.
    const first = await apply(w, w.as.priya, w.priya.id, { leaveType: 'SL', from: '2026-05-11', to: '2026-05-15' });
    expect((await post(w.as.priya, '/leave', { leaveType: 'SL', from: '2026-05-18', to: '2026-05-22' })).json().problems[0].field).toBe('leaveType');
    expect((await post(w.as.engineeringHead, `/leave/approvals/${first}`, { decision: 'reject', note: 'Audit week' })).statusCode).toBe(303);
    const second = await apply(w, w.as.priya, w.priya.id, { leaveType: 'SL', from: '2026-05-11', to: '2026-05-15' });
    expect((await post(w.as.priya, '/leave/cancel', { applicationId: second })).statusCode).toBe(303);
    await apply(w, w.as.priya, w.priya.id, { leaveType: 'SL', from: '2026-05-11', to: '2026-05-20' }); // Mon 11 – Wed 20, Sunday 17 off: 9 days
    expect((await applicationsOf(w.priya.id)).map((a) => [a.status, a.days])).toEqual([
      ['approved', 2],
      ['rejected', 5],
      ['cancelled', 5],
      ['pending', 9],
    ]);
  });

  it('refuses leave after the last day of employment', async () => {
    const w = await world();
    const leaver = await employee(t.app, w.acme.id, { dateOfJoining: '2024-01-01', dateOfLeaving: '2026-05-08' });
    const jar = await sessionFor(t.app, (await user(db(), w.acme.id, { role: 'employee', employeeId: leaver.id })).email);
    const res = await post(jar, '/leave', { leaveType: 'CL', from: '2026-05-08', to: '2026-05-11' });
    expect(res.json().problems[0]).toEqual({ field: 'to', message: 'to is after your last day of employment 2026-05-08' });
    expect(await applicationsOf(leaver.id)).toEqual([]);
  });

  it('lets only one of four simultaneous applications spend the last day of balance', async () => {
    const w = await world();
    // Joined 1 May: CL 1 credited for May.
    const joiner = await employee(t.app, w.acme.id, { dateOfJoining: '2026-05-01' });
    const jar = await sessionFor(t.app, (await user(db(), w.acme.id, { role: 'employee', employeeId: joiner.id })).email);
    const token = /name="_csrf" value="([^"]+)"/.exec((await getPage(t.app, jar, '/account')).body)![1]!;
    const results = await Promise.all(
      ['2026-05-05', '2026-05-06', '2026-05-07', '2026-05-08'].map((date) =>
        postForm(t.app, jar, '/leave', { _csrf: token, leaveType: 'CL', from: date, to: date }, JSON_ACCEPT),
      ),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([303, 400, 400, 400]);
    for (const res of results.filter((r) => r.statusCode === 400)) expect(res.json().problems[0].field).toBe('leaveType');
    expect(await applicationsOf(joiner.id)).toHaveLength(1);
  });
});
