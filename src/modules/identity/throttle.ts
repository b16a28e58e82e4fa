import type { Clock } from '../../platform/clock/index.js';
import { and, count, eq, gt, isNull, max, sql } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import type { Db } from '../../platform/db/client.js';
import type { Alerter } from '../../platform/observability/alert.js';
import { TooManyRequests } from '../../platform/errors.js';
import { alertWindows, ipBlocks, loginFailures, requestCounts } from './schema.js';
import { normaliseEmail } from './store.js';
import { verifyToken, type TokenKeys } from './tokens.js';

/**
 * True for the first caller in this window on any instance (the primary key decides): an alert raised
 * once per window however many requests cross its limit. Shared with the kiosk's refusal-burst alert.
 */
export async function firstAlertInWindow(db: Db, kind: string, subject: string, windowMs: number, at: Date): Promise<boolean> {
  const windowStart = Math.floor(at.getTime() / windowMs);
  const [result] = await db.insert(alertWindows).ignore().values({ kind, subject, windowStart });
  return (result as { affectedRows: number }).affectedRows === 1;
}

/**
 * Login protection, kept in the database so every app instance shares it (security.md,
 * "Passwords and login"). Numbers are the public promise.
 */
export const LOGIN_LIMITS = {
  ipAlertFailures: 5,
  ipAlertWindowMs: 10 * 60_000,
  ipBlockFailures: 20,
  ipBlockWindowMs: 60 * 60_000,
  ipBlockMs: 60 * 60_000,
  accountFailures: 10,
  accountWindowMs: 60 * 60_000,
  /** After the account limit, one attempt per this delay: slows stuffing without locking the owner out. */
  accountDelayMs: 60_000,
} as const;

const GENERIC_429 = 'Too many sign-in attempts. Please wait and try again later.';

/** A hash of the submitted email: the same for real and unknown accounts, so counting reveals nothing. */
export function accountKeyFor(email: string): string {
  return createHash('sha256')
    .update(`login:${normaliseEmail(email)}`)
    .digest('hex');
}

/** A hash of a device cookie: the browser it was given to, told apart from every other browser of the account. */
export function deviceKeyFor(deviceToken: string): string {
  return createHash('sha256').update(`device:${deviceToken}`).digest('hex');
}

/**
 * The known device behind a device cookie, only when the cookie is valid and was given for this account:
 * the one check used wherever a device cookie exempts a browser (sign-in, its second step, password reset).
 */
export async function knownDevice(keys: TokenKeys, deviceToken: string | undefined, accountKey: string, at: Date): Promise<string | undefined> {
  const device = await verifyToken(keys, 'device', deviceToken, [], at);
  return device?.sub === accountKey && deviceToken ? deviceKeyFor(deviceToken) : undefined;
}

/**
 * `device` is the key of the account's own device cookie when the browser showed a valid one: a browser
 * that has signed in as this account before.
 */
export interface LoginGuard {
  /** Throws TooManyRequests when this IP is blocked (unless the browser is a known device) or the account (or the known device) is cooling down. */
  checkAllowed(input: { ip: string; accountKey: string; device?: string }): Promise<void>;
  recordFailure(input: { ip: string; accountKey: string; device?: string; onAccountLimit?: () => Promise<void> }): Promise<void>;
}

