import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { PoolConnection } from 'mysql2/promise';
import { createDatabase, type Db } from '../db/client.js';
import { parseDatabaseUrl } from '../db/admin.js';
import type { DatabaseTls } from '../db/tls.js';
import { migrationsDir } from '../paths.js';
import { CiphertextRejected, createFieldCipher, keyVersionOf, listEncryptedColumns, type EncryptedColumn, type KeyProvider } from '../crypto/index.js';
import { fingerprintTables, quoteIdentifier, readStructure, startSnapshot, type DatabaseStructure, type TableFingerprint } from './checksums.js';
import type { BackupMetadata } from './metadata.js';

/**
 * `verifyRestore`: is this database a faithful, usable copy? It checks
 *   - schema: the migrations applied equal the backup's (or, with no backup to compare with, this
 *     build's migrations: count and the hash of the newest);
 *   - tables: the same tables, each with the same structure, row count and checksum (checksums.ts);
 *   - sensitive fields: per tenant, random values of every registered encrypted column decrypt through
 *     the key provider, with the associated data `tenant/table/column/row id`: at least one under each
 *     key version the tenant's values name, since a random sample of a column can miss the one broken
 *     version a few values still use;
 *   - the audit hash chain, through the verifier the audit module registers (see below).
 * It only reads. The report names no plaintext and no credentials.
 */

export type CheckStatus = 'pass' | 'fail' | 'skipped';

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
}

export interface VerificationReport {
  database: string;
  /** What the tables were compared with. */
  reference: string;
  ok: boolean;
  seconds: number;
  checks: Check[];
  /** The verified database's own fingerprint, recorded for the drill log. */
  tables: TableFingerprint[];
}

/**
 * The audit module's hash-chain check, once it exists: it registers a verifier at import time
 * (platform/ imports no module, as with the encrypted columns). Until one is registered the drill
 * reports the audit chain as skipped.
 */
export type AuditChainVerifier = (db: Db) => Promise<{ ok: boolean; detail: string }>;
let auditChainVerifier: AuditChainVerifier | undefined;

export function registerAuditChainVerifier(verifier: AuditChainVerifier | undefined): void {
  auditChainVerifier = verifier;
}

export interface VerifyOptions {
  databaseUrl: string;
  keyProvider: KeyProvider;
  /** The backup the database was restored from; without it, schema is compared with this build. */
  metadata?: BackupMetadata;
  tls?: DatabaseTls;
  /** Defaults to every registered encrypted column (scripts import src/app.js so modules register). */
  columns?: EncryptedColumn[];
  /** Values sampled per tenant, column and key version (at least 1). */
  samplesPerKeyVersion?: number;
  auditChain?: AuditChainVerifier;
}

export async function verifyRestore(options: VerifyOptions): Promise<VerificationReport> {
  const started = performance.now();
  const { database } = parseDatabaseUrl(options.databaseUrl);
  const handle = createDatabase({ url: options.databaseUrl, poolSize: 2, tls: options.tls });
  const checks: Check[] = [];
  let tables: TableFingerprint[] = [];
  try {
    const connection = await handle.pool.getConnection();
    let structure: DatabaseStructure;
    let fields: Check[];
    try {
      await startSnapshot(connection);
      structure = await readStructure(connection, database);
      const present = structure.tables;
      const columns = (options.columns ?? listEncryptedColumns()).filter((c) => present.some((t) => t.name === c.table && t.columns.includes(c.column)));
      // The server checksums on this connection while the sample decrypts on another: two cores, two jobs.
      [tables, fields] = await Promise.all([fingerprintTables(connection, database, present), fieldChecks(handle.db, handle.pool, options, columns)]);
      await connection.query('COMMIT');
    } finally {
      connection.release();
    }
    checks.push(schemaCheck(structure, options.metadata));
    checks.push(...tableChecks(tables, options.metadata));
    checks.push(...fields);
    checks.push(await auditCheck(handle.db, options.auditChain ?? auditChainVerifier));
  } catch (error) {
    checks.push({ name: 'database readable', status: 'fail', detail: (error as Error).message });
  } finally {
    await handle.close();
  }
  return {
    database,
    reference: options.metadata ? `backup ${options.metadata.id}` : 'this build (no backup metadata)',
    ok: checks.every((c) => c.status !== 'fail'),
    seconds: (performance.now() - started) / 1000,
    checks,
    tables,
  };
}

function schemaCheck(structure: DatabaseStructure, metadata: BackupMetadata | undefined): Check {
  const found = structure.schema;
  const expected = metadata
    ? { migrations: metadata.schema.migrations, lastHash: metadata.schema.lastHash, from: `backup ${metadata.id}` }
    : (() => {
        const files = readMigrationFiles({ migrationsFolder: migrationsDir });
        return { migrations: files.length, lastHash: files.at(-1)?.hash ?? null, from: 'this build' };
      })();
  const same = found.migrations === expected.migrations && found.lastHash === expected.lastHash;
  const short = (hash: string | null) => (hash ? hash.slice(0, 12) : 'none');
  return {
    name: 'schema version',
    status: same ? 'pass' : 'fail',
    detail: same
      ? `${found.migrations} migrations, newest ${short(found.lastHash)}, as in ${expected.from}`
      : `${found.migrations} migrations (newest ${short(found.lastHash)}), but ${expected.from} has ${expected.migrations} (newest ${short(expected.lastHash)})`,
  };
}

/**
 * Without a backup (a restored RDS instance) there is nothing to compare the tables with: that is no
 * check at all, rather than a skipped one (which would fail the drill); the fingerprints are still recorded.
 */
