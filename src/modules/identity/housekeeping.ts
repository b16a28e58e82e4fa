import { and, isNotNull, lt, or } from 'drizzle-orm';
import { affectedRows, type Db } from '../../platform/db/client.js';
import type { JobHandler } from '../../platform/jobs/index.js';
import { alertWindows, ipBlocks, loginFailures, passwordTokens, requestCounts, sessions } from './schema.js';
import { LOGIN_LIMITS, REQUEST_LIMITS } from './throttle.js';

/** How long rows stay after they stop mattering (ended sessions are kept a while for support questions). */
export const RETENTION = {
  endedSessionsMs: 30 * 24 * 3600_000,
  loginFailuresMs: 2 * LOGIN_LIMITS.accountWindowMs,
  alertWindowsMs: 24 * 3600_000,
  passwordTokensMs: 7 * 24 * 3600_000,
  ipBlocksMs: 7 * 24 * 3600_000,
  requestCountsMs: 2 * Math.max(...Object.values(REQUEST_LIMITS).map((limit) => limit.windowMs)),
} as const;

/**
 * Deletes identity rows no rule reads any more, so the tables every sign-in queries stay small.
 * Idempotent: any number of instances may run it at any time.
 */
export async function purgeIdentityRows(db: Db, now: Date): Promise<Record<string, number>> {
  const before = (ms: number) => new Date(now.getTime() - ms);
  return {
    sessions: affectedRows(
      await db
        .delete(sessions)
        .where(
          or(
            lt(sessions.expiresAt, before(RETENTION.endedSessionsMs)),
            and(isNotNull(sessions.revokedAt), lt(sessions.revokedAt, before(RETENTION.endedSessionsMs))),
          ),
        ),
    ),
    loginFailures: affectedRows(await db.delete(loginFailures).where(lt(loginFailures.at, before(RETENTION.loginFailuresMs)))),
    alertWindows: affectedRows(await db.delete(alertWindows).where(lt(alertWindows.createdAt, before(RETENTION.alertWindowsMs)))),
    passwordTokens: affectedRows(await db.delete(passwordTokens).where(lt(passwordTokens.expiresAt, before(RETENTION.passwordTokensMs)))),
    ipBlocks: affectedRows(await db.delete(ipBlocks).where(lt(ipBlocks.blockedUntil, before(RETENTION.ipBlocksMs)))),
    requestCounts: affectedRows(await db.delete(requestCounts).where(lt(requestCounts.at, before(RETENTION.requestCountsMs)))),
  };
}

export const IDENTITY_HOUSEKEEPING = 'identity.housekeeping';

/**
 * The hourly job (app.ts makes it recurring: once an hour across all instances). No steps: the
 * deletes are idempotent, so a run repeated after a crash is harmless, and each stays its own short
 * statement, so sign-ins never wait behind one long transaction.
 */
export function identityHousekeeping(db: Db): JobHandler<unknown, unknown, Record<string, number>> {
  return async (job) => purgeIdentityRows(db, job.now());
}
