import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createJobRunner, type JobContext, type JobLogger, type JobRunner, type JobRunnerOptions } from '../../src/platform/jobs/index.js';
import { newId } from '../../src/platform/db/columns.js';
import { inTransaction } from '../../src/platform/db/client.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { testClock } from '../support/clock.js';

/**
 * Runners over one real database, each with its own clock (two instances need not agree on the
 * time, and a test moves one past another's lease instead of waiting a minute).
 *
 * The model job copies the ids of a source table into a copies table in batches, one step per
 * batch, the last copied id as its checkpoint: a repeated batch shows as duplicate copies, a
 * skipped one as missing copies.
 */
describe('jobs', () => {
  let testDb: TestDatabase;
  const SOURCE_ROWS = 57;
  const LEASE_MS = 60_000;
  const runners: JobRunner[] = [];

  async function query<T>(sqlText: string, params: unknown[] = []): Promise<T[]> {
    const [rows] = await testDb.database.pool.query(sqlText, params);
    return rows as T[];
  }

  function runner(clock: ReturnType<typeof testClock>, options: Partial<JobRunnerOptions> = {}): JobRunner {
    const created = createJobRunner({ db: testDb.database.db, clock, pollMs: false, leaseMs: LEASE_MS, heartbeatMs: 1000, ...options });
    runners.push(created);
    return created;
  }

  interface CopyCheckpoint {
    after: number;
    copied: number;
  }

  interface CopyHooks {
    /** Before each step's transaction (a stall here is a pause between steps). */
    before?: (step: number) => Promise<void> | void;
    /** Inside each step's transaction, after its writes (a stall here holds the step open). */
    during?: (step: number, job: JobContext<{ batch: number }, CopyCheckpoint>) => Promise<void> | void;
  }

  /** The model job, with hooks where tests stall or kill an instance. */
  function copyJob(hooks: CopyHooks = {}) {
    return async (job: JobContext<{ batch: number }, CopyCheckpoint>) => {
      for (let step = 1; ; step++) {
        const before = job.checkpoint ?? { after: 0, copied: 0 };
        await hooks.before?.(step);
        const { copied } = await job.step(async (tx) => {
          const [batch] = (await tx.execute(
            sql`SELECT id FROM job_source WHERE id > ${before.after} ORDER BY id LIMIT ${sql.raw(String(job.payload.batch))}`,
          )) as unknown as [{ id: number }[]];
          for (const row of batch) await tx.execute(sql`INSERT INTO job_copies (job_id, source_id) VALUES (${job.id}, ${row.id})`);
          await hooks.during?.(step, job);
          const next = { after: batch.at(-1)?.id ?? before.after, copied: before.copied + batch.length };
          return { checkpoint: next, progress: { done: next.copied, total: SOURCE_ROWS, message: `copied up to ${next.after}` } };
        });
        if (copied === before.copied) return { copied };
      }
    };
  }

  const copiesOf = async (jobId: string) =>
    (await query<{ source_id: number }>('SELECT source_id FROM job_copies WHERE job_id = ? ORDER BY source_id', [jobId])).map((r) => r.source_id);
  const allSourceIds = Array.from({ length: SOURCE_ROWS }, (_, i) => i + 1);

  function gate() {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { open, opened };
  }

  beforeAll(async () => {
    testDb = await createTestDatabase();
    await query('CREATE TABLE job_source (id int NOT NULL PRIMARY KEY)');
    await query('CREATE TABLE job_copies (seq int NOT NULL AUTO_INCREMENT PRIMARY KEY, job_id char(36) NOT NULL, source_id int NOT NULL, KEY (job_id))');
    await query(`INSERT INTO job_source (id) VALUES ${allSourceIds.map((id) => `(${id})`).join(',')}`);
  });
  afterAll(async () => {
    await Promise.all(runners.map((r) => r.stop({ abandon: true })));
    await testDb?.drop();
  });

  it('runs a job in steps: every row once, progress and result on the job', async () => {
    const clock = testClock(new Date('2026-12-01T10:00:00Z'));
    const jobs = runner(clock);
    const progressSeen: string[] = [];
    const tenantId = newId();
    jobs.register(
      'copy',
      copyJob({
        during: async (_step, job) => {
          // Another connection reads the previous step's committed progress while this one runs.
          const state = await jobs.progress(tenantId, job.id);
          progressSeen.push(`${state?.status}:${state?.progress.done}/${state?.progress.total}`);
        },
      }),
    );
    const { id } = await jobs.enqueue('copy', { tenantId, payload: { batch: 10 } });
    expect(await jobs.runUntilIdle()).toBe(1);
    expect(await copiesOf(id)).toEqual(allSourceIds);
    expect(progressSeen.slice(0, 3)).toEqual(['running:0/null', 'running:10/57', 'running:20/57']);
    expect(await jobs.progress(tenantId, id)).toMatchObject({
      status: 'done',
      attempts: 1,
      progress: { done: 57, total: 57 },
      result: { copied: 57 },
      error: null,
    });
    // Tenant-scoped: another tenant, or the platform, does not see it.
    expect(await jobs.progress(newId(), id)).toBeUndefined();
    expect(await jobs.progress(null, id)).toBeUndefined();
    expect(await jobs.runOnce()).toBe(false);
  });

  it('enqueues inside the caller’s transaction: a rolled-back write leaves no job, a committed one leaves exactly one', async () => {
    const jobs = runner(testClock(new Date('2026-12-01T00:00:00Z')));
    const kind = `tx-bound-${newId()}`;
    const count = async () => (await query<{ n: number }>('SELECT COUNT(*) AS n FROM jobs WHERE kind = ?', [kind]))[0]!.n;
    await expect(
      inTransaction(testDb.database.db, async (tx) => {
        await jobs.enqueue(kind, { tx });
        throw new Error('the write that needed the job was refused');
      }),
    ).rejects.toThrow('refused');
    expect(Number(await count())).toBe(0);
    await inTransaction(testDb.database.db, async (tx) => void (await jobs.enqueue(kind, { tx })));
    expect(Number(await count())).toBe(1);
  });

  it('never runs one job twice on two runners claiming at once', async () => {
    const clock = testClock(new Date('2026-12-01T11:00:00Z'));
    const executions = new Map<string, number>();
    const stepsCommitted = new Map<string, number>();
    const work = async (job: JobContext<null, number>) => {
      executions.set(job.id, (executions.get(job.id) ?? 0) + 1);
      for (let i = (job.checkpoint ?? 0) + 1; i <= 2; i++) {
        await job.step(async (tx) => {
          await tx.execute(sql`SELECT SLEEP(0.002)`);
          return { checkpoint: i };
        });
        stepsCommitted.set(job.id, (stepsCommitted.get(job.id) ?? 0) + 1);
      }
    };
    const [a, b] = [runner(clock, { owner: 'a' }), runner(clock, { owner: 'b' })];
    a.register('tick-many', work);
    b.register('tick-many', work);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push((await a.enqueue('tick-many')).id);
    const ran = { a: 0, b: 0 };
    // SKIP LOCKED may show one runner nothing while the other holds the last candidates: go round until all are done.
    for (let round = 0; round < 10; round++) {
      const [byA, byB] = await Promise.all([a.runUntilIdle(), b.runUntilIdle()]);
      ran.a += byA;
      ran.b += byB;
      const [left] = await query<{ n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'tick-many' AND status <> 'done'");
      if (Number(left!.n) === 0) break;
    }
    expect(ran.a + ran.b).toBe(40);
    expect(ids.map((id) => executions.get(id))).toEqual(ids.map(() => 1));
    expect(ids.map((id) => stepsCommitted.get(id))).toEqual(ids.map(() => 2));
    const owners = await query<{ owner: string | null; attempts: number }>("SELECT owner, attempts FROM jobs WHERE kind = 'tick-many'");
    expect(owners.every((row) => row.owner === null && row.attempts === 1)).toBe(true);
  });

  it('resumes a job whose instance died half-way, once its lease runs out, with exactly the same result', async () => {
    const clockA = testClock(new Date('2026-12-01T12:00:00Z'));
    const clockB = testClock(new Date('2026-12-01T12:00:00Z'));
    const [a, b] = [runner(clockA, { owner: 'a' }), runner(clockB, { owner: 'b' })];
    // Instance A is killed inside its fourth step, before that step commits.
    a.register(
      'copy-resumed',
      copyJob({
        during: async (step) => {
          if (step === 4) await a.stop({ abandon: true });
        },
      }),
    );
    b.register('copy-resumed', copyJob());
    const tenantId = newId();
    const { id } = await a.enqueue('copy-resumed', { tenantId, payload: { batch: 5 } });

    expect(await a.runJob(id)).toEqual({ status: 'abandoned' });
    expect(await copiesOf(id)).toEqual(allSourceIds.slice(0, 15));
    expect(await b.progress(tenantId, id)).toMatchObject({ status: 'running', attempts: 1, progress: { done: 15, total: 57, message: 'copied up to 15' } });

    // Within A's lease nobody takes it over.
    clockB.advance(LEASE_MS - 1000);
    expect(await b.runOnce()).toBe(false);
    expect(await b.runJob(id)).toMatchObject({ status: 'busy', job: { status: 'running' } });

    clockB.advance(2000);
    expect(await b.runUntilIdle()).toBe(1);
    expect(await copiesOf(id)).toEqual(allSourceIds);
    expect(await b.progress(tenantId, id)).toMatchObject({ status: 'done', attempts: 2, result: { copied: 57 }, progress: { done: 57 } });
  });

  it('lets nobody take over a job whose step is still open, however late its lease', async () => {
    const clockA = testClock(new Date('2026-12-01T13:00:00Z'));
    const clockB = testClock(new Date('2026-12-01T13:00:00Z'));
    const [a, b] = [runner(clockA, { owner: 'a' }), runner(clockB, { owner: 'b' })];
    const paused = gate();
    const resume = gate();
    // A stalls inside its second step's transaction, which holds the job row locked.
    a.register(
      'copy-open-step',
      copyJob({
        during: async (step) => {
          if (step !== 2) return;
          paused.open();
          await resume.opened;
        },
      }),
    );
    b.register('copy-open-step', copyJob());
    const { id } = await a.enqueue('copy-open-step', { payload: { batch: 10 } });
    const runOnA = a.runJob(id);
    await paused.opened;
    // B is past A's lease, but SKIP LOCKED passes over the row A's open step holds.
    clockB.advance(LEASE_MS + 1000);
    expect(await b.runOnce()).toBe(false);
    resume.open();
    expect(await runOnA).toMatchObject({ status: 'done' });
    expect(await copiesOf(id)).toEqual(allSourceIds);
  });

  /**
   * A stalls between steps 2 and 3 (outside any transaction) while B, past A's lease, takes the job
   * over and finishes it; then A resumes, running `onResume` first (a throw there fails A's attempt).
   */
  async function takenOverBetweenSteps(kind: string, at: string, onResume: () => void = () => {}) {
    const clockA = testClock(new Date(at));
    const clockB = testClock(new Date(at));
    const [a, b] = [runner(clockA, { owner: 'a', heartbeatMs: 60_000 }), runner(clockB, { owner: 'b' })];
    const paused = gate();
    const resume = gate();
    a.register(
      kind,
      copyJob({
        before: async (step) => {
          if (step !== 3) return;
          paused.open();
          await resume.opened;
          onResume();
        },
      }),
    );
    b.register(kind, copyJob());
    const { id } = await a.enqueue(kind, { payload: { batch: 10 } });
    const runOnA = a.runJob(id);
    await paused.opened;
    clockB.advance(LEASE_MS + 1000);
    expect(await b.runUntilIdle()).toBe(1);
    resume.open();
    return { id, b, onA: await runOnA };
  }

  it('refuses the step of an instance whose lease another took over between steps', async () => {
    const { id, b, onA } = await takenOverBetweenSteps('copy-taken-over', '2026-12-01T14:00:00Z');
    expect(onA).toEqual({ status: 'lost' });
    expect(await copiesOf(id)).toEqual(allSourceIds);
    expect(await b.progress(null, id)).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('an attempt that fails after another instance took the job over reports it lost, not failed', async () => {
    // A's handler throws once it resumes (a hook, a KMS error), after B took over.
    const { id, b, onA } = await takenOverBetweenSteps('copy-fails-late', '2026-12-01T14:10:00Z', () => {
      throw new Error('key service unreachable');
    });
    expect(onA).toEqual({ status: 'lost' });
    expect(await b.progress(null, id)).toMatchObject({ status: 'done', error: null });
  });

  it('renews the lease while the handler works, so a long job is not taken over', async () => {
    const clock = testClock(new Date('2026-12-01T14:30:00Z'));
    const [a, b] = [runner(clock, { heartbeatMs: 10 }), runner(clock)];
    const working = gate();
    const finish = gate();
    a.register('long-report', async () => {
      working.open();
      await finish.opened;
    });
    b.register('long-report', async () => {});
    const { id } = await a.enqueue('long-report');
    const runOnA = a.runJob(id);
    await working.opened;
    for (let minute = 0; minute < 3; minute++) {
      clock.advance(40_000);
      // Twice the heartbeat, real time: A has renewed from the moved clock.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const held = await b.progress(null, id);
      expect(held?.status).toBe('running');
      expect(await b.runJob(id)).toMatchObject({ status: 'busy' });
    }
    finish.open();
    expect(await runOnA).toMatchObject({ status: 'done' });
  });

  it('retries a failing job with a back-off, then marks it failed with its error, and logs', async () => {
    const clock = testClock(new Date('2026-12-01T15:00:00Z'));
    const logged: string[] = [];
    const logger: JobLogger = {
      info: () => {},
      warn: (_details, message) => void logged.push(`warn ${message}`),
      error: (_details, message) => void logged.push(`error ${message}`),
    };
    const jobs = runner(clock, { logger });
    let calls = 0;
    jobs.register(
      'flaky',
      async () => {
        throw new Error(`payment gateway said no (${++calls})`);
      },
      { maxAttempts: 3 },
    );
    const { id } = await jobs.enqueue('flaky');
    expect(await jobs.runOnce()).toBe(true);
    expect(await jobs.progress(null, id)).toMatchObject({ status: 'queued', attempts: 1, error: 'payment gateway said no (1)' });
    expect(await jobs.runOnce()).toBe(false); // backing off
    clock.advance(30_000);
    expect(await jobs.runOnce()).toBe(true);
    clock.advance(59_000);
    expect(await jobs.runOnce()).toBe(false);
    clock.advance(1000);
    expect(await jobs.runOnce()).toBe(true);
    expect(await jobs.progress(null, id)).toMatchObject({ status: 'failed', attempts: 3, error: 'payment gateway said no (3)' });
    clock.advance(3600_000);
    expect(await jobs.runOnce()).toBe(false);
    expect(calls).toBe(3);
    expect(logged).toEqual(['warn job attempt failed; will retry', 'warn job attempt failed; will retry', 'error job failed after 3 attempts']);

    // An operator's retry starts it afresh.
    expect(await jobs.retry(id)).toBe(true);
    expect(await jobs.runJob(id)).toMatchObject({ status: 'retrying', error: { message: 'payment gateway said no (4)' } });
  });

  it('fails a job whose instance died on its last attempt instead of running it again', async () => {
    const clockA = testClock(new Date('2026-12-01T16:00:00Z'));
    const clockB = testClock(new Date('2026-12-01T16:00:00Z'));
    const [a, b] = [runner(clockA), runner(clockB)];
    a.register('copy-last-attempt', copyJob({ during: () => a.stop({ abandon: true }) }), { maxAttempts: 1 });
    b.register('copy-last-attempt', copyJob(), { maxAttempts: 1 });
    const { id } = await a.enqueue('copy-last-attempt', { payload: { batch: 10 } });
    expect(await a.runOnce()).toBe(true);
    clockB.advance(LEASE_MS + 1);
    expect(await b.runOnce()).toBe(false);
    expect(await b.progress(null, id)).toMatchObject({ status: 'failed', attempts: 1, error: expect.stringMatching(/lease ran out/) });
    expect(await copiesOf(id)).toEqual([]);
  });

  it('runs a recurring job once per period across two runners', async () => {
    // One clock: leases assume instances agree on the time to well within a lease (NTP does).
    const clock = testClock(new Date('2026-12-01T17:10:00Z'));
    const periods: string[] = [];
    const [a, b] = [runner(clock), runner(clock)];
    for (const jobs of [a, b]) {
      jobs.register('hourly-report', async (job: JobContext<{ periodStart: string }>) => void periods.push(job.payload.periodStart));
      jobs.recurring('hourly-report', 3600_000);
    }
    await Promise.all([a.runUntilIdle(), b.runUntilIdle()]);
    clock.advance(30 * 60_000);
    await Promise.all([a.runUntilIdle(), b.runUntilIdle()]);
    expect(periods).toEqual(['2026-12-01T17:00:00.000Z']);
    clock.advance(30 * 60_000);
    await Promise.all([a.runUntilIdle(), b.runUntilIdle()]);
    await Promise.all([a.runUntilIdle(), b.runUntilIdle()]);
    expect(periods).toEqual(['2026-12-01T17:00:00.000Z', '2026-12-01T18:00:00.000Z']);
  });

  it('stops gracefully: waits for the running step, gives the job back, and another runner continues at once', async () => {
    const clock = testClock(new Date('2026-12-01T18:00:00Z'));
    const [a, b] = [runner(clock), runner(clock)];
    const inStep = gate();
    const finishStep = gate();
    a.register(
      'copy-stopped',
      copyJob({
        during: async (step) => {
          if (step !== 2) return;
          inStep.open();
          await finishStep.opened;
        },
      }),
    );
    b.register('copy-stopped', copyJob());
    const { id } = await a.enqueue('copy-stopped', { payload: { batch: 10 } });
    const runOnA = a.runJob(id);
    await inStep.opened;
    let stopped = false;
    const stopping = a.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(stopped).toBe(false);
    finishStep.open();
    await stopping;
    expect(await runOnA).toEqual({ status: 'released' });
    expect(await copiesOf(id)).toEqual(allSourceIds.slice(0, 20));
    expect(await b.progress(null, id)).toMatchObject({ status: 'queued', attempts: 0, progress: { done: 20 } });
    expect(await b.runUntilIdle()).toBe(1);
    expect(await copiesOf(id)).toEqual(allSourceIds);
    expect(await b.progress(null, id)).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('polls when started, and enqueues with a dedupe key only once', async () => {
    const jobs = runner(testClock(new Date('2026-12-01T19:00:00Z')), { pollMs: 10 });
    const done = gate();
    jobs.register('ping', async () => done.open());
    const first = await jobs.enqueue('ping', { dedupeKey: 'ping:once' });
    const second = await jobs.enqueue('ping', { dedupeKey: 'ping:once' });
    expect(second).toEqual({ id: first.id, created: false, status: 'queued' });
    jobs.start();
    await done.opened;
    await jobs.stop();
    expect(await jobs.progress(null, first.id)).toMatchObject({ status: 'done' });
  });
});
