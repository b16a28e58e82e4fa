import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { inTransaction } from '../db/client.js';
import type { JobRow } from './schema.js';
import {
  claimJob,
  completeJob,
  failAttempt,
  insertJob,
  lockHeldJob,
  readJob,
  readTenantJob,
  releaseJob,
  renewLease,
  requeueFailedJob,
  saveStep,
  type EnqueuedJob,
} from './store.js';
import type { EnqueueOptions, JobContext, JobHandler, JobLogger, JobRunner, JobRunnerOptions, JobState, RunOutcome } from './types.js';

/**
 * The job runner: one per process. Modules register handlers by kind; any number of instances run
 * over one database and each job runs on one of them at a time, under a lease the runner renews
 * while the handler works. A handler works in steps; each step's writes commit together with its
 * checkpoint, and only while this instance still holds the lease, so a job resumed elsewhere after
 * a crash neither repeats a committed step nor skips one.
 */

/** Another instance took the job over (this one's lease ran out): the step was rolled back. */
export class LeaseLost extends Error {
  constructor(readonly jobId: string) {
    super(`job ${jobId}: this instance no longer holds its lease`);
    this.name = 'LeaseLost';
  }
}

/** Thrown into a handler's next step when the runner stops; the runner gives the job back. */
class RunnerStopping extends Error {
  constructor() {
    super('the job runner is stopping');
  }
}

const DEFAULT_MAX_ATTEMPTS = 5;
/** Back-off before attempt `attempt + 1`: 30 s doubling, at most an hour. */
const retryDelayMs = (attempt: number) => Math.min(30_000 * 2 ** (attempt - 1), 3600_000);
const silent: JobLogger = { info() {}, warn() {}, error() {} };

export function toJobState(row: JobRow): JobState {
  return {
    id: row.id,
    kind: row.kind,
    tenantId: row.tenantId,
    status: row.status,
    progress: { done: row.progressDone, total: row.progressTotal, message: row.progressMessage },
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    error: row.lastError,
    result: row.result ?? undefined,
    updatedAt: row.updatedAt,
    finishedAt: row.finishedAt,
  };
}

