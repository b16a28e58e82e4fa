import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import bcrypt from 'bcrypt';
import { useTestApp } from '../support/app.js';
import { getPage, postForm, signIn, submitForm } from '../support/auth.js';
import { seedDemo } from '../../src/demo/seed.js';
import { BCRYPT_COST, hashPassword, insertUser, findUserByEmail } from '../../src/modules/identity/index.js';
import { bcryptWorkDone, type BcryptWork } from '../../src/platform/cpu/index.js';
import { findCompanyByDomain } from '../../src/modules/tenancy/index.js';

const PASSWORD = 'Demo-pass-2026';

describe('sign-in', () => {
  const t = useTestApp({ seed: async (t) => void (await seedDemo(t.db.database.db, t.config)) });

  /** The bcrypt work that completed while `action` ran (by cost; zero counts left out). */
  async function counted<T>(action: () => Promise<T>): Promise<{ result: T; work: BcryptWork }> {
    const before = bcryptWorkDone();
    const result = await action();
    const after = bcryptWorkDone();
    const delta = (op: keyof BcryptWork) =>
      Object.fromEntries(
        Object.entries(after[op])
          .map(([cost, n]) => [cost, n - (before[op][Number(cost)] ?? 0)])
          .filter(([, n]) => n !== 0),
      );
    return { result, work: { hash: delta('hash'), compare: delta('compare') } };
  }

  async function count(table: string): Promise<number> {
    const [rows] = (await t.db.database.db.execute(sql.raw(`SELECT COUNT(*) AS n FROM ${table}`))) as unknown as [{ n: number }[]];
    return Number(rows[0]!.n);
  }

  it('shows a login form with a CSRF token', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/login' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/name="_csrf" value="[^"]+"/);
    expect(res.body).toContain('name="email"');
  });

  it('signs in with the exact session cookie the security page promises and lands on the dashboard', async () => {
    const { jar, res } = await signIn(t.app, 'hr@acme.test', PASSWORD);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/');
    const cookie = [res.headers['set-cookie']].flat().find((c) => c!.startsWith('__Host-session='))!;
    expect(cookie).toMatch(/^__Host-session=[\w-]+\.[\w-]+\.[\w-]+; Max-Age=86400; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
    // The token itself, not only the cookie, lives 24 hours, carries the required claims and no role.
    const [header, payload] = cookie
      .slice('__Host-session='.length)
      .split(';')[0]!
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header).toMatchObject({ alg: 'HS256' });
    expect(payload.exp - payload.iat).toBe(24 * 60 * 60);
    expect(Object.keys(payload)).toEqual(expect.arrayContaining(['exp', 'iat', 'sid', 'sub', 'tid']));
    expect(payload).not.toHaveProperty('role');
    const dashboard = await getPage(t.app, jar, '/');
    expect(dashboard.body).toContain('HR admin');
    expect(dashboard.body).toContain('Acme Industries');
  });

  it('compares email case-insensitively', async () => {
    const { res } = await signIn(t.app, '  HR@Acme.TEST ', PASSWORD);
    expect(res.statusCode).toBe(303);
  });

  it('gives the same answer, with the same bcrypt work, for an unknown email and a wrong password', async () => {
    const bodies: Record<string, string> = {};
    // Twice each: the very first unknown email must not pay for making a hash to compare against.
    for (let i = 0; i < 2; i++) {
      for (const [kind, email] of [
        ['unknown', `nobody${i}@acme.test`],
        ['wrong', 'finance@acme.test'],
      ] as const) {
        const jar = { cookie: '' };
        const page = await getPage(t.app, jar, '/login');
        const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
        const { result: res, work } = await counted(() =>
          postForm(t.app, jar, '/login', { _csrf: token, email, password: 'Wrong-password-123' }, { 'x-forwarded-for': `10.0.0.${i}` }),
        );
        expect(res.statusCode).toBe(401);
        // Exactly one real comparison at cost 12 (counted as the worker finishes it), and no hashing.
        expect(work, `${kind} #${i}`).toEqual({ hash: {}, compare: { [BCRYPT_COST]: 1 } });
        bodies[kind] = res.body.replace(/value="[^"]*"/g, '').replace(/[0-9a-f-]{36}/g, '');
      }
    }
    expect(bodies.unknown!.replace(/nobody\d@acme\.test/, 'X')).toBe(bodies.wrong!.replace('finance@acme.test', 'X'));
    expect(bodies.wrong).toContain('That email and password do not match an account.');
  });

  it('refuses a sign-in without a CSRF token and records nothing', async () => {
    const failuresBefore = await count('login_failures');
    const sessionsBefore = await count('sessions');
    const res = await t.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `email=hr%40acme.test&password=${PASSWORD}`,
    });
    expect(res.statusCode).toBe(403);
    expect(await count('login_failures')).toBe(failuresBefore);
    expect(await count('sessions')).toBe(sessionsBefore);
  });

  it('answers overlong fields with 400 before any bcrypt work', async () => {
    const attempt = async (fields: Record<string, string>) => {
      const jar = { cookie: '' };
      const page = await getPage(t.app, jar, '/login');
      const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
      return counted(() => postForm(t.app, jar, '/login', { _csrf: token, ...fields }, { accept: 'application/json' }));
    };
    // A sign-in that reaches bcrypt, to show the count sees it.
    const withBcrypt = await attempt({ email: 'owner@acme.test', password: 'Not-the-password-1' });
    expect(withBcrypt.result.statusCode).toBe(401);
    expect(withBcrypt.work).toEqual({ hash: {}, compare: { [BCRYPT_COST]: 1 } });
    for (const fields of [
      { email: `${'a'.repeat(300)}@acme.test`, password: 'x' },
      { email: 'hr@acme.test', password: 'p'.repeat(2000) },
    ]) {
      const { result: res, work } = await attempt(fields);
      expect(res.statusCode).toBe(400);
      expect(work).toEqual({ hash: {}, compare: {} });
      expect(res.json().problems[0].field).toBe(fields.password.length > 1000 ? 'password' : 'email');
    }
  });

  it('ignores unknown fields and only redirects to local paths', async () => {
    const jar = { cookie: '' };
    const res = await submitForm(t.app, jar, '/login', '/login', {
      email: 'owner@acme.test',
      password: PASSWORD,
      role: 'owner',
      tenantId: 'x',
      next: '//evil.example/x',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/');
    const local = await submitForm(t.app, { cookie: '' }, '/login', '/login', { email: 'owner@acme.test', password: PASSWORD, next: '/users?x=1' });
    expect(local.headers.location).toBe('/users?x=1');
  });

  it('stores bcrypt cost-12 hashes and never truncates a long passphrase at 72 bytes', async () => {
    const acme = (await findCompanyByDomain(t.app.database.db, 'acme.test'))!;
    const base = 'पासवर्ड-बहुत-लंबा-है-'.repeat(4); // Devanagari: 3 bytes a character, far past 72 bytes
    const passphrase = `${base}A1`;
    await insertUser(
      t.app.database.db,
      acme.id,
      {
        email: 'long@acme.test',
        displayName: 'Long Passphrase',
        role: 'employee',
        passwordHash: await hashPassword(passphrase, t.config.passwordPepper),
        status: 'active',
      },
      t.app.clock.now(),
    );
    const user = (await findUserByEmail(t.app.database.db, 'long@acme.test'))!;
    expect(user.passwordHash).toMatch(/^\$2b\$12\$/);
    expect(Buffer.byteLength(passphrase)).toBeGreaterThan(72);
    expect((await signIn(t.app, 'long@acme.test', passphrase)).res.statusCode).toBe(303);
    // Same first 72 bytes, different ending: must fail.
    expect((await signIn(t.app, 'long@acme.test', `${base}B2`)).res.statusCode).toBe(401);
  });

  it('upgrades a hash made at a lower cost on the next sign-in', async () => {
    const acme = (await findCompanyByDomain(t.app.database.db, 'acme.test'))!;
    const { createHmac } = await import('node:crypto');
    const pre = createHmac('sha256', t.config.passwordPepper).update('Older-hash-pass-99').digest('base64');
    await insertUser(
      t.app.database.db,
      acme.id,
      { email: 'old@acme.test', displayName: 'Old', role: 'employee', passwordHash: await bcrypt.hash(pre, 10), status: 'active' },
      t.app.clock.now(),
    );
    expect((await signIn(t.app, 'old@acme.test', 'Older-hash-pass-99')).res.statusCode).toBe(303);
    expect((await findUserByEmail(t.app.database.db, 'old@acme.test'))!.passwordHash).toMatch(/^\$2b\$12\$/);
  });
});
