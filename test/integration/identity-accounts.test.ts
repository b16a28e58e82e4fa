import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { useTestApp } from '../support/app.js';
import { getPage, postForm, sessionFor, signIn, submitForm } from '../support/auth.js';
import { testClock } from '../support/clock.js';
import { seedDemo } from '../../src/demo/seed.js';
import { readOutbox, outboxDir } from '../../src/platform/mail/index.js';
import { passwordProblems } from '../../src/modules/identity/index.js';

const PASSWORD = 'Demo-pass-2026';

describe('password policy', () => {
  it('names each broken rule', () => {
    expect(passwordProblems('short1')).toContain('must be at least 12 characters');
    expect(passwordProblems('onlyletterslong')).toEqual(['must contain at least one digit']);
    expect(passwordProblems('123456789012345')).toEqual(['must contain at least one letter']);
    expect(passwordProblems('Password1234')).toEqual(['is one of the most common passwords']);
    expect(passwordProblems('Welcome123!!!')).toEqual(['is one of the most common passwords']);
    expect(passwordProblems('AcmeIndustries2026', { companyName: 'Acme Industries' })).toEqual(['must not contain the company name']);
    expect(passwordProblems('ravi.kumar-2026', { email: 'ravi.kumar@acme.test' })).toEqual(['must not contain your email address']);
    expect(passwordProblems('नमस्ते दुनिया मेरा पासवर्ड 42')).toEqual([]);
    expect(passwordProblems('a1'.repeat(600))).toEqual(['must be at most 1024 characters']);
  });
});

