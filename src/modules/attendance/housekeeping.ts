import { lt } from 'drizzle-orm';
import { affectedRows, type Db } from '../../platform/db/client.js';
import type { JobHandler } from '../../platform/jobs/index.js';
import { istDay } from '../../platform/clock/index.js';
import { enrolmentTickets, kioskNearMisses, kioskNonces, kioskRejections } from './schema.js';
import { KIOSK_LIMITS } from './kiosk-rules.js';
import type { Attendance } from './service.js';

/** How long kiosk rows stay after they stop mattering. Refusal counts stay a while for HR and support to read. */
export const KIOSK_RETENTION = {
  expiredNoncesMs: 3600_000,
  expiredTicketsMs: 7 * 24 * 3600_000,
  rejectionCountsMs: 90 * 24 * 3600_000,
} as const;

/** Deletes nonces, enrolment tickets and refusal counts no rule reads any more. Idempotent. */
export async function purgeKioskRows(db: Db, now: Date): Promise<Record<string, number>> {
  const before = (ms: number) => new Date(now.getTime() - ms);
  return {
    nonces: affectedRows(await db.delete(kioskNonces).where(lt(kioskNonces.expiresAt, before(KIOSK_RETENTION.expiredNoncesMs)))),
    enrolmentTickets: affectedRows(await db.delete(enrolmentTickets).where(lt(enrolmentTickets.expiresAt, before(KIOSK_RETENTION.expiredTicketsMs)))),
    // kiosk_rejections.window_start counts burst windows since the epoch (recognition.ts, countRefusal).
    rejectionCounts: affectedRows(
      await db
        .delete(kioskRejections)
        .where(lt(kioskRejections.windowStart, Math.floor(before(KIOSK_RETENTION.rejectionCountsMs).getTime() / KIOSK_LIMITS.burstWindowMs))),
    ),
    // Near misses are refusal counts too, kept as long.
    nearMissCounts: affectedRows(await db.delete(kioskNearMisses).where(lt(kioskNearMisses.istDay, istDay(before(KIOSK_RETENTION.rejectionCountsMs))))),
  };
}

export const ATTENDANCE_HOUSEKEEPING = 'attendance.housekeeping';

/** The hourly job (app.ts makes it recurring across all instances): old rows, and the faces of those who have left. */
export function attendanceHousekeeping(db: Db, attendance: Attendance): JobHandler<unknown, unknown, Record<string, number>> {
  return async (job) => ({ ...(await purgeKioskRows(db, job.now())), leaversFacesDeleted: await attendance.deleteLeaversFaces(job.id, job.now()) });
}
