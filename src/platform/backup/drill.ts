import { randomBytes } from 'node:crypto';
import { dropDatabase, parseDatabaseUrl, withDatabase } from '../db/admin.js';
import type { DatabaseTls } from '../db/tls.js';
import type { KeyProvider } from '../crypto/index.js';
import { PLATFORM, type ObjectStore } from '../storage/index.js';
import type { BackupMasterKey } from './backup-key.js';
import { BackupRefused, latestBackupId, newBackupId, readMetadata, type BackupMetadata } from './metadata.js';
import { openBackup, restoreBackup } from './restore.js';
import { verifyRestore, type AuditChainVerifier, type Check, type VerificationReport } from './verify.js';

/**
 * The restore drill: restore a backup into a new database, verify it, and record what was achieved.
 *   - RPO achieved = the age of the backup when the drill ran (data newer than it would be lost);
 *   - RTO achieved = restore time + verification time (how long until a verified copy exists).
 * The report is printed by the script and stored as JSON at `drills/<drill id>.json` in the
 * platform namespace of the object store. It holds no plaintext and no credentials.
 *
 * A drill passes only when every check passed: a check that was skipped vouches for nothing, so it
 * fails the drill like a mismatch does, and so does an RPO or RTO above what we promise.
 */

/**
 * What we promise: at most 24 hours of data lost (RPO) and service back within 4 hours (RTO). Source:
 * issue 16 item 19; infra/README.md states the 24 h for the disaster-recovery copies ("RPO ≤ 24 h").
 * specs/security.md does not state either figure yet.
 */
export const PROMISED_RPO_SECONDS = 24 * 3600;
export const PROMISED_RTO_SECONDS = 4 * 3600;

export interface DrillReport {
  kind: 'restore-drill';
  id: string;
  /** `restore`: restored here and verified; `verify-only`: a database restored elsewhere (RDS), verified. */
  mode: 'restore' | 'verify-only';
  startedAt: string;
  finishedAt: string;
  result: 'pass' | 'fail';
  backup?: { id: string; takenAt: string; sourceDatabase: string; plaintextBytes: number; ciphertextBytes: number; migrations: number; snapshot: string };
  /** Database name and server host:port only. */
  target: { database: string; server: string; kept: boolean };
  rpo: { seconds?: number; restorePoint?: string; note: string };
  rto: { restoreSeconds?: number; verifySeconds?: number; seconds?: number; note: string };
  checks: Check[];
  tables?: VerificationReport['tables'];
  reportKey: string;
}

export interface RestoreDrillOptions {
  store: ObjectStore;
  /** The field key provider: the verification decrypts sensitive fields with it. */
  keyProvider: KeyProvider;
  /** The backups' own master key: the restore opens the backup with it. */
  backupKey: BackupMasterKey;
  /** The server to restore onto (mysql://…/ with or without a database): on RDS the instance itself, as its master user. */
  serverUrl: string;
  /** `rds` in production: the restore, the verification and the drop all connect with TLS, the certificate verified. */
  tls?: DatabaseTls;
  backupId?: string;
  /** Defaults to `<source>_drill_<time>`. */
  targetDatabase?: string;
  /** Keep the restored database even when the drill passes (it is always kept when a check fails). */
  keep?: boolean;
  now?: () => Date;
  log?: (line: string) => void;
  /** Overrides the audit module's registered verifier (tests). */
  auditChain?: AuditChainVerifier;
}

