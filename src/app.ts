import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Database } from './platform/db/client.js';
import { registerSecurity } from './platform/http/security.js';
import { trustedProxy } from './platform/http/trusted-proxy.js';
import { registerCsrf } from './platform/http/csrf.js';
import { registerErrorHandler } from './platform/http/error-handler.js';
import { registerFlash } from './platform/http/flash.js';
import { registerRequestContext } from './platform/http/context.js';
import { systemClock, type Clock } from './platform/clock/index.js';
import { registerHealth } from './platform/http/health.js';
import { createViews } from './platform/views/index.js';
import { viewsPlugin } from './platform/views/plugin.js';
import { createLogger } from './platform/observability/logger.js';
import { createAlerter, type Alerter } from './platform/observability/alert.js';
import { publicDir, viewsDir } from './platform/paths.js';
import { createMailer, type Mailer } from './platform/mail/index.js';
import { homeRoutes } from './modules/home/routes.js';
import { navigationFor, registerRouteRules, PUBLIC } from './modules/access/index.js';
import {
  createIdentity,
  identityHousekeeping,
  IDENTITY_HOUSEKEEPING,
  identityModule,
  LINK_MAIL,
  sessionPlugin,
  type Identity,
} from './modules/identity/index.js';
import { createPeople, peopleModule, type People } from './modules/people/index.js';
import { createAudit, type Audit } from './modules/audit/index.js';
import {
  ATTENDANCE_HOUSEKEEPING,
  attendanceHousekeeping,
  attendanceModule,
  createAttendance,
  kioskAuthenticator,
  type Attendance,
} from './modules/attendance/index.js';
import { PAY_RUN_JOB, payrollModule, payRunUseCases, salaryStructureUseCases, type PayRunHooks } from './modules/payroll/index.js';
import { createFieldCipher, createKeyProvider, KEY_ROTATION, keyRotationJob, type FieldCipher, type KeyProvider } from './platform/crypto/index.js';
import { createJobRunner, PRUNE_FINISHED_JOBS, pruneFinishedJobsHandler, type JobRunner } from './platform/jobs/index.js';

export interface AppAdapters {
  database: Database;
  /** The key service; tests pass a KMS adapter over a mocked SDK client. */
  keyProvider?: KeyProvider;
  logger?: Logger;
  mailer?: Mailer;
  /** The one clock every rule, store write and audit entry reads; tests move it instead of waiting an hour. */
  clock?: Clock;
  /**
   * How often this instance looks for due jobs. Default every 5 s, and never under NODE_ENV=test:
   * tests build many apps and drive the runner themselves (`app.jobs.runUntilIdle()`).
   */
  jobs?: { pollMs?: number | false };
  /** The kiosk liveness challenge every nonce asks for; only the real-face browser test sets it (production picks at random). */
  kioskChallenge?: () => 'blink' | 'turn_left' | 'turn_right';
  /** Pay run batch size and a hook before each batch: tests crash a run mid-way through it. */
  payRuns?: PayRunHooks;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    database: Database;
    alert: Alerter;
    mailer: Mailer;
    identity: Identity;
    fieldCipher: FieldCipher;
    people: People;
    attendance: Attendance;
    audit: Audit;
    clock: Clock;
    jobs: JobRunner;
  }
}

/**
 * The composition root: platform first (security, parsing, views, errors), then the modules, each a
 * plugin. Adapters for the outside world are chosen here from config.
 */
