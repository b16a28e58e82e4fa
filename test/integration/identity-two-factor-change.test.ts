import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { generate } from 'otplib';
import { useTestApp } from '../support/app.js';
import { getPage, sessionFor, signIn, submitForm, type Browserish } from '../support/auth.js';
import { testClock } from '../support/clock.js';
import { company, user } from '../support/factories.js';
import { setRequireTwoFactor } from '../../src/modules/tenancy/index.js';
import { accountKeyFor, LOGIN_LIMITS } from '../../src/modules/identity/throttle.js';
import { outboxDir, readOutbox } from '../../src/platform/mail/index.js';

const PASSWORD = 'Change-factor-2026';
const TWO_FACTOR = '/account/two-factor';

/**
 * An enrolled second factor is replaced or turned off only with the password and a current code (or a
 * recovery code): a session alone, stolen or left open, cannot take it over or remove it.
 */
describe('changing an enrolled second factor', () => {
  const clock = testClock(new Date('2026-11-26T09:00:00Z'));
  const ids: Record<string, string> = {};
  const t = useTestApp({
    adapters: () => ({ clock }),
    seed: async (t) => {
      const db = t.db.database.db;
      const pepper = t.config.passwordPepper;
      ids.tenant = (await company(db, { domain: 'factors.test' })).id;
      for (const [handle, role] of [
        ['hr', 'hr_admin'],
        ['owner', 'owner'],
        ['finance', 'finance'],
        ['bystander', 'hr_admin'],
        ['guessed', 'hr_admin'],
      ] as const) {
        ids[handle] = (await user(db, ids.tenant, { role, email: `${handle}@factors.test`, password: PASSWORD, pepper })).id;
      }
    },
  });
  const codeAt = (secret: string) => generate({ secret, epoch: Math.floor(clock.now().getTime() / 1000) });
  const nextStep = () => clock.advance(60_000); // each code is accepted once: the next proof waits for a fresh one
  const secretOf = (html: string) => /data-totp-secret>([A-Z2-7]+)</.exec(html)?.[1];
  const recoveryCodesOf = (html: string) => [...html.matchAll(/<li><code>([A-Z0-9-]{14})<\/code><\/li>/g)].map((m) => m[1]!);
  const problemFields = (html: string) => [...html.matchAll(/<li><strong>([A-Za-z]+)<\/strong>:/g)].map((m) => m[1]!);

  const audits = async (action: string, userId: string) => {
    const [rows] = (await t.db.database.db.execute(
      sql`SELECT actor_kind, actor_id, target_id, details FROM audit_events WHERE action = ${action} AND target_id = ${userId} ORDER BY id`,
    )) as unknown as [{ actor_kind: string; actor_id: string; target_id: string; details: string | null }[]];
    return rows;
  };
  const factorRow = async (userId: string) => {
    const [rows] = (await t.db.database.db.execute(sql`SELECT totp_secret_sealed, totp_enabled_at FROM users WHERE id = ${userId}`)) as unknown as [
      { totp_secret_sealed: string | null; totp_enabled_at: Date | null }[],
    ];
    return rows[0]!;
  };

  const loginFailuresOf = async (email: string) => {
    const [rows] = (await t.db.database.db.execute(sql`SELECT COUNT(*) AS n FROM login_failures WHERE account_key = ${accountKeyFor(email)}`)) as unknown as [
      { n: number | string }[],
    ];
    return Number(rows[0]!.n);
  };

  async function enrol(email: string) {
    const jar = await sessionFor(t.app, email);
    const setup = await submitForm(t.app, jar, TWO_FACTOR, `${TWO_FACTOR}/begin`, { password: PASSWORD });
    const secret = secretOf(setup.body)!;
    const done = await submitForm(t.app, jar, TWO_FACTOR, `${TWO_FACTOR}/confirm`, { code: await codeAt(secret) });
    expect(done.statusCode).toBe(200);
    nextStep();
    return { jar, secret, recoveryCodes: recoveryCodesOf(done.body) };
  }

  /** The whole sign-in; `code` undefined means the password alone must have been enough. */
  async function signInWith(email: string, code?: string): Promise<{ jar: Browserish; askedForCode: boolean; status: number }> {
    const { jar, res } = await signIn(t.app, email, PASSWORD);
    expect(res.statusCode).toBe(303);
    const askedForCode = String(res.headers.location).startsWith('/login/second-factor');
    if (!askedForCode || code === undefined) return { jar, askedForCode, status: res.statusCode };
    const second = await submitForm(t.app, jar, '/login/second-factor', '/login/second-factor', { code });
    return { jar, askedForCode, status: second.statusCode };
  }

  it('a session alone cannot start a replacement: begin without the password and a code changes nothing', async () => {
    const { secret, jar } = await enrol('hr@factors.test');
    const before = await factorRow(ids.hr!);

    const bare = await submitForm(t.app, jar, TWO_FACTOR, `${TWO_FACTOR}/begin`, {});
    expect(bare.statusCode).toBe(400);
    expect(problemFields(bare.body)).toEqual(['password', 'code']);
    expect(secretOf(bare.body)).toBeUndefined();

    const wrongPassword = await submitForm(t.app, jar, TWO_FACTOR, `${TWO_FACTOR}/begin`, { password: 'not-the-password-1', code: await codeAt(secret) });
    expect(wrongPassword.statusCode).toBe(400);
    expect(problemFields(wrongPassword.body)).toEqual(['password']);
    const wrongCode = await submitForm(t.app, jar, TWO_FACTOR, `${TWO_FACTOR}/begin`, { password: PASSWORD, code: '000000' });
    expect(wrongCode.statusCode).toBe(400);
    expect(problemFields(wrongCode.body)).toEqual(['code']);
    // Each wrong guess counts as a failed sign-in of the account: a session is no way round the login limits.
    expect(await loginFailuresOf('hr@factors.test')).toBe(2);

    // A confirm with nothing proven begun is refused too, and the enrolled factor is as it was.
    const confirm = await submitForm(t.app, jar, TWO_FACTOR, `${TWO_FACTOR}/confirm`, { code: await codeAt(secret) });
    expect(confirm.statusCode).toBe(400);
    expect(await factorRow(ids.hr!)).toEqual(before);
    expect(await audits('user.two_factor_replaced', ids.hr!)).toEqual([]);
    const later = await signInWith('hr@factors.test', await codeAt(secret));
    expect(later).toMatchObject({ askedForCode: true, status: 303 });
  }, 60_000); // real sign-ins and password checks at bcrypt cost 12

  it('a replacement needs the password and a current code; until it is confirmed the old factor works; then the new one replaces it, with new recovery codes, other sessions ended, audited', async () => {
    const { secret: oldSecret, recoveryCodes: oldRecoveryCodes, jar } = await enrol('owner@factors.test');
    const elsewhere = await sessionFor(t.app, 'owner@factors.test');

    const begun = await submitForm(t.app, jar, TWO_FACTOR, `${TWO_FACTOR}/begin`, { password: PASSWORD, code: await codeAt(oldSecret) });
    expect(begun.statusCode).toBe(200);
    const newSecret = secretOf(begun.body)!;
    expect(newSecret).toBeDefined();
    expect(newSecret).not.toBe(oldSecret);
    nextStep();

    // Half done: the old factor still signs in, and the new one does not yet.
    expect(await signInWith('owner@factors.test', await codeAt(newSecret))).toMatchObject({ askedForCode: true, status: 400 });
    expect(await signInWith('owner@factors.test', await codeAt(oldSecret))).toMatchObject({ askedForCode: true, status: 303 });
    nextStep();
    expect((await getPage(t.app, jar, TWO_FACTOR)).body).toMatch(/action="\/account\/two-factor\/begin"[\s\S]*name="password"[\s\S]*name="code"/);

    // A wrong code shows the same set-up again, naming the field.
    const wrong = await submitForm(t.app, jar, TWO_FACTOR, `${TWO_FACTOR}/confirm`, { code: '000000' });
    expect(wrong.statusCode).toBe(400);
    expect(problemFields(wrong.body)).toEqual(['code']);
    expect(secretOf(wrong.body)).toBe(newSecret);

    const done = await submitForm(t.app, jar, TWO_FACTOR, `${TWO_FACTOR}/confirm`, { code: await codeAt(newSecret) });
    expect(done.statusCode).toBe(200);
    const newRecoveryCodes = recoveryCodesOf(done.body);
    expect(newRecoveryCodes).toHaveLength(10);
    expect(newRecoveryCodes.filter((code) => oldRecoveryCodes.includes(code))).toEqual([]);
    nextStep();

    expect((await getPage(t.app, jar, '/account')).statusCode).toBe(200);
    expect((await getPage(t.app, elsewhere, '/account')).statusCode).toBe(303);
    expect(await signInWith('owner@factors.test', await codeAt(oldSecret))).toMatchObject({ askedForCode: true, status: 400 });
    expect(await signInWith('owner@factors.test', oldRecoveryCodes[1]!)).toMatchObject({ askedForCode: true, status: 400 });
    expect(await signInWith('owner@factors.test', await codeAt(newSecret))).toMatchObject({ askedForCode: true, status: 303 });
    expect(await signInWith('owner@factors.test', newRecoveryCodes[0]!)).toMatchObject({ askedForCode: true, status: 303 });

    const [entry, ...more] = await audits('user.two_factor_replaced', ids.owner!);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ actor_kind: 'user', actor_id: ids.owner, target_id: ids.owner });
  }, 60_000);

  it('a recovery code proves the factor for a replacement, and is used up by it', async () => {
    const { recoveryCodes, jar } = await enrol('finance@factors.test');
    const begun = await submitForm(t.app, jar, TWO_FACTOR, `${TWO_FACTOR}/begin`, { password: PASSWORD, code: recoveryCodes[0]! });
    expect(begun.statusCode).toBe(200);
    expect(secretOf(begun.body)).toBeDefined();
    const again = await submitForm(t.app, jar, TWO_FACTOR, `${TWO_FACTOR}/begin`, { password: PASSWORD, code: recoveryCodes[0]! });
    expect(again.statusCode).toBe(400);
    expect(problemFields(again.body)).toEqual(['code']);
    expect(await signInWith('finance@factors.test', recoveryCodes[0]!)).toMatchObject({ askedForCode: true, status: 400 });

    // A set-up left open too long starts again; the factor in use is untouched.
    const before = await factorRow(ids.finance!);
    clock.advance(16 * 60_000);
    const late = await submitForm(t.app, jar, TWO_FACTOR, `${TWO_FACTOR}/confirm`, { code: await codeAt(secretOf(begun.body)!) });
    expect(late.statusCode).toBe(400);
    expect(late.body).toContain('Start the set-up again');
    expect(secretOf(late.body)).toBeUndefined();
    expect(await factorRow(ids.finance!)).toEqual(before);
  });

  it('turning it off needs the password and a code, is refused while the company requires it, and is audited', async () => {
    const { secret, recoveryCodes, jar } = await enrol('bystander@factors.test');
    const passwordOnly = await submitForm(t.app, jar, TWO_FACTOR, `${TWO_FACTOR}/disable`, { password: PASSWORD });
    expect(passwordOnly.statusCode).toBe(400);
    expect(problemFields(passwordOnly.body)).toEqual(['code']);
    expect((await getPage(t.app, jar, TWO_FACTOR)).body).toMatch(/action="\/account\/two-factor\/disable"[\s\S]*name="password"[\s\S]*name="code"/);
    const wrongPassword = await submitForm(t.app, jar, TWO_FACTOR, `${TWO_FACTOR}/disable`, { password: 'not-the-password-1', code: await codeAt(secret) });
    expect(wrongPassword.statusCode).toBe(400);
    expect(problemFields(wrongPassword.body)).toEqual(['password']);
    expect((await factorRow(ids.bystander!)).totp_enabled_at).not.toBeNull();

    // While the company requires a second factor for the role, it is not offered and not done.
    await setRequireTwoFactor(t.app.database.db, ids.tenant!, true, clock.now());
    expect((await getPage(t.app, jar, TWO_FACTOR)).body).not.toContain('/account/two-factor/disable');
    const required = await submitForm(t.app, jar, TWO_FACTOR, `${TWO_FACTOR}/disable`, { password: PASSWORD, code: await codeAt(secret) });
    expect(required.statusCode).toBe(403);
    expect(required.body).toContain('requires a second factor');
    expect((await factorRow(ids.bystander!)).totp_enabled_at).not.toBeNull();
    await setRequireTwoFactor(t.app.database.db, ids.tenant!, false, clock.now());

    const off = await submitForm(t.app, jar, TWO_FACTOR, `${TWO_FACTOR}/disable`, { password: PASSWORD, code: recoveryCodes[2]! });
    expect(off.statusCode).toBe(303);
    expect(await factorRow(ids.bystander!)).toEqual({ totp_secret_sealed: null, totp_enabled_at: null });
    expect(await audits('user.two_factor_disabled', ids.bystander!)).toEqual([
      expect.objectContaining({ actor_kind: 'user', actor_id: ids.bystander, target_id: ids.bystander }),
    ]);
    expect(await signInWith('bystander@factors.test')).toMatchObject({ askedForCode: false });
  });

  it('wrong guesses on these pages that reach the account limit warn the owners, as on the sign-in form', async () => {
    const { secret, jar } = await enrol('guessed@factors.test');
    const warnings = async () =>
      (await readOutbox(outboxDir(t.config))).filter(
        (m) => m.to === 'owner@factors.test' && m.subject === 'Many failed sign-ins on an account in your company',
      );
    expect(await warnings()).toEqual([]);
    for (let i = 0; i < LOGIN_LIMITS.accountFailures; i++) {
      const wrong = await submitForm(t.app, jar, TWO_FACTOR, `${TWO_FACTOR}/disable`, { password: `not-the-password-${i}`, code: await codeAt(secret) });
      expect(wrong.statusCode).toBe(400);
    }
    expect(await warnings()).toHaveLength(1);
    expect((await warnings())[0]!.text).toContain('guessed@factors.test');
  }, 60_000);
});