describe('password reset, invitations and sign-up', () => {
  const clock = testClock();
  const t = useTestApp({ adapters: () => ({ clock }), seed: async (t) => void (await seedDemo(t.db.database.db, t.config)) });
  /** Reset links go out by a job after the answer: the outbox as it is once the jobs have run. */
  const mail = async () => (await t.app.jobs.runUntilIdle(), readOutbox(outboxDir(t.config)));
  const linkIn = (text: string) => /(\/password\/reset\?token=[\w-]+)/.exec(text)![1]!;

  it('emails a single-use link that resets the password and ends sessions', async () => {
    const oldSession = await sessionFor(t.app, 'employee@globex.test');
    const res = await submitForm(t.app, { cookie: '' }, '/password/forgot', '/password/forgot', { email: 'Employee@Globex.test' });
    expect(res.statusCode).toBe(303);
    const message = (await mail()).find((m) => m.to === 'employee@globex.test')!;
    expect(message.subject).toBe('Reset your Bizlumo HR password');
    const link = linkIn(message.text);
    const page = await getPage(t.app, { cookie: '' }, link);
    expect(page.statusCode).toBe(200);
    expect(page.headers['referrer-policy']).toBe('no-referrer');

    const weak = await submitForm(
      t.app,
      { cookie: '' },
      link,
      '/password/reset',
      { token: link.split('=')[1]!, newPassword: 'password1234' },
      { accept: 'application/json' },
    );
    expect(weak.statusCode).toBe(400);
    expect(weak.json().problems).toEqual([{ field: 'newPassword', message: 'is one of the most common passwords' }]);

    const done = await submitForm(t.app, { cookie: '' }, link, '/password/reset', { token: link.split('=')[1]!, newPassword: 'Fresh-start-passphrase-3' });
    expect(done.statusCode).toBe(303);
    expect((await signIn(t.app, 'employee@globex.test', 'Fresh-start-passphrase-3')).res.statusCode).toBe(303);
    expect((await getPage(t.app, oldSession, '/account')).statusCode).toBe(303);

    const reused = await getPage(t.app, { cookie: '' }, link);
    expect(reused.statusCode).toBe(400);
    expect(reused.body).toContain('expired or has already been used');
  });

  it('expires the link after 30 minutes', async () => {
    await submitForm(t.app, { cookie: '' }, '/password/forgot', '/password/forgot', { email: 'finance@globex.test' });
    const link = linkIn((await mail()).filter((m) => m.to === 'finance@globex.test').at(-1)!.text);
    clock.advance(31 * 60_000);
    const res = await submitForm(
      t.app,
      { cookie: '' },
      '/login',
      '/password/reset',
      { token: link.split('=')[1]!, newPassword: 'Too-late-passphrase-9' },
      { accept: 'application/json' },
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().problems[0].field).toBe('token');
    expect((await signIn(t.app, 'finance@globex.test', PASSWORD)).res.statusCode).toBe(303);
  });

  it('answers an unknown email exactly like a known one, and sends nothing', async () => {
    const before = (await mail()).length;
    const known = await submitForm(t.app, { cookie: '' }, '/password/forgot', '/password/forgot', { email: 'hr@acme.test' });
    const unknown = await submitForm(t.app, { cookie: '' }, '/password/forgot', '/password/forgot', { email: 'ghost@acme.test' });
    expect(unknown.statusCode).toBe(known.statusCode);
    expect(unknown.headers.location).toBe(known.headers.location);
    expect((await mail()).length).toBe(before + 1);
  });

  it('lets an owner invite a user who sets a password from the email and signs in with that role', async () => {
    const owner = await sessionFor(t.app, 'owner@acme.test');
    const res = await submitForm(t.app, owner, '/users', '/users/invite', { email: 'New.Hire@acme.test', displayName: 'Meera Iyer', role: 'dept_head' });
    expect(res.statusCode).toBe(303);
    const invite = (await mail()).find((m) => m.to === 'new.hire@acme.test')!;
    expect(invite.subject).toBe('Company Owner invited you to Acme Industries on Bizlumo HR');
    const link = linkIn(invite.text);
    expect((await signIn(t.app, 'new.hire@acme.test', 'anything-at-all-1')).res.statusCode).toBe(401);
    await submitForm(t.app, { cookie: '' }, link, '/password/reset', { token: link.split('=')[1]!, newPassword: 'Meera-sets-her-own-77' });
    const { jar } = await signIn(t.app, 'new.hire@acme.test', 'Meera-sets-her-own-77');
    expect((await getPage(t.app, jar, '/')).body).toContain('Department head');
    const inviteAs = (email: string, displayName: string, role: string) =>
      submitForm(t.app, owner, '/users', '/users/invite', { email, displayName, role }, { accept: 'application/json' });
    // An address with an account in another company is invited like any other (identity-invitations.test.ts).
    expect((await inviteAs('hr@globex.test', 'X', 'hr_admin')).statusCode).toBe(303);
    const badRole = await inviteAs('z@acme.test', 'Z', 'superuser');
    expect(badRole.statusCode).toBe(400);
    expect(badRole.json().problems[0].field).toBe('role');
  });

  it('two simultaneous invitations for one address: one is sent, the other is a 400, never a 500', async () => {
    const owner = await sessionFor(t.app, 'owner@acme.test');
    const page = await getPage(t.app, owner, '/users');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const invite = () =>
      postForm(
        t.app,
        { ...owner },
        '/users/invite',
        { _csrf: token, email: 'twice@acme.test', displayName: 'Twice', role: 'employee' },
        { accept: 'application/json' },
      );
    const statuses = (await Promise.all([invite(), invite(), invite()])).map((r) => r.statusCode).sort();
    expect(statuses).toEqual([303, 400, 400]);
  });

  it('creates a company with its owner at first-run sign-up, in one transaction', async () => {
    const bad = await submitForm(
      t.app,
      { cookie: '' },
      '/signup',
      '/signup',
      { companyName: 'Initech', domain: 'initech.test', displayName: 'Bill', email: 'bill@initech.test', password: 'initech-is-great-1' },
      { accept: 'application/json' },
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.json().problems).toEqual([{ field: 'password', message: 'must not contain the company name' }]);
    const [companies] = (await t.db.database.db.execute(sql`SELECT COUNT(*) AS n FROM companies WHERE domain = 'initech.test'`)) as unknown as [
      { n: number }[],
    ];
    expect(Number(companies[0]!.n)).toBe(0);

    const jar = { cookie: '' };
    const res = await submitForm(t.app, jar, '/signup', '/signup', {
      companyName: 'Initech',
      domain: 'initech.test',
      displayName: 'Bill L',
      email: 'bill@initech.test',
      password: 'TPS-reports-daily-4',
    });
    expect(res.statusCode).toBe(303);
    const confirmLink = /(\/signup\/confirm\?token=[\w-]+)/.exec((await mail()).find((m) => m.to === 'bill@initech.test')!.text)![1]!;
    expect((await submitForm(t.app, { cookie: '' }, confirmLink, '/signup/confirm', { token: confirmLink.split('=')[1]! })).statusCode).toBe(303);
    const dashboard = await getPage(t.app, (await signIn(t.app, 'bill@initech.test', 'TPS-reports-daily-4')).jar, '/');
    expect(dashboard.body).toContain('Initech');
    expect(dashboard.body).toContain('Owner');
  });
});

describe('links in emails use PUBLIC_ORIGIN', () => {
  const t = useTestApp({ env: { PUBLIC_ORIGIN: 'https://app.bizlumo.in' }, seed: async (t) => void (await seedDemo(t.db.database.db, t.config)) });

  it('ignores a forged Host header', async () => {
    await submitForm(t.app, { cookie: '' }, '/password/forgot', '/password/forgot', { email: 'hr@acme.test' }, { host: 'evil.example' });
    await t.app.jobs.runUntilIdle();
    const [message] = await readOutbox(outboxDir(t.config));
    expect(message!.text).toMatch(/https:\/\/app\.bizlumo\.in\/password\/reset\?token=/);
    expect(message!.text).not.toContain('evil.example');
  });
});
