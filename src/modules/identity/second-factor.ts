import { inTransaction, type Db } from '../../platform/db/client.js';
import { Conflict, Forbidden, Invalid, Unauthorized, type FieldProblem } from '../../platform/errors.js';
import { findCompany } from '../tenancy/index.js';
import { can, type Caller } from '../access/index.js';
import type { IdentityGround } from './ground.js';
import type { User } from './schema.js';
import { checkTotp, hashRecoveryCode, newRecoveryCodes, newTotpSecret, totpQrSvg } from './totp.js';
import * as store from './store.js';

/** A set-up not confirmed within this time starts again: a secret on a page left open is not good for ever. */
const PENDING_MS = 15 * 60_000;
const START_AGAIN = 'Start the set-up again';

/** What proves the enrolled factor: the password, and a current code from the app or an unused recovery code. */
export interface FactorProof {
  password?: string;
  code?: string;
}

/**
 * Setting up, replacing and turning off one's TOTP second factor, and the recovery codes that back it.
 * A session alone never changes an enrolled factor: it may be stolen, or left open on a shared desk.
 */
export function secondFactorUseCases(ground: IdentityGround) {
  const { db, sessions, secretBox, audit, now } = ground;

  async function currentUser(caller: Caller): Promise<User> {
    const user = await store.findTenantUser(db, caller.tenantId, caller.viewer.userId);
    if (!user) throw new Unauthorized();
    return user;
  }

  async function requiredFor(user: User): Promise<boolean> {
    return Boolean((await findCompany(db, user.tenantId))?.requireTwoFactor) && can(user, 'account.useSecondFactor');
  }

  /** The secret being set up, while its set-up is fresh. */
  function pendingSecret(user: User): string | undefined {
    if (!user.totpPendingSealed || !user.totpPendingAt || now().getTime() - user.totpPendingAt.getTime() > PENDING_MS) return undefined;
    return secretBox.open(user.totpPendingSealed, user.id);
  }

  const setupOf = async (secret: string, email: string) => ({ secret, ...(await totpQrSvg(secret, email)) });

  /**
   * Runs `change` in one transaction with the proof spent (the code's time step claimed, or the recovery
   * code used), so one proof makes one change. Wrong guesses count as failed sign-ins: a session must not
   * become a way round the login limits to guess the password or a code.
   */
  async function withProof<T>(caller: Caller, user: User, proof: FactorProof, change: (tx: Db) => Promise<T>): Promise<T> {
    const { password = '', code = '' } = proof;
    const missing: FieldProblem[] = [];
    if (!password) missing.push({ field: 'password', message: 'is required' });
    if (!code) missing.push({ field: 'code', message: 'is required: a code from your app, or a recovery code' });
    if (missing.length > 0) throw new Invalid(missing);
    if (!user.totpEnabledAt || !user.totpSecretSealed) throw new Invalid('code', 'cannot be checked: your second factor is off');
    const guess = await ground.proveCurrentPassword(user, password, caller.context.ip, 'password');
    const step = await checkTotp(secretBox.open(user.totpSecretSealed, user.id), code, user.totpLastStep, now());
    const done = await inTransaction(db, async (tx) => {
      const spent =
        step !== undefined
          ? await store.claimTotpStep(tx, user.tenantId, user.id, step, now())
          : await store.useRecoveryCode(tx, user.tenantId, user.id, hashRecoveryCode(code), now());
      return spent ? { result: await change(tx) } : undefined;
    });
    if (!done) {
      await guess.failed();
      throw new Invalid('code', 'is not the current code from your app or an unused recovery code');
    }
    return done.result;
  }

  return {
    /**
     * A new secret, kept aside until confirmed: the enrolled factor, if any, keeps working meanwhile.
     * Replacing an enrolled factor starts only with proof of it.
     */
    async beginTotp(caller: Caller, proof: FactorProof) {
      const user = await currentUser(caller);
      const secret = newTotpSecret();
      const keepPending = async (tx: Db) => {
        if (!(await store.setPendingTotp(tx, user, secretBox.seal(secret, user.id), now()))) {
          throw new Conflict('Your second factor changed meanwhile. Reload the page and start again.');
        }
      };
      if (user.totpEnabledAt) await withProof(caller, user, proof, keepPending);
      else {
        // A first factor set up by whoever holds a stolen session would lock its owner out: the password first.
        await ground.proveCurrentPassword(user, proof.password ?? '', caller.context.ip, 'password');
        await keepPending(db);
      }
      return setupOf(secret, user.email);
    },

    /** The set-up under way, to show again after a wrong code. */
    async pendingTotpSetup(caller: Caller) {
      const user = await currentUser(caller);
      const secret = pendingSecret(user);
      return secret ? setupOf(secret, user.email) : undefined;
    },

    /** The pending secret becomes the factor; a replacement also ends the user's other sessions. */
    async confirmTotp(caller: Caller, code: string): Promise<{ recoveryCodes: string[]; replaced: boolean }> {
      const user = await currentUser(caller);
      const secret = pendingSecret(user);
      if (!secret) throw new Invalid('code', START_AGAIN);
      const step = await checkTotp(secret, code, null, now());
      if (step === undefined) throw new Invalid('code', 'That code is not valid. Check the time on your phone and try the current code.');
      const replaced = user.totpEnabledAt !== null;
      const recoveryCodes = newRecoveryCodes();
      await inTransaction(db, async (tx) => {
        if (!(await store.promotePendingTotp(tx, user.tenantId, user.id, user.totpPendingSealed!, step, now()))) throw new Invalid('code', START_AGAIN);
        await store.replaceRecoveryCodes(tx, user.tenantId, user.id, recoveryCodes.map(hashRecoveryCode));
        // Whoever else holds a session may hold the old factor too (a lost phone): they are signed out.
        if (replaced) await store.revokeUserSessions(tx, user.tenantId, user.id, 'two-factor-replaced', now(), caller.viewer.sessionId);
        await audit.recordFor(tx, caller.context, replaced ? 'user.two_factor_replaced' : 'user.two_factor_enabled', { type: 'user', id: user.id });
      });
      sessions.forget();
      return { recoveryCodes, replaced };
    },

    /** Refused while the company requires a second factor for the role: replacing is the way to change it then. */
    async disableTotp(caller: Caller, proof: FactorProof) {
      const user = await currentUser(caller);
      if (await requiredFor(user)) throw new Forbidden('Your company requires a second factor for your role: you can replace it, not turn it off.');
      await withProof(caller, user, proof, async (tx) => {
        await store.clearTotp(tx, user.tenantId, user.id, now());
        await store.replaceRecoveryCodes(tx, user.tenantId, user.id, []);
        await audit.recordFor(tx, caller.context, 'user.two_factor_disabled', { type: 'user', id: user.id });
      });
      sessions.forget();
    },

    mayTurnOffTotp: async (caller: Caller) => !(await requiredFor(await currentUser(caller))),

    remainingRecoveryCodes: (caller: Caller) => store.countUnusedRecoveryCodes(db, caller.tenantId, caller.viewer.userId),
  };
}
