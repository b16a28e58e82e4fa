import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { useTestApp } from '../support/app.js';
import { sessionFor, type Browserish } from '../support/auth.js';
import { testClock } from '../support/clock.js';
import { postAs, selectRows } from '../support/forms.js';
import { company, department, employee, user, type FactoryEmployee } from '../support/factories.js';
import { dayRecordsOf, monthSummariesOf } from '../../src/modules/attendance/index.js';

/**
 * Approved leave reaches the month summary payroll reads (month.ts → leave-store.ts `approvedLeaveMarks`):
 * paid leave marks days on_leave, unpaid leave is LOP, pending and rejected leave are absence.
 * Default shift rules: Sundays off (May 2026: 3, 10, 17, 24, 31). Tuesday 2 June 2026 10:00 IST: May is closed.
 */
const clock = testClock(new Date('2026-06-02T04:30:00Z'));
const t = useTestApp({ adapters: () => ({ clock }) });
const db = () => t.app.database.db;
const staffOf = (e: FactoryEmployee) => ({ id: e.id, dateOfJoining: e.dateOfJoining, dateOfLeaving: null });

async function applyAndDecide(
  applicant: Browserish,
  approver: Browserish,
  employeeId: string,
  fields: Record<string, string>,
  decision?: 'approve' | 'reject',
) {
  expect((await postAs(t.app, applicant, '/leave', fields)).statusCode).toBe(303);
  const [row] = await selectRows<{ id: string }>(
    t.app,
    sql`SELECT id FROM leave_applications WHERE employee_id = ${employeeId} ORDER BY created_at DESC, id DESC LIMIT 1`,
  );
  if (decision) expect((await postAs(t.app, approver, `/leave/approvals/${row!.id}`, { decision, note: 'Noted' })).statusCode).toBe(303);
  return row!.id;
}

