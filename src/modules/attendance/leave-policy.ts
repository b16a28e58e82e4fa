import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.js';
import { leavePolicySchema, type LeavePolicy } from './rules/leave.js';
import { leavePolicies } from './schema.js';

/**
 * The leave policy of a company that has saved none, so a new or demo company can apply for leave on day one.
 * An assumption, not a statute for every state (leave is set by each state's Shops and Establishments Act
 * and the company's standing orders; HR changes it on /leave/policy):
 * - EL 15 a year, credited monthly, carry forward up to 30: the Factories Act 1948 s.79 gives one day for every
 *   20 days worked (about 15 a year) and caps what may be carried forward at 30 days.
 * - CL 12 credited monthly and SL 12 at the start of the year, no carry forward: the common pattern of state
 *   Shops and Establishments Acts (e.g. Karnataka's 12 casual and 12 sick days).
 * - LWP, leave without pay: unpaid, no balance, counted as LOP.
 * Calendar leave year, no sandwich rule (the employee-friendly choice; HR may switch it on).
 */
export const DEFAULT_LEAVE_POLICY: LeavePolicy = leavePolicySchema.parse({
  leaveYear: 'calendar',
  sandwich: false,
  types: [
    { code: 'CL', name: 'Casual leave', kind: 'casual', yearlyQuota: 12, credit: 'monthly', carryForwardCap: 0 },
    { code: 'SL', name: 'Sick leave', kind: 'sick', yearlyQuota: 12, credit: 'year_start', carryForwardCap: 0 },
    { code: 'EL', name: 'Earned leave', kind: 'earned', yearlyQuota: 15, credit: 'monthly', carryForwardCap: 30 },
    { code: 'LWP', name: 'Leave without pay', kind: 'unpaid' },
  ],
});

/**
 * The company's leave policy: the saved one, or the default. `lock: 'update'` (HR editing) or `'share'`
 * (an application being checked against it) holds the row, or the gap where it would be, until the
 * transaction ends: a type renamed under an application in flight waits for it, and sees its code in use.
 */
export async function leavePolicyOf(db: Db, tenantId: string, lock?: 'update' | 'share'): Promise<LeavePolicy> {
  const stored = lock === 'share' ? await sharedRow(db, tenantId) : await row(db, tenantId, lock);
  // A stored policy that no longer parses is a bug to see (500), not a reason to fall back silently.
  return stored ? leavePolicySchema.parse(JSON.parse(stored)) : DEFAULT_LEAVE_POLICY;
}

async function row(db: Db, tenantId: string, lock?: 'update'): Promise<string | undefined> {
  const query = db.select({ policy: leavePolicies.policy }).from(leavePolicies).where(eq(leavePolicies.tenantId, tenantId));
  return (lock ? await query.for('update') : await query)[0]?.policy;
}

/** drizzle writes `FOR SHARE`, which MariaDB 10 does not know; `LOCK IN SHARE MODE` works on MariaDB and MySQL 8. */
async function sharedRow(db: Db, tenantId: string): Promise<string | undefined> {
  const [rows] = (await db.execute(
    sql`SELECT ${leavePolicies.policy} AS policy FROM ${leavePolicies} WHERE ${leavePolicies.tenantId} = ${tenantId} LOCK IN SHARE MODE`,
  )) as unknown as [{ policy: string }[]];
  return rows[0]?.policy;
}

/** Stores `policy` unless the company has one already (autocommit, before the edit's transaction locks the row). */
export async function ensureLeavePolicyRow(db: Db, tenantId: string, policy: LeavePolicy, at: Date): Promise<void> {
  await db
    .insert(leavePolicies)
    .ignore()
    .values({ tenantId, policy: JSON.stringify(policy), updatedAt: at });
}

export async function saveLeavePolicy(db: Db, tenantId: string, policy: LeavePolicy, at: Date): Promise<void> {
  const json = JSON.stringify(leavePolicySchema.parse(policy));
  await db
    .insert(leavePolicies)
    .values({ tenantId, policy: json, updatedAt: at })
    .onDuplicateKeyUpdate({ set: { policy: sql`VALUES(${leavePolicies.policy})`, updatedAt: sql`VALUES(${leavePolicies.updatedAt})` } });
}
