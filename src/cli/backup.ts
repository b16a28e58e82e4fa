/**
 * `npm run backup`: an encrypted logical backup of the database into object storage.
 *
 * A consistent dump (`mariadb-dump --single-transaction`), encrypted as it streams under a fresh data
 * key from the backup master key (BACKUP_KMS_KEY_ID with KMS; never the field key), written with its metadata (time, schema version, per-table row counts
 * and checksums) to `backups/<id>/` in the platform namespace of the object store, both objects locked
 * for 30 days; then prunes the backups older than that (never the newest), each pruning an audit entry
 * made by the system actor `backup-prune`. See
 * src/platform/backup/. Uses DATABASE_URL when given; otherwise the local development server (see
 * platform/db/local-server.ts) and its `bizlumo` database. Prints the backup id last.
 * In the image: `node dist/cli/backup.js`, which production runs daily against RDS (DATABASE_TLS=rds:
 * every connection, the dump's too, is TLS with the RDS certificate verified). The logical backup is
 * ours, besides RDS's snapshots: encrypted under our backup key, and restorable onto any server.
 */
import { loadConfig } from '../config.js';
import { createObjectStore, type ObjectStore } from '../platform/storage/index.js';
import { BACKUP_RETENTION_DAYS, pruneBackups, takeBackup } from '../platform/backup/index.js';
import { systemClock } from '../platform/clock/index.js';
import { systemContext } from '../platform/context/index.js';
import { createDatabase } from '../platform/db/client.js';
import type { DatabaseTls } from '../platform/db/tls.js';
import { createAudit, PLATFORM_AUDIT_TENANT } from '../modules/audit/index.js';
import { createCommand } from './command.js';

const { say, databaseUrl, backupKeyFor, closeAtExit, run } = createCommand('backup');

await run('backup failed', async () => {
  if (process.argv.length > 2) throw new Error(`npm run backup takes no arguments (got ${process.argv.slice(2).join(' ')})`);
  const config = loadConfig();
  const url = await databaseUrl(config);
  // Modules register their encrypted columns when imported; the metadata records which exist.
  await import('../app.js');
  const store = createObjectStore(config);
  const metadata = await takeBackup({ databaseUrl: url, tls: config.databaseTls, backupKey: backupKeyFor(config, url), store, log: say });
  const rows = metadata.tables.reduce((sum, table) => sum + table.rows, 0);
  say(`schema: ${metadata.schema.migrations} migrations; ${metadata.tables.length} tables, ${rows} rows; snapshot ${metadata.source.snapshot}`);
  say(`stored ${metadata.object} (${metadata.sizes.ciphertextBytes} bytes, SHA-256 ${metadata.ciphertextSha256.slice(0, 16)}…) and its metadata.json`);
  say(`data key made under the backup key ${metadata.key.masterKeyId} (context ${JSON.stringify(metadata.key.context)})`);
  await pruneOldBackups(url, config.databaseTls, store);
  say(`backup id: ${metadata.id}`);
  return 0;
});

/** After a backup exists, those past retention go; each is audited (platform-wide, so no company) before it is deleted. */
async function pruneOldBackups(url: string, tls: DatabaseTls, store: ObjectStore): Promise<void> {
  const database = createDatabase({ url, poolSize: 1, tls });
  closeAtExit(() => database.close());
  const audit = createAudit({ clock: systemClock });
  const context = systemContext('backup-prune', `backup-prune-${Date.now()}`, PLATFORM_AUDIT_TENANT);
  const pruned = await pruneBackups({
    store,
    now: systemClock.now(),
    log: say,
    record: (backup) =>
      audit.recordFor(
        database.db,
        context,
        'backup.pruned',
        { type: 'backup', id: backup.id },
        { takenAt: backup.takenAt, retentionDays: BACKUP_RETENTION_DAYS },
      ),
  });
  say(`${pruned.length} backup${pruned.length === 1 ? '' : 's'} older than ${BACKUP_RETENTION_DAYS} days pruned`);
}
