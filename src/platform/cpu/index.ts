import os from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';
import { pbkdf2 } from 'node:crypto';

/**
 * Password hashing must not stall other pages (security.md). bcrypt's async API runs on libuv's
 * thread pool, which WebCrypto (session JWTs) and fs share, and on the same cores as the event
 * loop. Two measures, measured by `npm run bench:login`:
 *  - at most `hashSlots` bcrypt jobs at a time (one per core, leaving pool threads free for short jobs);
 *  - the pool's threads run at a lower CPU priority (Linux nice), so when cores are contended the
 *    event loop is scheduled first and bcrypt takes what is left — nearly all of it during a storm.
 */
export const poolSize = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
export const hashSlots = Math.max(1, Math.min(os.availableParallelism(), poolSize - 1));

export function createLimiter(slots: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async function limit<T>(work: () => Promise<T>): Promise<T> {
    if (active >= slots) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await work();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

let lowered = false;
/** Best effort, Linux only: renices libuv's worker threads (a thread id works as a pid for setpriority). */
export async function lowerThreadPoolPriority(niceness = 10): Promise<number> {
  if (lowered || process.platform !== 'linux') return 0;
  lowered = true;
  // libuv starts all pool threads on the first job; make sure they exist before looking for them.
  await Promise.all(Array.from({ length: poolSize }, () => new Promise((r) => pbkdf2('x', 'y', 1, 8, 'sha256', r))));
  let count = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      if (readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() !== 'libuv-worker') continue;
      os.setPriority(Number(tid), niceness);
      count++;
    } catch {
      // Not permitted or gone: the limiter alone still protects the pool.
    }
  }
  return count;
}
