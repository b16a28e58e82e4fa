import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { useTestApp } from '../support/app.js';
import { sessionFor, signIn, submitForm } from '../support/auth.js';
import { testClock } from '../support/clock.js';
import { seedDemo } from '../../src/demo/seed.js';
import { purgeIdentityRows, RETENTION } from '../../src/modules/identity/index.js';

describe('identity housekeeping', () => {
  const clock = testClock(new Date('2026-11-01T00:00:00Z'));
  const t = useTestApp({ adapters: () => ({ clock }), seed: async (t) => void (await seedDemo(t.db.database.db, t.config)) });
  const count = async (table: string) =>
    Number(((await t.db.database.db.execute(sql.raw(`SELECT COUNT(*) AS n FROM ${table}`))) as unknown as [{ n: number }[]])[0][0]!.n);

  it('removes only rows no rule reads any more', async () => {
    await sessionFor(t.app, 'owner@acme.test');
    for (let i = 0; i < 3; i++) await signIn(t.app, `nobody${i}@acme.test`, 'wrong-password-12');
    expect(await count('login_failures')).toBe(3);
    await submitForm(t.app, { cookie: '' }, '/password/forgot', '/password/forgot', { email: 'nobody@acme.test' });
    expect(await count('request_counts')).toBe(2); // the IP's and the address's
    await t.app.jobs.runUntilIdle(); // the reset mail's job (which finds no account)
    expect(await purgeIdentityRows(t.app.database.db, clock.now())).toEqual({
      sessions: 0,
      loginFailures: 0,
      alertWindows: 0,
      passwordTokens: 0,
      ipBlocks: 0,
      requestCounts: 0,
    });

    clock.advance(Math.max(RETENTION.loginFailuresMs, RETENTION.requestCountsMs) + 1000);
    const recent = await sessionFor(t.app, 'hr@acme.test'); // a live session, made now
    expect(recent.cookie).toBeTruthy();
    const purged = await purgeIdentityRows(t.app.database.db, clock.now());
    expect(purged.loginFailures).toBe(3);
    expect(purged.requestCounts).toBe(2);
    expect(purged.sessions).toBe(0);
    expect(await count('login_failures')).toBe(0);

    clock.advance(RETENTION.endedSessionsMs + 2 * 24 * 3600_000);
    expect((await purgeIdentityRows(t.app.database.db, clock.now())).sessions).toBe(2);
    expect(await count('sessions')).toBe(0);
  });

  it('runs as a recurring job: once an hour however often the runner looks', async () => {
    clock.set(new Date('2027-01-01T10:30:00Z'));
    // The first hour's housekeeping (identity's and attendance's), and the first day's pruning of finished jobs.
    expect(await t.app.jobs.runUntilIdle()).toBe(3);
    expect(await t.app.jobs.runUntilIdle()).toBe(0);
    clock.advance(20 * 60_000);
    expect(await t.app.jobs.runUntilIdle()).toBe(0);
    clock.advance(20 * 60_000);
    expect(await t.app.jobs.runUntilIdle()).toBe(2);
    const [runs] = (await t.db.database.db.execute(
      sql`SELECT dedupe_key, status, result FROM jobs WHERE kind = 'identity.housekeeping' ORDER BY created_at`,
    )) as unknown as [{ dedupe_key: string; status: string; result: string }[]];
    expect(runs.map((r) => `${r.dedupe_key} ${r.status}`)).toEqual([
      'identity.housekeeping@2027-01-01T10:00:00.000Z done',
      'identity.housekeeping@2027-01-01T11:00:00.000Z done',
    ]);
    expect(Object.keys(JSON.parse(runs[1]!.result))).toEqual(['sessions', 'loginFailures', 'alertWindows', 'passwordTokens', 'ipBlocks', 'requestCounts']);
  });
});
