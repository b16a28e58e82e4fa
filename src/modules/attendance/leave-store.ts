import { and, asc, desc, eq, gte, inArray, lte, ne } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.js';
import { affectedRows } from '../../platform/db/client.js';
import type { IsoDate } from '../../platform/clock/index.js';
import type { RowScope } from '../access/index.js';
import { employees, employeesInScopeWhere } from '../people/index.js';
import type { LeaveMark } from './rules/days.js';
import { leaveMarks, type LeaveApplication, type LeaveStatus } from './rules/leave.js';
import { leaveApplications, type LeaveApplicationRow } from './schema.js';
import { leavePolicyOf } from './leave-policy.js';
import { shiftRulesOf } from './shift-store.js';

/** Past this many employee ids a query reads the company's rows and skips the others: a long IN list costs more. */
export const MAX_IN_LIST = 500;

/** A stored application as the pure rules read it. */
export function asLeaveApplication(row: LeaveApplicationRow): LeaveApplication {
  return { leaveType: row.leaveType, from: row.fromDate, to: row.toDate, fromHalf: row.fromHalf, toHalf: row.toHalf, status: row.status, days: row.days };
}

/**
 * Approved leave of these employees as day marks (`rules/leave.ts` `leaveMarks`) on dates in [from, to]:
 * off days from the company's shift rules as they are now (a holiday declared later is a holiday, not leave),
 * paid or unpaid from the policy's leave type (fixed once applications name it), and the sandwich rule as each
 * application was counted under.
 */
export async function approvedLeaveMarks(
  db: Db,
  tenantId: string,
  employeeIds: readonly string[],
  from: IsoDate,
  to: IsoDate,
): Promise<Map<string, LeaveMark[]>> {
  const byEmployee = new Map<string, LeaveMark[]>();
  if (employeeIds.length === 0) return byEmployee;
  // A month grid asks for a whole company: past a few hundred ids the IN list costs more than filtering here.
  const wanted = employeeIds.length > MAX_IN_LIST ? new Set(employeeIds) : null;
  const rows = (
    await db
      .select()
      .from(leaveApplications)
      .where(
        and(
          eq(leaveApplications.tenantId, tenantId),
          eq(leaveApplications.status, 'approved'),
          gte(leaveApplications.toDate, from),
          lte(leaveApplications.fromDate, to),
          wanted ? undefined : inArray(leaveApplications.employeeId, [...employeeIds]),
        ),
      )
  ).filter((row) => !wanted || wanted.has(row.employeeId));
  if (rows.length === 0) return byEmployee;
  const [rules, policy] = await Promise.all([shiftRulesOf(db, tenantId), leavePolicyOf(db, tenantId)]);
  for (const row of rows) {
    // The sandwich rule as it was when the application was counted (see the column), not as it is now.
    const marks = leaveMarks([asLeaveApplication(row)], rules, { ...policy, sandwich: row.sandwich }).filter((mark) => mark.date >= from && mark.date <= to);
    byEmployee.set(row.employeeId, [...(byEmployee.get(row.employeeId) ?? []), ...marks]);
  }
  return byEmployee;
}

/**
 * The employee's row, locked until the transaction ends: applications of one employee are checked and written
 * one at a time, so two sent at once cannot both pass the balance (or overlap) check.
 */
export async function lockEmployee(tx: Db, tenantId: string, employeeId: string) {
  const [row] = await tx
    .select({ id: employees.id, dateOfJoining: employees.dateOfJoining, dateOfLeaving: employees.dateOfLeaving })
    .from(employees)
    .where(and(eq(employees.tenantId, tenantId), eq(employees.id, employeeId)))
    .for('update');
  return row;
}

/** When the employee's employment starts and ends, as the leave rules read it. */
export async function employmentOf(db: Db, tenantId: string, employeeId: string) {
  const [row] = await db
    .select({ joinedOn: employees.dateOfJoining, leftOn: employees.dateOfLeaving })
    .from(employees)
    .where(and(eq(employees.tenantId, tenantId), eq(employees.id, employeeId)));
  return row;
}

/** An employee's applications, newest first. */
export async function applicationsOf(db: Db, tenantId: string, employeeId: string): Promise<LeaveApplicationRow[]> {
  return db
    .select()
    .from(leaveApplications)
    .where(and(eq(leaveApplications.tenantId, tenantId), eq(leaveApplications.employeeId, employeeId)))
    .orderBy(desc(leaveApplications.fromDate), desc(leaveApplications.createdAt));
}

export async function insertApplication(tx: Db, tenantId: string, row: Omit<typeof leaveApplications.$inferInsert, 'tenantId'>): Promise<void> {
  await tx.insert(leaveApplications).values({ ...row, tenantId });
}

const withEmployee = {
  application: leaveApplications,
  employee: { code: employees.code, fullName: employees.fullName, departmentId: employees.departmentId },
};

/** One application whose employee is in the caller's row scope (another company's, or one outside the scope, is simply not there). */
export async function findApplicationInScope(db: Db, tenantId: string, scope: RowScope, applicationId: string) {
  const [row] = await db
    .select(withEmployee)
    .from(leaveApplications)
    .innerJoin(employees, eq(employees.id, leaveApplications.employeeId))
    .where(and(eq(leaveApplications.tenantId, tenantId), eq(leaveApplications.id, applicationId), employeesInScopeWhere(tenantId, scope)));
  return row;
}

/** Pending applications of the employees in scope, but never the approver's own, oldest first. */
export async function pendingInScope(db: Db, tenantId: string, scope: RowScope, ownEmployeeId: string | null) {
  const conditions = [eq(leaveApplications.tenantId, tenantId), eq(leaveApplications.status, 'pending'), employeesInScopeWhere(tenantId, scope)];
  if (ownEmployeeId) conditions.push(ne(leaveApplications.employeeId, ownEmployeeId));
  return db
    .select(withEmployee)
    .from(leaveApplications)
    .innerJoin(employees, eq(employees.id, leaveApplications.employeeId))
    .where(and(...conditions))
    .orderBy(asc(leaveApplications.fromDate), asc(leaveApplications.createdAt));
}

/**
 * Moves a pending application to its outcome; false when it is no longer pending. The UPDATE is the arbiter:
 * of two deciders at once the second waits for the first's row lock, then finds the status changed.
 */
export async function settleApplication(
  tx: Db,
  tenantId: string,
  applicationId: string,
  outcome: { status: Exclude<LeaveStatus, 'pending'>; decidedBy: string; decidedAt: Date; decisionNote: string | null },
): Promise<boolean> {
  const result = await tx
    .update(leaveApplications)
    .set(outcome)
    .where(and(eq(leaveApplications.tenantId, tenantId), eq(leaveApplications.id, applicationId), eq(leaveApplications.status, 'pending')));
  return affectedRows(result) === 1;
}

/** Whether any application, whatever its status, names this leave type: such a code cannot change or go. */
export async function leaveTypeInUse(db: Db, tenantId: string, code: string): Promise<boolean> {
  const rows = await db
    .select({ id: leaveApplications.id })
    .from(leaveApplications)
    .where(and(eq(leaveApplications.tenantId, tenantId), eq(leaveApplications.leaveType, code)))
    .limit(1);
  return rows.length > 0;
}
