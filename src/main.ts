import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { ConfigError, loadConfig, type Config } from './config.js';
import { buildApp } from './app.js';
import { createDatabase } from './platform/db/client.js';
import { MigrationsPending, prepareSchema } from './platform/db/migrate.js';
import { flushSentry, initSentry } from './platform/observability/sentry.js';
import { createLogger } from './platform/observability/logger.js';

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  stop(): Promise<void>;
}

/**
 * Prepares the database (see prepareSchema: development creates and migrates it, production only checks
 * that a deploy's `npm run migrate` brought it to this build's level), builds the app and listens.
 * SIGTERM/SIGINT drain in-flight requests (Fastify answers 503 to new ones meanwhile), close the
 * pool, flush Sentry, then run `afterStop` (the dev launcher stops its private database there).
 */
export async function startServer(config: Config, options: { afterStop?: () => Promise<void> } = {}): Promise<RunningServer> {
  const databaseUrl = config.databaseUrl;
  if (!databaseUrl) throw new ConfigError(['DATABASE_URL: missing (npm run dev finds or starts a local database for you)']);
  const logger = createLogger(config);
  initSentry(config);
  const schema = await prepareSchema({ url: databaseUrl, tls: config.databaseTls, isProduction: config.isProduction });
  logger.info({ migrations: schema.migrations }, schema.migrated ? 'database migrated' : 'database at this build’s migration level');

  const database = createDatabase({ url: databaseUrl, poolSize: config.databasePoolSize, tls: config.databaseTls });
  const app = await buildApp(config, { database, logger });
  app.addHook('onClose', async () => database.close());
  const address = await app.listen({ host: config.host, port: config.port });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      logger.info('shutting down: draining requests');
      await app.close();
      await flushSentry();
      await options.afterStop?.();
    })();
    return stopping;
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stop().then(
        () => process.exit(0),
        (error) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
  const publicHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return { app, url: address.replace(/\/\/[^:/]+(?=:\d+$)/, `//${publicHost}`), stop };
}

export function exitOnStartupError(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else if (error instanceof MigrationsPending) {
    // An expected refusal, not a bug: the line says what to run, a stack would only bury it.
    process.stderr.write(`Bizlumo HR could not start: ${error.message}\n`);
  } else {
    process.stderr.write(`Bizlumo HR could not start: ${(error as Error).stack ?? String(error)}\n`);
  }
  process.exit(1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const config = loadConfig();
    await startServer(config);
  } catch (error) {
    exitOnStartupError(error);
  }
}
