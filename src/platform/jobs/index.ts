/**
 * Database-backed jobs: claimed with SELECT … FOR UPDATE SKIP LOCKED under a renewed lease, worked in
 * checkpointed steps, with progress a page can poll and recurring kinds that run once per period
 * across all instances. Handlers are registered by the modules (through app.ts); platform knows none.
 */
export { createJobRunner } from './runner.js';
export type { EnqueueOptions, JobContext, JobHandler, JobLogger, JobRunner, JobRunnerOptions, JobState, RunOutcome } from './types.js';
export type { EnqueuedJob, Progress } from './store.js';
export { PRUNE_FINISHED_JOBS, pruneFinishedJobsHandler } from './prune.js';
export { jobs, type JobStatus } from './schema.js';
