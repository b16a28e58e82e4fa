import os from 'node:os';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Password hashing must not stall other pages (security.md). bcrypt at cost 12 is ~100 ms of CPU a
 * call. Its async API would run on libuv's thread pool, which WebCrypto (session JWTs), fs and DNS
 * share; and at normal priority it competes with the event loop for the cores. So bcrypt runs here
 * instead: one worker thread per core, each lowered to nice 10, calling bcrypt's synchronous API.
 * When the cores are contended the event loop (nice 0) is scheduled first and bcrypt takes what is
 * left — nearly everything during a login storm. `npm run bench:login` measures both sides.
 */
const WORKER_NICENESS = 10;

// A CommonJS worker given as source, so it runs the same under tsx and from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
try {
  // /proc/thread-self names this thread; a thread id works as a pid for setpriority on Linux.
  const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  require('node:os').setPriority(tid, workerData.niceness);
} catch {}
const bcrypt = require(workerData.bcryptPath);
parentPort.on('message', (job) => {
  try {
    const result = job.op === 'hash' ? bcrypt.hashSync(job.data, job.cost) : bcrypt.compareSync(job.data, job.hash);
    parentPort.postMessage({ id: job.id, result });
  } catch (error) {
    parentPort.postMessage({ id: job.id, error: String((error && error.message) || error) });
  }
});
`;

type JobInput = { op: 'hash'; data: string; cost: number } | { op: 'compare'; data: string; hash: string };
type Job = JobInput & { id: number };
type Pending = { job: Job; resolve: (value: unknown) => void; reject: (error: Error) => void };

/** Jobs handed to one worker at a time: the second is queued in its port, so it never waits for the event loop between jobs. */
const JOBS_PER_WORKER = 2;

class HashWorkers {
  private readonly workers: { worker: Worker; pending: Pending[] }[] = [];
  private readonly queue: Pending[] = [];
  private bcryptPath: string | undefined;
  private nextId = 1;

  constructor(private readonly size: number) {}

  run<T>(job: JobInput): Promise<T> {
    if (!this.bcryptPath) {
      this.bcryptPath = createRequire(import.meta.url).resolve('bcrypt');
      for (let i = 0; i < this.size; i++) this.spawn();
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ job: { ...job, id: this.nextId++ }, resolve: resolve as (value: unknown) => void, reject });
      this.dispatch();
    });
  }

  private spawn(): void {
    const slot = {
      worker: new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptPath: this.bcryptPath, niceness: WORKER_NICENESS } }),
      pending: [] as Pending[],
    };
    // Idle workers must not keep a finished script alive; a worker with a job does.
    slot.worker.unref();
    slot.worker.on('message', (message: { id: number; result?: unknown; error?: string }) => {
      const pending = slot.pending.shift();
      if (slot.pending.length === 0) slot.worker.unref();
      if (pending) {
        if (message.error !== undefined) pending.reject(new Error(message.error));
        else pending.resolve(message.result);
      }
      this.dispatch();
    });
    slot.worker.on('error', (error) => {
      for (const pending of slot.pending) pending.reject(error);
      this.workers.splice(this.workers.indexOf(slot), 1);
      this.spawn();
      this.dispatch();
    });
    this.workers.push(slot);
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.workers.reduce((a, b) => (b.pending.length < a.pending.length ? b : a));
      if (slot.pending.length >= JOBS_PER_WORKER) return;
      const pending = this.queue.shift()!;
      slot.pending.push(pending);
      slot.worker.ref();
      slot.worker.postMessage(pending.job);
    }
  }
}

const workers = new HashWorkers(Math.max(1, os.availableParallelism()));

/**
 * bcrypt jobs completed in this process, by cost. Tests check the work a path does by counting it
 * rather than timing it (a busy machine makes timings useless): a wrong password and an unknown
 * email must each cost exactly one cost-12 comparison. A few counters, no personal data.
 */
const completed = { hash: new Map<number, number>(), compare: new Map<number, number>() };
const costOf = (hash: string) => Number(/^\$2[aby]\$(\d{2})\$/.exec(hash)?.[1] ?? 0);
const tally = (counts: Map<number, number>, cost: number) => counts.set(cost, (counts.get(cost) ?? 0) + 1);

export interface BcryptWork {
  hash: Record<number, number>;
  compare: Record<number, number>;
}

export function bcryptWorkDone(): BcryptWork {
  return { hash: Object.fromEntries(completed.hash), compare: Object.fromEntries(completed.compare) };
}

export async function bcryptHash(data: string, cost: number): Promise<string> {
  const hash = await workers.run<string>({ op: 'hash', data, cost });
  tally(completed.hash, cost);
  return hash;
}

export async function bcryptCompare(data: string, hash: string): Promise<boolean> {
  const matches = await workers.run<boolean>({ op: 'compare', data, hash });
  tally(completed.compare, costOf(hash));
  return matches;
}