export async function buildApp(config: Config, adapters: AppAdapters): Promise<FastifyInstance> {
  const logger = adapters.logger ?? createLogger(config);
  const trustProxy = trustedProxy(config.trustProxy);
  const app: FastifyInstance = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    trustProxy,
    bodyLimit: config.bodyLimitBytes,
    genReqId: () => randomUUID(),
    logController: new LogController({ requestIdLogLabel: 'requestId', disableRequestLogging: config.env === 'test' }),
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  });

  app.decorate('config', config);
  app.decorate('database', adapters.database);
  const alert = createAlerter(logger);
  const clock = adapters.clock ?? systemClock;
  const mailer = adapters.mailer ?? createMailer(config);
  const audit = createAudit({ clock });
  const keyProvider = adapters.keyProvider ?? createKeyProvider(config);
  const fieldCipher = createFieldCipher({ db: adapters.database.db, keyProvider, alert, cache: { ttlMs: config.keyCacheMs } });
  const people = createPeople({ db: adapters.database.db, cipher: fieldCipher, clock, audit });
  const attendance = createAttendance({
    db: adapters.database.db,
    cipher: fieldCipher,
    clock,
    audit,
    alert,
    pinPepper: config.passwordPepper,
    pickChallenge: adapters.kioskChallenge,
  });
  const jobs = createJobRunner({
    db: adapters.database.db,
    clock,
    logger: logger.child({ component: 'jobs' }),
    pollMs: adapters.jobs?.pollMs ?? (config.env === 'test' ? false : 5000),
  });
  const identity = createIdentity({ db: adapters.database.db, config, alert, mailer, clock, audit, jobs });
  jobs.register(LINK_MAIL, identity.sendLinkMail);
  jobs.register(IDENTITY_HOUSEKEEPING, identityHousekeeping(adapters.database.db));
  jobs.recurring(IDENTITY_HOUSEKEEPING, 3600_000);
  jobs.register(ATTENDANCE_HOUSEKEEPING, attendanceHousekeeping(adapters.database.db, attendance));
  jobs.recurring(ATTENDANCE_HOUSEKEEPING, 3600_000);
  // `npm run keys:rotate` runs rotations itself; registered here too so a rotation whose command
  // died is finished by the servers once its lease runs out.
  jobs.register(KEY_ROTATION, keyRotationJob({ db: adapters.database.db, keyProvider, cipher: fieldCipher }));
  jobs.register(PRUNE_FINISHED_JOBS, pruneFinishedJobsHandler(adapters.database.db));
  const payRuns = payRunUseCases({ db: adapters.database.db, clock, audit, jobs, hooks: adapters.payRuns });
  jobs.register(PAY_RUN_JOB, payRuns.computeRun);
  jobs.recurring(PRUNE_FINISHED_JOBS, 24 * 3600_000);
  app.decorate('alert', alert);
  app.decorate('mailer', mailer);
  app.decorate('identity', identity);
  app.decorate('fieldCipher', fieldCipher);
  app.decorate('people', people);
  app.decorate('attendance', attendance);
  app.decorate('audit', audit);
  app.decorate('clock', clock);
  app.decorate('jobs', jobs);

  registerErrorHandler(app);
  registerRequestContext(app);
  await registerSecurity(app, { production: config.isProduction, trustProxy });
  await app.register(cookie, { secret: config.sessionKeys.map((k) => k.secret) });
  await app.register(formbody, { bodyLimit: Math.min(config.bodyLimitBytes, 256 * 1024) });
  await registerCsrf(app, { secret: config.sessionKeys[0]!.secret });
  registerFlash(app);
  await app.register(viewsPlugin, {
    env: createViews(viewsDir, { watch: config.env === 'development' }),
    pageContext: (request) => ({ viewer: request.viewer, nav: navigationFor(request.viewer) }),
  });
  await app.register(sessionPlugin, { identity });
  // The kiosk API's routes are let in by a kiosk signature, which attendance (owner of kiosks) checks.
  registerRouteRules(app, { authenticateKiosk: kioskAuthenticator(attendance) });

  await app.register(async (assets) => {
    // Static files are public by nature; declare it for every route this plugin adds.
    assets.addHook('onRoute', (route) => {
      route.config = { ...(route.config as object), access: PUBLIC };
    });
    await assets.register(fastifyStatic, { root: publicDir, prefix: '/public/', cacheControl: true, maxAge: config.isProduction ? '1d' : 0, index: false });
  });
  registerHealth(app, () => adapters.database.ping());

  // Jobs start once the app is ready and stop before anything closes (preClose runs before every
  // onClose, the pool's included): the running step finishes and its job is given back.
  app.addHook('onReady', async () => jobs.start());
  app.addHook('preClose', async () => jobs.stop());
  await app.register(homeRoutes);
  await app.register(identityModule, { identity });
  await app.register(peopleModule, { people });
  await app.register(attendanceModule, { attendance });
  await app.register(payrollModule, { structures: salaryStructureUseCases({ db: adapters.database.db, clock, audit }), payRuns });

  return app;
}