export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { db, clock } = options;
  const logger = options.logger ?? silent;
  const leaseMs = options.leaseMs ?? 60_000;
  const heartbeatMs = options.heartbeatMs ?? Math.max(10, Math.floor(leaseMs / 3));
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const handlers = new Map<string, { handler: JobHandler<never, never, unknown>; maxAttempts: number }>();
  const schedules = new Map<string, { periodMs: number; enqueuedFor?: number }>();
  const running = new Set<Promise<RunOutcome>>();
  const heartbeats = new Set<NodeJS.Timeout>();
  let stopping = false;
  let abandoned = false;
  let pollTimer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;

  const leaseFrom = (now: Date) => new Date(now.getTime() + leaseMs);

  async function enqueue(kind: string, enqueueOptions: EnqueueOptions = {}): Promise<EnqueuedJob> {
    const now = clock.now();
    return insertJob(
      enqueueOptions.tx ?? db,
      {
        kind,
        tenantId: enqueueOptions.tenantId ?? null,
        payload: enqueueOptions.payload ?? null,
        dedupeKey: enqueueOptions.dedupeKey ?? null,
        maxAttempts: enqueueOptions.maxAttempts ?? handlers.get(kind)?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        runAfter: enqueueOptions.runAfter ?? now,
      },
      now,
    );
  }

  /** Each instance tries once per period; the dedupe key makes all but the first a no-op. */
  async function enqueueRecurring(): Promise<void> {
    const now = clock.now().getTime();
    for (const [kind, schedule] of schedules) {
      const periodStart = now - (now % schedule.periodMs);
      if (schedule.enqueuedFor === periodStart) continue;
      const startsAt = new Date(periodStart).toISOString();
      await enqueue(kind, { dedupeKey: `${kind}@${startsAt}`, payload: { periodStart: startsAt } });
      schedule.enqueuedFor = periodStart;
    }
  }

  async function claim(jobId?: string) {
    const now = clock.now();
    const claimed = await claimJob(db, { kinds: [...handlers.keys()], owner, now, leaseUntil: leaseFrom(now), jobId });
    for (const job of claimed.exhausted) {
      logger.error({ jobId: job.id, kind: job.kind, tenantId: job.tenantId, attempts: job.attempts }, `job failed: ${job.lastError}`);
    }
    return claimed.job;
  }

  function execute(job: JobRow & { leaseToken: string }): Promise<RunOutcome> {
    const run = executeClaimed(job);
    running.add(run);
    // The caller gets the outcome (or the rejection) from `run`; this chain only keeps the set tidy.
    run.finally(() => running.delete(run)).catch(() => {});
    return run;
  }

  async function executeClaimed(job: JobRow & { leaseToken: string }): Promise<RunOutcome> {
    const token = job.leaseToken;
    const details = { jobId: job.id, kind: job.kind, tenantId: job.tenantId, attempt: job.attempts };
    let lost = false;
    let renewing = false;
    const heartbeat = setInterval(() => {
      if (renewing || lost) return;
      renewing = true;
      const now = clock.now();
      renewLease(db, job.id, token, leaseFrom(now), now)
        .then(
          (held) => void (lost ||= !held),
          (error: unknown) => logger.warn({ ...details, err: error }, 'job lease renewal failed; retrying'),
        )
        .finally(() => (renewing = false));
    }, heartbeatMs);
    heartbeat.unref();
    heartbeats.add(heartbeat);

    let checkpoint: unknown = job.checkpoint ?? undefined;
    const context: JobContext<never, unknown> = {
      id: job.id,
      kind: job.kind,
      tenantId: job.tenantId,
      payload: (job.payload ?? undefined) as never,
      attempt: job.attempts,
      get checkpoint() {
        return checkpoint;
      },
      now: () => clock.now(),
      async step(work) {
        if (stopping) throw new RunnerStopping();
        if (lost) throw new LeaseLost(job.id);
        const outcome = await inTransaction(db, async (tx) => {
          if (!(await lockHeldJob(tx, job.id, token))) throw new LeaseLost(job.id);
          const outcome = await work(tx);
          // A "killed" process never commits its last step.
          if (abandoned) throw new RunnerStopping();
          const now = clock.now();
          await saveStep(tx, job.id, outcome, leaseFrom(now), now);
          return outcome;
        });
        checkpoint = outcome.checkpoint;
        return checkpoint;
      },
    };

    const handler = handlers.get(job.kind)!.handler as JobHandler<never, unknown, unknown>;
    try {
      const result = await handler(context);
      clearInterval(heartbeat);
      if (abandoned) return { status: 'abandoned' };
      if (!(await completeJob(db, job.id, token, result, clock.now()))) {
        logger.warn(details, 'job finished here after another instance had taken it over; that instance records the end');
        return { status: 'lost' };
      }
      logger.info(details, 'job done');
      return { status: 'done', result };
    } catch (thrown) {
      clearInterval(heartbeat);
      if (abandoned) return { status: 'abandoned' };
      if (thrown instanceof RunnerStopping) {
        try {
          await releaseJob(db, job.id, token, clock.now());
          logger.info(details, 'job given back: the runner is stopping');
        } catch (error) {
          logger.warn({ ...details, err: error }, 'could not give the job back; another instance takes it when the lease runs out');
        }
        return { status: 'released' };
      }
      if (thrown instanceof LeaseLost) {
        logger.warn(details, 'job lost its lease to another instance; stopped here without committing');
        return { status: 'lost' };
      }
      const error = thrown instanceof Error ? thrown : new Error(String(thrown));
      const final = job.attempts >= job.maxAttempts;
      const now = clock.now();
      const retryAt = final ? undefined : new Date(now.getTime() + retryDelayMs(job.attempts));
      try {
        if (!(await failAttempt(db, job.id, token, error.message, now, retryAt))) {
          // Another instance took the job over while this attempt was failing: it is theirs to finish.
          logger.warn({ ...details, err: error }, 'job attempt failed after its lease was lost; another instance holds it');
          return { status: 'lost' };
        }
      } catch (storeError) {
        // The lease runs out and another instance retries: the attempt is still counted.
        logger.error({ ...details, err: storeError }, 'could not record a failed job attempt');
      }
      if (final) logger.error({ ...details, err: error }, `job failed after ${job.attempts} attempts`);
      else logger.warn({ ...details, err: error, retryAt }, 'job attempt failed; will retry');
      return { status: final ? 'failed' : 'retrying', error };
    } finally {
      heartbeats.delete(heartbeat);
    }
  }

  async function runOnce(): Promise<boolean> {
    if (stopping) return false;
    await enqueueRecurring();
    const job = await claim();
    if (!job) return false;
    await execute(job);
    return true;
  }

  async function runJob(jobId: string): Promise<RunOutcome> {
    if (stopping) return { status: 'released' };
    const job = await claim(jobId);
    if (job) return execute(job);
    const row = await readJob(db, jobId);
    if (!row) return { status: 'missing' };
    if (row.status === 'done') return { status: 'done', result: row.result ?? undefined };
    if (row.status === 'failed') return { status: 'failed', error: new Error(row.lastError ?? 'failed') };
    if (!handlers.has(row.kind)) throw new Error(`no handler for job kind ${row.kind} in this process`);
    return { status: 'busy', job: toJobState(row) };
  }

  async function poll(): Promise<void> {
    try {
      while (!stopping && (await runOnce()));
    } catch (error) {
      logger.error({ err: error }, 'job polling failed; trying again at the next poll');
    }
  }

  function schedulePoll(): void {
    if (stopping || options.pollMs === false) return;
    pollTimer = setTimeout(() => {
      polling = poll().finally(() => {
        polling = undefined;
        schedulePoll();
      });
    }, options.pollMs ?? 5000);
    pollTimer.unref();
  }

  return {
    register(kind, handler, registerOptions = {}) {
      if (handlers.has(kind)) throw new Error(`job kind ${kind} is already registered`);
      handlers.set(kind, { handler: handler as JobHandler<never, never, unknown>, maxAttempts: registerOptions.maxAttempts ?? DEFAULT_MAX_ATTEMPTS });
    },

    recurring(kind, periodMs) {
      if (!handlers.has(kind)) throw new Error(`register a handler for ${kind} before making it recurring`);
      if (!Number.isInteger(periodMs) || periodMs < 1000) throw new Error('a recurring period is a whole number of milliseconds, at least 1000');
      schedules.set(kind, { periodMs });
    },

    enqueue,

    retry: (jobId) => requeueFailedJob(db, jobId, clock.now()),

    async progress(tenantId, jobId) {
      const row = await readTenantJob(db, tenantId, jobId);
      return row && toJobState(row);
    },

    runOnce,

    async runUntilIdle() {
      let count = 0;
      while (await runOnce()) count++;
      return count;
    },

    runJob,

    async runToCompletion(jobId, waitOptions = {}) {
      for (;;) {
        const outcome = await runJob(jobId);
        switch (outcome.status) {
          case 'done':
            return outcome.result;
          case 'retrying':
          case 'failed':
            throw outcome.error;
          case 'busy':
            waitOptions.onWaiting?.(outcome.job);
            await new Promise((resolve) => setTimeout(resolve, waitOptions.waitMs ?? 1000));
            break;
          case 'lost':
            break; // whoever took it over finishes it; wait for them like for any holder
          case 'missing':
            throw new Error(`job ${jobId} does not exist`);
          default:
            throw new Error(`job ${jobId} did not finish: the job runner stopped`);
        }
      }
    },

    start() {
      if (stopping) throw new Error('a stopped job runner does not start again');
      if (pollTimer || options.pollMs === false) return;
      schedulePoll();
    },

    async stop(stopOptions = {}) {
      stopping = true;
      clearTimeout(pollTimer);
      if (stopOptions.abandon) {
        abandoned = true;
        for (const heartbeat of heartbeats) clearInterval(heartbeat);
        return;
      }
      await polling;
      await Promise.allSettled([...running]);
    },
  };
}
