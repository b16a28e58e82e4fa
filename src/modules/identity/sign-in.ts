import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../platform/context/index.js';
import { inTransaction } from '../../platform/db/client.js';
import { Invalid, Unauthorized } from '../../platform/errors.js';
import { findCompany } from '../tenancy/index.js';
import type { Caller } from '../access/index.js';
import type { IdentityGround } from './ground.js';
import { assertPassword, burnEqualWork, hashPassword, needsRehash, verifyPassword } from './passwords.js';
import type { User } from './schema.js';
import { accountKeyFor, knownDevice } from './throttle.js';
import { signToken, verifyToken } from './tokens.js';
import { checkTotp, hashRecoveryCode } from './totp.js';
import * as store from './store.js';

export const BAD_CREDENTIALS = 'That email and password do not match an account.';
const TIMED_OUT = 'Your sign-in timed out. Please start again.';
const MFA_PENDING_SECONDS = 5 * 60;
const DEVICE_SECONDS = 365 * 24 * 60 * 60;

export type SignInResult =
  | { kind: 'session'; token: string; sessionId: string; deviceToken: string; user: User }
  | { kind: 'second-factor'; pendingToken: string }
  /** The right password, but the sign-up's address is not confirmed yet: no session. */
  | { kind: 'unconfirmed'; email: string };

