import { describe, expect, it } from 'vitest';
import { readOutbox, outboxDir } from '../../src/platform/mail/index.js';
import { useTestApp } from '../support/app.js';
import { submitForm } from '../support/auth.js';
import * as make from '../support/factories.js';

/**
 * Issue 16, item 2: without PUBLIC_ORIGIN (any non-production run), links in mail and the HTTPS
 * redirect used to take their host from the request's Host, and from X-Forwarded-Host behind the
 * proxy. Now only configuration decides: PUBLIC_ORIGIN, else the listen address.
 */
const HOSTILE = { host: 'evil.example', 'x-forwarded-host': 'evil.example' };

async function resetLinkFor(t: ReturnType<typeof useTestApp>, email: string, headers: Record<string, string>): Promise<string> {
  const before = (await readOutbox(outboxDir(t.config))).length;
  const res = await submitForm(t.app, { cookie: '' }, '/password/forgot', '/password/forgot', { email }, headers);
  expect(res.statusCode).toBeLessThan(400);
  await t.app.jobs.runUntilIdle(); // the mail may go out after the response
  const mail = await readOutbox(outboxDir(t.config));
  expect(mail.length).toBe(before + 1);
  const link = /https?:\/\/[^\s"<>]+\/password\/reset\?token=[^\s"<>]+/.exec(JSON.stringify(mail.at(-1)))?.[0];
  expect(link).toBeDefined();
  return link!;
}

describe('links and redirects without PUBLIC_ORIGIN, behind the trusted proxy', () => {
  const t = useTestApp({ env: { TRUST_PROXY: '127.0.0.1', HOST: 'localhost', PORT: '3999' } });

  it('a reset link points at the listen address whatever Host and X-Forwarded-Host say', async () => {
    const company = await make.company(t.db.database.db);
    const owner = await make.user(t.db.database.db, company.id, { role: 'owner' });
    const link = await resetLinkFor(t, owner.email, { ...HOSTILE, 'x-forwarded-proto': 'https' });
    expect(link).toMatch(/^http:\/\/localhost:3999\/password\/reset\?token=/);
  });

  it('the HTTPS redirect goes to the listen address, not to the Host or X-Forwarded-Host named', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/login?x=1', headers: { ...HOSTILE, 'x-forwarded-proto': 'http' } });
    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toBe('https://localhost:3999/login?x=1');
  });

  it('X-Forwarded-Host is never read: a form posted with a matching Origin and forwarded host is still cross-site', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/password/forgot',
      headers: {
        host: 'localhost:3999',
        'x-forwarded-host': 'evil.example',
        origin: 'https://evil.example',
        'x-forwarded-proto': 'https',
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: 'email=a%40b.example',
    });
    expect(res.statusCode).toBe(403);
    expect(res.body).toMatch(/Cross-site request refused/);
  });
});

describe('links with PUBLIC_ORIGIN set', () => {
  const t = useTestApp({ env: { TRUST_PROXY: '127.0.0.1', PUBLIC_ORIGIN: 'https://app.bizlumo.in' } });

  it('a reset link points at PUBLIC_ORIGIN whatever the request says', async () => {
    const company = await make.company(t.db.database.db);
    const owner = await make.user(t.db.database.db, company.id, { role: 'owner' });
    expect(await resetLinkFor(t, owner.email, { ...HOSTILE, 'x-forwarded-proto': 'https' })).toMatch(/^https:\/\/app\.bizlumo\.in\/password\/reset\?token=/);
  });
});
