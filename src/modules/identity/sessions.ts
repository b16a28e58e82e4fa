import type { Clock } from '../../platform/clock/index.js';
import type { RequestContext } from '../../platform/context/index.js';
import { createLoadingCache } from '../../platform/cache/loading-cache.js';
import type { Db } from '../../platform/db/client.js';
import { findCompany } from '../tenancy/index.js';
import { can, ROLE_LABELS, type Viewer } from '../access/index.js';
import { SESSION_SECONDS, signToken, verifyToken, type TokenKeys } from './tokens.js';
import { findActiveSession, insertSession } from './store.js';
import type { User } from './schema.js';

export const SESSION_COOKIE = '__Host-session';
/** How long an instance may trust its memory of a session row; revocation elsewhere shows within this. */
export const SESSION_CACHE_MS = 2000;

export interface SessionDeps {
  db: Db;
  keys: TokenKeys;
  clock: Clock;
}

export function createSessions(deps: SessionDeps) {
  /**
   * Viewers by session id, on the machine's clock (not the business clock tests move). One database
   * look-up per session at a time: when an entry expires under load, the requests in flight for that
   * session share one look-up.
   */
  const viewers = createLoadingCache<Viewer>({ maxEntries: 10_000, ttlMs: SESSION_CACHE_MS });
  /**
   * Tokens whose signature this process has already checked. jose verifies with WebCrypto, which
   * runs on libuv's thread pool, behind bcrypt during a login storm (bench:login); the same token
   * string always verifies the same way, so it is checked once and its expiry on every use.
   */
  const verified = new Map<string, { sid: string; tid: string; sub: string; exp: number }>();

  async function start(user: User, context: Pick<RequestContext, 'ip' | 'userAgent'>): Promise<{ token: string; sessionId: string }> {
    const now = deps.clock.now();
    const sessionId = await insertSession(deps.db, user.tenantId, {
      userId: user.id,
      expiresAt: new Date(now.getTime() + SESSION_SECONDS * 1000),
      ip: context.ip,
      userAgent: context.userAgent,
    });
    const token = await signToken(deps.keys, 'session', user.id, { tid: user.tenantId, sid: sessionId }, SESSION_SECONDS, now);
    return { token, sessionId };
  }

  /** The viewer behind a session cookie, or null: expired, tampered, revoked or disabled all mean signed out. */
  async function resolve(token: string | undefined): Promise<Viewer | null> {
    const now = deps.clock.now();
    if (!token) return null;
    let claims = verified.get(token);
    if (!claims) {
      const payload = await verifyToken(deps.keys, 'session', token, ['tid', 'sid'], now);
      if (!payload || typeof payload.sid !== 'string' || typeof payload.tid !== 'string' || !payload.sub || !payload.exp) return null;
      claims = { sid: payload.sid, tid: payload.tid, sub: payload.sub, exp: payload.exp };
      if (verified.size >= 10_000) verified.clear();
      verified.set(token, claims);
    }
    if (claims.exp * 1000 <= now.getTime()) {
      verified.delete(token);
      return null;
    }
    const viewer = await viewers.get(claims.sid, () => load(claims.tid, claims.sid, now));
    // The token names its user and company; a session row of anyone else is no session for it.
    if (!viewer || viewer.userId !== claims.sub || viewer.tenantId !== claims.tid) return null;
    return viewer;
  }

  /** The session row, its user and company as a viewer, or null when any is not active. */
  async function load(tenantId: string, sessionId: string, now: Date): Promise<Viewer | null> {
    const active = await findActiveSession(deps.db, tenantId, sessionId, now);
    if (!active || active.user.status !== 'active') return null;
    const company = await findCompany(deps.db, active.user.tenantId);
    if (!company || company.status !== 'active') return null;
    const { user, session } = active;
    const viewer: Viewer = {
      userId: user.id,
      tenantId: user.tenantId,
      sessionId: session.id,
      email: user.email,
      displayName: user.displayName,
      role: user.role,
      roleLabel: ROLE_LABELS[user.role],
      employeeId: user.employeeId,
      companyName: company.name,
      twoFactorEnabled: user.totpEnabledAt !== null,
      needsTwoFactorSetup: company.requireTwoFactor && can(user, 'account.useSecondFactor') && user.totpEnabledAt === null,
      impersonation: session.impersonatorId ? { staffId: session.impersonatorId, ticket: session.impersonationTicket ?? '' } : null,
    };
    return viewer;
  }

  /** This instance forgets at once (look-ups under way included); others within SESSION_CACHE_MS. */
  function forget(sessionId?: string): void {
    viewers.forget(sessionId);
  }

  return { start, resolve, forget };
}

export type Sessions = ReturnType<typeof createSessions>;
