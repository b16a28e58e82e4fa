import { eq, max, sql, type SQL } from 'drizzle-orm';
import { systemClock, type Clock } from '../clock/index.js';
import type { Db } from '../db/client.js';
import { createJobRunner, type JobHandler, type JobLogger, type JobRunner, type JobState } from '../jobs/index.js';
import { addDataKeyVersion, latestDataKeyVersion, retireDataKeysBelow, tenantsWithDataKeys } from './data-keys.js';
import { listEncryptedColumns, type EncryptedColumn } from './encrypted-columns.js';
import type { FieldCipher } from './field-cipher.js';
import { CiphertextRejected } from './format.js';
import type { KeyProvider } from './key-provider.js';
import { tenantDataKeys } from './schema.js';

/**
 * Key rotation for one tenant: add a data key version, re-encrypt every registered column's values
 * under it in batches, then retire the older versions (kept, never deleted: backups may hold values
 * under them). Values name their key version, so reads work throughout: old and new both decrypt.
 *
 * A rotation is a job (platform/jobs): one per tenant and target version (the dedupe key), its
 * checkpoint the cursor (column, last row id done) with the counts so far. The first step adds the
 * key version and the checkpoint together, and each batch commits its rows with the moved cursor, so
 * a rotation resumed after a crash, here or on another instance, neither adds a second version nor
 * re-encrypts a batch twice. A second rotator of the same tenant finds the same job and waits for it.
 *
 * Other instances keep writing under the previous version until their cached current version expires
 * (the field cipher's cache TTL); such late values stay readable because retired keys are kept, and
 * the next rotation re-encrypts them.
 */

export const KEY_ROTATION = 'crypto.key-rotation';

export interface RotationDeps {
  db: Db;
  keyProvider: KeyProvider;
  cipher: FieldCipher;
  /** Defaults to every registered encrypted column. */
  columns?: EncryptedColumn[];
  clock?: Clock;
  logger?: JobLogger;
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
  /** Called while another instance runs this tenant's rotation and this call waits for it. */
  onWaiting?: (job: JobState) => void;
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

interface RotationPayload {
  targetVersion: number;
  batchSize: number;
}

/** One column's cursor: rows are visited in id order; `after` is the last id committed ('' before the first). */
interface ColumnCursor {
  table: string;
  column: string;
  after: string;
  batches: number;
  rowsSeen: number;
  rowsReencrypted: number;
  rowsRejected: number;
  done: boolean;
}

export interface RotationCheckpoint {
  targetVersion: number;
  /** Whether the target version was already there when this job started (an earlier rotation's). */
  foundVersion: boolean;
  /** Values to visit, counted at the start (for the progress bar; writes meanwhile move it a little). */
  total: number;
  columns: ColumnCursor[];
  retired: boolean;
}

function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new Error('batchSize must be a whole number from 1 to 10000');
}

async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as [T[]];
  return result[0];
}

/**
 * Queues the tenant's rotation, or finds the one already queued, running or failed half-way (a
 * failed one is re-armed: it resumes from its checkpoint). Undefined when the tenant has no key.
 * The target is the newest version while an older one is still active (a rotation that stopped
 * after adding its key), else a new version.
 */
export async function enqueueKeyRotation(jobs: JobRunner, db: Db, tenantId: string, batchSize: number): Promise<string | undefined> {
  checkBatchSize(batchSize);
  const [keys] = await db
    .select({ active: sql<number>`SUM(${tenantDataKeys.status} = 'active')`, latest: max(tenantDataKeys.version) })
    .from(tenantDataKeys)
    .where(eq(tenantDataKeys.tenantId, tenantId));
  if (keys?.latest == null) return undefined;
  const targetVersion = Number(keys.active) > 1 ? keys.latest : keys.latest + 1;
  const job = await jobs.enqueue(KEY_ROTATION, {
    tenantId,
    payload: { targetVersion, batchSize } satisfies RotationPayload,
    dedupeKey: `${KEY_ROTATION}:${tenantId}:v${targetVersion}`,
  });
  if (job.status === 'failed') await jobs.retry(job.id);
  return job.id;
}

/** The rotation job's handler; app.ts registers it (with no hooks) so any instance can finish a rotation. */
export function keyRotationJob(
  deps: RotationDeps,
  hooks: Pick<RotationOptions, 'onProgress' | 'afterBatch'> = {},
): JobHandler<RotationPayload, RotationCheckpoint, RotationResult> {
  return async (job) => {
    const tenantId = job.tenantId;
    if (tenantId === null) throw new Error('a key rotation job names its tenant');
    const registered = deps.columns ?? listEncryptedColumns();
    const resumed = job.checkpoint !== undefined;
    let state = job.checkpoint ?? (await job.step((tx) => startRotation(tx, deps.keyProvider, tenantId, job.payload.targetVersion, registered)));
    // From here on this process writes new values under the new version.
    deps.cipher.forgetVersion(tenantId);

    for (let cursor = state.columns.find((c) => !c.done); cursor; cursor = state.columns.find((c) => !c.done)) {
      const column = registered.find((c) => c.table === cursor!.table && c.column === cursor!.column);
      if (!column) throw new Error(`encrypted column ${cursor.table}.${cursor.column} is no longer registered`);
      state = await job.step((tx) => reencryptBatch(tx, deps.cipher, tenantId, state, column, job.payload.batchSize));
      const moved = state.columns.find((c) => c.table === column.table && c.column === column.column)!;
      const progress: RotationProgress = { tenantId, targetVersion: state.targetVersion, ...moved };
      hooks.onProgress?.(progress);
      if (!moved.done) await hooks.afterBatch?.(progress);
    }

    if (!state.retired) {
      state = await job.step(async (tx) => {
        await retireDataKeysBelow(tx, tenantId, state.targetVersion);
        const retired = { ...state, retired: true };
        return { checkpoint: retired, progress: { done: sum(retired, 'rowsSeen'), total: state.total, message: 'older key versions retired' } };
      });
    }
    deps.cipher.forgetVersion(tenantId);
    return {
      tenantId,
      outcome: resumed || state.foundVersion ? 'resumed' : 'rotated',
      targetVersion: state.targetVersion,
      rowsSeen: sum(state, 'rowsSeen'),
      rowsReencrypted: sum(state, 'rowsReencrypted'),
      rowsRejected: sum(state, 'rowsRejected'),
    };
  };
}

