/**
 * `npm run migrate`: brings the database to this build's schema, then gives the runtime user(s) their
 * rights on it (row access table by table, nothing else: see platform/db/runtime-user.ts).
 *
 * Production runs it as a one-off task before the new servers start, with the migrator's credentials
 * (RDS's master user, as DATABASE_URL or DB_HOST/DB_PORT/DB_NAME/DB_USER/DB_PASSWORD) and
 * RUNTIME_DB_USER naming the users the servers connect as (`app,app_clone` under alternating-users
 * rotation), plus the runtime secret's RUNTIME_DB_CURRENT_USER and RUNTIME_DB_PASSWORD so the first
 * deploy can create that user (never touched again once it exists); the servers only check the level and refuse to start behind it. Safe to run again, and
 * by two tasks at once (they take turns under the migration lock). Uses DATABASE_URL when given;
 * otherwise the local development server (see platform/db/local-server.ts) and its `bizlumo` database.
 * In the image: `node dist/cli/migrate.js`.
 */
import { loadMigratorConfig } from '../config.js';
import { ensureDatabase } from '../platform/db/admin.js';
import { migrateForDeploy } from '../platform/db/migrate.js';
import { createCommand } from './command.js';

const { say, databaseUrl, run } = createCommand('migrate');

await run('migrate failed', async () => {
  if (process.argv.length > 2) throw new Error(`npm run migrate takes no arguments (got ${process.argv.slice(2).join(' ')})`);
  const config = loadMigratorConfig();
  const url = await databaseUrl(config);
  // Development may start from nothing; production's database is made with the RDS instance.
  if (!config.isProduction) await ensureDatabase(url);
  const result = await migrateForDeploy({ url, tls: config.databaseTls, runtimeUsers: config.runtimeDbUsers, seed: config.runtimeDbSeed, log: say });
  for (const warning of result.warnings) say(`warning: ${warning}`);
  say(`done: ${result.migrations} migrations; runtime users granted: ${result.granted.join(', ') || 'none'}`);
  return 0;
});
