import type { Db } from '../db/client.js';
import { pruneFinishedJobs } from './store.js';
import type { JobHandler } from './types.js';

export const PRUNE_FINISHED_JOBS = 'jobs.prune-finished';

/**
 * Finished jobs are kept a month for people asking "did last night's run happen?", then deleted.
 * A month also outlives every recurring period, whose dedupe keys must last their period.
 */
export const FINISHED_JOBS_KEPT_MS = 30 * 24 * 3600_000;

export function pruneFinishedJobsHandler(db: Db): JobHandler<unknown, unknown, { deleted: number }> {
  return async (job) => ({ deleted: await pruneFinishedJobs(db, new Date(job.now().getTime() - FINISHED_JOBS_KEPT_MS)) });
}
