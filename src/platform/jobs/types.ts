import type { Db } from '../db/client.js';
import type { Clock } from '../clock/index.js';
import type { JobStatus } from './schema.js';
import type { EnqueuedJob, Progress } from './store.js';

/** The job runner's public shapes: what handlers get, what callers pass and read back. */

export interface StepOutcome<Checkpoint> {
  /** Where a resumed run continues; committed with the step's writes. */
  checkpoint: Checkpoint;
  progress?: Progress;
}

export interface JobContext<Payload = unknown, Checkpoint = unknown> {
  readonly id: string;
  readonly kind: string;
  readonly tenantId: string | null;
  readonly payload: Payload;
  /** 1 on the first claim; a take-over after a crash counts. */
  readonly attempt: number;
  /** The last committed step's checkpoint (undefined before the first), kept current by `step`. */
  readonly checkpoint: Checkpoint | undefined;
  /** The runner's clock. */
  now(): Date;
  /**
   * Runs `work` in one transaction with the checkpoint and progress it returns; commits only while
   * this claim holds the lease (else `LeaseLost`, nothing committed). Work outside a step must be
   * idempotent: it may run again after a crash.
   */
  step(work: (tx: Db) => Promise<StepOutcome<Checkpoint>>): Promise<Checkpoint>;
}

/** What a handler returns is stored as the job's result. */
export type JobHandler<Payload = unknown, Checkpoint = unknown, Result = unknown> = (job: JobContext<Payload, Checkpoint>) => Promise<Result>;

/** pino's logger fits; so does anything with these three methods. */
export interface JobLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface JobRunnerOptions {
  db: Db;
  clock: Clock;
  logger?: JobLogger;
  /** Milliseconds between polls once started; false never polls (commands and tests call runOnce/runJob). Default 5 s. */
  pollMs?: number | false;
  /** How long a claim lasts without renewal: the longest a crashed instance's job waits for a take-over. Default 60 s. */
  leaseMs?: number;
  /** Lease renewal while a handler runs. Default a third of the lease. */
  heartbeatMs?: number;
  /** Names this instance on the rows it holds. */
  owner?: string;
}

export interface EnqueueOptions {
  tenantId?: string | null;
  payload?: unknown;
  /** A second enqueue with the same key finds the first job instead of adding one. */
  dedupeKey?: string;
  maxAttempts?: number;
  runAfter?: Date;
  /**
   * The caller's transaction: the job exists exactly when the write that needs it commits (a refused or
   * rolled-back write leaves no job behind to run for nothing).
   */
  tx?: Db;
}

export interface JobState {
  id: string;
  kind: string;
  tenantId: string | null;
  status: JobStatus;
  progress: { done: number; total: number | null; message: string | null };
  attempts: number;
  maxAttempts: number;
  error: string | null;
  result: unknown;
  updatedAt: Date;
  finishedAt: Date | null;
}

export type RunOutcome =
  | { status: 'done'; result: unknown }
  /** The attempt failed; `retrying`: queued again after a back-off, `failed`: no attempts left. */
  | { status: 'retrying' | 'failed'; error: Error }
  /** Another instance holds it, or it is queued with a kind this runner does not handle. */
  | { status: 'busy'; job: JobState }
  /** Not finished here: the runner stopped (job given back or abandoned) or lost the lease. */
  | { status: 'released' | 'abandoned' | 'lost' }
  | { status: 'missing' };

export interface JobRunner {
  register<Payload, Checkpoint, Result>(kind: string, handler: JobHandler<Payload, Checkpoint, Result>, options?: { maxAttempts?: number }): void;
  /** Runs `kind` once per period (aligned to the epoch, UTC) across all instances. */
  recurring(kind: string, periodMs: number): void;
  enqueue(kind: string, options?: EnqueueOptions): Promise<EnqueuedJob>;
  /** A failed job back in the queue with fresh attempts, resuming from its checkpoint. */
  retry(jobId: string): Promise<boolean>;
  /** What a page polls: one tenant's job (tenant null: a platform job). */
  progress(tenantId: string | null, jobId: string): Promise<JobState | undefined>;
  /** Claims one due job and runs it; false when there was none. */
  runOnce(): Promise<boolean>;
  /** runOnce until nothing is due; the number of jobs run. */
  runUntilIdle(): Promise<number>;
  /** Claims this job now (ignoring a retry back-off) and runs it, or says why not. */
  runJob(jobId: string): Promise<RunOutcome>;
  /**
   * Runs this job to its end here, waiting while another instance holds it (and taking it over when
   * that lease runs out). Resolves with its result; rejects with a failed attempt's error.
   */
  runToCompletion(jobId: string, options?: { waitMs?: number; onWaiting?: (job: JobState) => void }): Promise<unknown>;
  /** Starts polling (when pollMs is not false). */
  start(): void;
  /**
   * Stops polling, waits for the running steps and gives their jobs back. `abandon` instead behaves
   * like a killed process (for tests): no more heartbeats or steps, the rows stay claimed until their
   * leases run out.
   */
  stop(options?: { abandon?: boolean }): Promise<void>;
}
