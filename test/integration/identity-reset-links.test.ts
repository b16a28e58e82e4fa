import { describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { useTestApp } from '../support/app.js';
import { getPage, postForm, signIn, submitForm, type Browserish } from '../support/auth.js';
import { testClock } from '../support/clock.js';
import { company, user } from '../support/factories.js';
import { readOutbox, outboxDir } from '../../src/platform/mail/index.js';
import { ipBlocks, REQUEST_LIMITS } from '../../src/modules/identity/index.js';

const PASSWORD = 'Reset-links-test-2026';

/** Password reset links (issue 16): each test failed before its fix. */
describe('password reset links', () => {
  const clock = testClock(new Date('2026-11-25T10:00:00Z'));
  const t = useTestApp({ env: { TRUST_PROXY: '127.0.0.1' }, adapters: () => ({ clock }) });
  const db = () => t.db.database.db;
  const from = (ip: string) => ({ 'x-forwarded-for': ip, 'x-forwarded-proto': 'https' });
  const outbox = () => readOutbox(outboxDir(t.config));
  const linkFor = async (to: string) => /\/password\/reset\?token=([\w-]+)/.exec((await outbox()).filter((m) => m.to === to).at(-1)!.text)![1]!;
  const member = async () => user(db(), (await company(db())).id, { role: 'hr_admin', password: PASSWORD, pepper: t.config.passwordPepper });
  const forgot = (email: string, ip: string, jar: Browserish = { cookie: '' }) =>
    submitForm(t.app, jar, '/password/forgot', '/password/forgot', { email }, { ...from(ip), accept: 'application/json' });
  const reset = (token: string, newPassword: string) =>
    submitForm(t.app, { cookie: '' }, '/login', '/password/reset', { token, newPassword }, { ...from('192.0.2.250'), accept: 'application/json' });

  it('a reset by link ends every other outstanding link of that user', async () => {
    const reader = await member();
    await forgot(reader.email, '192.0.2.1');
    await t.app.jobs.runUntilIdle();
    const first = await linkFor(reader.email);
    await forgot(reader.email, '192.0.2.1');
    await t.app.jobs.runUntilIdle();
    const second = await linkFor(reader.email);
    expect(second).not.toBe(first);

    expect((await reset(second, 'Chosen-by-the-owner-5')).statusCode).toBe(303);
    const sibling = await reset(first, 'Chosen-by-someone-else-6');
    expect(sibling.statusCode).toBe(400);
    expect(sibling.json().problems[0].field).toBe('token');
    expect((await signIn(t.app, reader.email, 'Chosen-by-the-owner-5', from('192.0.2.1'))).res.statusCode).toBe(303);
  });

  it('a password change on /account ends the links asked for before it', async () => {
    const reader = await member();
    await forgot(reader.email, '192.0.2.2');
    await t.app.jobs.runUntilIdle();
    const earlier = await linkFor(reader.email);

    const { jar } = await signIn(t.app, reader.email, PASSWORD, from('192.0.2.2'));
    const changed = await submitForm(
      t.app,
      jar,
      '/account',
      '/account/password',
      { currentPassword: PASSWORD, newPassword: 'Changed-on-account-7' },
      from('192.0.2.2'),
    );
    expect(changed.statusCode).toBe(303);
    expect((await reset(earlier, 'Taken-over-by-link-8')).statusCode).toBe(400);
    expect((await signIn(t.app, reader.email, 'Changed-on-account-7', from('192.0.2.2'))).res.statusCode).toBe(303);
  });

  it('answers known and unknown addresses alike and in the same time: the mail goes out by a job, never while the request waits', async () => {
    const before = (await outbox()).length;
    const jar = { cookie: '' };
    const token = /name="_csrf" value="([^"]+)"/.exec((await getPage(t.app, jar, '/password/forgot', from('192.0.2.3'))).body)![1]!;
    const timed = async (email: string) => {
      const started = performance.now();
      const res = await postForm(t.app, jar, '/password/forgot', { _csrf: token, email }, from('192.0.2.3'));
      return { ms: performance.now() - started, res };
    };
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const known: number[] = [];
    const unknown: number[] = [];
    const knownEmails: string[] = [];
    for (let i = 0; i < 7; i++) {
      const reader = await member();
      knownEmails.push(reader.email);
      const a = await timed(reader.email);
      const b = await timed(`nobody${i}@nowhere.test`);
      expect(b.res.statusCode).toBe(a.res.statusCode);
      expect(b.res.headers.location).toBe(a.res.headers.location);
      known.push(a.ms);
      unknown.push(b.ms);
    }
    // Nothing is sent inline for a known address: the outbox is untouched until the job runs.
    expect((await outbox()).length).toBe(before);
    // Generous: this machine is shared and noisy; the difference we guard against is mail and link work.
    expect(median(known)).toBeLessThan(median(unknown) * 2 + 25);
    await t.app.jobs.runUntilIdle();
    const sent = (await outbox()).slice(before).map((m) => m.to);
    expect(sent.sort()).toEqual(knownEmails.sort());
  });

  it('is rate-limited per address and per IP, with a plain 429', async () => {
    const reader = await member();
    for (let i = 0; i < REQUEST_LIMITS.passwordReset.perAddress; i++) expect((await forgot(reader.email, `198.51.100.${i + 1}`)).statusCode).toBe(303);
    const perAddress = await forgot(reader.email, '198.51.100.99');
    expect(perAddress.statusCode).toBe(429);
    expect(perAddress.json().message).toContain('Too many requests');

    const ip = '203.0.113.50';
    for (let i = 0; i < REQUEST_LIMITS.passwordReset.perIp; i++) expect((await forgot(`someone${i}@flood.test`, ip)).statusCode).toBe(303);
    expect((await forgot('one-more@flood.test', ip)).statusCode).toBe(429);
    // An hour later the address and the IP may ask again.
    clock.advance(REQUEST_LIMITS.passwordReset.windowMs + 1000);
    expect((await forgot(reader.email, ip)).statusCode).toBe(303);
  });

  it('refuses an IP blocked for failed sign-ins, except a browser that signed in to that account before', async () => {
    const reader = await member();
    const ip = '203.0.113.66';
    const earlier = await signIn(t.app, reader.email, PASSWORD, from(ip));
    const device = { cookie: earlier.jar.cookie.split('; ').find((c) => c.startsWith('__Host-device='))! };
    await db()
      .insert(ipBlocks)
      .values({ ip, blockedUntil: new Date(clock.now().getTime() + 3600_000), failures: 20 });
    const blocked = await forgot(reader.email, ip);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().message).toContain('Too many sign-in attempts');
    expect((await forgot(reader.email, ip, device)).statusCode).toBe(303);
  });
});
