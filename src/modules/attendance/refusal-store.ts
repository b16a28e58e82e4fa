import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.js';
import { kioskNearMisses, kioskRejections } from './schema.js';

/** The counters refusals leave (kiosk.md: nothing else is recorded on a rejection). */

/**
 * Counts one refusal; returns this window's total of the codes in `burstCodes` for the kiosk, or 0 without
 * reading when `code` is not one of them (its count cannot make a burst).
 */
export async function countRejection(
  db: Db,
  tenantId: string,
  kioskId: string,
  code: string,
  windowStart: number,
  burstCodes: readonly string[],
): Promise<number> {
  await db
    .insert(kioskRejections)
    .values({ tenantId, kioskId, code, windowStart, count: 1 })
    .onDuplicateKeyUpdate({ set: { count: sql`${kioskRejections.count} + 1` } });
  if (!burstCodes.includes(code)) return 0;
  const [row] = await db
    .select({ n: sql<number>`coalesce(sum(${kioskRejections.count}), 0)` })
    .from(kioskRejections)
    .where(and(eq(kioskRejections.kioskId, kioskId), eq(kioskRejections.windowStart, windowStart), inArray(kioskRejections.code, [...burstCodes])));
  return Number(row?.n ?? 0);
}

/** Counts one near miss of the kiosk on that IST day, in its distance bucket (nothing about who). */
export async function countNearMiss(db: Db, tenantId: string, kioskId: string, istDay: string, bucket: number): Promise<void> {
  await db
    .insert(kioskNearMisses)
    .values({ tenantId, kioskId, istDay, bucket, count: 1 })
    .onDuplicateKeyUpdate({ set: { count: sql`${kioskNearMisses.count} + 1` } });
}

/** The company's near-miss counts per kiosk and bucket since `fromDay` (IST). */
export async function nearMissesSince(db: Db, tenantId: string, fromDay: string) {
  return db
    .select({ kioskId: kioskNearMisses.kioskId, bucket: kioskNearMisses.bucket, count: sql<number>`sum(${kioskNearMisses.count})` })
    .from(kioskNearMisses)
    .where(and(eq(kioskNearMisses.tenantId, tenantId), gte(kioskNearMisses.istDay, fromDay)))
    .groupBy(kioskNearMisses.kioskId, kioskNearMisses.bucket);
}

export async function rejectionsOf(db: Db, tenantId: string, kioskId: string) {
  return db
    .select()
    .from(kioskRejections)
    .where(and(eq(kioskRejections.tenantId, tenantId), eq(kioskRejections.kioskId, kioskId)));
}
