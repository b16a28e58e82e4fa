import { and, eq, max, sql, type SQL } from 'drizzle-orm';
import { inTransaction, type Db } from '../db/client.js';
import { newId } from '../db/columns.js';
import { addDataKeyVersion, isDuplicateKey, latestDataKeyVersion, retireDataKeysBelow, tenantsWithDataKeys } from './data-keys.js';
import { listEncryptedColumns, type EncryptedColumn } from './encrypted-columns.js';
import type { FieldCipher } from './field-cipher.js';
import { CiphertextRejected } from './format.js';
import type { KeyProvider } from './key-provider.js';
import { keyRotationJobs, tenantDataKeys } from './schema.js';

/**
 * Key rotation for one tenant: add a data key version, re-encrypt every registered column's values
 * under it in batches, then retire the older versions (kept, never deleted: backups may hold values
 * under them). Values name their key version, so reads work throughout: old and new both decrypt.
 *
 * Resumable: progress is one `key_rotation_jobs` row per column, and each batch commits its rows and
 * the cursor together. A second call after a crash finds the unfinished target version (running jobs,
 * or an active version older than the newest) and continues it instead of adding another version.
 * Two rotators on one tenant take turns: each batch locks its job row first.
 *
 * Other instances keep writing under the previous version until their cached current version expires
 * (the field cipher's cache TTL); such late values stay readable because retired keys are kept, and
 * the next rotation re-encrypts them.
 */

export interface RotationDeps {
  db: Db;
  keyProvider: KeyProvider;
  cipher: FieldCipher;
  /** Defaults to every registered encrypted column. */
  columns?: EncryptedColumn[];
}

export interface RotationProgress {
  tenantId: string;
  targetVersion: number;
  table: string;
  column: string;
  batches: number;
  rowsSeen: number;
  rowsReencrypted: number;
  rowsRejected: number;
  done: boolean;
}

export interface RotationOptions {
  batchSize: number;
  onProgress?: (progress: RotationProgress) => void;
  /** Runs after each committed batch (tests throw here to simulate a crash half-way). */
  afterBatch?: (progress: RotationProgress) => void | Promise<void>;
}

export interface RotationResult {
  tenantId: string;
  outcome: 'rotated' | 'resumed' | 'no_data_key';
  targetVersion?: number;
  rowsSeen: number;
  rowsReencrypted: number;
  /** Values that would not decrypt (alerted, left as they were). */
  rowsRejected: number;
}

export async function rotateTenantKey(deps: RotationDeps, tenantId: string, options: RotationOptions): Promise<RotationResult> {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1 || options.batchSize > 10_000) {
    throw new Error('batchSize must be a whole number from 1 to 10000');
  }
  const columns = deps.columns ?? listEncryptedColumns();
  const start = await startOrResume(deps, tenantId, columns);
  if (!start) return { tenantId, outcome: 'no_data_key', rowsSeen: 0, rowsReencrypted: 0, rowsRejected: 0 };
  const { targetVersion, resumed } = start;
  // From here on this process writes new values under the new version.
  deps.cipher.forgetVersion(tenantId);

  for (const column of columns) {
    for (;;) {
      const progress = await runBatch(deps, tenantId, targetVersion, column, options.batchSize);
      options.onProgress?.(progress);
      if (progress.done) break;
      await options.afterBatch?.(progress);
    }
  }

  await inTransaction(deps.db, async (tx) => {
    await retireDataKeysBelow(tx, tenantId, targetVersion);
  });
  deps.cipher.forgetVersion(tenantId);
  const totals = await jobTotals(deps.db, tenantId, targetVersion);
  return { tenantId, outcome: resumed ? 'resumed' : 'rotated', targetVersion, ...totals };
}

export interface TenantRotation {
  tenantId: string;
  result?: RotationResult;
  error?: Error;
}

/** Every tenant that has a data key, one after another; one tenant's failure does not stop the rest. */
export async function rotateAllTenants(deps: RotationDeps, options: RotationOptions): Promise<TenantRotation[]> {
  const outcomes: TenantRotation[] = [];
  for (const tenantId of await tenantsWithDataKeys(deps.db)) {
    try {
      outcomes.push({ tenantId, result: await rotateTenantKey(deps, tenantId, options) });
    } catch (error) {
      outcomes.push({ tenantId, error: error as Error });
    }
  }
  return outcomes;
}

/** The version to rotate to: an unfinished one if any, otherwise a new one. Undefined: no keys at all. */
async function startOrResume(
  deps: RotationDeps,
  tenantId: string,
  columns: EncryptedColumn[],
): Promise<{ targetVersion: number; resumed: boolean } | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const unfinished = await unfinishedTarget(deps.db, tenantId);
    if (unfinished !== undefined) {
      await ensureJobs(deps.db, tenantId, unfinished, columns);
      return { targetVersion: unfinished, resumed: true };
    }
    const latest = await latestDataKeyVersion(deps.db, tenantId);
    if (latest === undefined) return undefined;
    const targetVersion = latest + 1;
    const started = await inTransaction(deps.db, async (tx) => {
      const added = await addDataKeyVersion(tx, deps.keyProvider, tenantId, targetVersion);
      if (!added.created) return false; // another rotator got there first: resume its job
      await ensureJobs(tx, tenantId, targetVersion, columns);
      return true;
    });
    if (started) return { targetVersion, resumed: false };
  }
  throw new Error(`could not start or resume a key rotation for tenant ${tenantId}`);
}

/**
 * A rotation is unfinished when a job for it is still running, or when a version older than the
 * newest is still active (the crash came after the key was added but before the jobs finished).
 */
