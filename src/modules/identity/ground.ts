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
  };
}

export type IdentityGround = ReturnType<typeof identityGround>;
