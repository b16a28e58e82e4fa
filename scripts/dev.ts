/**
 * `npm run dev`: one command from a fresh clone to a running app with the demo companies.
 * Uses DATABASE_URL when given; otherwise a local server (see platform/db/local-server.ts).
 */
import { loadConfig } from '../src/config.js';
import { exitOnStartupError, startServer } from '../src/main.js';
import { createDatabase } from '../src/platform/db/client.js';
import { ensureDatabase, withDatabase } from '../src/platform/db/admin.js';
import { runMigrations } from '../src/platform/db/migrate.js';
import { findOrStartLocalServer, NoDatabaseServer, type LocalServer } from '../src/platform/db/local-server.js';
import { seedDemo } from '../src/demo/seed.js';
import { hidePassword } from '../src/cli/command.js';
import { copyKioskAssets } from '../src/cli/kiosk-assets.js';

const say = (line: string) => process.stdout.write(`[dev] ${line}\n`);

let localServer: LocalServer | undefined;
try {
  const config = loadConfig();
  if (config.isProduction) throw new Error('npm run dev is for development; production runs `node dist/main.js`');
  if (!config.databaseUrl) {
    localServer = await findOrStartLocalServer(config.dataDir, say);
    config.databaseUrl = withDatabase(localServer.serverUrl, 'bizlumo');
  }
  say(`database: ${hidePassword(config.databaseUrl)}`);
  say(`kiosk face model in ${copyKioskAssets()}`);
  await ensureDatabase(config.databaseUrl);
  await runMigrations(config.databaseUrl);

  const seeding = createDatabase({ url: config.databaseUrl, poolSize: 2, tls: config.databaseTls });
  const summary = await seedDemo(seeding.db, config).finally(() => seeding.close());
  for (const company of summary.companies) {
    say(`demo company ${company.name} (${company.domain}): ${company.employees} employees, ${company.kiosk.enrolled} with a face enrolled at its demo kiosk`);
  }
  say(`a day of punches at a demo kiosk, through the signed kiosk API: npm run kiosk:simulate -- --company acme.test`);
  say(`demo sign-ins (password: ${config.demoPassword}):`);
  for (const login of summary.logins) say(`  ${login.email.padEnd(28)} ${login.role}`);

  const server = await startServer(config, { afterStop: () => localServer?.stop() ?? Promise.resolve() });
  say(`Bizlumo HR is serving ${server.url}`);
} catch (error) {
  await localServer?.stop();
  if (error instanceof NoDatabaseServer) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  exitOnStartupError(error);
}
