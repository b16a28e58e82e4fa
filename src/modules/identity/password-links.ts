import { createHash, randomBytes } from 'node:crypto';
import { actingAs, type RequestContext } from '../../platform/context/index.js';
import { inTransaction, type Db } from '../../platform/db/client.js';
import { Invalid } from '../../platform/errors.js';
import type { MailMessage } from '../../platform/mail/index.js';
import { findCompany } from '../tenancy/index.js';
import type { IdentityGround } from './ground.js';
import { assertPassword, hashPassword } from './passwords.js';
import type { User } from './schema.js';
import * as store from './store.js';

const RESET_LINK_MS = 30 * 60_000;
const INVITE_LINK_MS = 7 * 24 * 60 * 60_000;
const LINK_USED = 'This link has expired or has already been used. Ask for a new one.';

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Single-use links to choose a password: a reset, or the invitation of a new user. */
export function passwordLinks(ground: IdentityGround) {
  const { db, mailer, sessions, audit, pepper, now } = ground;

  /**
   * Stores a link for `user` (in the caller's transaction) and returns the mail that carries it;
   * send it after the commit, so a rolled-back invitation mails nothing.
   */
  async function createLink(tx: Db, user: Pick<User, 'id' | 'tenantId' | 'email'>, purpose: 'reset' | 'invite', origin: string): Promise<MailMessage> {
    const token = randomBytes(32).toString('base64url');
    const lifetime = purpose === 'reset' ? RESET_LINK_MS : INVITE_LINK_MS;
    await store.insertPasswordToken(tx, user, { purpose, tokenHash: tokenHash(token), expiresAt: new Date(now().getTime() + lifetime) });
    const link = `${origin}/password/reset?token=${token}`;
    return purpose === 'reset'
      ? {
          to: user.email,
          subject: 'Reset your Bizlumo HR password',
          text: `Use this link within 30 minutes to choose a new password (it works once):\n${link}\n\nIf you did not ask for this, ignore this email.`,
        }
      : {
          to: user.email,
          subject: 'You have been invited to Bizlumo HR',
          text: `You have been invited to Bizlumo HR. Choose your password here (the link works once, for 7 days):\n${link}`,
        };
  }

  return {
    createLink,

    /** Same answer whether or not the email has an account. */
    async requestPasswordReset(email: string, origin: string) {
      const user = await store.findUserByEmail(db, email);
      if (user && user.status === 'active') await mailer.send(await createLink(db, user, 'reset', origin));
    },

    async checkPasswordLink(token: string) {
      return Boolean(await store.findUsablePasswordToken(db, tokenHash(token), now()));
    },

    /** The link speaks for its user: from here on the context acts as them (and audits as them). */
    async resetPassword(input: { token: string; newPassword: string }, context: RequestContext) {
      const pending = await store.findUsablePasswordToken(db, tokenHash(input.token), now());
      if (!pending || pending.user.status === 'disabled') throw new Invalid('token', LINK_USED);
      const { user } = pending;
      const company = await findCompany(db, user.tenantId);
      assertPassword('newPassword', input.newPassword, { email: user.email, companyName: company?.name });
      const hash = await hashPassword(input.newPassword, pepper);
      const asUser = actingAs(context, user.tenantId, { kind: 'user', userId: user.id });
      await inTransaction(db, async (tx) => {
        const claimed = await store.consumePasswordToken(tx, tokenHash(input.token), now());
        if (!claimed) throw new Invalid('token', LINK_USED);
        await store.updateUser(tx, user.tenantId, user.id, { passwordHash: hash, passwordChangedAt: now(), status: 'active' }, now());
        await store.revokeUserSessions(tx, user.tenantId, user.id, 'password-reset', now());
        await audit.recordFor(tx, asUser, claimed.purpose === 'invite' ? 'user.invitation_accepted' : 'user.password_reset', { type: 'user', id: user.id });
      });
      sessions.forget();
      return user;
    },
  };
}
