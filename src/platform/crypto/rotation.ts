import { eq, max, sql } from 'drizzle-orm';
import { systemClock, type Clock } from '../clock/index.js';
import type { Db } from '../db/client.js';
import { createJobRunner, type JobContext, type JobHandler, type JobLogger, type JobRunner, type JobState } from '../jobs/index.js';
import { addDataKeyVersion, latestDataKeyVersion, retireDataKeysBelow, tenantsWithDataKeys } from './data-keys.js';
import { listBlindIndexes, listEncryptedColumns, type BlindIndexColumn, type EncryptedColumn } from './encrypted-columns.js';
import type { FieldCipher } from './field-cipher.js';
import type { KeyProvider } from './key-provider.js';
import { tenantDataKeys } from './schema.js';
import { reencryptBatch, reindexBatch, rows, sum, type RotationCheckpoint } from './rotation-batches.js';

export type { RotationCheckpoint } from './rotation-batches.js';

/**
 * Key rotation for one tenant: add a data key version (with its own blind-index key), re-encrypt every
 * registered column's values under it and re-index every registered blind-index column under its index
 * key, in batches, then retire the older versions. Retired versions stay readable until
 * deleteRetiredDataKeys (retired-keys.ts) finds nothing that needs them. Values and indexes name their
 * key version, so reads and look-ups work throughout: old and new both decrypt, look-ups try both.
 *
 * A rotation is a job (platform/jobs): one per tenant and target version (the dedupe key), its
 * checkpoint the cursor (column, last row id done) with the counts so far. The first step adds the
 * key version and the checkpoint together, and each batch commits its rows with the moved cursor, so
 * a rotation resumed after a crash, here or on another instance, neither adds a second version nor
 * re-encrypts a batch twice. A second rotator of the same tenant finds the same job and waits for it.
 *
 * Other instances keep writing under the previous version until their cached current version expires
 * (the field cipher's cache lifetime), also behind the cursor. So after the first pass the job waits
 * until that lifetime has passed since the key version was added, then sweeps: another pass over
 * only the values not yet under the target version, repeated until a sweep finds none to re-encrypt.
 * Only then are the older versions retired and the rotation reported done.
 */

export const KEY_ROTATION = 'crypto.key-rotation';

export interface RotationDeps {
  db: Db;
  keyProvider: KeyProvider;
  cipher: FieldCipher;
  /** Defaults to every registered encrypted column. */
  columns?: EncryptedColumn[];
  /** Defaults to every registered blind-index column (re-indexed under the new version's index key). */
  indexes?: BlindIndexColumn[];
  clock?: Clock;
  logger?: JobLogger;
  /** How often a rotation waiting for other instances' caches looks at the clock (and gives way to a stopping runner). Default 5 s. */
  settleCheckMs?: number;
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
  /** Called when the first pass is done and the rotation waits, until `until`, for other instances' cached versions to expire. */
  onSettling?: (tenantId: string, until: Date) => void;
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

/** Slack for the time between an instance reading the current version and caching it. */
const SETTLE_MARGIN_MS = 1_000;

function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new Error('batchSize must be a whole number from 1 to 10000');
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
  hooks: Pick<RotationOptions, 'onProgress' | 'afterBatch' | 'onSettling'> = {},
): JobHandler<RotationPayload, RotationCheckpoint, RotationResult> {
  return async (job) => {
    const tenantId = job.tenantId;
    if (tenantId === null) throw new Error('a key rotation job names its tenant');
    const registered = deps.columns ?? listEncryptedColumns();
    const indexes = deps.indexes ?? listBlindIndexes();
    const resumed = job.checkpoint !== undefined;
    const settleAfter = () => new Date(job.now().getTime() + deps.cipher.cacheTtlMs + SETTLE_MARGIN_MS).toISOString();
    let state =
      job.checkpoint ??
      (await job.step((tx) => startRotation(tx, deps.keyProvider, tenantId, job.payload.targetVersion, [...registered, ...indexes], settleAfter())));
    // A checkpoint written before sweeps existed: wait a full lifetime from now.
    state = { ...state, settledAt: state.settledAt ?? settleAfter(), sweep: state.sweep ?? 0, sweepFrom: state.sweepFrom ?? 0 };
    // From here on this process writes new values under the new version.
    deps.cipher.forgetVersion(tenantId);

    for (;;) {
      for (let cursor = state.columns.find((c) => !c.done); cursor; cursor = state.columns.find((c) => !c.done)) {
        const named = (c: { table: string; column: string }) => c.table === cursor!.table && c.column === cursor!.column;
        const column = registered.find(named);
        const index = indexes.find(named);
        if (!column && !index) throw new Error(`encrypted column ${cursor.table}.${cursor.column} is no longer registered`);
        state = await job.step((tx) =>
          index
            ? reindexBatch(tx, deps.cipher, tenantId, state, index, job.payload.batchSize)
            : reencryptBatch(tx, deps.cipher, tenantId, state, column!, job.payload.batchSize),
        );
        const moved = state.columns.find(named)!;
        const progress: RotationProgress = { tenantId, targetVersion: state.targetVersion, ...moved };
        hooks.onProgress?.(progress);
        if (!moved.done) await hooks.afterBatch?.(progress);
      }
      if (state.retired || (state.sweep > 0 && sum(state, 'rowsReencrypted') === state.sweepFrom)) break;
      state = await settle(job, state, deps.settleCheckMs ?? 5_000, hooks.onSettling);
      state = await job.step(async () => startSweep(state));
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

/**
 * Waits until no instance can still hold the previous version as current. Each look at the clock is
 * a step (the same checkpoint, a progress line), so a runner that stops or loses the lease stops the
 * wait too instead of holding its shutdown for minutes; a resumed job waits only what is left.
 */
async function settle(
  job: JobContext<RotationPayload, RotationCheckpoint>,
  state: RotationCheckpoint,
  checkMs: number,
  onSettling: RotationOptions['onSettling'],
) {
  const until = new Date(state.settledAt);
  if (job.now() >= until) return state;
  onSettling?.(job.tenantId!, until);
  const message = `waiting until ${state.settledAt} for other instances to stop writing under older key versions`;
  while (job.now() < until) {
    state = await job.step(async () => ({ checkpoint: state, progress: { done: sum(state, 'rowsSeen'), total: state.total, message } }));
    await new Promise((resolve) => setTimeout(resolve, Math.min(checkMs, until.getTime() - job.now().getTime())));
  }
  return state;
}

/** Every cursor back to the start, for a pass over the values still under older versions. */
function startSweep(state: RotationCheckpoint) {
  const checkpoint: RotationCheckpoint = {
    ...state,
    sweep: state.sweep + 1,
    sweepFrom: sum(state, 'rowsReencrypted'),
    // Rejections are counted afresh: a value that still does not decrypt is met again by every sweep.
    columns: state.columns.map((c) => ({ ...c, after: '', done: false, rowsRejected: 0 })),
  };
  return {
    checkpoint,
    progress: { done: sum(state, 'rowsSeen'), total: state.total, message: `sweep ${checkpoint.sweep}: values still under older key versions` },
  };
}

/** The first step: the target key version (added unless an earlier rotation did) and a cursor per column. */
async function startRotation(tx: Db, keyProvider: KeyProvider, tenantId: string, targetVersion: number, columns: EncryptedColumn[], settledAt: string) {
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
    settledAt,
    sweep: 0,
    sweepFrom: 0,
  };
  return { checkpoint, progress: { done: 0, total, message: `key version ${targetVersion} ready` } };
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
