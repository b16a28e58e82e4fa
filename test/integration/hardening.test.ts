import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { useTestApp } from '../support/app.js';
import { getPage, postForm, sessionFor, submitForm } from '../support/auth.js';
import { company, department, departmentHead, user } from '../support/factories.js';
import { companies } from '../../src/modules/tenancy/index.js';
import { readOutbox, outboxDir } from '../../src/platform/mail/index.js';
import { bcryptWorkDone } from '../../src/platform/cpu/index.js';
import { PUBLIC } from '../../src/modules/access/index.js';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/platform/observability/logger.js';

/** Holes found by trying the base as an attacker would (issue 16): each test failed before its fix. */
describe('errors, input and audit details', () => {
  const t = useTestApp({
    // A write that misses a validator: the database's own limit must still answer 400, not 500.
    prepare: (app) => {
      app.post('/test/too-long', { config: { access: PUBLIC, csrf: false } }, async () => {
        await app.database.db.insert(companies).values({ id: crypto.randomUUID(), name: 'x'.repeat(300), domain: 'too-long.test' });
        return { ok: true };
      });
    },
  });
  const db = () => t.db.database.db;

  it('an address with no route answers 404 to every method, signed in or not (it was 403 for unsafe methods)', async () => {
    const acme = await company(db());
    const owner = await sessionFor(t.app, (await user(db(), acme.id, { role: 'owner' })).email);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH'] as const) {
      for (const cookie of ['', owner.cookie]) {
        const res = await t.app.inject({ method, url: '/no/such/page', headers: { cookie, 'sec-fetch-site': 'same-origin' } });
        expect(res.statusCode, `${method} ${cookie ? 'signed in' : 'anonymous'}`).toBe(404);
      }
    }
    // A real route still wants its CSRF token.
    expect((await postForm(t.app, owner, '/departments', { name: 'No token' })).statusCode).toBe(403);
  });

  it('a department head ticked twice is one head, not an error blamed on the name', async () => {
    const acme = await company(db());
    const hr = await sessionFor(t.app, (await user(db(), acme.id, { role: 'hr_admin' })).email);
    const sales = await department(db(), acme.id, { name: 'Sales' });
    const head = await user(db(), acme.id, { role: 'dept_head' });
    const token = /name="_csrf" value="([^"]+)"/.exec((await getPage(t.app, hr, '/departments')).body)![1]!;
    const body = new URLSearchParams([
      ['_csrf', token],
      ['name', 'Sales'],
      ['costCentre', 'CC-2'],
      ['heads', head.id],
      ['heads', head.id],
    ]);
    const res = await t.app.inject({
      method: 'POST',
      url: `/departments/${sales.id}`,
      headers: { cookie: hr.cookie, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
      payload: body.toString(),
    });
    expect(res.statusCode, res.body).toBe(303);
    const [rows] = (await db().execute(sql`SELECT user_id FROM department_heads WHERE department_id = ${sales.id}`)) as unknown as [{ user_id: string }[]];
    expect(rows.map((r) => r.user_id)).toEqual([head.id]);

    // Only active heads are offered, and only they are taken: an invited one is refused by name.
    const invited = await user(db(), acme.id, { role: 'dept_head', status: 'invited' });
    const refused = await submitForm(
      t.app,
      hr,
      '/departments',
      `/departments/${sales.id}`,
      { name: 'Sales', heads: invited.id },
      { accept: 'application/json' },
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.json().problems[0].field).toBe('heads');
  });

  it('a 255-character email is a 400 naming the field, before any bcrypt work (RFC 5321 allows 254)', async () => {
    const acme = await company(db());
    const owner = await sessionFor(t.app, (await user(db(), acme.id, { role: 'owner' })).email);
    const long = `${'a'.repeat(255 - '@acme.test'.length)}@acme.test`;
    expect(long).toHaveLength(255);
    const invite = await submitForm(t.app, owner, '/users', '/users/invite', { email: long, displayName: 'Long', role: 'employee' });
    expect(invite.statusCode).toBe(400);
    expect(invite.body).toContain('email');
    const before = bcryptWorkDone();
    const signup = await submitForm(t.app, { cookie: '' }, '/signup', '/signup', {
      companyName: 'Long Mail Ltd',
      domain: 'acme.test',
      displayName: 'Long',
      email: long,
      password: 'A-perfectly-fine-passphrase-9',
    });
    expect(signup.statusCode).toBe(400);
    expect(signup.body).toContain('email');
    expect(bcryptWorkDone()).toEqual(before);
  });

  it('a value too long for its column answers 400 naming the field, never a 500', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/test/too-long', headers: { accept: 'application/json' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid', problems: [{ field: 'name', message: 'is too long' }] });
  });

  it('a password reset is audited with the address and browser of the request that used the link', async () => {
    const acme = await company(db());
    const reader = await user(db(), acme.id, { role: 'employee' });
    const agent = { 'user-agent': 'Mozilla/5.0 (reset test)' };
    await submitForm(t.app, { cookie: '' }, '/password/forgot', '/password/forgot', { email: reader.email }, agent);
    await t.app.jobs.runUntilIdle();
    const mail = (await readOutbox(outboxDir(t.config))).find((m) => m.to === reader.email)!;
    const link = /(\/password\/reset\?token=[\w-]+)/.exec(mail.text)![1]!;
    const done = await submitForm(
      t.app,
      { cookie: '' },
      link,
      '/password/reset',
      { token: link.split('=')[1]!, newPassword: 'Fresh-start-passphrase-3' },
      agent,
    );
    expect(done.statusCode).toBe(303);
    const [rows] = (await db().execute(
      sql`SELECT actor_kind, actor_id, ip, user_agent, request_id FROM audit_events WHERE action = 'user.password_reset' AND target_id = ${reader.id}`,
    )) as unknown as [Record<string, string>[]];
    expect(rows).toEqual([
      { actor_kind: 'user', actor_id: reader.id, ip: '127.0.0.1', user_agent: agent['user-agent'], request_id: done.headers['x-request-id'] },
    ]);
  });
});

describe('database errors in the log', () => {
  const lines: string[] = [];
  const secret = 'ravi.secret@acme.test';
  const t = useTestApp({
    adapters: () => ({
      // The app's own logger (its serializers are what is tested), writing where the test can read.
      logger: createLogger({ env: 'production', logLevel: 'info' }, new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) })),
    }),
    prepare: (app) => {
      app.post('/test/failing-query', { config: { access: PUBLIC, csrf: false } }, async () => {
        await app.database.db.execute(sql`SELECT * FROM no_such_table WHERE email = ${secret}`);
        return { ok: true };
      });
    },
  });

  it("log the failed query's shape, never its parameters", async () => {
    const res = await t.app.inject({ method: 'POST', url: '/test/failing-query', headers: { accept: 'application/json' } });
    expect(res.statusCode).toBe(500);
    const logged = lines.join('');
    expect(logged).toContain('no_such_table');
    expect(logged).not.toContain(secret);
  });
});
