import { createHash, randomBytes } from 'node:crypto';
import { actingAs, type RequestContext } from '../../platform/context/index.js';
import { duplicateKeyOf, inTransaction, type Db } from '../../platform/db/client.js';
import { Conflict, Invalid } from '../../platform/errors.js';
import type { JobHandler } from '../../platform/jobs/index.js';
import type { MailMessage } from '../../platform/mail/index.js';
import { findCompany } from '../tenancy/index.js';
import type { IdentityGround } from './ground.js';
import { assertPassword, hashPassword } from './passwords.js';
import type { LinkPurpose, User } from './schema.js';
import { accountKeyFor, knownDevice, refuseBlockedIp } from './throttle.js';
import * as store from './store.js';

const LIFETIME_MS: Record<LinkPurpose, number> = { reset: 30 * 60_000, invite: 7 * 24 * 60 * 60_000, confirm: 24 * 60 * 60_000 };
const PASSWORD_PURPOSES = ['reset', 'invite'] as const;
const LINK_USED = 'This link has expired or has already been used. Ask for a new one.';
/** Said only to whoever holds the invitation link, that is, to whoever reads the address. */
export const ADDRESS_IN_USE =
  'This address already has a Bizlumo HR account with another company, and an address can belong to one company only. Sign in with that account, or ask the company that invited you to invite another address.';

/** Who invites, named in the invitation mail so the invitee can judge it. */
export interface Invitation {
  companyName: string;
  inviterName: string;
}

/** Mail with a link, sent by a job after the request has answered (see `mailLinkLater`). */
export const LINK_MAIL = 'identity.link-mail';
export interface LinkMailPayload {
  purpose: 'reset' | 'confirm';
  email: string;
  origin: string;
  /** A reset link sent because someone tried to sign up a new company with this account's address. */
  signUpAttempt?: boolean;
}

const SIGN_UP_ATTEMPT = {
  subject: 'Someone tried to sign up with your Bizlumo HR address',
  text: 'Someone, perhaps you, tried to create a new company on Bizlumo HR with this address. It already has an account, so nothing was created.\nIf it was you and you have forgotten your password, ',
};

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function mailFor(purpose: LinkPurpose, to: string, link: string, invitation?: Invitation): MailMessage {
  switch (purpose) {
    case 'reset':
      return {
        to,
        subject: 'Reset your Bizlumo HR password',
        text: `Use this link within 30 minutes to choose a new password (it works once):\n${link}\n\nIf you did not ask for this, ignore this email.`,
      };
    case 'invite': {
      const { companyName, inviterName } = invitation ?? { companyName: 'a company', inviterName: 'Someone' };
      return {
        to,
        subject: `${inviterName} invited you to ${companyName} on Bizlumo HR`,
        text: `${inviterName} invited you to join ${companyName} on Bizlumo HR. Choose your password here (the link works once, for 7 days):\n${link}\n\nIf you do not know ${companyName}, ignore this email.`,
      };
    }
    case 'confirm':
      return {
        to,
        subject: 'Confirm your Bizlumo HR company account',
        text: `Confirm your address to start using your company account (the link works once, for 24 hours):\n${link}\n\nIf you did not sign up, ignore this email: nothing is kept unless the address is confirmed.`,
      };
  }
}