describe('leave in the month summary', () => {
  it('marks approved paid leave on_leave, counts approved unpaid leave as LOP, and ignores pending and rejected leave', async () => {
    const acme = await company(db());
    const engineering = await department(db(), acme.id);
    const hr = await sessionFor(t.app, (await user(db(), acme.id, { role: 'hr_admin' })).email);
    const meera = await employee(t.app, acme.id, { departmentId: engineering.id, dateOfJoining: '2024-01-01' });
    const control = await employee(t.app, acme.id, { departmentId: engineering.id, dateOfJoining: '2024-01-01' });
    const me = await sessionFor(t.app, (await user(db(), acme.id, { role: 'employee', employeeId: meera.id })).email);

    await applyAndDecide(me, hr, meera.id, { leaveType: 'CL', from: '2026-05-06', to: '2026-05-06' }, 'approve'); // Wed: paid
    await applyAndDecide(me, hr, meera.id, { leaveType: 'LWP', from: '2026-05-07', to: '2026-05-08' }, 'approve'); // Thu–Fri: unpaid
    await applyAndDecide(me, hr, meera.id, { leaveType: 'SL', from: '2026-05-11', to: '2026-05-11' }); // Mon: still pending
    await applyAndDecide(me, hr, meera.id, { leaveType: 'CL', from: '2026-05-12', to: '2026-05-12' }, 'reject'); // Tue: rejected
    await applyAndDecide(me, hr, meera.id, { leaveType: 'CL', from: '2026-05-15', to: '2026-05-15', fromHalf: 'first_half' }, 'approve'); // Fri morning
    // Fri 29 May to Tue 2 June: May holds Fri 29 and Sat 30 (Sunday 31 is off, no sandwich rule by default).
    await applyAndDecide(me, hr, meera.id, { leaveType: 'EL', from: '2026-05-29', to: '2026-06-02' }, 'approve');

    const summaries = await monthSummariesOf(db(), acme.id, [staffOf(meera), staffOf(control)], '2026-05', clock.now());
    const may = summaries.get(meera.id)!;
    const status = (date: string) => may.days.find((d) => d.date === date)!;
    expect(status('2026-05-06')).toMatchObject({ status: 'on_leave', units: { paidLeave: 1 } });
    expect(status('2026-05-07')).toMatchObject({ status: 'on_leave', units: { unpaidLeave: 1 } });
    expect(status('2026-05-08')).toMatchObject({ status: 'on_leave', units: { unpaidLeave: 1 } });
    expect(status('2026-05-11').status).toBe('absent');
    expect(status('2026-05-12').status).toBe('absent');
    expect(status('2026-05-15')).toMatchObject({ leavePortion: 'first_half', units: { paidLeave: 0.5, absent: 0.5 } });
    expect(status('2026-05-30')).toMatchObject({ status: 'on_leave', units: { paidLeave: 1 } });
    expect(status('2026-05-31').status).toBe('weekly_off');
    // 26 working days, no punches: paid 1 + 0.5 + 2 = 3.5, unpaid 2, the other 20.5 absent; LOP = 2 + 20.5.
    expect(may.totals).toMatchObject({ weeklyOffs: 5, paidLeave: 3.5, unpaidLeave: 2, absent: 20.5, lopDays: 22.5 });
    // Without any leave every working day is LOP: the approved paid leave is what saved 3.5 days.
    expect(summaries.get(control.id)!.totals).toMatchObject({ paidLeave: 0, unpaidLeave: 0, lopDays: 26 });
    // A whole company's grid (past the IN-list limit) reads the same marks.
    const strangers = Array.from({ length: 600 }, (_, i) => ({
      id: `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
      dateOfJoining: '2024-01-01',
      dateOfLeaving: null,
    }));
    const grid = await monthSummariesOf(db(), acme.id, [...strangers, staffOf(meera)], '2026-05', clock.now());
    expect(grid.get(meera.id)!.totals).toEqual(may.totals);
    expect(grid.get(strangers[0]!.id)!.totals.paidLeave).toBe(0);
    // June: 1 and 2 June are leave too; the day view reads the same marks.
    const june = await dayRecordsOf(db(), acme.id, [staffOf(meera)], '2026-06-02');
    expect(june.get(meera.id)).toMatchObject({ status: 'on_leave', leavePortion: 'full' });
  });

  it('charges a weekend between two leave days as leave once HR turns the sandwich rule on', async () => {
    const acme = await company(db());
    const hr = await sessionFor(t.app, (await user(db(), acme.id, { role: 'hr_admin' })).email);
    const ravi = await employee(t.app, acme.id, { dateOfJoining: '2024-01-01' });
    const me = await sessionFor(t.app, (await user(db(), acme.id, { role: 'employee', employeeId: ravi.id })).email);
    // Sat 16 – Mon 18 May without the rule: Saturday and Monday, 2 days; Sunday 17 stays a weekly off.
    await applyAndDecide(me, hr, ravi.id, { leaveType: 'CL', from: '2026-05-16', to: '2026-05-18' }, 'approve');
    let may = (await monthSummariesOf(db(), acme.id, [staffOf(ravi)], '2026-05', clock.now())).get(ravi.id)!;
    expect(may.days.find((d) => d.date === '2026-05-17')!.status).toBe('weekly_off');
    expect(may.totals.paidLeave).toBe(2);

    expect((await postAs(t.app, hr, '/leave/policy', { leaveYear: 'calendar', sandwich: 'on' })).statusCode).toBe(303);
    // Sat 23 – Mon 25 May under the rule counts 3 days, Sunday 24 charged as leave.
    await applyAndDecide(me, hr, ravi.id, { leaveType: 'CL', from: '2026-05-23', to: '2026-05-25' }, 'approve');
    const [row] = await selectRows<{ days: number }>(
      t.app,
      sql`SELECT days FROM leave_applications WHERE employee_id = ${ravi.id} AND from_date = '2026-05-23'`,
    );
    expect(row!.days).toBe(3);
    may = (await monthSummariesOf(db(), acme.id, [staffOf(ravi)], '2026-05', clock.now())).get(ravi.id)!;
    expect(may.days.find((d) => d.date === '2026-05-24')!.status).toBe('on_leave');
    // The earlier leave keeps the rule it was counted under: 2 days charged, so 2 days of leave, Sunday 17 off.
    expect(may.days.find((d) => d.date === '2026-05-17')!.status).toBe('weekly_off');
    expect(may.totals).toMatchObject({ paidLeave: 5, weeklyOffs: 4 });
  });

  it('keeps one company’s leave out of another’s month', async () => {
    const acme = await company(db());
    const globex = await company(db());
    const hr = await sessionFor(t.app, (await user(db(), acme.id, { role: 'hr_admin' })).email);
    const asha = await employee(t.app, acme.id, { dateOfJoining: '2024-01-01' });
    const me = await sessionFor(t.app, (await user(db(), acme.id, { role: 'employee', employeeId: asha.id })).email);
    await applyAndDecide(me, hr, asha.id, { leaveType: 'CL', from: '2026-05-06', to: '2026-05-06' }, 'approve');
    // Asked with the wrong tenant, the same employee id carries no leave.
    const wrong = (await monthSummariesOf(db(), globex.id, [staffOf(asha)], '2026-05', clock.now())).get(asha.id)!;
    expect(wrong.totals.paidLeave).toBe(0);
  });
});
