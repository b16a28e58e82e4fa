import { and, asc, eq, inArray, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { affectedRows, duplicateKeyOf, inTransaction, type Db } from '../db/client.js';
import { newId } from '../db/columns.js';
import { jobs, type JobRow, type JobStatus } from './schema.js';

/**
 * The jobs table's queries. Every instant comes from the caller (the runner's clock), never from
 * the database server, so leases follow the same time as everything else in the app.
 */

export interface NewJob {
  kind: string;
  tenantId: string | null;
  payload: unknown;
  dedupeKey: string | null;
  maxAttempts: number;
  runAfter: Date;
}

export interface EnqueuedJob {
  id: string;
  /** False when a job with the same dedupe key was already there; `id` is then that job's. */
  created: boolean;
  status: JobStatus;
}

export async function insertJob(db: Db, job: NewJob, now: Date): Promise<EnqueuedJob> {
  const id = newId();
  try {
    await db.insert(jobs).values({ id, ...job, status: 'queued', createdAt: now, updatedAt: now });
    return { id, created: true, status: 'queued' };
  } catch (error) {
    if (job.dedupeKey === null || duplicateKeyOf(error) !== 'jobs_dedupe_uq') throw error;
    const [existing] = await db.select({ id: jobs.id, status: jobs.status }).from(jobs).where(eq(jobs.dedupeKey, job.dedupeKey));
    if (!existing) throw error; // pruned between the insert and the read: rare enough to surface
    return { id: existing.id, created: false, status: existing.status };
  }
}

export interface Claim {
  /** The job as claimed: status running, this claim's token, attempts already counted. */
  job?: JobRow & { leaseToken: string };
  /** Jobs whose lease ran out on their last allowed attempt: marked failed instead of run again. */
  exhausted: JobRow[];
}

export interface ClaimRequest {
  kinds: string[];
  owner: string;
  now: Date;
  leaseUntil: Date;
  /** Only this job, and regardless of its retry back-off (someone asked for it to run now). */
  jobId?: string;
}

/**
 * Takes one job: a running one whose lease ran out (its instance died) before a queued one that is
 * due. SKIP LOCKED lets concurrent claimers pass over each other's candidates instead of queueing on
 * them, and READ COMMITTED keeps rows the scan looked at but did not take unlocked (REPEATABLE READ
 * would hold them to the end of the transaction and hide them from the other claimers).
 */
export async function claimJob(db: Db, request: ClaimRequest): Promise<Claim> {
  if (request.kinds.length === 0) return { exhausted: [] };
  return inTransaction(
    db,
    async (tx) => {
      const exhausted: JobRow[] = [];
      const only = request.jobId === undefined ? [] : [eq(jobs.id, request.jobId)];
      const pick = async (where: SQL | undefined, order: SQL) =>
        (await tx.select().from(jobs).where(where).orderBy(order).limit(1).for('update', { skipLocked: true }))[0];

      let job: JobRow | undefined;
      for (;;) {
        job = await pick(and(eq(jobs.status, 'running'), lt(jobs.leaseUntil, request.now), inArray(jobs.kind, request.kinds), ...only), asc(jobs.leaseUntil));
        if (!job || job.attempts < job.maxAttempts) break;
        const lastError = `its instance stopped answering (lease ran out) on attempt ${job.attempts} of ${job.maxAttempts}`;
        await tx
          .update(jobs)
          .set({ status: 'failed', owner: null, leaseToken: null, leaseUntil: null, lastError, finishedAt: request.now, updatedAt: request.now })
          .where(eq(jobs.id, job.id));
        exhausted.push({ ...job, status: 'failed', lastError });
      }
      job ??= await pick(
        and(eq(jobs.status, 'queued'), request.jobId === undefined ? lte(jobs.runAfter, request.now) : undefined, inArray(jobs.kind, request.kinds), ...only),
        asc(jobs.runAfter),
      );
      if (!job) return { exhausted };
      const claimed = {
        status: 'running' as const,
        owner: request.owner.slice(0, 100),
        leaseToken: newId(),
        leaseUntil: request.leaseUntil,
        attempts: job.attempts + 1,
        updatedAt: request.now,
      };
      await tx.update(jobs).set(claimed).where(eq(jobs.id, job.id));
      return { job: { ...job, ...claimed }, exhausted };
    },
    { isolationLevel: 'read committed' },
  );
}

const holding = (jobId: string, token: string) => and(eq(jobs.id, jobId), eq(jobs.leaseToken, token), eq(jobs.status, 'running'));

/** Extends the lease; false when the claim is gone (another instance took the job over). */
export async function renewLease(db: Db, jobId: string, token: string, leaseUntil: Date, now: Date): Promise<boolean> {
  return affectedRows(await db.update(jobs).set({ leaseUntil, updatedAt: now }).where(holding(jobId, token))) === 1;
}

/** Inside a step's transaction: locks the job row and says whether this claim still holds it. */
export async function lockHeldJob(tx: Db, jobId: string, token: string): Promise<boolean> {
  const rows = await tx.select({ id: jobs.id }).from(jobs).where(holding(jobId, token)).for('update');
  return rows.length === 1;
}

export interface Progress {
  done: number;
  total?: number | null;
  message?: string | null;
}

/** Inside a step's transaction, after the step's own writes: the checkpoint, progress and a fresh lease. */
export async function saveStep(tx: Db, jobId: string, step: { checkpoint: unknown; progress?: Progress }, leaseUntil: Date, now: Date): Promise<void> {
  const progress = step.progress
    ? {
        progressDone: Math.max(0, Math.round(step.progress.done)),
        progressTotal: step.progress.total == null ? null : Math.round(step.progress.total),
        progressMessage: step.progress.message == null ? null : step.progress.message.slice(0, 255),
      }
    : {};
  await tx
    .update(jobs)
    .set({ checkpoint: step.checkpoint ?? null, ...progress, leaseUntil, updatedAt: now })
    .where(eq(jobs.id, jobId));
}

export async function completeJob(db: Db, jobId: string, token: string, result: unknown, now: Date): Promise<boolean> {
  const finished = { status: 'done' as const, owner: null, leaseToken: null, leaseUntil: null, result: result ?? null, finishedAt: now, updatedAt: now };
  return affectedRows(await db.update(jobs).set(finished).where(holding(jobId, token))) === 1;
}

/** A failed attempt: queued again at `retryAt`, or failed for good when there is none. */
export async function failAttempt(db: Db, jobId: string, token: string, error: string, now: Date, retryAt: Date | undefined): Promise<boolean> {
  const next = retryAt ? { status: 'queued' as const, runAfter: retryAt } : { status: 'failed' as const, finishedAt: now };
  const set = { ...next, owner: null, leaseToken: null, leaseUntil: null, lastError: error.slice(0, 2000), updatedAt: now };
  return affectedRows(await db.update(jobs).set(set).where(holding(jobId, token))) === 1;
}

/** A graceful stop gives the claim back uncounted: the next instance starts at once, from the checkpoint. */
export async function releaseJob(db: Db, jobId: string, token: string, now: Date): Promise<boolean> {
  const set = {
    status: 'queued' as const,
    owner: null,
    leaseToken: null,
    leaseUntil: null,
    runAfter: now,
    attempts: sql`GREATEST(${jobs.attempts} - 1, 0)`,
    updatedAt: now,
  };
  return affectedRows(await db.update(jobs).set(set).where(holding(jobId, token))) === 1;
}

/** A failed job back in the queue with fresh attempts; it resumes from its last checkpoint. */
export async function requeueFailedJob(db: Db, jobId: string, now: Date): Promise<boolean> {
  const set = { status: 'queued' as const, attempts: 0, runAfter: now, finishedAt: null, updatedAt: now };
  return (
    affectedRows(
      await db
        .update(jobs)
        .set(set)
        .where(and(eq(jobs.id, jobId), eq(jobs.status, 'failed'))),
    ) === 1
  );
}

export async function readJob(db: Db, jobId: string): Promise<JobRow | undefined> {
  return (await db.select().from(jobs).where(eq(jobs.id, jobId)))[0];
}

/** One tenant's job (or a platform job, tenant null): another tenant's id reads as missing. */
export async function readTenantJob(db: Db, tenantId: string | null, jobId: string): Promise<JobRow | undefined> {
  const tenant = tenantId === null ? isNull(jobs.tenantId) : eq(jobs.tenantId, tenantId);
  return (
    await db
      .select()
      .from(jobs)
      .where(and(eq(jobs.id, jobId), tenant))
  )[0];
}

/**
 * Deletes finished jobs last touched before `before`. A recurring job's dedupe key only has to
 * outlive its own period, so keep `before` further back than the longest period.
 */
export async function pruneFinishedJobs(db: Db, before: Date): Promise<number> {
  return affectedRows(await db.delete(jobs).where(and(or(eq(jobs.status, 'done'), eq(jobs.status, 'failed')), lt(jobs.finishedAt, before))));
}