/** Restore + verify + stored report. Never throws for a failed check or a refused backup: the report says so. */
export async function runRestoreDrill(options: RestoreDrillOptions): Promise<DrillReport> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const id = newBackupId(startedAt);
  const server = serverLabel(options.serverUrl);
  const checks: Check[] = [];
  const base = { kind: 'restore-drill' as const, id, mode: 'restore' as const, startedAt: startedAt.toISOString(), reportKey: reportKey(id) };

  const backupId = options.backupId ?? (await latestBackupId(options.store));
  if (!backupId) {
    checks.push({ name: 'backup', status: 'fail', detail: 'there is no backup in object storage (run `npm run backup` first)' });
    return finish(
      options.store,
      { ...base, target: { database: '-', server, kept: false }, rpo: { note: 'no backup' }, rto: { note: 'no restore' }, checks },
      now,
    );
  }
  let metadata: BackupMetadata | undefined;
  try {
    metadata = await readMetadata(options.store, backupId);
  } catch {
    // restoreBackup below reports the same problem as a refusal, with the full reason.
  }
  const database = options.targetDatabase ?? drillDatabaseName(metadata?.source.database ?? 'bizlumo', startedAt);
  const targetUrl = withDatabase(options.serverUrl, database);
  const rpo = rpoOf(metadata, startedAt);

  let restoreSeconds: number;
  try {
    const restored = await restoreBackup({
      backupId,
      targetDatabaseUrl: targetUrl,
      tls: options.tls,
      backupKey: options.backupKey,
      store: options.store,
      log: options.log,
    });
    restoreSeconds = restored.seconds;
    metadata = restored.metadata;
    checks.push({
      name: 'restore',
      status: 'pass',
      detail: `backup ${backupId} authenticated and loaded into the new database ${database} in ${restored.seconds.toFixed(2)} s`,
    });
  } catch (error) {
    const refused = error instanceof BackupRefused;
    checks.push({ name: 'restore', status: 'fail', detail: refused ? `refused (${error.reason}): ${error.message}` : (error as Error).message });
    return finish(
      options.store,
      { ...base, backup: backupSummary(metadata), target: { database, server, kept: false }, rpo, rto: { note: 'no restore' }, checks },
      now,
    );
  }

  const verification = await verifyRestore({
    databaseUrl: targetUrl,
    keyProvider: options.keyProvider,
    metadata,
    tls: options.tls,
    auditChain: options.auditChain,
  });
  // The measured time from the start of the restore to a verified copy.
  const rtoSeconds = restoreSeconds + verification.seconds;
  checks.push(...verification.checks, recoveryPointCheck(rpo), recoveryTimeCheck(rtoSeconds, 'restore and verification took'));
  const passed = checks.every((check) => check.status === 'pass');
  const kept = options.keep === true || !passed;
  if (!kept) await dropDatabase(targetUrl, options.tls);
  return finish(
    options.store,
    {
      ...base,
      backup: backupSummary(metadata),
      target: { database, server, kept },
      rpo,
      rto: {
        restoreSeconds: round(restoreSeconds),
        verifySeconds: round(verification.seconds),
        seconds: round(rtoSeconds),
        note: 'restore (authenticate, decrypt, load) + verification',
      },
      checks,
      tables: verification.tables,
    },
    now,
  );
}

export interface VerifyDrillOptions {
  store: ObjectStore;
  keyProvider: KeyProvider;
  /** The already-restored database (for example an RDS instance restored from a snapshot). */
  databaseUrl: string;
  tls?: DatabaseTls;
  /** Compare with this backup's metadata (authenticated with `backupKey`); without it the schema is compared with this build. */
  backupId?: string;
  backupKey?: BackupMasterKey;
  /** The restore point of a snapshot or point-in-time restore (ISO time), for the achieved RPO. */
  restorePoint?: string;
  /** When the restore of the instance began (ISO time, from the RDS events), for the achieved RTO. */
  restoreStarted?: string;
  now?: () => Date;
  auditChain?: AuditChainVerifier;
}

/** Verification only, of a database restored by other means. */
export async function runVerificationDrill(options: VerifyDrillOptions): Promise<DrillReport> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const id = newBackupId(startedAt);
  const { database } = parseDatabaseUrl(options.databaseUrl);
  const base = { kind: 'restore-drill' as const, id, mode: 'verify-only' as const, startedAt: startedAt.toISOString(), reportKey: reportKey(id) };
  const target = { database, server: serverLabel(options.databaseUrl), kept: true };
  let metadata: BackupMetadata | undefined;
  if (options.backupId) {
    try {
      if (!options.backupKey) throw new Error("the backup key is needed to trust a backup's metadata");
      const opened = await openBackup(options.store, options.backupId, options.backupKey);
      opened.keys.frames.fill(0);
      opened.keys.metadata.fill(0);
      metadata = opened.metadata;
    } catch (error) {
      const checks: Check[] = [{ name: 'backup', status: 'fail', detail: (error as Error).message }];
      return finish(options.store, { ...base, target, rpo: { note: 'no backup' }, rto: { note: 'not verified' }, checks }, now);
    }
  }
  const verification = await verifyRestore({
    databaseUrl: options.databaseUrl,
    keyProvider: options.keyProvider,
    metadata,
    tls: options.tls,
    auditChain: options.auditChain,
  });
  const rtoSeconds = options.restoreStarted ? (now().getTime() - Date.parse(options.restoreStarted)) / 1000 : undefined;
  const rpo = options.restorePoint
    ? {
        seconds: round((startedAt.getTime() - Date.parse(options.restorePoint)) / 1000),
        restorePoint: options.restorePoint,
        note: 'time since the restore point given with --restore-point',
      }
    : metadata
      ? rpoOf(metadata, startedAt)
      : { note: 'unknown: pass --restore-point <ISO time> (the snapshot or point-in-time the instance was restored to)' };
  return finish(
    options.store,
    {
      ...base,
      backup: backupSummary(metadata),
      target,
      rpo,
      rto:
        rtoSeconds === undefined
          ? { verifySeconds: round(verification.seconds), note: 'unknown: pass --restore-started <ISO time> (when the instance restore began)' }
          : { verifySeconds: round(verification.seconds), seconds: round(rtoSeconds), note: 'from --restore-started to the end of verification' },
      checks: [...verification.checks, recoveryPointCheck(rpo), recoveryTimeCheck(rtoSeconds, 'from the start of the restore to a verified copy took')],
      tables: verification.tables,
    },
    now,
  );
}

