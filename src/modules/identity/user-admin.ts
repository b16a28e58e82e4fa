import { duplicateKeyOf, inTransaction } from '../../platform/db/client.js';
import { Invalid, NotFound } from '../../platform/errors.js';
import { findCompany, setRequireTwoFactor } from '../tenancy/index.js';
import type { Caller, Role } from '../access/index.js';
import type { IdentityGround } from './ground.js';
import type { passwordLinks } from './password-links.js';
import * as store from './store.js';

const ALREADY_HERE = 'is already a user of your company';

/**
 * The owner's users page: invite, change role, disable or enable, the company's second-factor policy.
 * Each change lands in one transaction with its audit entry, and ends that user's sessions.
 */
export function userAdminUseCases(ground: IdentityGround, links: ReturnType<typeof passwordLinks>) {
  const { db, sessions, audit, mailer, now } = ground;

  async function loadOther(caller: Caller, userId: string, field: string, refusal: string) {
    const user = await store.findTenantUser(db, caller.tenantId, userId);
    if (!user) throw new NotFound('No such user');
    if (user.id === caller.viewer.userId) throw new Invalid(field, refusal);
    return user;
  }

  return {
    listUsers: (caller: Caller) => store.listTenantUsers(db, caller.tenantId),

    /**
     * Answers alike for every address: whether it has an account in another company is neither looked up
     * nor told here (an invitation reserves nothing); the invitee learns it at acceptance, where the link
     * proves the address is theirs. `origin` builds the link in the mail, sent once the invitation is stored.
     */
    async inviteUser(caller: Caller, input: { email: string; displayName: string; role: Role }, origin: string) {
      if (await store.findTenantUserByEmail(db, caller.tenantId, input.email)) throw new Invalid('email', ALREADY_HERE);
      const invitation = { companyName: caller.viewer.companyName, inviterName: caller.viewer.displayName };
      const { userId, mail } = await inTransaction(db, async (tx) => {
        const userId = await store.insertUser(tx, caller.tenantId, { ...input, passwordHash: null, status: 'invited' }, now());
        const invitee = { id: userId, tenantId: caller.tenantId, email: store.normaliseEmail(input.email) };
        const mail = await links.createLink(tx, invitee, 'invite', origin, invitation);
        await audit.recordFor(tx, caller.context, 'user.invited', { type: 'user', id: userId }, { role: input.role });
        return { userId, mail };
      }).catch((error: unknown) => {
        // Two invitations for one address at once: the company's unique (tenant, email) index decides.
        if (duplicateKeyOf(error) !== undefined) throw new Invalid('email', ALREADY_HERE);
        throw error;
      });
      await mailer.send(mail);
      return userId;
    },

    async changeRole(caller: Caller, userId: string, role: Role) {
      const user = await loadOther(caller, userId, 'role', 'You cannot change your own role');
      await inTransaction(db, async (tx) => {
        await store.updateUser(tx, caller.tenantId, userId, { role }, now());
        await store.revokeUserSessions(tx, caller.tenantId, userId, 'role-changed', now());
        await audit.recordFor(tx, caller.context, 'user.role_changed', { type: 'user', id: userId }, { before: user.role, after: role });
      });
      sessions.forget();
    },

    async setUserStatus(caller: Caller, userId: string, status: 'active' | 'disabled') {
      const user = await loadOther(caller, userId, 'status', 'You cannot disable yourself');
      if (status === 'active' && user.status !== 'disabled') return;
      await inTransaction(db, async (tx) => {
        await store.updateUser(tx, caller.tenantId, userId, { status }, now());
        if (status === 'disabled') await store.revokeUserSessions(tx, caller.tenantId, userId, 'disabled', now());
        await audit.recordFor(tx, caller.context, status === 'disabled' ? 'user.disabled' : 'user.enabled', { type: 'user', id: userId });
      });
      sessions.forget();
    },

    async setTwoFactorPolicy(caller: Caller, required: boolean) {
      await inTransaction(db, async (tx) => {
        await setRequireTwoFactor(tx, caller.tenantId, required, now());
        await audit.recordFor(tx, caller.context, 'company.two_factor_policy', { type: 'company', id: caller.tenantId }, { required });
      });
      sessions.forget();
    },

    async companyRequiresTwoFactor(caller: Caller) {
      return Boolean((await findCompany(db, caller.tenantId))?.requireTwoFactor);
    },
  };
}
