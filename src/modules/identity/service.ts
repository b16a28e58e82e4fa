import { createHash, randomBytes } from 'node:crypto';
import type { Config } from '../../config.js';
import type { Db } from '../../platform/db/client.js';
import { duplicateKeyOf, inTransaction } from '../../platform/db/client.js';
import type { Alerter } from '../../platform/observability/alert.js';
import type { Mailer } from '../../platform/mail/index.js';
import { Conflict, Invalid, NotFound, Unauthorized } from '../../platform/errors.js';
import { findCompany, findCompanyByDomain, insertCompany, setRequireTwoFactor } from '../tenancy/index.js';
import { audit } from '../audit/index.js';
import type { Role, Viewer } from '../access/index.js';
import { burnEqualWork, hashPassword, needsRehash, passwordProblems, verifyPassword } from './passwords.js';
import { accountKeyFor, createLoginGuard } from './throttle.js';
import { signToken, verifyToken, tokenKeys } from './tokens.js';
import { createSessions } from './sessions.js';
import { createSecretBox } from './secret-box.js';
import { checkTotp, hashRecoveryCode, newRecoveryCodes, newTotpSecret, totpQrSvg } from './two-factor.js';
import * as store from './store.js';
import type { User } from './schema.js';

export const BAD_CREDENTIALS = 'That email and password do not match an account.';
const MFA_PENDING_SECONDS = 5 * 60;
const DEVICE_SECONDS = 365 * 24 * 60 * 60;
const RESET_LINK_MS = 30 * 60_000;
const INVITE_LINK_MS = 7 * 24 * 60 * 60_000;

export interface IdentityDeps {
  db: Db;
  config: Pick<Config, 'sessionKeys' | 'passwordPepper'>;
  alert: Alerter;
  mailer: Mailer;
  now: () => Date;
}

export interface RequestContext {
  ip: string;
  userAgent: string;
  /** Origin used to build links in emails, e.g. https://app.bizlumo.in */
  origin: string;
}

export type SignInResult =
  | { kind: 'session'; token: string; sessionId: string; deviceToken: string; user: User }
  | { kind: 'second-factor'; pendingToken: string };

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function assertPassword(field: string, password: string, context: { email?: string; companyName?: string }) {
  const problems = passwordProblems(password, context);
  if (problems.length > 0) throw new Invalid(problems.map((message) => ({ field, message })));
}

