import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { useTestApp } from '../support/app.js';
import { getPage, signIn, submitForm, type Browserish } from '../support/auth.js';
import { testClock } from '../support/clock.js';
import { readOutbox, outboxDir } from '../../src/platform/mail/index.js';
import { REQUEST_LIMITS } from '../../src/modules/identity/index.js';
import { bcryptWorkDone } from '../../src/platform/cpu/index.js';
import { findUserByEmail } from '../../src/modules/identity/index.js';
import { hashPassword } from '../../src/modules/identity/passwords.js';
import { insertUser } from '../../src/modules/identity/store.js';

/**
 * Sign-up (issue 16): a company becomes active only once its owner confirms the address by an
 * emailed link, and sign-ups are rate-limited per IP. Each test failed before its fix.
 */
describe('sign-up with a confirmed address', () => {
  const clock = testClock(new Date('2026-11-25T10:00:00Z'));
  const t = useTestApp({ env: { TRUST_PROXY: '127.0.0.1' }, adapters: () => ({ clock }) });
  const from = (ip: string) => ({ 'x-forwarded-for': ip, 'x-forwarded-proto': 'https' });
  const outboxTo = async (to: string) => (await readOutbox(outboxDir(t.config))).filter((m) => m.to === to);
  /** Sign-up mail goes out by a job after the answer (so every answer takes the same time): run it, then read. */
  const mailTo = async (to: string) => (await t.app.jobs.runUntilIdle(), outboxTo(to));
  const confirmLinkIn = (text: string) => /(\/signup\/confirm\?token=[\w-]+)/.exec(text)![1]!;

  let serial = 0;
  async function signUp(jar: Browserish, fields: { domain: string; email: string; password?: string; companyName?: string }, ip = `192.0.2.${++serial}`) {
    return submitForm(
      t.app,
      jar,
      '/signup',
      '/signup',
      { companyName: fields.companyName ?? 'Initech', displayName: 'Bill L', password: 'TPS-reports-daily-4', ...fields },
      from(ip),
    );
  }
  // The form comes from the link's page; a dead link's page has none, so the token is posted from the sign-in page.
  const confirm = (jar: Browserish, link: string) => submitForm(t.app, jar, '/login', '/signup/confirm', { token: link.split('=')[1]! }, from('192.0.2.200'));
  const auditCount = async (action: string) => {
    const [rows] = (await t.db.database.db.execute(sql`SELECT COUNT(*) AS n FROM audit_events WHERE action = ${action}`)) as unknown as [{ n: number }[]];
    return Number(rows[0]!.n);
  };

  it('gives no working session until the owner confirms the emailed link, which works once and is audited', async () => {
    const jar = { cookie: '' };
    const res = await signUp(jar, { domain: 'initech.test', email: 'bill@initech.test' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/signup/check-email');
    expect(jar.cookie).not.toContain('__Host-session');
    expect((await getPage(t.app, jar, '/account')).statusCode).toBe(303);

    // The password is right, but the address is not confirmed: "check your email", no session.
    const early = await signIn(t.app, 'bill@initech.test', 'TPS-reports-daily-4', from('192.0.2.100'));
    expect(early.res.statusCode).toBe(403);
    expect(early.res.body).toContain('Check your email');
    expect(early.jar.cookie).not.toContain('__Host-session');

    const [message] = await mailTo('bill@initech.test');
    expect(message!.subject).toBe('Confirm your Bizlumo HR company account');
    const link = confirmLinkIn(message!.text);
    expect((await getPage(t.app, { cookie: '' }, link)).statusCode).toBe(200);
    const done = await confirm({ cookie: '' }, link);
    expect(done.statusCode).toBe(303);
    expect(await auditCount('company.confirmed')).toBe(1);

    const later = await signIn(t.app, 'bill@initech.test', 'TPS-reports-daily-4', from('192.0.2.100'));
    expect(later.res.statusCode).toBe(303);
    const dashboard = await getPage(t.app, later.jar, '/');
    expect(dashboard.body).toContain('Initech');
    expect(dashboard.body).toContain('Owner');

    const again = await confirm({ cookie: '' }, link);
    expect(again.statusCode).toBe(400);
    expect(await auditCount('company.confirmed')).toBe(1);
  });

  it('lets the link expire after 24 hours; a re-sent link works', async () => {
    await signUp({ cookie: '' }, { domain: 'hooli.test', email: 'gavin@hooli.test', companyName: 'Hooli' });
    const stale = confirmLinkIn((await mailTo('gavin@hooli.test'))[0]!.text);
    clock.advance(24 * 3600_000 + 60_000);
    expect((await confirm({ cookie: '' }, stale)).statusCode).toBe(400);

    const resent = await submitForm(t.app, { cookie: '' }, '/signup/check-email', '/signup/resend', { email: 'gavin@hooli.test' }, from('192.0.2.101'));
    expect(resent.statusCode).toBe(303);
    expect(await outboxTo('gavin@hooli.test')).toHaveLength(1); // sent by a job after the answer
    const fresh = confirmLinkIn((await mailTo('gavin@hooli.test'))[1]!.text);
    expect((await confirm({ cookie: '' }, fresh)).statusCode).toBe(303);
    expect((await signIn(t.app, 'gavin@hooli.test', 'TPS-reports-daily-4', from('192.0.2.101'))).res.statusCode).toBe(303);
  });

  it('does not let an unconfirmed sign-up hold a domain: a new sign-up for it replaces the unconfirmed one', async () => {
    const squat = await signUp({ cookie: '' }, { domain: 'piedpiper.test', email: 'squatter@piedpiper.test', companyName: 'Pied Piper Squat' });
    expect(squat.statusCode).toBe(303);
    const squatterLink = confirmLinkIn((await mailTo('squatter@piedpiper.test'))[0]!.text);

    const real = await signUp({ cookie: '' }, { domain: 'piedpiper.test', email: 'richard@piedpiper.test', companyName: 'Pied Piper' });
    expect(real.statusCode).toBe(303);
    expect((await confirm({ cookie: '' }, squatterLink)).statusCode).toBe(400);
    expect((await signIn(t.app, 'squatter@piedpiper.test', 'TPS-reports-daily-4', from('192.0.2.102'))).res.statusCode).toBe(401);

    expect((await confirm({ cookie: '' }, confirmLinkIn((await mailTo('richard@piedpiper.test'))[0]!.text))).statusCode).toBe(303);
    const { jar } = await signIn(t.app, 'richard@piedpiper.test', 'TPS-reports-daily-4', from('192.0.2.102'));
    expect((await getPage(t.app, jar, '/')).body).toContain('Pied Piper');

    // Once confirmed, the domain is taken for good.
    const late = await signUp({ cookie: '' }, { domain: 'piedpiper.test', email: 'gilfoyle@piedpiper.test' });
    expect(late.statusCode).toBe(400);
    expect(late.body).toContain('already registered');
  });

  it('answers a sign-up with an address that already has an account exactly as any other, and tells that account by mail', async () => {
    await signUp({ cookie: '' }, { domain: 'aviato.test', email: 'erlich@aviato.test', companyName: 'Aviato' });
    expect((await confirm({ cookie: '' }, confirmLinkIn((await mailTo('erlich@aviato.test'))[0]!.text))).statusCode).toBe(303);
    // A consultant of Aviato's whose own address is at another domain, not registered yet.
    const aviato = (await findUserByEmail(t.db.database.db, 'erlich@aviato.test'))!;
    await insertUser(
      t.db.database.db,
      aviato.tenantId,
      {
        email: 'jared@consulting.test',
        displayName: 'Jared',
        role: 'hr_admin',
        passwordHash: await hashPassword('Unused-passphrase-9', t.config.passwordPepper),
        status: 'active',
      },
      clock.now(),
    );
    const companies = async () => Number(((await t.db.database.db.execute(sql`SELECT COUNT(*) AS n FROM companies`)) as unknown as [{ n: number }[]])[0][0]!.n);
    const before = { companies: await companies(), hashes: bcryptWorkDone().hash };
    const hashesSince = (from: Record<number, number>) =>
      Object.values(bcryptWorkDone().hash).reduce((a, b) => a + b, 0) - Object.values(from).reduce((a, b) => a + b, 0);

    const fresh = await signUp({ cookie: '' }, { domain: 'bachmanity.test', email: 'big-head@bachmanity.test', companyName: 'Bachmanity' });
    expect(hashesSince(before.hashes)).toBe(1);
    const afterFresh = bcryptWorkDone().hash;
    const taken = await signUp({ cookie: '' }, { domain: 'consulting.test', email: 'Jared@Consulting.test', companyName: 'Jared Consulting' });
    // Same status, same page, same password work: the answer does not say the address has an account.
    expect([taken.statusCode, taken.headers.location]).toEqual([fresh.statusCode, fresh.headers.location]);
    expect(hashesSince(afterFresh)).toBe(1);
    expect(await companies()).toBe(before.companies + 1);

    const [notice, ...more] = await mailTo('jared@consulting.test');
    expect(more).toEqual([]);
    expect(notice!.subject).toBe('Someone tried to sign up with your Bizlumo HR address');
    expect(notice!.text).toContain('nothing was created');
    const resetLink = /(\/password\/reset\?token=[\w-]+)/.exec(notice!.text)![1]!;
    expect((await getPage(t.app, { cookie: '' }, resetLink)).statusCode).toBe(200);
  });

  it('rate-limits sign-ups per IP (429, plain message), before any password work', async () => {
    const ip = '198.51.100.77';
    for (let i = 0; i < REQUEST_LIMITS.signUp.perIp; i++) {
      // A weak password is refused after the sign-up is counted, at no bcrypt cost.
      const res = await signUp({ cookie: '' }, { domain: `flood${i}.test`, email: `a@flood${i}.test`, password: 'short' }, ip);
      expect(res.statusCode).toBe(400);
    }
    const before = bcryptWorkDone();
    const refused = await signUp({ cookie: '' }, { domain: 'flood-last.test', email: 'a@flood-last.test' }, ip);
    expect(refused.statusCode).toBe(429);
    expect(bcryptWorkDone()).toEqual(before);
    expect(refused.body).toContain('Too many requests');
    expect((await signUp({ cookie: '' }, { domain: 'other-ip.test', email: 'a@other-ip.test' }, '198.51.100.78')).statusCode).toBe(303);
  });

  it('rate-limits re-sending the link per address', async () => {
    const send = (ip: string) => submitForm(t.app, { cookie: '' }, '/signup/check-email', '/signup/resend', { email: 'dinesh@resend.test' }, from(ip));
    for (let i = 0; i < REQUEST_LIMITS.confirmationResend.perAddress; i++) expect((await send(`203.0.113.${i + 1}`)).statusCode).toBe(303);
    expect((await send('203.0.113.99')).statusCode).toBe(429);
  });
});
