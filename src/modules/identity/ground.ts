import type { Config } from '../../config.js';
import type { Clock } from '../../platform/clock/index.js';
import type { Db } from '../../platform/db/client.js';
import type { JobRunner } from '../../platform/jobs/index.js';
import type { Mailer } from '../../platform/mail/index.js';
import type { Alerter } from '../../platform/observability/alert.js';
import type { Audit } from '../audit/index.js';
import { createSecretBox } from './secret-box.js';
import { createSessions } from './sessions.js';
import { createLoginGuard, createRequestLimits } from './throttle.js';
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
  return {
    ...deps,
    now: () => deps.clock.now(),
    keys,
    pepper: deps.config.passwordPepper,
    sessions: createSessions({ db: deps.db, keys, clock: deps.clock }),
    guard: createLoginGuard({ db: deps.db, alert: deps.alert, clock: deps.clock }),
    limits: createRequestLimits({ db: deps.db, clock: deps.clock }),
    secretBox: createSecretBox(deps.config.passwordPepper),
    /**
     * What the login guard calls when an account reaches its failure limit, wherever the failures were
     * made (the sign-in form, or the second-factor pages of a stolen session): its company's owners are told.
     */
    async warnOwnersOfAttack(email: string) {
      const user = await store.findUserByEmail(deps.db, email);
      if (!user) return;
      for (const owner of await store.listOwners(deps.db, user.tenantId)) {
        await deps.mailer.send({
          to: owner.email,
          subject: 'Many failed sign-ins on an account in your company',
          text: `There have been many failed attempts to sign in as ${user.email} in the last hour. Further attempts are being slowed down.\nIf this was not expected, ask the user to change their password and turn on a second factor.`,
        });
      }
    },
  };
}

export type IdentityGround = ReturnType<typeof identityGround>;
