import { actingAs, type RequestContext } from '../../platform/context/index.js';
import { duplicateKeyOf, inTransaction, type Db } from '../../platform/db/client.js';
import { Conflict, Invalid } from '../../platform/errors.js';
import { findCompany, findCompanyByDomain, insertCompany, updateCompany, type Company } from '../tenancy/index.js';
import type { IdentityGround } from './ground.js';
import { tokenHash, type PasswordLinks } from './password-links.js';
import { assertPassword, hashPassword } from './passwords.js';
import * as store from './store.js';

const LINK_USED = 'This link has expired or has already been used. Sign in to have a new one sent.';

export interface SignUpInput {
  companyName: string;
  domain: string;
  displayName: string;
  email: string;
  password: string;
}

/**
 * A new company and its owner. The company stays `pending`, with no working session, until the owner
 * confirms the address by the emailed link: otherwise anyone could own any unregistered domain at once.
 */
export function signUpUseCases(ground: IdentityGround, links: PasswordLinks) {
  const { db, audit, pepper, limits, now } = ground;

  /**
   * An unconfirmed sign-up does not hold the domain: a new sign-up for it takes the pending company
   * over (its old owner's links die), so a squatter cannot keep the real owner out.
   */
  async function takeOverPending(tx: Db, company: Company, input: SignUpInput, passwordHash: string) {
    const [previous] = await store.listTenantUsers(tx, company.id);
    if (!previous) throw new Conflict('That company is being set up. Please try again.');
    await updateCompany(tx, company.id, { name: input.companyName }, now());
    await store.updateUser(
      tx,
      company.id,
      previous.id,
      { email: store.normaliseEmail(input.email), displayName: input.displayName, passwordHash, passwordChangedAt: now() },
      now(),
    );
    await store.endPasswordLinks(tx, previous, now());
    return previous.id;
  }

  return {
    /** Answers with the mail sent; the owner is not signed in. */
    async signUp(input: SignUpInput, origin: string, context: RequestContext) {
      await limits.take('signUp', { ip: context.ip ?? 'unknown' });
      assertPassword('password', input.password, { email: input.email, companyName: input.companyName });
      const existing = await findCompanyByDomain(db, input.domain);
      if (existing && existing.status !== 'pending') throw new Invalid('domain', 'is already registered');
      const holder = await store.findUserByEmail(db, input.email);
      const passwordHash = await hashPassword(input.password, pepper);
      if (holder && holder.tenantId !== existing?.id) {
        // The same answer, work and mail job as a new sign-up: the form must not tell who has an account.
        // The holder hears of the attempt by mail, with a way back in if it was them.
        await links.mailLinkLater({ purpose: 'reset', email: input.email, origin, signUpAttempt: true });
        return;
      }
      await inTransaction(db, async (tx) => {
        const company = existing ?? (await insertCompany(tx, { name: input.companyName, domain: input.domain, status: 'pending' }));
        const userId = existing
          ? await takeOverPending(tx, existing, input, passwordHash)
          : await store.insertUser(
              tx,
              company.id,
              { email: input.email, displayName: input.displayName, role: 'owner', passwordHash, status: 'active' },
              now(),
            );
        await audit.recordFor(
          tx,
          actingAs(context, company.id, { kind: 'user', userId }),
          existing ? 'company.sign_up_replaced' : 'company.signed_up',
          { type: 'company', id: company.id },
          { domain: company.domain },
        );
      }).catch((error: unknown) => {
        if (duplicateKeyOf(error) !== undefined) throw new Conflict('That company or email was registered a moment ago.');
        throw error;
      });
      await links.mailLinkLater({ purpose: 'confirm', email: input.email, origin });
    },

    async checkConfirmLink(token: string) {
      return Boolean(await store.findUsablePasswordToken(db, tokenHash(token), ['confirm'], now()));
    },

    /** The link proves the owner reads the address: the company becomes active, audited as the owner. */
    async confirmSignUp(token: string, context: RequestContext) {
      const pending = await store.findUsablePasswordToken(db, tokenHash(token), ['confirm'], now());
      if (!pending) throw new Invalid('token', LINK_USED);
      const { user } = pending;
      await inTransaction(db, async (tx) => {
        if (!(await store.consumePasswordToken(tx, tokenHash(token), ['confirm'], now()))) throw new Invalid('token', LINK_USED);
        const company = await findCompany(tx, user.tenantId);
        if (company?.status !== 'pending') throw new Invalid('token', LINK_USED);
        await updateCompany(tx, company.id, { status: 'active' }, now());
        await audit.recordFor(tx, actingAs(context, company.id, { kind: 'user', userId: user.id }), 'company.confirmed', { type: 'company', id: company.id });
      });
    },

    /** Same answer for every address; the job sends a link only to the owner of a pending company. */
    async resendConfirmation(email: string, origin: string, context: RequestContext) {
      await limits.take('confirmationResend', { ip: context.ip ?? 'unknown', email });
      await links.mailLinkLater({ purpose: 'confirm', email, origin });
    },
  };
}
