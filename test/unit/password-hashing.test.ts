import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { hashPassword, verifyPassword } from '../../src/modules/identity/passwords.js';

const PEPPER = 'p'.repeat(40);

/** The nice value of each thread of this process (field 19 of /proc/self/task/<tid>/stat). */
function threadNiceness(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

describe.runIf(process.platform === 'linux')('password hashing stays off the event loop', () => {
  it('hashes at cost 12 in low-priority threads while the event loop keeps answering', async () => {
    await hashPassword('warm-up-the-workers-1', PEPPER); // worker start-up is not what is measured
    const started = performance.now();
    let longestStall = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      longestStall = Math.max(longestStall, now - last);
      last = now;
    }, 5);
    const hashes = await Promise.all(Array.from({ length: 4 }, (_, i) => hashPassword(`Passphrase-number-${i}`, PEPPER)));
    clearInterval(ticker);
    const elapsed = performance.now() - started;
    expect(hashes.every((h) => h.startsWith('$2b$12$'))).toBe(true);
    expect(await verifyPassword('Passphrase-number-2', hashes[2]!, PEPPER)).toBe(true);
    expect(await verifyPassword('Passphrase-number-3', hashes[2]!, PEPPER)).toBe(false);
    // Four cost-12 hashes take hundreds of ms; on the event loop they would stall it for all of
    // that. Off it, the longest pause is scheduling noise (the suite runs other files meanwhile).
    expect(longestStall).toBeLessThan(Math.min(150, elapsed / 3));
    expect(threadNiceness().filter((n) => n === 10).length).toBeGreaterThanOrEqual(1);
  });
});
