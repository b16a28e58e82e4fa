import { describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { useTestApp } from '../support/app.js';
import { getPage, postForm, sessionFor, signIn, submitForm } from '../support/auth.js';
import { testClock } from '../support/clock.js';
import { captureLogger } from '../support/logs.js';
import { seedDemo } from '../../src/demo/seed.js';
import { readOutbox, outboxDir } from '../../src/platform/mail/index.js';
import { LOGIN_LIMITS, liftIpBlock, listIpBlocks } from '../../src/modules/identity/index.js';

const PASSWORD = 'Demo-pass-2026';

describe('login protection behind the trusted proxy', () => {
  const clock = testClock(new Date('2026-11-25T10:00:00Z'));
  const logs = captureLogger();
  const t = useTestApp({
    env: { TRUST_PROXY: '127.0.0.1' },
    adapters: () => ({ clock, logger: logs.logger }),
    seed: async (t) => void (await seedDemo(t.db.database.db, t.config)),
  });

  const proxied = (ip: string) => ({ 'x-forwarded-for': ip, 'x-forwarded-proto': 'https' });

  async function attempt(email: string, password: string, ip: string, cookie = '') {
    const jar = { cookie };
    const page = await getPage(t.app, jar, '/login', proxied(ip));
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    return { res: await postForm(t.app, jar, '/login', { _csrf: token, email, password }, proxied(ip)), jar };
  }

  it('alerts once per 10-minute window after 5 failures from one IP', async () => {
    for (let i = 1; i <= 7; i++) {
      const { res } = await attempt(`guess${i}@acme.test`, `wrong-${i}-password`, '203.0.113.10');
      expect(res.statusCode).toBe(401);
      expect(logs.alerts('login.failures').length).toBe(i < 5 ? 0 : 1);
    }
    expect(logs.alerts('login.failures')[0]).toMatchObject({ ip: '203.0.113.10', failures: 5 });
    // A later window that again sees 5 failures alerts again.
    clock.advance(LOGIN_LIMITS.ipAlertWindowMs);
    for (let i = 1; i <= 5; i++) await attempt(`again${i}@acme.test`, `wrong-again-${i}`, '203.0.113.10');
    expect(logs.alerts('login.failures').length).toBe(2);
  });

  it('blocks an IP for an hour after 20 failures in an hour (429 page), and alerts', async () => {
    const ip = '198.51.100.20';
    // A browser that signed in from this office earlier keeps its device cookie.
    const earlier = await attempt('hr@acme.test', PASSWORD, ip);
    expect(earlier.res.statusCode).toBe(303);
    const deviceCookie = earlier.jar.cookie.split('; ').find((c) => c.startsWith('__Host-device='))!;
    for (let i = 0; i < 20; i++) {
      const email = `stranger${i}@globex.test`;
      expect((await attempt(email, 'nope-nope-nope-1', ip)).res.statusCode).toBe(401);
      clock.advance(60_000);
    }
    expect(logs.alerts('login.ip_blocked')).toHaveLength(1);
    const blocked = await attempt('owner@acme.test', PASSWORD, ip);
    expect(blocked.res.statusCode).toBe(429);
    expect(blocked.res.headers['content-type']).toMatch(/text\/html/);
    expect(blocked.res.body).toContain('Too many sign-in attempts');
    expect(Number(blocked.res.headers['retry-after'])).toBeGreaterThan(3000);

    // The office is not locked out wholesale: the known browser still signs in its own account.
    expect((await attempt('hr@acme.test', PASSWORD, ip, deviceCookie)).res.statusCode).toBe(303);
    // A forged device cookie does not help.
    expect((await attempt('owner@acme.test', PASSWORD, ip, '__Host-device=eyJhbGciOiJub25lIn0.e30.')).res.statusCode).toBe(429);
    // Other addresses are unaffected.
    expect((await attempt('owner@acme.test', PASSWORD, '198.51.100.21')).res.statusCode).toBe(303);

    // Platform staff see the block and its expiry, and can lift it (their pages come with the support issue).
    const blocks = await listIpBlocks(t.app.database.db, clock.now());
    expect(blocks.map((b) => [b.ip, b.blockedUntil.getTime() - clock.now().getTime() > 0])).toEqual([[ip, true]]);
    await liftIpBlock(t.app.database.db, ip, 'staff:ravi', clock.now());
    expect(await listIpBlocks(t.app.database.db, clock.now())).toEqual([]);
    expect((await attempt('owner@acme.test', PASSWORD, ip)).res.statusCode).toBe(303);
    // After a lift the count starts afresh: one more typo does not block the office again.
    clock.advance(1000);
    expect((await attempt('someone@globex.test', 'typo-typo-typo-1', ip)).res.statusCode).toBe(401);
    expect((await attempt('owner@acme.test', PASSWORD, ip)).res.statusCode).toBe(303);

    // A block that simply runs out also ends.
    for (let i = 0; i < 20; i++) await attempt(`again${i}@globex.test`, 'nope-nope-nope-1', ip);
    expect((await attempt('owner@acme.test', PASSWORD, ip)).res.statusCode).toBe(429);
    clock.advance(LOGIN_LIMITS.ipBlockMs + 1000);
    expect((await attempt('owner@acme.test', PASSWORD, ip)).res.statusCode).toBe(303);
  }, 120_000); // about 50 real sign-ins at bcrypt cost 12 in niced threads: 19 s alone, 30 s and more beside another busy test file

  it('slows down an account attacked from many IPs and emails its owner', async () => {
    clock.advance(2 * 60 * 60_000);
    for (let i = 0; i < LOGIN_LIMITS.accountFailures; i++) {
      expect((await attempt('head.sales@acme.test', `wrong-pass-${i}x`, `192.0.2.${i + 1}`)).res.statusCode).toBe(401);
    }
    expect(logs.alerts('login.account_failures')).toHaveLength(1);
    const mail = await readOutbox(outboxDir(t.config));
    const warning = mail.filter((m) => m.to === 'owner@acme.test' && /failed sign-ins/.test(m.subject));
    expect(warning).toHaveLength(1);
    expect(warning[0]!.text).toContain('head.sales@acme.test');
    // Even the right password waits out the delay, from a fresh IP.
    expect((await attempt('head.sales@acme.test', PASSWORD, '192.0.2.200')).res.statusCode).toBe(429);
    clock.advance(LOGIN_LIMITS.accountDelayMs + 1000);
    expect((await attempt('head.sales@acme.test', PASSWORD, '192.0.2.200')).res.statusCode).toBe(303);
  });

  it('an attacker’s failures do not hold a browser with that account’s device cookie; its own failures are limited alike', async () => {
    clock.advance(2 * 60 * 60_000);
    const deviceOf = (jar: { cookie: string }) => jar.cookie.split('; ').find((c) => c.startsWith('__Host-device='))!;
    const own = deviceOf((await attempt('finance@acme.test', PASSWORD, '198.18.0.1')).jar);
    const otherAccounts = deviceOf((await attempt('finance@globex.test', PASSWORD, '198.18.0.1')).jar);

    // Ten failures from many addresses, then one wrong guess a minute keeps the account cooling down.
    for (let i = 0; i < LOGIN_LIMITS.accountFailures; i++) {
      expect((await attempt('finance@acme.test', `attacker-guess-${i}`, `192.0.2.${50 + i}`)).res.statusCode).toBe(401);
    }
    clock.advance(LOGIN_LIMITS.accountDelayMs);
    expect((await attempt('finance@acme.test', 'attacker-guess-next', '192.0.2.99')).res.statusCode).toBe(401);
    expect((await attempt('finance@acme.test', PASSWORD, '198.18.0.2')).res.statusCode).toBe(429);
    // Only this account's own device cookie lets its owner in meanwhile.
    expect((await attempt('finance@acme.test', PASSWORD, '198.18.0.1', otherAccounts)).res.statusCode).toBe(429);
    expect((await attempt('finance@acme.test', PASSWORD, '198.18.0.1', own)).res.statusCode).toBe(303);

    // The device's own failures are counted for it with the same limits: a stolen laptop gets no more guesses.
    for (let i = 0; i < LOGIN_LIMITS.accountFailures; i++) {
      expect((await attempt('finance@acme.test', `laptop-guess-${i}`, '198.18.0.1', own)).res.statusCode).toBe(401);
    }
    expect((await attempt('finance@acme.test', PASSWORD, '198.18.0.1', own)).res.statusCode).toBe(429);
    clock.advance(LOGIN_LIMITS.accountDelayMs + 1000);
    expect((await attempt('finance@acme.test', PASSWORD, '198.18.0.1', own)).res.statusCode).toBe(303);
  }, 90_000); // about 28 real sign-ins at cost 12: 10 s alone, 24 s beside the other files

  it('the device cookie also carries its owner through the second-factor step of a held account', async () => {
    clock.advance(2 * 60 * 60_000);
    const codeNow = (secret: string) => generate({ secret, epoch: Math.floor(clock.now().getTime() / 1000) });
    const settings = await sessionFor(t.app, 'owner@globex.test');
    const setup = await submitForm(t.app, settings, '/account/two-factor', '/account/two-factor/begin', { password: PASSWORD });
    const secret = /data-totp-secret>([A-Z2-7]+)</.exec(setup.body)![1]!;
    expect((await submitForm(t.app, settings, '/account/two-factor', '/account/two-factor/confirm', { code: await codeNow(secret) })).statusCode).toBe(200);

    async function signInWithCode(cookie: string) {
      const { res, jar } = await attempt('owner@globex.test', PASSWORD, '198.18.1.1', cookie);
      if (res.statusCode !== 303) return res.statusCode;
      const page = await getPage(t.app, jar, '/login/second-factor', proxied('198.18.1.1'));
      const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
      const second = await postForm(t.app, jar, '/login/second-factor', { _csrf: token, code: await codeNow(secret) }, proxied('198.18.1.1'));
      return { status: second.statusCode, device: jar.cookie.split('; ').find((c) => c.startsWith('__Host-device=')) };
    }
    clock.advance(60_000);
    const first = await signInWithCode('');
    expect(first).toMatchObject({ status: 303 });
    const own = (first as { device: string }).device;
    clock.advance(60_000);

    for (let i = 0; i < LOGIN_LIMITS.accountFailures; i++) {
      expect((await attempt('owner@globex.test', `attacker-guess-${i}`, `192.0.2.${120 + i}`)).res.statusCode).toBe(401);
    }
    expect(await signInWithCode(own)).toMatchObject({ status: 303 });
  }, 60_000);
});

describe('login protection without a trusted proxy', () => {
  const clock = testClock(new Date('2026-11-25T10:00:00Z'));
  const t = useTestApp({ adapters: () => ({ clock }), seed: async (t) => void (await seedDemo(t.db.database.db, t.config)) });

  it('ignores a spoofed X-Forwarded-For: every attempt counts against the real peer', async () => {
    for (let i = 0; i < LOGIN_LIMITS.ipBlockFailures; i++) {
      const jar = { cookie: '' };
      const headers = { 'x-forwarded-for': `10.1.2.${i}` };
      const page = await getPage(t.app, jar, '/login', headers);
      const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
      await postForm(t.app, jar, '/login', { _csrf: token, email: `x${i}@acme.test`, password: 'wrong-wrong-1' }, headers);
    }
    const { res } = await signIn(t.app, 'owner@acme.test', PASSWORD, { 'x-forwarded-for': '10.9.9.9' });
    expect(res.statusCode).toBe(429);
  });
});