export function createLoginGuard(deps: { db: Db; alert: Alerter; clock: Clock }): LoginGuard {
  const { db, alert } = deps;
  const now = () => deps.clock.now();

  async function failuresSince(column: 'ip' | 'accountKey', value: string, since: Date, device?: string) {
    const [row] = await db
      .select({ n: count(), last: max(loginFailures.at) })
      .from(loginFailures)
      .where(and(eq(loginFailures[column], value), gt(loginFailures.at, since), device ? eq(loginFailures.deviceKey, device) : undefined));
    return { n: Number(row?.n ?? 0), last: row?.last ? new Date(row.last as unknown as string | Date) : undefined };
  }

  const firstInWindow = (kind: string, subject: string, windowMs: number) => firstAlertInWindow(db, kind, subject, windowMs, now());

  return {
    async checkAllowed({ ip, accountKey, device }) {
      const at = now();
      if (!device) await refuseBlockedIp(db, ip, at);
      // A known device waits only for its own failures, with the same limits: otherwise an attacker's wrong
      // guess a minute from anywhere keeps the owner out even with the right password on their own laptop,
      // while a stolen laptop still gets no more guesses than anyone else. Its failures also count in the
      // account's total, which holds every other browser and alerts the owner.
      const account = await failuresSince('accountKey', accountKey, new Date(at.getTime() - LOGIN_LIMITS.accountWindowMs), device);
      if (account.n >= LOGIN_LIMITS.accountFailures && account.last && at.getTime() - account.last.getTime() < LOGIN_LIMITS.accountDelayMs) {
        throw new TooManyRequests(GENERIC_429, Math.ceil((LOGIN_LIMITS.accountDelayMs - (at.getTime() - account.last.getTime())) / 1000));
      }
    },

    async recordFailure({ ip, accountKey, device, onAccountLimit }) {
      const at = now();
      await db.insert(loginFailures).values({ ip, accountKey, deviceKey: device ?? null, at });

      const recent = await failuresSince('ip', ip, new Date(at.getTime() - LOGIN_LIMITS.ipAlertWindowMs));
      if (recent.n >= LOGIN_LIMITS.ipAlertFailures && (await firstInWindow('login.failures', ip, LOGIN_LIMITS.ipAlertWindowMs))) {
        alert('login.failures', { ip, failures: recent.n, windowMinutes: LOGIN_LIMITS.ipAlertWindowMs / 60_000 });
      }

      // A block that staff lifted starts the count afresh: the failures before it were judged already.
      const [previous] = await db.select({ liftedAt: ipBlocks.liftedAt }).from(ipBlocks).where(eq(ipBlocks.ip, ip)).limit(1);
      const hourAgo = at.getTime() - LOGIN_LIMITS.ipBlockWindowMs;
      const hour = await failuresSince('ip', ip, new Date(Math.max(hourAgo, previous?.liftedAt?.getTime() ?? 0)));
      if (hour.n >= LOGIN_LIMITS.ipBlockFailures) {
        const blockedUntil = new Date(at.getTime() + LOGIN_LIMITS.ipBlockMs);
        const [result] = await db
          .insert(ipBlocks)
          .values({ ip, blockedUntil, failures: hour.n })
          .onDuplicateKeyUpdate({
            // Only a fresh block (none, expired or lifted) starts a new hour and alerts.
            set: {
              blockedUntil: sql`IF(${ipBlocks.blockedUntil} > ${at} AND ${ipBlocks.liftedAt} IS NULL, ${ipBlocks.blockedUntil}, ${blockedUntil})`,
              failures: hour.n,
              liftedAt: sql`IF(${ipBlocks.blockedUntil} > ${at} AND ${ipBlocks.liftedAt} IS NULL, ${ipBlocks.liftedAt}, NULL)`,
              liftedBy: sql`IF(${ipBlocks.blockedUntil} > ${at} AND ${ipBlocks.liftedAt} IS NULL, ${ipBlocks.liftedBy}, NULL)`,
            },
          });
        const affected = (result as { affectedRows: number }).affectedRows;
        // MySQL reports 1 for an insert, 2 for a changed row, 0 for an unchanged one.
        if (affected === 1 || affected === 2) alert('login.ip_blocked', { ip, failures: hour.n, blockedUntil: blockedUntil.toISOString() });
      }

      const account = await failuresSince('accountKey', accountKey, new Date(at.getTime() - LOGIN_LIMITS.accountWindowMs));
      if (account.n >= LOGIN_LIMITS.accountFailures && (await firstInWindow('login.account', accountKey.slice(0, 64), LOGIN_LIMITS.accountWindowMs))) {
        alert('login.account_failures', { account: accountKey.slice(0, 12), failures: account.n });
        await onAccountLimit?.();
      }
    },
  };
}

/** An IP blocked for failed sign-ins is refused on every page that takes an address (sign-in, password reset). */
export async function refuseBlockedIp(db: Db, ip: string, at: Date): Promise<void> {
  const [block] = await db
    .select()
    .from(ipBlocks)
    .where(and(eq(ipBlocks.ip, ip), gt(ipBlocks.blockedUntil, at), isNull(ipBlocks.liftedAt)))
    .limit(1);
  if (block) throw new TooManyRequests(GENERIC_429, Math.ceil((block.blockedUntil.getTime() - at.getTime()) / 1000));
}

/**
 * Requests that send mail or create a company, limited per IP and per address within a window. They
 * are not failures (a reset asked for twice is not an attack on anyone), so they are counted apart
 * from login failures and never feed the IP block.
 */
export const REQUEST_LIMITS = {
  signUp: { perIp: 10, windowMs: 60 * 60_000 },
  passwordReset: { perIp: 20, perAddress: 3, windowMs: 60 * 60_000 },
  confirmationResend: { perIp: 10, perAddress: 3, windowMs: 60 * 60_000 },
} as const satisfies Record<string, { perIp: number; perAddress?: number; windowMs: number }>;
export type LimitedRequest = keyof typeof REQUEST_LIMITS;

const LIMITED_429 = 'Too many requests from you or for this address. Please wait an hour and try again.';

export interface RequestLimits {
  /** Counts this request against its IP and address; throws TooManyRequests once either has reached its limit. */
  take(action: LimitedRequest, subject: { ip: string; email?: string }): Promise<void>;
}

export function createRequestLimits(deps: { db: Db; clock: Clock }): RequestLimits {
  const { db } = deps;
  return {
    async take(action, { ip, email }) {
      const at = deps.clock.now();
      const limits = REQUEST_LIMITS[action];
      const subjects: { subject: string; limit: number }[] = [{ subject: `ip:${ip}`, limit: limits.perIp }];
      if (email !== undefined && 'perAddress' in limits) subjects.push({ subject: `address:${accountKeyFor(email)}`, limit: limits.perAddress });
      // Counted first, then compared: concurrent requests each see the others', so a burst cannot slip past together.
      await db.insert(requestCounts).values(subjects.map(({ subject }) => ({ action, subject, at })));
      for (const { subject, limit } of subjects) {
        const [row] = await db
          .select({ n: count() })
          .from(requestCounts)
          .where(and(eq(requestCounts.action, action), eq(requestCounts.subject, subject), gt(requestCounts.at, new Date(at.getTime() - limits.windowMs))));
        if (Number(row?.n ?? 0) > limit) throw new TooManyRequests(LIMITED_429, Math.ceil(limits.windowMs / 1000));
      }
    },
  };
}

/** For platform staff (support issue): see and lift blocks. */
export async function listIpBlocks(db: Db, at: Date) {
  return db
    .select()
    .from(ipBlocks)
    .where(and(gt(ipBlocks.blockedUntil, at), isNull(ipBlocks.liftedAt)));
}

export async function liftIpBlock(db: Db, ip: string, by: string, at: Date): Promise<void> {
  await db.update(ipBlocks).set({ liftedAt: at, liftedBy: by }).where(eq(ipBlocks.ip, ip));
}
