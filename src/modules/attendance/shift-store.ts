import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.js';
import { parseShiftRules, type ShiftRules } from './rules/shift.js';
import { shiftSettings } from './schema.js';

/**
 * A company's shift rules before HR has set any: 09:30–18:30, 15 minutes' grace, 4 h a half day, 8 h a full
 * day, Sundays off.
 */
export const DEFAULT_SHIFT_RULES: ShiftRules = parseShiftRules({
  start: '09:30',
  end: '18:30',
  graceMinutes: 15,
  halfDayHours: 4,
  fullDayHours: 8,
  weeklyOffs: [0],
});

/**
 * The company's shift rules; the defaults until HR saves some. Parsed again on the way out: the document was
 * valid when written, and reading it through the same schema keeps an old or hand-edited row from reaching
 * `rules/days.ts` unchecked (it fails loudly instead of miscounting a month).
 */
export async function shiftRulesOf(db: Db, tenantId: string): Promise<ShiftRules> {
  const [row] = await db.select({ rules: shiftSettings.rules }).from(shiftSettings).where(eq(shiftSettings.tenantId, tenantId));
  return row ? parseShiftRules(JSON.parse(row.rules)) : DEFAULT_SHIFT_RULES;
}

/**
 * The rules, locked until `tx` ends, so two HR edits (say two holidays added at once) apply one after the
 * other instead of the second overwriting the first. The lock comes from an upsert that changes nothing:
 * InnoDB takes an exclusive lock on the row it inserts or finds, so the first statement already holds the row
 * exclusively. (A plain INSERT IGNORE would take a shared lock on an existing row, and two edits both holding
 * one would deadlock when each then asks for the exclusive lock.)
 */
export async function lockShiftRules(tx: Db, tenantId: string, at: Date): Promise<ShiftRules> {
  await tx
    .insert(shiftSettings)
    .values({ tenantId, rules: JSON.stringify(DEFAULT_SHIFT_RULES), updatedAt: at })
    .onDuplicateKeyUpdate({ set: { tenantId: sql`${shiftSettings.tenantId}` } });
  const [row] = await tx.select({ rules: shiftSettings.rules }).from(shiftSettings).where(eq(shiftSettings.tenantId, tenantId)).for('update');
  return parseShiftRules(JSON.parse(row!.rules));
}

/** Stores rules already validated by `parseShiftRules`. */
export async function saveShiftRules(tx: Db, tenantId: string, rules: ShiftRules, at: Date): Promise<void> {
  await tx
    .insert(shiftSettings)
    .values({ tenantId, rules: JSON.stringify(rules), updatedAt: at })
    .onDuplicateKeyUpdate({ set: { rules: JSON.stringify(rules), updatedAt: at } });
}