async function unfinishedTarget(db: Db, tenantId: string): Promise<number | undefined> {
  const [running] = await db
    .select({ target: max(keyRotationJobs.targetVersion) })
    .from(keyRotationJobs)
    .where(and(eq(keyRotationJobs.tenantId, tenantId), eq(keyRotationJobs.status, 'running')));
  if (running?.target != null) return Number(running.target);
  const [keys] = await db
    .select({ active: sql<number>`COUNT(*)`, latest: max(tenantDataKeys.version) })
    .from(tenantDataKeys)
    .where(and(eq(tenantDataKeys.tenantId, tenantId), eq(tenantDataKeys.status, 'active')));
  return keys && Number(keys.active) > 1 && keys.latest != null ? Number(keys.latest) : undefined;
}

/** One job row per column for the target; existing rows (finished or not) are left alone. */
async function ensureJobs(db: Db, tenantId: string, targetVersion: number, columns: EncryptedColumn[]): Promise<void> {
  for (const column of columns) {
    try {
      await db.insert(keyRotationJobs).values({ id: newId(), tenantId, targetVersion, tableName: column.table, columnName: column.column });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }
}

async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as [T[]];
  return result[0];
}

/** Re-encrypts the next batch of one column in one transaction, cursor included. */
async function runBatch(deps: RotationDeps, tenantId: string, targetVersion: number, column: EncryptedColumn, batchSize: number): Promise<RotationProgress> {
  return inTransaction(deps.db, async (tx) => {
    const [job] = await tx
      .select()
      .from(keyRotationJobs)
      .where(
        and(
          eq(keyRotationJobs.tenantId, tenantId),
          eq(keyRotationJobs.targetVersion, targetVersion),
          eq(keyRotationJobs.tableName, column.table),
          eq(keyRotationJobs.columnName, column.column),
        ),
      )
      .for('update');
    if (!job) throw new Error(`no rotation job for ${column.table}.${column.column} of tenant ${tenantId}`);
    const progress = (done: boolean): RotationProgress => ({
      tenantId,
      targetVersion,
      table: column.table,
      column: column.column,
      batches: job.batches,
      rowsSeen: job.rowsSeen,
      rowsReencrypted: job.rowsReencrypted,
      rowsRejected: job.rowsRejected,
      done,
    });
    if (job.status === 'done') return progress(true);

    const table = sql.identifier(column.table);
    const id = sql.identifier(column.idColumn);
    const value = sql.identifier(column.column);
    const tenant = sql.identifier(column.tenantColumn);
    const batch = await rows<{ id: string; value: string }>(
      tx,
      sql`SELECT ${id} AS id, ${value} AS value FROM ${table}
          WHERE ${tenant} = ${tenantId} AND ${id} > ${job.cursor} AND ${value} IS NOT NULL
          ORDER BY ${id} LIMIT ${sql.raw(String(batchSize))} FOR UPDATE`,
    );
    if (batch.length === 0) {
      await tx
        .update(keyRotationJobs)
        .set({ status: 'done', finishedAt: sql`CURRENT_TIMESTAMP(3)`, updatedAt: sql`CURRENT_TIMESTAMP(3)` })
        .where(eq(keyRotationJobs.id, job.id));
      return progress(true);
    }

    let reencrypted = 0;
    let rejected = 0;
    for (const row of batch) {
      const location = { table: column.table, column: column.column, rowId: String(row.id) };
      let next: string | undefined;
      try {
        next = await deps.cipher.reencrypt(tenantId, location, String(row.value), targetVersion);
      } catch (error) {
        // Already alerted by the cipher. Stopping would block the tenant's rotation on one bad value.
        if (!(error instanceof CiphertextRejected)) throw error;
        rejected++;
        continue;
      }
      if (next === undefined) continue;
      await tx.execute(sql`UPDATE ${table} SET ${value} = ${next} WHERE ${id} = ${row.id} AND ${tenant} = ${tenantId}`);
      reencrypted++;
    }
    job.cursor = String(batch[batch.length - 1]!.id);
    job.batches += 1;
    job.rowsSeen += batch.length;
    job.rowsReencrypted += reencrypted;
    job.rowsRejected += rejected;
    await tx
      .update(keyRotationJobs)
      .set({
        cursor: job.cursor,
        batches: job.batches,
        rowsSeen: job.rowsSeen,
        rowsReencrypted: job.rowsReencrypted,
        rowsRejected: job.rowsRejected,
        updatedAt: sql`CURRENT_TIMESTAMP(3)`,
      })
      .where(eq(keyRotationJobs.id, job.id));
    return progress(false);
  });
}

async function jobTotals(db: Db, tenantId: string, targetVersion: number): Promise<Pick<RotationResult, 'rowsSeen' | 'rowsReencrypted' | 'rowsRejected'>> {
  const [totals] = await db
    .select({
      rowsSeen: sql<number>`COALESCE(SUM(${keyRotationJobs.rowsSeen}), 0)`,
      rowsReencrypted: sql<number>`COALESCE(SUM(${keyRotationJobs.rowsReencrypted}), 0)`,
      rowsRejected: sql<number>`COALESCE(SUM(${keyRotationJobs.rowsRejected}), 0)`,
    })
    .from(keyRotationJobs)
    .where(and(eq(keyRotationJobs.tenantId, tenantId), eq(keyRotationJobs.targetVersion, targetVersion)));
  return { rowsSeen: Number(totals?.rowsSeen ?? 0), rowsReencrypted: Number(totals?.rowsReencrypted ?? 0), rowsRejected: Number(totals?.rowsRejected ?? 0) };
}