function tableChecks(tables: TableFingerprint[], metadata: BackupMetadata | undefined): Check[] {
  if (!metadata) return [];
  const found = new Map(tables.map((t) => [t.name, t]));
  const expectedNames = new Set(metadata.tables.map((t) => t.name));
  const missing = metadata.tables.filter((t) => !found.has(t.name)).map((t) => t.name);
  const extra = tables.filter((t) => !expectedNames.has(t.name)).map((t) => t.name);
  const checks: Check[] = [
    {
      name: 'tables',
      status: missing.length + extra.length === 0 ? 'pass' : 'fail',
      detail:
        missing.length + extra.length === 0
          ? `the ${tables.length} tables of the backup`
          : [missing.length ? `missing: ${missing.join(', ')}` : '', extra.length ? `not in the backup: ${extra.join(', ')}` : ''].filter(Boolean).join('; '),
    },
  ];
  for (const expected of metadata.tables) {
    const table = found.get(expected.name);
    if (!table) continue;
    const problems: string[] = [];
    if (table.rows !== expected.rows) problems.push(`${table.rows} rows, expected ${expected.rows}`);
    if (table.checksum !== expected.checksum) problems.push('row checksum differs');
    if (table.structure !== expected.structure) problems.push('structure (columns or indexes) differs');
    checks.push({
      name: `table ${expected.name}`,
      status: problems.length === 0 ? 'pass' : 'fail',
      detail: problems.length === 0 ? `${table.rows} rows, checksum and structure equal` : problems.join('; '),
    });
  }
  return checks;
}

/** One check per tenant: random values of each encrypted column, under each key version, decrypt (no plaintext kept). */
async function fieldChecks(db: Db, pool: { getConnection(): Promise<PoolConnection> }, options: VerifyOptions, columns: EncryptedColumn[]): Promise<Check[]> {
  const registered = options.columns ?? listEncryptedColumns();
  if (registered.length === 0) {
    return [
      { name: 'sensitive fields', status: 'fail', detail: 'no encrypted columns are registered: the caller must import src/app.js so modules register theirs' },
    ];
  }
  const perKeyVersion = Math.max(1, options.samplesPerKeyVersion ?? 5);
  const samples = new Map<string, { column: EncryptedColumn; id: string; value: string }[]>();
  const connection = await pool.getConnection();
  try {
    for (const column of columns) {
      const [t, id, value, tenant] = [column.table, column.idColumn, column.column, column.tenantColumn].map(quoteIdentifier);
      // ROW_NUMBER over a random order: up to N values per tenant and key version (`v1:<version>:…`) in one query
      // (MySQL 8 and MariaDB 10.2+).
      const [rows] = await connection.query(
        `SELECT tenant, id, value FROM (
           SELECT ${tenant} AS tenant, ${id} AS id, ${value} AS value,
                  ROW_NUMBER() OVER (PARTITION BY ${tenant}, SUBSTRING_INDEX(SUBSTRING_INDEX(${value}, ':', 2), ':', -1) ORDER BY RAND()) AS n
             FROM ${t} WHERE ${value} IS NOT NULL) AS sample
          WHERE n <= ?`,
        [perKeyVersion],
      );
      for (const row of rows as { tenant: string; id: string; value: string }[]) {
        const list = samples.get(String(row.tenant)) ?? [];
        list.push({ column, id: String(row.id), value: String(row.value) });
        samples.set(String(row.tenant), list);
      }
    }
  } finally {
    connection.release();
  }
  const names = columns.map((c) => `${c.table}.${c.column}`).join(', ');
  if (samples.size === 0) return [{ name: 'sensitive fields', status: 'pass', detail: `no encrypted values stored yet (columns ${names})` }];
  const cipher = createFieldCipher({ db, keyProvider: options.keyProvider, alert: () => {} });
  const checks: Check[] = [];
  for (const [tenantId, list] of [...samples].sort(([a], [b]) => a.localeCompare(b))) {
    const failures: string[] = [];
    for (const { column, id, value } of list) {
      try {
        await cipher.decrypt(tenantId, { table: column.table, column: column.column, rowId: id }, value);
      } catch (error) {
        const why = error instanceof CiphertextRejected ? error.reason : (error as Error).message;
        failures.push(`${column.table}.${column.column} row ${id} (key version ${keyVersionOf(value) ?? '?'}): ${why}`);
      }
    }
    checks.push({
      name: `sensitive fields of tenant ${tenantId}`,
      status: failures.length === 0 ? 'pass' : 'fail',
      detail:
        failures.length === 0
          ? `${list.length} sampled values under key version ${[...new Set(list.map((s) => keyVersionOf(s.value)))].sort().join(', ')} decrypt (${names})`
          : `${failures.length} of ${list.length} sampled values do not decrypt: ${failures.slice(0, 3).join('; ')}${failures.length > 3 ? '; …' : ''}`,
    });
  }
  return checks;
}

async function auditCheck(db: Db, verifier: AuditChainVerifier | undefined): Promise<Check> {
  if (!verifier) {
    return {
      name: 'audit hash chain',
      status: 'skipped',
      detail: 'no audit chain verifier is registered yet (hook: registerAuditChainVerifier in platform/backup)',
    };
  }
  try {
    const result = await verifier(db);
    return { name: 'audit hash chain', status: result.ok ? 'pass' : 'fail', detail: result.detail };
  } catch (error) {
    return { name: 'audit hash chain', status: 'fail', detail: `the verifier failed: ${(error as Error).message}` };
  }
}
