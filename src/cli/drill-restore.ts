/**
 * `npm run drill:restore [-- --backup ID] [-- --keep]`
 *   restores a backup (the latest by default) into a brand-new database on the same server, verifies
 *   it, prints and stores the drill report (`drills/<id>.json` in object storage), and drops the new
 *   database when every check passed (it is kept for investigation when one failed, or with --keep).
 *   Production runs this monthly against RDS as its master user (DATABASE_TLS=rds: TLS, certificate
 *   verified); the scratch database lives beside `bizlumo` on the instance for the drill's duration.
 *
 * `npm run drill:restore -- --database URL [--backup ID] --restore-point ISO-TIME --restore-started ISO-TIME`
 *   only verifies an already-restored database, e.g. an RDS instance restored from a snapshot: schema
 *   version, sensitive fields and audit chain; with --backup also every table against that backup's
 *   metadata. --restore-point is the time the instance was restored to (the achieved RPO), and
 *   --restore-started when its restore began (the achieved RTO, up to the end of the verification).
 *
 * Exits 0 when every check passed and the RPO and RTO are within what we promise (24 h, 4 h), 1
 * otherwise (a refused backup, a mismatch, a skipped check, an objective missed, bad arguments).
 * Uses DATABASE_URL's server when given; otherwise the local development server.
 *
 * Compiled into the image as dist/cli/drill-restore.js: the production drill runs it as a one-off ECS
 * task (infra/README.md).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createObjectStore } from '../platform/storage/index.js';
import { describeDrill, isBackupId, runRestoreDrill, runVerificationDrill, type DrillReport } from '../platform/backup/index.js';
import { createCommand } from './command.js';

const { say, fail, databaseUrl, keyProviderFor, backupKeyFor, run } = createCommand('drill');

const USAGE =
  'usage: npm run drill:restore [-- --backup ID] [--keep]  |  npm run drill:restore -- --database mysql://… [--backup ID] --restore-point ISO-TIME --restore-started ISO-TIME';

function parseCommandLine() {
  const { values } = parseArgs({
    options: {
      backup: { type: 'string' },
      database: { type: 'string' },
      keep: { type: 'boolean', default: false },
      'restore-point': { type: 'string' },
      'restore-started': { type: 'string' },
    },
    strict: true,
  });
  if (values.backup !== undefined && !isBackupId(values.backup)) throw new Error(`--backup must be a backup id such as 20260522T031500123Z-4f2a9c\n${USAGE}`);
  if (values.database !== undefined && !/^mysql:\/\/[^/]+\/[A-Za-z0-9_]+(\?.*)?$/.test(values.database)) {
    throw new Error(`--database must look like mysql://user:password@host:3306/database\n${USAGE}`);
  }
  if (values['restore-point'] !== undefined && (values.database === undefined || Number.isNaN(Date.parse(values['restore-point'])))) {
    throw new Error(`--restore-point takes an ISO time and goes with --database\n${USAGE}`);
  }
  if (values['restore-started'] !== undefined && (values.database === undefined || Number.isNaN(Date.parse(values['restore-started'])))) {
    throw new Error(`--restore-started takes an ISO time and goes with --database\n${USAGE}`);
  }
  if (values.keep && values.database !== undefined) throw new Error(`--keep applies to a restore, not to --database (which is never dropped)\n${USAGE}`);
  return values;
}

await run('drill failed', async () => {
  const args = parseCommandLine();
  const config = loadConfig();
  // Modules register their encrypted columns when imported: that is what the field check samples.
  await import('../app.js');
  const store = createObjectStore(config);
  let report: DrillReport;
  if (args.database) {
    report = await runVerificationDrill({
      store,
      keyProvider: keyProviderFor(config, args.database),
      databaseUrl: args.database,
      tls: config.databaseTls,
      backupId: args.backup,
      // Only a comparison with a backup needs the backup key: the RDS drill runs without BACKUP_KMS_KEY_ID.
      backupKey: args.backup ? backupKeyFor(config, args.database) : undefined,
      restorePoint: args['restore-point'],
      restoreStarted: args['restore-started'],
    });
  } else {
    const serverUrl = await databaseUrl(config);
    report = await runRestoreDrill({
      store,
      keyProvider: keyProviderFor(config, serverUrl),
      backupKey: backupKeyFor(config, serverUrl),
      serverUrl,
      tls: config.databaseTls,
      backupId: args.backup,
      keep: args.keep,
      log: say,
    });
  }
  for (const line of describeDrill(report)) say(line);
  const failed = report.checks.filter((check) => check.status !== 'pass');
  if (failed.length > 0) fail(`drill FAILED: ${failed.map((check) => `${check.name}: ${check.detail}`).join(' | ')}`);
  return report.result === 'pass' ? 0 : 1;
});