const sum = (state: RotationCheckpoint, field: 'rowsSeen' | 'rowsReencrypted' | 'rowsRejected') => state.columns.reduce((total, c) => total + c[field], 0);

/** The first step: the target key version (added unless an earlier rotation did) and a cursor per column. */
async function startRotation(tx: Db, keyProvider: KeyProvider, tenantId: string, targetVersion: number, columns: EncryptedColumn[]) {
  const latest = await latestDataKeyVersion(tx, tenantId);
  if (latest === undefined) throw new Error(`tenant ${tenantId} has no data key to rotate`);
  if (latest > targetVersion) throw new Error(`tenant ${tenantId} already has key version ${latest}, past this rotation's ${targetVersion}`);
  const foundVersion = latest === targetVersion || !(await addDataKeyVersion(tx, keyProvider, tenantId, targetVersion)).created;
  let total = 0;
  for (const column of columns) {
    const [counted] = await rows<{ n: number }>(
      tx,
      sql`SELECT COUNT(*) AS n FROM ${sql.identifier(column.table)} WHERE ${sql.identifier(column.tenantColumn)} = ${tenantId} AND ${sql.identifier(column.column)} IS NOT NULL`,
    );
    total += Number(counted?.n ?? 0);
  }
  const checkpoint: RotationCheckpoint = {
    targetVersion,
    foundVersion,
    total,
    columns: columns.map((c) => ({ table: c.table, column: c.column, after: '', batches: 0, rowsSeen: 0, rowsReencrypted: 0, rowsRejected: 0, done: false })),
    retired: false,
  };
  return { checkpoint, progress: { done: 0, total, message: `key version ${targetVersion} ready` } };
}

/** Re-encrypts the next batch of one column; the job commits it with the moved cursor. */
async function reencryptBatch(tx: Db, cipher: FieldCipher, tenantId: string, state: RotationCheckpoint, column: EncryptedColumn, batchSize: number) {
  const cursor = state.columns.find((c) => c.table === column.table && c.column === column.column)!;
  const table = sql.identifier(column.table);
  const id = sql.identifier(column.idColumn);
  const value = sql.identifier(column.column);
  const tenant = sql.identifier(column.tenantColumn);
  const batch = await rows<{ id: string; value: string }>(
    tx,
    sql`SELECT ${id} AS id, ${value} AS value FROM ${table}
        WHERE ${tenant} = ${tenantId} AND ${id} > ${cursor.after} AND ${value} IS NOT NULL
        ORDER BY ${id} LIMIT ${sql.raw(String(batchSize))} FOR UPDATE`,
  );

  let moved: ColumnCursor;
  if (batch.length === 0) {
    moved = { ...cursor, done: true };
  } else {
    let reencrypted = 0;
    let rejected = 0;
    for (const row of batch) {
      const location = { table: column.table, column: column.column, rowId: String(row.id) };
      let next: string | undefined;
      try {
        next = await cipher.reencrypt(tenantId, location, String(row.value), state.targetVersion);
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
    moved = {
      ...cursor,
      after: String(batch[batch.length - 1]!.id),
      batches: cursor.batches + 1,
      rowsSeen: cursor.rowsSeen + batch.length,
      rowsReencrypted: cursor.rowsReencrypted + reencrypted,
      rowsRejected: cursor.rowsRejected + rejected,
    };
  }
  const checkpoint = { ...state, columns: state.columns.map((c) => (c === cursor ? moved : c)) };
  const message = `${column.table}.${column.column}: ${moved.done ? 'done' : `batch ${moved.batches}`}`;
  return { checkpoint, progress: { done: sum(checkpoint, 'rowsSeen'), total: state.total, message } };
}

/**
 * Rotates one tenant in this process, through a private job runner: queues the rotation (or finds
 * the unfinished one), runs it to its end here, or waits while another instance runs it. A failed
 * attempt rejects; calling again resumes from the last committed batch.
 */
export async function rotateTenantKey(deps: RotationDeps, tenantId: string, options: RotationOptions): Promise<RotationResult> {
  checkBatchSize(options.batchSize);
  const jobs = createJobRunner({ db: deps.db, clock: deps.clock ?? systemClock, logger: deps.logger, pollMs: false });
  jobs.register(KEY_ROTATION, keyRotationJob(deps, options));
  try {
    const jobId = await enqueueKeyRotation(jobs, deps.db, tenantId, options.batchSize);
    if (jobId === undefined) return { tenantId, outcome: 'no_data_key', rowsSeen: 0, rowsReencrypted: 0, rowsRejected: 0 };
    return (await jobs.runToCompletion(jobId, { waitMs: 200, onWaiting: options.onWaiting })) as RotationResult;
  } finally {
    await jobs.stop();
  }
}

export interface TenantRotation {
  tenantId: string;
  result?: RotationResult;
  error?: Error;
}

/** Every tenant that has a data key, one after another; one tenant's failure does not stop the rest. */
export async function rotateAllTenants(deps: RotationDeps, options: RotationOptions): Promise<TenantRotation[]> {
  checkBatchSize(options.batchSize);
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
