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
import { registerHealth } from './platform/http/health.js';
import { createViews } from './platform/views/index.js';
import { viewsPlugin } from './platform/views/plugin.js';
import { createLogger } from './platform/observability/logger.js';
import { createAlerter, type Alerter } from './platform/observability/alert.js';
import { publicDir, viewsDir } from './platform/paths.js';
import { homeRoutes } from './modules/home/routes.js';

export interface AppAdapters {
  database: Database;
  logger?: Logger;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    database: Database;
    alert: Alerter;
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
  app.decorate('alert', createAlerter(logger));

  registerErrorHandler(app);
  await registerSecurity(app, { production: config.isProduction, trustProxy });
  await app.register(cookie, { secret: config.sessionKeys.map((k) => k.secret) });
  await app.register(formbody, { bodyLimit: Math.min(config.bodyLimitBytes, 256 * 1024) });
  await registerCsrf(app, { secret: config.sessionKeys[0]!.secret });
  registerFlash(app);
  await app.register(viewsPlugin, {
    env: createViews(viewsDir, { watch: config.env === 'development' }),
    pageContext: () => ({ nav: [{ href: '/', label: 'Home' }] }),
  });
  await app.register(fastifyStatic, {
    root: publicDir,
    prefix: '/public/',
    cacheControl: true,
    maxAge: config.isProduction ? '1d' : 0,
    index: false,
  });

  registerHealth(app, () => adapters.database.ping());
  await app.register(homeRoutes);

  return app;
}
