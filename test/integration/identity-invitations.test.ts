import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { getPage, sessionFor, signIn, submitForm, type Browserish } from '../support/auth.js';
import { company, user } from '../support/factories.js';
import { readOutbox, outboxDir } from '../../src/platform/mail/index.js';

const PASSWORD = 'Invitations-test-2026';

/**
 * Accounts across companies (issue 16): an address belongs to one company, but an invitation reserves
 * nothing and reveals nothing; the invitee learns at acceptance, where they prove the address is theirs.
 */
describe('invitations across companies', () => {
  const t = useTestApp();
  const db = () => t.db.database.db;
  const mailTo = async (to: string) => (await readOutbox(outboxDir(t.config))).filter((m) => m.to === to);
  const tokenIn = (text: string) => /\/password\/reset\?token=([\w-]+)/.exec(text)![1]!;

  async function ownerOf(name: string, domain: string) {
    const tenant = await company(db(), { name, domain });
    const owner = await user(db(), tenant.id, { role: 'owner', displayName: `${name} Owner` });
    return { tenant, jar: await sessionFor(t.app, owner.email) };
  }
  const invite = (owner: Browserish, email: string) =>
    submitForm(t.app, owner, '/users', '/users/invite', { email, displayName: 'New Person', role: 'employee' }, { accept: 'application/json' });
  const accept = (token: string, newPassword: string) =>
    submitForm(t.app, { cookie: '' }, '/login', '/password/reset', { token, newPassword }, { accept: 'application/json' });

  it('answers an invitation the same whether or not the address has an account in another company', async () => {
    const acme = await ownerOf('Acme Tools', 'acme-tools.test');
    const globex = await company(db(), { domain: 'globex-corp.test' });
    const taken = await user(db(), globex.id, { role: 'finance', email: 'shared@mail.test' });

    const existing = await invite(acme.jar, taken.email);
    const fresh = await invite(acme.jar, 'nobody-yet@mail.test');
    expect(existing.statusCode).toBe(303);
    expect(fresh.statusCode).toBe(existing.statusCode);
    expect(fresh.headers.location).toBe(existing.headers.location);
    const page = await getPage(t.app, acme.jar, '/users');
    expect(page.body).not.toContain('already has an account');
    // The same work for both: each got an invitation mail.
    expect(await mailTo(taken.email)).toHaveLength(1);
    expect(await mailTo('nobody-yet@mail.test')).toHaveLength(1);
  });

  it('lets pending invitations for one address from different companies coexist, each mail naming its company and inviter', async () => {
    const first = await ownerOf('First Foods', 'first-foods.test');
    const second = await ownerOf('Second Steel', 'second-steel.test');
    expect((await invite(first.jar, 'wanted@people.test')).statusCode).toBe(303);
    expect((await invite(second.jar, 'wanted@people.test')).statusCode).toBe(303);

    const mails = await mailTo('wanted@people.test');
    expect(mails).toHaveLength(2);
    expect(mails[0]!.subject).toBe('First Foods Owner invited you to First Foods on Bizlumo HR');
    expect(mails[0]!.text).toContain('First Foods Owner');
    expect(mails[0]!.text).toContain('First Foods');
    expect(mails[1]!.subject).toBe('Second Steel Owner invited you to Second Steel on Bizlumo HR');

    // The invitee picks one; the other company's link then says plainly that the address is in use.
    expect((await accept(tokenIn(mails[1]!.text), 'Joined-second-steel-3')).statusCode).toBe(303);
    const { jar } = await signIn(t.app, 'wanted@people.test', 'Joined-second-steel-3');
    expect((await getPage(t.app, jar, '/')).body).toContain('Second Steel');
    const other = await getPage(t.app, { cookie: '' }, `/password/reset?token=${tokenIn(mails[0]!.text)}`);
    expect(other.statusCode).toBe(409);
    expect(other.body).toContain('already has a Bizlumo HR account');
  });

  it('does not let an invitation take over an existing account: acceptance is refused plainly and the account is untouched', async () => {
    const acme = await ownerOf('Hijack Co', 'hijack.test');
    const victimCompany = await company(db(), { name: 'Victim Ltd', domain: 'victim.test' });
    const victim = await user(db(), victimCompany.id, { role: 'owner', email: 'boss@victim.test', password: PASSWORD, pepper: t.config.passwordPepper });
    expect((await invite(acme.jar, victim.email)).statusCode).toBe(303);

    const refused = await accept(tokenIn((await mailTo(victim.email))[0]!.text), 'Attacker-chosen-pass-9');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toContain('already has a Bizlumo HR account');
    const { jar } = await signIn(t.app, victim.email, PASSWORD);
    expect((await getPage(t.app, jar, '/')).body).toContain('Victim Ltd');
    expect((await signIn(t.app, victim.email, 'Attacker-chosen-pass-9')).res.statusCode).toBe(401);
  });

  it('still refuses inviting someone twice within one company, by name', async () => {
    const acme = await ownerOf('Twice Inc', 'twice-inc.test');
    expect((await invite(acme.jar, 'again@twice-inc.test')).statusCode).toBe(303);
    const again = await invite(acme.jar, 'again@twice-inc.test');
    expect(again.statusCode).toBe(400);
    expect(again.json().problems[0]).toEqual({ field: 'email', message: 'is already a user of your company' });
  });
});