/** Signing in and out, and changing one's own password. */
export function signInUseCases(ground: IdentityGround) {
  const { db, keys, pepper, sessions, guard, secretBox, audit, now } = ground;
  const ipOf = (context: RequestContext) => context.ip ?? 'unknown';

  /** `stamped`: the second step already recorded this sign-in's time (claimSecondStep). */
  async function finishSignIn(user: User, context: RequestContext, stamped = false): Promise<SignInResult & { kind: 'session' }> {
    const { token, sessionId } = await sessions.start(user, context);
    if (!stamped) await store.updateUser(db, user.tenantId, user.id, { lastLoginAt: now() }, now());
    // A random id makes each device cookie its own, even two given out in the same second.
    const deviceToken = await signToken(keys, 'device', accountKeyFor(user.email), { did: randomUUID() }, DEVICE_SECONDS, now());
    return { kind: 'session', token, sessionId, deviceToken, user };
  }

  return {
    async signIn(input: { email: string; password: string; deviceToken?: string }, context: RequestContext): Promise<SignInResult> {
      const ip = ipOf(context);
      const accountKey = accountKeyFor(input.email);
      const device = await knownDevice(keys, input.deviceToken, accountKey, now());
      await guard.checkAllowed({ ip, accountKey, device });
      const user = await store.findUserByEmail(db, input.email);
      const ok = user?.passwordHash ? await verifyPassword(input.password, user.passwordHash, pepper) : (await burnEqualWork(input.password, pepper), false);
      if (!user || !ok || user.status !== 'active') {
        await guard.recordFailure({ ip, accountKey, device, onAccountLimit: () => ground.warnOwnersOfAttack(input.email) });
        throw new Unauthorized(BAD_CREDENTIALS);
      }
      if ((await findCompany(db, user.tenantId))?.status === 'pending') return { kind: 'unconfirmed', email: user.email };
      if (needsRehash(user.passwordHash!)) {
        await store.updateUser(db, user.tenantId, user.id, { passwordHash: await hashPassword(input.password, pepper) }, now());
      }
      if (user.totpEnabledAt) {
        // The token remembers the last sign-in it saw: finishing any sign-in moves it on, so the token works once.
        const lastLogin = user.lastLoginAt?.toISOString() ?? 'never';
        const pendingToken = await signToken(keys, 'mfa-pending', user.id, { tid: user.tenantId, lla: lastLogin }, MFA_PENDING_SECONDS, now());
        return { kind: 'second-factor', pendingToken };
      }
      return finishSignIn(user, context);
    },

    /** Second step for users with TOTP: a current code or an unused recovery code. The device cookie counts here as at the first step. */
    async completeSecondFactor(input: { pendingToken?: string; code: string; deviceToken?: string }, context: RequestContext) {
      const claims = await verifyToken(keys, 'mfa-pending', input.pendingToken, ['tid', 'lla'], now());
      if (!claims?.sub || typeof claims.tid !== 'string' || typeof claims.lla !== 'string') throw new Unauthorized(TIMED_OUT);
      const sawLastLogin = claims.lla === 'never' ? null : new Date(claims.lla);
      if (sawLastLogin && Number.isNaN(sawLastLogin.getTime())) throw new Unauthorized(TIMED_OUT);
      const user = await store.findTenantUser(db, claims.tid, claims.sub);
      if (!user || user.status !== 'active' || !user.totpSecretSealed) throw new Unauthorized(TIMED_OUT);
      const accountKey = accountKeyFor(user.email);
      const device = await knownDevice(keys, input.deviceToken, accountKey, now());
      await guard.checkAllowed({ ip: ipOf(context), accountKey, device });
      if ((user.lastLoginAt?.getTime() ?? null) !== (sawLastLogin?.getTime() ?? null)) throw new Unauthorized(TIMED_OUT);
      const step = await checkTotp(secretBox.open(user.totpSecretSealed, user.id), input.code, user.totpLastStep, now());
      // Claimed atomically: a code raced from several pending sign-ins, or a token whose sign-in already
      // finished, loses here even though each passed the checks above.
      const claimed = await inTransaction(db, async (tx) => {
        if (step === undefined && !(await store.useRecoveryCode(tx, user.tenantId, user.id, hashRecoveryCode(input.code), now()))) return false;
        if (await store.claimSecondStep(tx, user.tenantId, user.id, { lastLoginAt: sawLastLogin, step, at: now() })) return true;
        throw new Unauthorized(TIMED_OUT); // rolls back a recovery code this attempt used
      });
      if (!claimed) {
        // Someone holding the password is guessing codes: the owners hear of it as of password guessing.
        await guard.recordFailure({ ip: ipOf(context), accountKey, device, onAccountLimit: () => ground.warnOwnersOfAttack(user.email) });
        throw new Invalid('code', 'That code is not valid. Use the current code from your app or a recovery code.');
      }
      return finishSignIn(user, context, true);
    },

    async signOut(caller: Caller) {
      await store.revokeSession(db, caller.tenantId, caller.viewer.sessionId, 'logout', now());
      sessions.forget(caller.viewer.sessionId);
    },

    async signOutEverywhere(caller: Caller) {
      await store.revokeUserSessions(db, caller.tenantId, caller.viewer.userId, 'sign-out-everywhere', now());
      sessions.forget();
    },

    /** Every other browser is signed out; this one gets a fresh session. */
    async changePassword(caller: Caller, input: { currentPassword: string; newPassword: string }) {
      const { viewer } = caller;
      const user = await store.findTenantUser(db, caller.tenantId, viewer.userId);
      if (!user) throw new Unauthorized();
      await ground.proveCurrentPassword(user, input.currentPassword, caller.context.ip, 'currentPassword');
      assertPassword('newPassword', input.newPassword, { email: user.email, companyName: viewer.companyName });
      const passwordHash = await hashPassword(input.newPassword, pepper);
      await inTransaction(db, async (tx) => {
        await store.updateUser(tx, user.tenantId, user.id, { passwordHash, passwordChangedAt: now() }, now());
        // A reset link asked for earlier must not undo the change.
        await store.endPasswordLinks(tx, user, now());
        await store.revokeUserSessions(tx, user.tenantId, user.id, 'password-changed', now());
        await audit.recordFor(tx, caller.context, 'user.password_changed', { type: 'user', id: user.id });
      });
      sessions.forget();
      return sessions.start(user, caller.context);
    },
  };
}
