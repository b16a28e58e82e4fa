import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { generate } from 'otplib';
import { useTestApp } from '../support/app.js';
import { getPage, postForm, sessionFor, signIn, submitForm } from '../support/auth.js';
import { testClock } from '../support/clock.js';
import { seedDemo } from '../../src/demo/seed.js';
import { LOGIN_LIMITS } from '../../src/modules/identity/throttle.js';
import { outboxDir, readOutbox } from '../../src/platform/mail/index.js';

const PASSWORD = 'Demo-pass-2026';

describe('TOTP second factor', () => {
  const clock = testClock(new Date('2026-11-25T09:00:00Z'));
  const t = useTestApp({ adapters: () => ({ clock }), seed: async (t) => void (await seedDemo(t.db.database.db, t.config)) });
  const codeAt = (secret: string) => generate({ secret, epoch: Math.floor(clock.now().getTime() / 1000) });

  async function enrol(email: string) {
    const jar = await sessionFor(t.app, email);
    const setup = await submitForm(t.app, jar, '/account/two-factor', '/account/two-factor/begin', { password: PASSWORD });
    const secret = /data-totp-secret>([A-Z2-7]+)</.exec(setup.body)![1]!;
    expect(setup.body).toContain('<svg');
    const wrong = await submitForm(t.app, jar, '/account/two-factor', '/account/two-factor/confirm', { code: '000000' }, { accept: 'application/json' });
    expect(wrong.statusCode).toBe(400);
    const done = await submitForm(t.app, jar, '/account/two-factor', '/account/two-factor/confirm', { code: await codeAt(secret) });
    expect(done.statusCode).toBe(200);
    const recoveryCodes = [...done.body.matchAll(/<li><code>([A-Z0-9-]{14})<\/code><\/li>/g)].map((m) => m[1]!);
    expect(recoveryCodes).toHaveLength(10);
    return { secret, recoveryCodes };
  }

  async function passwordStep(email: string) {
    const { jar, res } = await signIn(t.app, email, PASSWORD);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/login\/second-factor/);
    expect(jar.cookie).not.toContain('__Host-session=');
    return jar;
  }

  it('is offered to admin roles only', async () => {
    const employee = await sessionFor(t.app, 'employee@acme.test');
    expect((await getPage(t.app, employee, '/account/two-factor')).statusCode).toBe(403);
  });

  it('a first set-up needs the password too: a session alone cannot put its own factor on the account', async () => {
    const jar = await sessionFor(t.app, 'owner@acme.test');
    const bare = await submitForm(t.app, jar, '/account/two-factor', '/account/two-factor/begin', {});
    expect(bare.statusCode).toBe(400);
    expect(bare.body).toContain('is not your current password');
    const wrong = await submitForm(t.app, jar, '/account/two-factor', '/account/two-factor/begin', { password: 'not-the-password-2' });
    expect(wrong.statusCode).toBe(400);
    for (const res of [bare, wrong]) expect(res.body).not.toContain('data-totp-secret');
    const [rows] = (await t.db.database.db.execute(sql`SELECT totp_pending_sealed FROM users WHERE email = 'owner@acme.test'`)) as unknown as [
      { totp_pending_sealed: string | null }[],
    ];
    expect(rows[0]!.totp_pending_sealed).toBeNull();
    expect((await getPage(t.app, jar, '/account/two-factor')).body).toMatch(/action="\/account\/two-factor\/begin"[\s\S]*name="password"/);
  });

  it('asks for a code after the password, accepts it once, and accepts each recovery code once', async () => {
    const { secret, recoveryCodes } = await enrol('finance@acme.test');
    clock.advance(60_000);

    const jar = await passwordStep('finance@acme.test');
    const code = await codeAt(secret);
    const ok = await submitForm(t.app, jar, '/login/second-factor', '/login/second-factor', { code });
    expect(ok.statusCode).toBe(303);
    expect((await getPage(t.app, jar, '/account')).statusCode).toBe(200);

    // The same code, replayed within its 30 seconds, is refused.
    const replay = await passwordStep('finance@acme.test');
    expect((await submitForm(t.app, replay, '/login/second-factor', '/login/second-factor', { code })).statusCode).toBe(400);

    const withRecovery = await passwordStep('finance@acme.test');
    expect((await submitForm(t.app, withRecovery, '/login/second-factor', '/login/second-factor', { code: recoveryCodes[0]!.toLowerCase() })).statusCode).toBe(
      303,
    );
    const reusedRecovery = await passwordStep('finance@acme.test');
    expect((await submitForm(t.app, reusedRecovery, '/login/second-factor', '/login/second-factor', { code: recoveryCodes[0]! })).statusCode).toBe(400);
  });

  it('a pending sign-in works once, and one code raced from three pending sign-ins gives one session', async () => {
    const { secret } = await enrol('owner@acme.test');
    clock.advance(60_000);
    const csrfOf = async (jar: { cookie: string }) => /name="_csrf" value="([^"]+)"/.exec((await getPage(t.app, jar, '/login/second-factor')).body)![1]!;

    // The "password accepted" cookie, kept by someone who saw it, after its sign-in finished.
    const first = await passwordStep('owner@acme.test');
    const kept = first.cookie.split('; ').find((c) => c.startsWith('__Host-mfa='))!;
    expect((await submitForm(t.app, first, '/login/second-factor', '/login/second-factor', { code: await codeAt(secret) })).statusCode).toBe(303);
    clock.advance(60_000);
    const thief = { cookie: kept };
    const reused = await postForm(t.app, thief, '/login/second-factor', { _csrf: await csrfOf(thief), code: await codeAt(secret) });
    expect(reused.statusCode).toBe(401);
    expect(thief.cookie).not.toContain('__Host-session=');

    // Three pending sign-ins submit the same fresh code at once: exactly one becomes a session.
    clock.advance(60_000);
    const pending = await Promise.all([1, 2, 3].map(() => passwordStep('owner@acme.test')));
    const tokens = await Promise.all(pending.map(csrfOf));
    const code = await codeAt(secret);
    const results = await Promise.all(pending.map((jar, i) => postForm(t.app, jar, '/login/second-factor', { _csrf: tokens[i]!, code })));
    expect(results.filter((r) => r.statusCode === 303)).toHaveLength(1);
    for (const lost of results.filter((r) => r.statusCode !== 303)) expect([400, 401]).toContain(lost.statusCode);
    expect(pending.filter((jar) => jar.cookie.includes('__Host-session='))).toHaveLength(1);
  });

  it('does not accept the pending step as a session, nor a code without the pending step', async () => {
    const jar = await passwordStep('finance@acme.test');
    expect((await getPage(t.app, jar, '/account')).statusCode).toBe(303);
    const page = await getPage(t.app, { cookie: '' }, '/login/second-factor');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const res = await postForm(t.app, { cookie: page.headers['set-cookie'] ? String(page.headers['set-cookie']).split(';')[0]! : '' }, '/login/second-factor', {
      _csrf: token,
      code: '123456',
    });
    expect(res.statusCode).toBe(401);
  });

  it('when the owner requires it, an HR admin without it can only set it up', async () => {
    const owner = await sessionFor(t.app, 'owner@globex.test');
    expect((await submitForm(t.app, owner, '/users', '/users/two-factor-policy', { required: 'yes' })).statusCode).toBe(303);
    const hr = await sessionFor(t.app, 'hr@globex.test');
    const home = await getPage(t.app, hr, '/');
    expect(home.statusCode).toBe(303);
    expect(home.headers.location).toBe('/account/two-factor');
    expect((await getPage(t.app, hr, '/users')).statusCode).toBe(303);
    expect((await getPage(t.app, hr, '/account/two-factor')).body).toContain('Your company requires a second factor');
    // Employees are not affected.
    expect((await getPage(t.app, await sessionFor(t.app, 'employee@globex.test'), '/')).statusCode).toBe(200);
    await enrol('hr@globex.test');
    expect((await getPage(t.app, hr, '/')).statusCode).toBe(200);
  });
  it('wrong codes at the second step that reach the account limit warn the owners, as wrong passwords do', async () => {
    await enrol('hr@acme.test');
    clock.advance(60_000);
    const warnings = async () =>
      (await readOutbox(outboxDir(t.config))).filter((m) => m.to === 'owner@acme.test' && m.subject === 'Many failed sign-ins on an account in your company');
    const jar = await passwordStep('hr@acme.test');
    for (let i = 0; i < LOGIN_LIMITS.accountFailures; i++) {
      expect((await submitForm(t.app, jar, '/login/second-factor', '/login/second-factor', { code: String(100000 + i) })).statusCode).toBe(400);
    }
    expect(await warnings()).toHaveLength(1);
    expect((await warnings())[0]!.text).toContain('hr@acme.test');
  }, 60_000);
});