export function createIdentity(deps: IdentityDeps) {
  const { db, config, alert, mailer, now } = deps;
  const keys = tokenKeys(config);
  const pepper = config.passwordPepper;
  const sessions = createSessions({ db, keys, now });
  const guard = createLoginGuard({ db, alert, now });
  const secretBox = createSecretBox(pepper);

  /** Account and user changes go to the company's audit log (never a password or a code). */
  function note(viewer: Pick<Viewer, 'tenantId' | 'userId'>, action: string, targetUserId: string, context?: Partial<RequestContext>, details?: Record<string, unknown>) {
    return audit.record(db, { tenantId: viewer.tenantId, actor: { kind: 'user', id: viewer.userId }, action, target: { type: 'user', id: targetUserId }, ip: context?.ip, userAgent: context?.userAgent, details }, now());
  }

  async function finishSignIn(user: User, context: RequestContext): Promise<SignInResult & { kind: 'session' }> {
    const { token, sessionId } = await sessions.start(user, context);
    await store.updateUser(db, user.tenantId, user.id, { lastLoginAt: now() });
    const deviceToken = await signToken(keys, 'device', accountKeyFor(user.email), {}, DEVICE_SECONDS, now());
    return { kind: 'session', token, sessionId, deviceToken, user };
  }

  async function emailOwnersAboutAttack(email: string) {
    const user = await store.findUserByEmail(db, email);
    if (!user) return;
    for (const owner of await store.listOwners(db, user.tenantId)) {
      await mailer.send({
        to: owner.email,
        subject: 'Many failed sign-ins on an account in your company',
        text: `There have been many failed attempts to sign in as ${user.email} in the last hour. Further attempts are being slowed down.\nIf this was not expected, ask the user to change their password and turn on a second factor.`,
      });
    }
  }

  async function sendPasswordLink(user: User, purpose: 'reset' | 'invite', origin: string) {
    const token = randomBytes(32).toString('base64url');
    const lifetime = purpose === 'reset' ? RESET_LINK_MS : INVITE_LINK_MS;
    await store.insertPasswordToken(db, { userId: user.id, purpose, tokenHash: tokenHash(token), expiresAt: new Date(now().getTime() + lifetime) });
    const link = `${origin}/password/reset?token=${token}`;
    await mailer.send(
      purpose === 'reset'
        ? { to: user.email, subject: 'Reset your Bizlumo HR password', text: `Use this link within 30 minutes to choose a new password (it works once):\n${link}\n\nIf you did not ask for this, ignore this email.` }
        : { to: user.email, subject: 'You have been invited to Bizlumo HR', text: `You have been invited to Bizlumo HR. Choose your password here (the link works once, for 7 days):\n${link}` },
    );
  }

  return {
    sessions,

    async signIn(input: { email: string; password: string; deviceToken?: string }, context: RequestContext): Promise<SignInResult> {
      const accountKey = accountKeyFor(input.email);
      const device = await verifyToken(keys, 'device', input.deviceToken, [], now());
      await guard.checkAllowed({ ip: context.ip, accountKey, knownDevice: device?.sub === accountKey });
      const user = await store.findUserByEmail(db, input.email);
      const ok = user?.passwordHash ? await verifyPassword(input.password, user.passwordHash, pepper) : (await burnEqualWork(input.password, pepper), false);
      if (!user || !ok || user.status !== 'active') {
        await guard.recordFailure({ ip: context.ip, accountKey, onAccountLimit: () => emailOwnersAboutAttack(input.email) });
        throw new Unauthorized(BAD_CREDENTIALS);
      }
      if (needsRehash(user.passwordHash!)) {
        await store.updateUser(db, user.tenantId, user.id, { passwordHash: await hashPassword(input.password, pepper) });
      }
      if (user.totpEnabledAt) {
        const pendingToken = await signToken(keys, 'mfa-pending', user.id, { tid: user.tenantId }, MFA_PENDING_SECONDS, now());
        return { kind: 'second-factor', pendingToken };
      }
      return finishSignIn(user, context);
    },

    /** Second step for users with TOTP: a current code or an unused recovery code. */
    async completeSecondFactor(input: { pendingToken?: string; code: string }, context: RequestContext) {
      const claims = await verifyToken(keys, 'mfa-pending', input.pendingToken, ['tid'], now());
      if (!claims?.sub || typeof claims.tid !== 'string') throw new Unauthorized('Your sign-in timed out. Please start again.');
      const user = await store.findTenantUser(db, claims.tid, claims.sub);
      if (!user || user.status !== 'active' || !user.totpSecretSealed) throw new Unauthorized('Your sign-in timed out. Please start again.');
      const accountKey = accountKeyFor(user.email);
      await guard.checkAllowed({ ip: context.ip, accountKey, knownDevice: false });
      const secret = secretBox.open(user.totpSecretSealed, user.id);
      const step = await checkTotp(secret, input.code, user.totpLastStep, now());
      if (step !== undefined) {
        await store.updateUser(db, user.tenantId, user.id, { totpLastStep: step });
      } else if (!(await store.useRecoveryCode(db, user.id, hashRecoveryCode(input.code)))) {
        await guard.recordFailure({ ip: context.ip, accountKey });
        throw new Invalid('code', 'That code is not valid. Use the current code from your app or a recovery code.');
      }
      return finishSignIn(user, context);
    },

    async signOut(viewer: Viewer) {
      await store.revokeSession(db, viewer.sessionId, 'logout');
      sessions.forget(viewer.sessionId);
    },

    async signOutEverywhere(viewer: Viewer) {
      await store.revokeUserSessions(db, viewer.tenantId, viewer.userId, 'sign-out-everywhere');
      sessions.forget();
    },

    async changePassword(viewer: Viewer, input: { currentPassword: string; newPassword: string }, context: RequestContext) {
      const user = await store.findTenantUser(db, viewer.tenantId, viewer.userId);
      if (!user?.passwordHash || !(await verifyPassword(input.currentPassword, user.passwordHash, pepper))) {
        throw new Invalid('currentPassword', 'is not your current password');
      }
      assertPassword('newPassword', input.newPassword, { email: user.email, companyName: viewer.companyName });
      await store.updateUser(db, user.tenantId, user.id, { passwordHash: await hashPassword(input.newPassword, pepper), passwordChangedAt: now() });
      // Every other browser is signed out; this one gets a fresh session.
      await store.revokeUserSessions(db, user.tenantId, user.id, 'password-changed');
      sessions.forget();
      await note(viewer, 'user.password_changed', user.id, context);
      return sessions.start(user, context);
    },

    /** Same answer whether or not the email has an account. */
    async requestPasswordReset(email: string, context: RequestContext) {
      const user = await store.findUserByEmail(db, email);
      if (user && user.status === 'active') await sendPasswordLink(user, 'reset', context.origin);
    },

    async checkPasswordLink(token: string) {
      return Boolean(await store.findUsablePasswordToken(db, tokenHash(token), now()));
    },

    async resetPassword(input: { token: string; newPassword: string }) {
      const pending = await store.findUsablePasswordToken(db, tokenHash(input.token), now());
      if (!pending) throw new Invalid('token', 'This link has expired or has already been used. Ask for a new one.');
      const user = await store.findUserById(db, pending.userId);
      if (!user || user.status === 'disabled') throw new Invalid('token', 'This link has expired or has already been used. Ask for a new one.');
      const company = await findCompany(db, user.tenantId);
      assertPassword('newPassword', input.newPassword, { email: user.email, companyName: company?.name });
      const hash = await hashPassword(input.newPassword, pepper);
      const claimed = await store.consumePasswordToken(db, tokenHash(input.token), now());
      if (!claimed) throw new Invalid('token', 'This link has expired or has already been used. Ask for a new one.');
      await store.updateUser(db, user.tenantId, user.id, { passwordHash: hash, passwordChangedAt: now(), status: 'active' });
      await store.revokeUserSessions(db, user.tenantId, user.id, 'password-reset');
      sessions.forget();
      await note({ tenantId: user.tenantId, userId: user.id }, claimed.purpose === 'invite' ? 'user.invitation_accepted' : 'user.password_reset', user.id);
      return user;
    },

    async signUp(input: { companyName: string; domain: string; displayName: string; email: string; password: string }, context: RequestContext) {
      assertPassword('password', input.password, { email: input.email, companyName: input.companyName });
      if (await findCompanyByDomain(db, input.domain)) throw new Invalid('domain', 'is already registered');
      if (await store.findUserByEmail(db, input.email)) throw new Invalid('email', 'already has an account');
      const passwordHash = await hashPassword(input.password, pepper);
      const user = await inTransaction(db, async (tx) => {
        const company = await insertCompany(tx, { name: input.companyName, domain: input.domain });
        const userId = await store.insertUser(tx, company.id, { email: input.email, displayName: input.displayName, role: 'owner', passwordHash, status: 'active' });
        return (await store.findUserById(tx, userId))!;
      }).catch((error: unknown) => {
        if (duplicateKeyOf(error) !== undefined) throw new Conflict('That company or email was registered a moment ago.');
        throw error;
      });
      return finishSignIn(user, context);
    },

    async listUsers(viewer: Viewer) {
      return store.listTenantUsers(db, viewer.tenantId);
    },

    async inviteUser(viewer: Viewer, input: { email: string; displayName: string; role: Role }, context: RequestContext) {
      if (await store.findUserByEmail(db, input.email)) throw new Invalid('email', 'already has an account');
      const userId = await store.insertUser(db, viewer.tenantId, { ...input, passwordHash: null, status: 'invited' }).catch((error: unknown) => {
        // Two invitations for one address at once: the unique email index decides.
        if (duplicateKeyOf(error) !== undefined) throw new Invalid('email', 'already has an account');
        throw error;
      });
      await sendPasswordLink((await store.findUserById(db, userId))!, 'invite', context.origin);
      await note(viewer, 'user.invited', userId, context, { role: input.role });
      return userId;
    },

    async changeRole(viewer: Viewer, userId: string, role: Role, context?: RequestContext) {
      const user = await store.findTenantUser(db, viewer.tenantId, userId);
      if (!user) throw new NotFound('No such user');
      if (user.id === viewer.userId) throw new Invalid('role', 'You cannot change your own role');
      await store.updateUser(db, viewer.tenantId, userId, { role });
      await store.revokeUserSessions(db, viewer.tenantId, userId, 'role-changed');
      sessions.forget();
      await note(viewer, 'user.role_changed', userId, context, { before: user.role, after: role });
    },

    async setUserStatus(viewer: Viewer, userId: string, status: 'active' | 'disabled', context?: RequestContext) {
      const user = await store.findTenantUser(db, viewer.tenantId, userId);
      if (!user) throw new NotFound('No such user');
      if (user.id === viewer.userId) throw new Invalid('status', 'You cannot disable yourself');
      if (status === 'active' && user.status !== 'disabled') return;
      await store.updateUser(db, viewer.tenantId, userId, { status });
      if (status === 'disabled') {
        await store.revokeUserSessions(db, viewer.tenantId, userId, 'disabled');
        sessions.forget();
      }
      await note(viewer, status === 'disabled' ? 'user.disabled' : 'user.enabled', userId, context);
    },

    // Second factor.

    async beginTotp(viewer: Viewer) {
      const secret = newTotpSecret();
      await store.updateUser(db, viewer.tenantId, viewer.userId, { totpSecretSealed: secretBox.seal(secret, viewer.userId), totpEnabledAt: null, totpLastStep: null });
      return { secret, ...(await totpQrSvg(secret, viewer.email)) };
    },

    async confirmTotp(viewer: Viewer, code: string): Promise<string[]> {
      const user = await store.findTenantUser(db, viewer.tenantId, viewer.userId);
      if (!user?.totpSecretSealed) throw new Invalid('code', 'Start the set-up again');
      const step = await checkTotp(secretBox.open(user.totpSecretSealed, user.id), code, null, now());
      if (step === undefined) throw new Invalid('code', 'That code is not valid. Check the time on your phone and try the current code.');
      const codes = newRecoveryCodes();
      await inTransaction(db, async (tx) => {
        await store.updateUser(tx, user.tenantId, user.id, { totpEnabledAt: now(), totpLastStep: step });
        await store.replaceRecoveryCodes(tx, user.id, codes.map(hashRecoveryCode));
      });
      sessions.forget();
      await note(viewer, 'user.two_factor_enabled', viewer.userId);
      return codes;
    },

    async disableTotp(viewer: Viewer, password: string) {
      const company = await findCompany(db, viewer.tenantId);
      if (company?.requireTwoFactor) throw new Invalid('password', 'Your company requires a second factor for your role');
      const user = await store.findTenantUser(db, viewer.tenantId, viewer.userId);
      if (!user?.passwordHash || !(await verifyPassword(password, user.passwordHash, pepper))) throw new Invalid('password', 'is not your current password');
      await inTransaction(db, async (tx) => {
        await store.updateUser(tx, user.tenantId, user.id, { totpSecretSealed: null, totpEnabledAt: null, totpLastStep: null });
        await store.replaceRecoveryCodes(tx, user.id, []);
      });
      sessions.forget(viewer.sessionId);
      await note(viewer, 'user.two_factor_disabled', viewer.userId);
    },

    async setTwoFactorPolicy(viewer: Viewer, required: boolean, context?: RequestContext) {
      await setRequireTwoFactor(db, viewer.tenantId, required);
      sessions.forget();
      await audit.record(db, { tenantId: viewer.tenantId, actor: { kind: 'user', id: viewer.userId }, action: 'company.two_factor_policy', target: { type: 'company', id: viewer.tenantId }, ip: context?.ip, userAgent: context?.userAgent, details: { required } }, now());
    },

    async companyRequiresTwoFactor(viewer: Viewer) {
      return Boolean((await findCompany(db, viewer.tenantId))?.requireTwoFactor);
    },

    remainingRecoveryCodes: (viewer: Viewer) => store.countUnusedRecoveryCodes(db, viewer.userId),
  };
}

export type Identity = ReturnType<typeof createIdentity>;
