import { describe, expect, it, vi } from 'vitest';
import { sql } from 'drizzle-orm';
import { SignJWT, UnsecuredJWT } from 'jose';
import { useSecondInstance, useTestApp } from '../support/app.js';
import { getPage, postForm, sessionFor, signIn, submitForm } from '../support/auth.js';
import { seedDemo } from '../../src/demo/seed.js';
import { testClock } from '../support/clock.js';
import { findUserByEmail } from '../../src/modules/identity/index.js';
import { LOGIN_LIMITS } from '../../src/modules/identity/throttle.js';
import { SESSION_CACHE_MS } from '../../src/modules/identity/sessions.js';
import { signToken, tokenKeys } from '../../src/modules/identity/tokens.js';

const PASSWORD = 'Demo-pass-2026';
const OLD_KEY = 'old:' + 'o'.repeat(40);
const NEW_KEY = 'new:' + 'n'.repeat(40);

describe('sessions', () => {
  const t = useTestApp({ env: { SESSION_SECRETS: `${NEW_KEY},${OLD_KEY}` }, seed: async (t) => void (await seedDemo(t.db.database.db, t.config)) });

  async function claimsFor(email: string) {
    const user = (await findUserByEmail(t.app.database.db, email))!;
    const { sessionId } = await t.app.identity.sessions.start(user, { ip: '127.0.0.1', userAgent: 'test' });
    return { user, sessionId };
  }

  const signedIn = async (cookie: string) => (await getPage(t.app, { cookie }, '/account')).statusCode === 200;

  it('accepts a valid session and treats tampered, foreign-key, alg:none, expired and wrong-kind tokens as signed out', async () => {
    const { user, sessionId } = await claimsFor('finance@acme.test');
    const keys = tokenKeys(t.config);
    const good = await signToken(keys, 'session', user.id, { tid: user.tenantId, sid: sessionId }, 86400, new Date());
    expect(await signedIn(`__Host-session=${good}`)).toBe(true);

    const [h, p, s] = good.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: 'someone-else' })).toString('base64url')}.${s}`;
    const unsigned = new UnsecuredJWT({ tid: user.tenantId, sid: sessionId }).setSubject(user.id).setIssuedAt().setExpirationTime('1h').encode();
    const foreignKey = await new SignJWT({ tid: user.tenantId, sid: sessionId })
      .setProtectedHeader({ alg: 'HS256', kid: 'new', typ: 'session+jwt' })
      .setSubject(user.id)
      .setIssuer('bizlumo-hr')
      .setAudience('bizlumo:session')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('x'.repeat(40)));
    const expired = await signToken(keys, 'session', user.id, { tid: user.tenantId, sid: sessionId }, 86400, new Date(Date.now() - 25 * 3600_000));
    const noExp = await new SignJWT({ tid: user.tenantId, sid: sessionId })
      .setProtectedHeader({ alg: 'HS256', kid: 'new', typ: 'session+jwt' })
      .setSubject(user.id)
      .setIssuer('bizlumo-hr')
      .setAudience('bizlumo:session')
      .setIssuedAt()
      .sign(keys.current.key);
    const mfaToken = await signToken(keys, 'mfa-pending', user.id, { tid: user.tenantId, sid: sessionId }, 300, new Date());
    const unknownKid = await new SignJWT({ tid: user.tenantId, sid: sessionId })
      .setProtectedHeader({ alg: 'HS256', kid: 'ghost', typ: 'session+jwt' })
      .setSubject(user.id)
      .setIssuer('bizlumo-hr')
      .setAudience('bizlumo:session')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(keys.current.key);
    // Headers that bring their own key are refused outright, even on an otherwise valid token.
    const keyBearing = await Promise.all(
      [{ jku: 'https://evil.example/keys' }, { x5u: 'https://evil.example/cert' }, { jwk: { kty: 'oct', k: 'eA' } }].map((extra) =>
        new SignJWT({ tid: user.tenantId, sid: sessionId })
          .setProtectedHeader({ alg: 'HS256', kid: 'new', typ: 'session+jwt', ...extra } as never)
          .setSubject(user.id)
          .setIssuer('bizlumo-hr')
          .setAudience('bizlumo:session')
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(keys.current.key),
      ),
    );
    const [withJku, withX5u, withJwk] = keyBearing;
    for (const [name, token] of Object.entries({
      tampered,
      unsigned,
      foreignKey,
      expired,
      noExp,
      mfaToken,
      unknownKid,
      withJku,
      withX5u,
      withJwk,
      garbage: 'not.a.jwt',
    })) {
      const res = await getPage(t.app, { cookie: `__Host-session=${token}` }, '/account');
      expect(res.statusCode, name).toBe(303);
      expect(res.headers.location, name).toBe('/login?next=%2Faccount');
    }
  });

  it('still accepts tokens signed with the previous key during rotation', async () => {
    const { user, sessionId } = await claimsFor('finance@acme.test');
    const previous = tokenKeys({ sessionKeys: [{ kid: 'old', secret: 'o'.repeat(40) }] });
    const token = await signToken(previous, 'session', user.id, { tid: user.tenantId, sid: sessionId }, 86400, new Date());
    expect(await signedIn(`__Host-session=${token}`)).toBe(true);
  });

  it('requests of one session whose cached row has expired share one look-up (two round trips, not two each)', async () => {
    const { user, sessionId } = await claimsFor('finance@acme.test');
    const token = await signToken(tokenKeys(t.config), 'session', user.id, { tid: user.tenantId, sid: sessionId }, 86400, new Date());
    expect((await t.app.identity.sessions.resolve(token))?.sessionId).toBe(sessionId);
    t.app.identity.sessions.forget(sessionId);
    const queries = vi.spyOn(t.app.database.pool, 'query');
    try {
      const viewers = await Promise.all(Array.from({ length: 20 }, () => t.app.identity.sessions.resolve(token)));
      expect(viewers.every((viewer) => viewer?.sessionId === sessionId && viewer.userId === user.id)).toBe(true);
      expect(queries).toHaveBeenCalledTimes(2); // the session with its user, then the company
    } finally {
      queries.mockRestore();
    }
  });

  it('a look-up under way when the session ends does not put it back in the cache', async () => {
    const { user, sessionId } = await claimsFor('employee@acme.test');
    const token = await signToken(tokenKeys(t.config), 'session', user.id, { tid: user.tenantId, sid: sessionId }, 86400, new Date());
    await t.app.identity.sessions.resolve(token);
    t.app.identity.sessions.forget(sessionId);
    // The look-up reads the session row while it is still active, then waits until it has been revoked.
    const pool = t.app.database.pool;
    const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
    let rowRead!: () => void;
    let revoked!: () => void;
    const read = new Promise<void>((resolve) => (rowRead = resolve));
    const afterRevocation = new Promise<void>((resolve) => (revoked = resolve));
    const held = vi.spyOn(pool, 'query').mockImplementationOnce((async (...args: unknown[]) => {
      const result = await query(...args);
      rowRead();
      await afterRevocation;
      return result;
    }) as never);
    try {
      const underWay = t.app.identity.sessions.resolve(token);
      await read;
      await t.app.database.db.execute(sql`UPDATE sessions SET revoked_at = CURRENT_TIMESTAMP(3), revoked_reason = 'test' WHERE id = ${sessionId}`);
      t.app.identity.sessions.forget(sessionId); // what logout does on this instance
      revoked();
      expect((await underWay)?.sessionId).toBe(sessionId); // it started before the revocation
      expect(await t.app.identity.sessions.resolve(token)).toBeNull();
    } finally {
      held.mockRestore();
    }
  });

  it('ends the session on logout, with Clear-Site-Data', async () => {
    const { jar } = await signIn(t.app, 'employee@acme.test', PASSWORD);
    const cookie = jar.cookie;
    expect(await signedIn(cookie)).toBe(true);
    const res = await submitForm(t.app, jar, '/account', '/logout', {});
    expect(res.statusCode).toBe(303);
    expect(res.headers['clear-site-data']).toBe('"cache", "storage"');
    expect(await signedIn(cookie)).toBe(false);
  });

  it('binds CSRF tokens to the session: a token from before sign-in or from another session is refused', async () => {
    // One browser (one CSRF secret cookie) throughout, so only the binding differs.
    const jar = { cookie: '' };
    const tokenOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
    const anonymousToken = tokenOf((await getPage(t.app, jar, '/login')).body);
    expect((await postForm(t.app, jar, '/login', { _csrf: anonymousToken, email: 'hr@acme.test', password: PASSWORD })).statusCode).toBe(303);
    const csrfCookie = jar.cookie.split('; ').find((c) => c.startsWith('__Host-csrf='))!;
    const other = await sessionFor(t.app, 'owner@acme.test');
    const otherToken = tokenOf((await getPage(t.app, { cookie: `${other.cookie}; ${csrfCookie}` }, '/account')).body);
    for (const token of [anonymousToken, otherToken]) {
      expect((await postForm(t.app, { ...jar }, '/account/sign-out-everywhere', { _csrf: token })).statusCode).toBe(403);
    }
    expect(await signedIn(jar.cookie)).toBe(true);
    const ownToken = tokenOf((await getPage(t.app, { ...jar }, '/account')).body);
    expect((await postForm(t.app, { ...jar }, '/account/sign-out-everywhere', { _csrf: ownToken })).statusCode).toBe(303);
  });

  it('signs out everywhere', async () => {
    const a = await sessionFor(t.app, 'head.sales@acme.test');
    const b = await sessionFor(t.app, 'head.sales@acme.test');
    await submitForm(t.app, { ...a }, '/account', '/account/sign-out-everywhere', {});
    expect(await signedIn(a.cookie)).toBe(false);
    expect(await signedIn(b.cookie)).toBe(false);
  });

  it('a password change ends other sessions and keeps this browser signed in', async () => {
    const other = await sessionFor(t.app, 'hr@globex.test');
    const { jar } = await signIn(t.app, 'hr@globex.test', PASSWORD);
    const res = await submitForm(t.app, jar, '/account', '/account/password', { currentPassword: PASSWORD, newPassword: 'Brand-new-passphrase-7' });
    expect(res.statusCode).toBe(303);
    expect(await signedIn(other.cookie)).toBe(false);
    expect(await signedIn(jar.cookie)).toBe(true);
    expect((await signIn(t.app, 'hr@globex.test', 'Brand-new-passphrase-7')).res.statusCode).toBe(303);
  });

  it('wrong current passwords count toward the sign-in limits: a stolen session cannot guess the password', async () => {
    const { jar } = await signIn(t.app, 'employee@globex.test', PASSWORD);
    const hashBefore = (await findUserByEmail(t.app.database.db, 'employee@globex.test'))!.passwordHash;
    for (let i = 0; i < LOGIN_LIMITS.accountFailures; i++) {
      const wrong = await submitForm(t.app, jar, '/account', '/account/password', { currentPassword: `not-it-${i}`, newPassword: 'Brand-new-passphrase-8' });
      expect(wrong.statusCode).toBe(400);
      expect(wrong.body).toContain('is not your current password');
    }
    // Past the account limit even the right password waits, as on the sign-in form.
    const right = await submitForm(t.app, jar, '/account', '/account/password', { currentPassword: PASSWORD, newPassword: 'Brand-new-passphrase-8' });
    expect(right.statusCode).toBe(429);
    expect((await signIn(t.app, 'employee@globex.test', 'Brand-new-passphrase-8')).res.statusCode).not.toBe(303);
    // The sign-in above is held by the same account limit either way: the stored hash shows the password stayed.
    expect((await findUserByEmail(t.app.database.db, 'employee@globex.test'))!.passwordHash).toBe(hashBefore);
  }, 60_000);

  it('a role change and disabling a user end their sessions, and the new role applies at once', async () => {
    const victim = await sessionFor(t.app, 'finance@globex.test');
    const owner = await sessionFor(t.app, 'owner@globex.test');
    const user = (await findUserByEmail(t.app.database.db, 'finance@globex.test'))!;
    expect((await submitForm(t.app, owner, '/users', `/users/${user.id}/role`, { role: 'employee' })).statusCode).toBe(303);
    expect(await signedIn(victim.cookie)).toBe(false);
    const again = await sessionFor(t.app, 'finance@globex.test');
    expect((await getPage(t.app, again, '/')).body).toContain('Employee');
    await submitForm(t.app, owner, '/users', `/users/${user.id}/disable`, {});
    expect(await signedIn(again.cookie)).toBe(false);
    expect((await signIn(t.app, 'finance@globex.test', PASSWORD)).res.statusCode).toBe(401);
  });
});

describe('revocation reaches every instance', () => {
  const t = useTestApp({ seed: async (t) => void (await seedDemo(t.db.database.db, t.config)) });
  const other = useSecondInstance(t);

  it('a session revoked on one instance stops working on another within the cache time', async () => {
    const jar = await sessionFor(t.app, 'owner@acme.test');
    expect((await getPage(other.app, { ...jar }, '/account')).statusCode).toBe(200);
    await submitForm(t.app, { ...jar }, '/account', '/logout', {});
    await new Promise((r) => setTimeout(r, SESSION_CACHE_MS + 100));
    const res = await getPage(other.app, { ...jar }, '/account');
    expect(res.statusCode).toBe(303);
  });
});

describe('user changes are audited', () => {
  const t = useTestApp({ seed: async (t) => void (await seedDemo(t.db.database.db, t.config)) });

  it('records role changes and disabling with actor, target, before and after', async () => {
    const owner = await sessionFor(t.app, 'owner@acme.test');
    const target = (await findUserByEmail(t.app.database.db, 'finance@acme.test'))!;
    await submitForm(t.app, owner, '/users', `/users/${target.id}/role`, { role: 'hr_admin' });
    await submitForm(t.app, owner, '/users', `/users/${target.id}/disable`, {});
    const ownerUser = (await findUserByEmail(t.app.database.db, 'owner@acme.test'))!;
    const [rows] = (await t.app.database.db.execute(
      sql`SELECT action, actor_id, target_id, ip, details FROM audit_events WHERE target_id = ${target.id} ORDER BY id`,
    )) as unknown as [{ action: string; actor_id: string; target_id: string; ip: string; details: string | null }[]];
    expect(rows.map((r) => r.action)).toEqual(['user.role_changed', 'user.disabled']);
    expect(rows.every((r) => r.actor_id === ownerUser.id && r.ip === '127.0.0.1')).toBe(true);
    expect(JSON.parse(rows[0]!.details!)).toEqual({ before: 'finance', after: 'hr_admin' });
  });
});

describe('a session ends after 24 hours', () => {
  const clock = testClock(new Date('2026-11-25T08:00:00Z'));
  const t = useTestApp({ adapters: () => ({ clock }), seed: async (t) => void (await seedDemo(t.db.database.db, t.config)) });

  it('even when this instance has already checked its token', async () => {
    const { jar } = await signIn(t.app, 'owner@acme.test', PASSWORD);
    expect((await getPage(t.app, { ...jar }, '/account')).statusCode).toBe(200);
    clock.advance(24 * 3600_000 - 60_000);
    await new Promise((r) => setTimeout(r, SESSION_CACHE_MS + 50));
    expect((await getPage(t.app, { ...jar }, '/account')).statusCode).toBe(200);
    clock.advance(61_000);
    expect((await getPage(t.app, { ...jar }, '/account')).statusCode).toBe(303);
  });
});
