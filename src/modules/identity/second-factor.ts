import { inTransaction } from '../../platform/db/client.js';
import { Invalid } from '../../platform/errors.js';
import { findCompany } from '../tenancy/index.js';
import type { Caller } from '../access/index.js';
import type { IdentityGround } from './ground.js';
import { verifyPassword } from './passwords.js';
import { checkTotp, hashRecoveryCode, newRecoveryCodes, newTotpSecret, totpQrSvg } from './totp.js';
import * as store from './store.js';

/** Setting up and turning off one's TOTP second factor, and the recovery codes that back it. */
export function secondFactorUseCases(ground: IdentityGround) {
  const { db, sessions, secretBox, audit, pepper, now } = ground;

  return {
    async beginTotp(caller: Caller) {
      const { viewer } = caller;
      const secret = newTotpSecret();
      await store.updateUser(
        db,
        caller.tenantId,
        viewer.userId,
        { totpSecretSealed: secretBox.seal(secret, viewer.userId), totpEnabledAt: null, totpLastStep: null },
        now(),
      );
      return { secret, ...(await totpQrSvg(secret, viewer.email)) };
    },

    async confirmTotp(caller: Caller, code: string): Promise<string[]> {
      const user = await store.findTenantUser(db, caller.tenantId, caller.viewer.userId);
      if (!user?.totpSecretSealed) throw new Invalid('code', 'Start the set-up again');
      const step = await checkTotp(secretBox.open(user.totpSecretSealed, user.id), code, null, now());
      if (step === undefined) throw new Invalid('code', 'That code is not valid. Check the time on your phone and try the current code.');
      const codes = newRecoveryCodes();
      await inTransaction(db, async (tx) => {
        await store.updateUser(tx, user.tenantId, user.id, { totpEnabledAt: now(), totpLastStep: step }, now());
        await store.replaceRecoveryCodes(tx, user.tenantId, user.id, codes.map(hashRecoveryCode));
        await audit.recordFor(tx, caller.context, 'user.two_factor_enabled', { type: 'user', id: user.id });
      });
      sessions.forget();
      return codes;
    },

    async disableTotp(caller: Caller, password: string) {
      const company = await findCompany(db, caller.tenantId);
      if (company?.requireTwoFactor) throw new Invalid('password', 'Your company requires a second factor for your role');
      const user = await store.findTenantUser(db, caller.tenantId, caller.viewer.userId);
      if (!user?.passwordHash || !(await verifyPassword(password, user.passwordHash, pepper))) throw new Invalid('password', 'is not your current password');
      await inTransaction(db, async (tx) => {
        await store.updateUser(tx, user.tenantId, user.id, { totpSecretSealed: null, totpEnabledAt: null, totpLastStep: null }, now());
        await store.replaceRecoveryCodes(tx, user.tenantId, user.id, []);
        await audit.recordFor(tx, caller.context, 'user.two_factor_disabled', { type: 'user', id: user.id });
      });
      sessions.forget(caller.viewer.sessionId);
    },

    remainingRecoveryCodes: (caller: Caller) => store.countUnusedRecoveryCodes(db, caller.tenantId, caller.viewer.userId),
  };
}