/** Single-use links: a password reset, the invitation of a new user, the confirmation of a sign-up. */
export function passwordLinks(ground: IdentityGround) {
  const { db, mailer, sessions, audit, pepper, keys, limits, jobs, now } = ground;

  /**
   * Stores a link for `user` (in the caller's transaction) and returns the mail that carries it;
   * send it after the commit, so a rolled-back invitation mails nothing.
   */
  async function createLink(
    tx: Db,
    user: Pick<User, 'id' | 'tenantId' | 'email'>,
    purpose: LinkPurpose,
    origin: string,
    invitation?: Invitation,
  ): Promise<MailMessage> {
    const token = randomBytes(32).toString('base64url');
    await store.insertPasswordToken(tx, user, { purpose, tokenHash: tokenHash(token), expiresAt: new Date(now().getTime() + LIFETIME_MS[purpose]) });
    const path = purpose === 'confirm' ? '/signup/confirm' : '/password/reset';
    return mailFor(purpose, user.email, `${origin}${path}?token=${token}`, invitation);
  }

  /**
   * The request only queues the mail: whether the address has an account is looked up by the job,
   * so known and unknown addresses take the same time to answer.
   */
  async function mailLinkLater(payload: LinkMailPayload): Promise<void> {
    await jobs.enqueue(LINK_MAIL, { payload: { ...payload, email: store.normaliseEmail(payload.email) } });
  }

  /** The job: a reset for an active user of an active company, a confirmation for the owner of a company still pending. */
  const sendLinkMail: JobHandler<LinkMailPayload> = async (job) => {
    const { purpose, email, origin, signUpAttempt } = job.payload;
    const user = await store.findUserByEmail(db, email);
    if (!user || user.status !== 'active') return;
    const company = await findCompany(db, user.tenantId);
    const wanted = purpose === 'reset' ? company?.status === 'active' : company?.status === 'pending' && user.role === 'owner';
    if (!wanted) return;
    const mail = await createLink(db, user, purpose, origin);
    const text = mail.text.charAt(0).toLowerCase() + mail.text.slice(1);
    await mailer.send(signUpAttempt ? { ...mail, subject: SIGN_UP_ATTEMPT.subject, text: SIGN_UP_ATTEMPT.text + text } : mail);
  };

  /** An invitation whose address became (or already was) an account in another company: accepting it would take that account over. */
  async function addressTakenElsewhere(user: User): Promise<boolean> {
    if (user.status !== 'invited') return false;
    const account = await store.findUserByEmail(db, user.email);
    return account !== undefined && account.id !== user.id;
  }

  return {
    createLink,
    mailLinkLater,
    sendLinkMail,

    /**
     * Same answer, same work, whether or not the email has an account. Limited per IP and address;
     * an IP blocked for failed sign-ins is refused here too, except from a browser that signed in
     * to this account before.
     */
    async requestPasswordReset(input: { email: string; deviceToken?: string }, origin: string, context: RequestContext) {
      const ip = context.ip ?? 'unknown';
      if (!(await knownDevice(keys, input.deviceToken, accountKeyFor(input.email), now()))) await refuseBlockedIp(db, ip, now());
      await limits.take('passwordReset', { ip, email: input.email });
      await mailLinkLater({ purpose: 'reset', email: input.email, origin });
    },

    /** What the link's page shows: the form, a dead link, or (for an invitation) an address already in use. */
    async checkPasswordLink(token: string): Promise<'usable' | 'dead' | 'address-in-use'> {
      const pending = await store.findUsablePasswordToken(db, tokenHash(token), PASSWORD_PURPOSES, now());
      if (!pending) return 'dead';
      return (await addressTakenElsewhere(pending.user)) ? 'address-in-use' : 'usable';
    },

    /** The link speaks for its user: from here on the context acts as them (and audits as them). */
    async resetPassword(input: { token: string; newPassword: string }, context: RequestContext) {
      const pending = await store.findUsablePasswordToken(db, tokenHash(input.token), PASSWORD_PURPOSES, now());
      if (!pending || pending.user.status === 'disabled') throw new Invalid('token', LINK_USED);
      const { user } = pending;
      if (await addressTakenElsewhere(user)) throw new Conflict(ADDRESS_IN_USE);
      const company = await findCompany(db, user.tenantId);
      assertPassword('newPassword', input.newPassword, { email: user.email, companyName: company?.name });
      const hash = await hashPassword(input.newPassword, pepper);
      const asUser = actingAs(context, user.tenantId, { kind: 'user', userId: user.id });
      await inTransaction(db, async (tx) => {
        const claimed = await store.consumePasswordToken(tx, tokenHash(input.token), PASSWORD_PURPOSES, now());
        if (!claimed) throw new Invalid('token', LINK_USED);
        await store.updateUser(tx, user.tenantId, user.id, { passwordHash: hash, passwordChangedAt: now(), status: 'active' }, now());
        // A sibling link (asked for twice, or sent to a mailbox someone else reads) must not reset it again.
        await store.endPasswordLinks(tx, user, now());
        await store.revokeUserSessions(tx, user.tenantId, user.id, 'password-reset', now());
        await audit.recordFor(tx, asUser, claimed.purpose === 'invite' ? 'user.invitation_accepted' : 'user.password_reset', { type: 'user', id: user.id });
      }).catch((error: unknown) => {
        // Two invitations for one address accepted at once: the product-wide account index decides.
        if (duplicateKeyOf(error) !== undefined) throw new Conflict(ADDRESS_IN_USE);
        throw error;
      });
      sessions.forget();
      return user;
    },
  };
}

export type PasswordLinks = ReturnType<typeof passwordLinks>;
