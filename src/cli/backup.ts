/**
 * `npm run backup`: an encrypted logical backup of the database into object storage.
 *
 * A consistent dump (`mariadb-dump --single-transaction`), encrypted as it streams under a fresh data
 * key from the key provider, written with its metadata (time, schema version, per-table row counts
 * and checksums) to `backups/<id>/` in the platform namespace of the object store. See
 * src/platform/backup/. Uses DATABASE_URL when given; otherwise the local development server (see
 * platform/db/local-server.ts) and its `bizlumo` database. Prints the backup id last.
 */
import { loadConfig } from '../config.js';
import { withDatabase } from '../platform/db/admin.js';
import { findOrStartLocalServer, type LocalServer } from '../platform/db/local-server.js';
import { createKeyProvider } from '../platform/crypto/index.js';
import { createObjectStore } from '../platform/storage/index.js';
import { takeBackup } from '../platform/backup/index.js';

const say = (line: string) => process.stdout.write(`[backup] ${line}\n`);
const fail = (line: string) => process.stderr.write(`[backup] ${line}\n`);
const hidePassword = (url: string) => url.replace(/\/\/([^:@/]+):[^@]*@/, '//$1:***@');

let localServer: LocalServer | undefined;
let exitCode = 0;
try {
  if (process.argv.length > 2) throw new Error(`npm run backup takes no arguments (got ${process.argv.slice(2).join(' ')})`);
  const config = loadConfig();
  if (config.databaseTls === 'rds') {
    throw new Error('npm run backup is for the embedded database; on RDS use its snapshots and point-in-time recovery (infra/README.md, "Restore drill")');
  }
  if (!config.databaseUrl) {
    localServer = await findOrStartLocalServer(config.dataDir, say);
    config.databaseUrl = withDatabase(localServer.serverUrl, 'bizlumo');
  }
  say(`database: ${hidePassword(config.databaseUrl)}`);
  // Modules register their encrypted columns when imported; the metadata records which exist.
  await import('../app.js');
  const metadata = await takeBackup({ databaseUrl: config.databaseUrl, keyProvider: createKeyProvider(config), store: createObjectStore(config), log: say });
  const rows = metadata.tables.reduce((sum, table) => sum + table.rows, 0);
  say(`schema: ${metadata.schema.migrations} migrations; ${metadata.tables.length} tables, ${rows} rows; snapshot ${metadata.source.snapshot}`);
  say(`stored ${metadata.object} (${metadata.sizes.ciphertextBytes} bytes, SHA-256 ${metadata.ciphertextSha256.slice(0, 16)}…) and its metadata.json`);
  say(`data key made under ${metadata.key.masterKeyId} (context "${metadata.key.context}")`);
  say(`backup id: ${metadata.id}`);
} catch (error) {
  fail(`backup failed: ${(error as Error).message}`);
  exitCode = 1;
} finally {
  await localServer?.stop();
}
process.exit(exitCode);
