import type { Config } from '../../config.js';
import type { Clock } from '../../platform/clock/index.js';
import type { Db } from '../../platform/db/client.js';
import type { JobRunner } from '../../platform/jobs/index.js';
import type { Mailer } from '../../platform/mail/index.js';
import type { Alerter } from '../../platform/observability/alert.js';
import type { Audit } from '../audit/index.js';
import { createSecretBox } from './secret-box.js';
import { createSessions } from './sessions.js';
import { Invalid } from '../../platform/errors.js';
import { verifyPassword } from './passwords.js';
import type { User } from './schema.js';
import { accountKeyFor, createLoginGuard, createRequestLimits } from './throttle.js';
import { tokenKeys } from './tokens.js';
import * as store from './store.js';

export interface IdentityDeps {
  db: Db;
  config: Pick<Config, 'sessionKeys' | 'passwordPepper'>;
  alert: Alerter;
  mailer: Mailer;
  clock: Clock;
  audit: Audit;
  /** Mail that must not be sent while the request waits (its timing would tell who has an account) goes through a job. */
  jobs: Pick<JobRunner, 'enqueue'>;
}

/** What every identity use case works with: built once, shared by sign-in, links, user admin and the second factor. */
export function identityGround(deps: IdentityDeps) {
  const keys = tokenKeys(deps.config);
  const guard = createLoginGuard({ db: deps.db, alert: deps.alert, clock: deps.clock });
  /**
   * What the login guard calls when an account reaches its failure limit, wherever the failures were
   * made (the sign-in form, or the second-factor pages of a stolen session): its company's owners are told.
   */
  async function warnOwnersOfAttack(email: string) {
    const user = await store.findUserByEmail(deps.db, email);
    if (!user) return;
    for (const owner of await store.listOwners(deps.db, user.tenantId)) {
      await deps.mailer.send({
        to: owner.email,
        subject: 'Many failed sign-ins on an account in your company',
        text: `There have been many failed attempts to sign in as ${user.email} in the last hour. Further attempts are being slowed down.\nIf this was not expected, ask the user to change their password and turn on a second factor.`,
      });
    }
  }
  /**
   * A signed-in user's guess counted like a sign-in (address and account limits, the owners' warning): a
   * stolen session must not become a way round the login limits to guess the password, or a second factor.
   * Returns the failure recorder for a second secret checked after the password (a TOTP code).
   */
  async function guardedGuess(user: User, ip: string | null | undefined) {
    const attempt = { ip: ip ?? 'unknown', accountKey: accountKeyFor(user.email), onAccountLimit: () => warnOwnersOfAttack(user.email) };
    await guard.checkAllowed(attempt);
    return { failed: () => guard.recordFailure(attempt) };
  }
  /** Refuses, as `field`, a password that is not the user's own, counting the guess (see `guardedGuess`). */
  async function proveCurrentPassword(user: User, password: string, ip: string | null | undefined, field: string) {
    const guess = await guardedGuess(user, ip);
    if (user.passwordHash && password && (await verifyPassword(password, user.passwordHash, deps.config.passwordPepper))) return guess;
    await guess.failed();
    throw new Invalid(field, 'is not your current password');
  }

  return {
    ...deps,
    now: () => deps.clock.now(),
    keys,
    pepper: deps.config.passwordPepper,
    sessions: createSessions({ db: deps.db, keys, clock: deps.clock }),
    guard,
    limits: createRequestLimits({ db: deps.db, clock: deps.clock }),
    secretBox: createSecretBox(deps.config.passwordPepper),
    warnOwnersOfAttack,
    guardedGuess,
    proveCurrentPassword,
  };
}

export type IdentityGround = ReturnType<typeof identityGround>;