/** Human-readable lines: the result, RPO/RTO and every check. */
export function describeDrill(report: DrillReport): string[] {
  const mark = { pass: 'ok  ', fail: 'FAIL', skipped: 'skip' } as const;
  const lines = [
    `drill ${report.id} (${report.mode}): ${report.result.toUpperCase()}`,
    report.backup
      ? `backup ${report.backup.id} taken ${report.backup.takenAt} of ${report.backup.sourceDatabase} (${report.backup.plaintextBytes} bytes dumped)`
      : 'backup: none',
    `target database ${report.target.database} on ${report.target.server}${report.target.kept ? ' (kept)' : ' (dropped after the drill)'}`,
    `achieved RPO: ${report.rpo.seconds !== undefined ? `${report.rpo.seconds} s` : '-'} (${report.rpo.note})`,
    `achieved RTO: ${report.rto.seconds ?? report.rto.verifySeconds ?? '-'} s (${report.rto.note}${report.rto.restoreSeconds !== undefined ? `: restore ${report.rto.restoreSeconds} s + verify ${report.rto.verifySeconds} s` : ''})`,
    ...report.checks.map((c) => `  ${mark[c.status]} ${c.name}: ${c.detail}`),
    `report stored at ${report.reportKey} (object storage, platform namespace)`,
  ];
  return lines;
}

/** Decides the result and stores the report; a report that cannot be stored fails the drill. */
async function finish(store: ObjectStore, partial: Omit<DrillReport, 'finishedAt' | 'result'>, now: () => Date): Promise<DrillReport> {
  const decide = (checks: Check[]) => (checks.length > 0 && checks.every((c) => c.status === 'pass') ? 'pass' : 'fail');
  const report: DrillReport = { ...partial, finishedAt: now().toISOString(), result: decide(partial.checks) };
  try {
    await store.put(PLATFORM, report.reportKey, Buffer.from(`${JSON.stringify(report, null, 2)}\n`), { contentType: 'application/json' });
  } catch (error) {
    report.checks = [...report.checks, { name: 'report stored', status: 'fail', detail: `${report.reportKey}: ${(error as Error).message}` }];
    report.result = 'fail';
  }
  return report;
}

const reportKey = (id: string) => `drills/${id}.json`;
const round = (seconds: number) => Math.round(seconds * 1000) / 1000;

const hours = (seconds: number) => `${Math.round(seconds / 360) / 10} h`;

export function recoveryPointCheck(rpo: DrillReport['rpo']): Check {
  const name = 'recovery point';
  const promise = `the ${hours(PROMISED_RPO_SECONDS)} promised`;
  if (rpo.seconds === undefined) return { name, status: 'fail', detail: `${rpo.note}: cannot show it is within ${promise}` };
  const within = rpo.seconds <= PROMISED_RPO_SECONDS;
  return {
    name,
    status: within ? 'pass' : 'fail',
    detail: `${hours(rpo.seconds)} (${rpo.note}): ${within ? `within ${promise}` : `more than ${promise}`}`,
  };
}

export function recoveryTimeCheck(seconds: number | undefined, what: string): Check {
  const name = 'recovery time';
  const promise = `the ${hours(PROMISED_RTO_SECONDS)} promised`;
  if (seconds === undefined) return { name, status: 'fail', detail: `unknown (pass --restore-started <ISO time>): cannot show it is within ${promise}` };
  const within = seconds <= PROMISED_RTO_SECONDS;
  return { name, status: within ? 'pass' : 'fail', detail: `${what} ${round(seconds)} s: ${within ? `within ${promise}` : `more than ${promise}`}` };
}

function rpoOf(metadata: BackupMetadata | undefined, at: Date): DrillReport['rpo'] {
  if (!metadata) return { note: 'unknown: the backup metadata could not be read' };
  return {
    seconds: round((at.getTime() - Date.parse(metadata.takenAt)) / 1000),
    restorePoint: metadata.takenAt,
    note: 'age of the backup when the drill started',
  };
}

function backupSummary(metadata: BackupMetadata | undefined): DrillReport['backup'] {
  if (!metadata) return undefined;
  return {
    id: metadata.id,
    takenAt: metadata.takenAt,
    sourceDatabase: metadata.source.database,
    plaintextBytes: metadata.sizes.plaintextBytes,
    ciphertextBytes: metadata.sizes.ciphertextBytes,
    migrations: metadata.schema.migrations,
    snapshot: metadata.source.snapshot,
  };
}

/** `<source>_drill_<yyyymmddhhmmss>_<hex>`, within MySQL's 64-character limit. */
export function drillDatabaseName(source: string, at: Date): string {
  const stamp = at.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${source.slice(0, 36)}_drill_${stamp}_${randomBytes(2).toString('hex')}`;
}

function serverLabel(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || 3306}`;
}
