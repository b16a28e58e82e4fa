import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cookieHeader, csrfTokenOf, useTestApp } from '../support/app.js';
import { HSTS_VALUE } from '../../src/platform/http/security.js';
import { parseInput } from '../../src/platform/http/validate.js';
import { csrfTokenFor } from '../../src/platform/http/csrf.js';

const open = { config: { access: { public: true as const } } };
const testRoutes = (app: import('fastify').FastifyInstance) => {
  app.get('/test/boom', open, async () => {
    throw new Error('database exploded while reading ABCDE1234F');
  });
  app.get('/test/ip', open, async (request) => ({ ip: request.ip, protocol: request.protocol }));
  app.get('/test/form', open, async (_request, reply) =>
    reply.type('text/html').send(`<form method="post"><input type="hidden" name="_csrf" value="${csrfTokenFor(reply)}"></form>`),
  );
  app.post('/test/form', open, async (request) => {
    const input = parseInput(z.object({ name: z.string().min(1, 'is required'), amount: z.coerce.number().finite().nonnegative() }), request.body);
    return { saved: input };
  });
  app.post('/api/test/json', { config: { csrf: false, access: { public: true } } }, async (request) => ({ got: request.body }));
};

describe('HTTP platform, direct connection (no trusted proxy)', () => {
  const t = useTestApp({ prepare: testRoutes });

  it('sends the security headers, with the exact HSTS value', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['strict-transport-security']).toBe(HSTS_VALUE);
    expect(HSTS_VALUE).toBe('max-age=31536000; includeSubDomains');
    const csp = String(res.headers['content-security-policy']);
    for (const directive of ["default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['referrer-policy']).toBe('same-origin');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('ignores X-Forwarded-* from a peer that is not the configured proxy', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/test/ip',
      headers: { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'http' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ip: '127.0.0.1', protocol: 'http' });
  });

  it('serves the stylesheet with caching allowed', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/public/css/app.css' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/css/);
    expect(res.headers['cache-control']).not.toBe('no-store');
  });

  it('answers an unknown page with a 404 page, and JSON to API callers', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/no/such/page' });
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('Page not found');
    const api = await t.app.inject({ method: 'GET', url: '/api/no-such-thing' });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ status: 404, error: 'not_found' });
  });

  it('shows a 500 page with a reference id and nothing of the error', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/test/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.body).toContain(`<code>${res.headers['x-request-id']}</code>`);
    expect(res.body).not.toMatch(/exploded|ABCDE1234F|at .*\.ts/);
    const json = await t.app.inject({ method: 'GET', url: '/test/boom', headers: { accept: 'application/json' } });
    expect(json.json()).toEqual({ status: 500, error: 'internal', message: 'Something went wrong on our side.', reference: json.headers['x-request-id'] });
  });

  it('refuses a state-changing request without a CSRF token (403)', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/test/form', payload: { name: 'x', amount: '1' } });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('_csrf');
  });

  async function formSession() {
    const page = await t.app.inject({ method: 'GET', url: '/test/form' });
    return { cookie: cookieHeader(page.headers['set-cookie']), token: csrfTokenOf(page.body) };
  }

  it('accepts a form with a valid CSRF token', async () => {
    const { cookie, token } = await formSession();
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/form',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
      payload: `_csrf=${encodeURIComponent(token)}&name=Ravi&amount=12.5&unknown=ignored`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ saved: { name: 'Ravi', amount: 12.5 } });
  });

  it('refuses a cross-site request even with a valid token', async () => {
    const { cookie, token } = await formSession();
    const crossSite = await t.app.inject({
      method: 'POST',
      url: '/test/form',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' },
      payload: `_csrf=${encodeURIComponent(token)}&name=Ravi&amount=1`,
    });
    expect(crossSite.statusCode).toBe(403);
    const foreignOrigin = await t.app.inject({
      method: 'POST',
      url: '/test/form',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      payload: `_csrf=${encodeURIComponent(token)}&name=Ravi&amount=1`,
    });
    expect(foreignOrigin.statusCode).toBe(403);
  });

  it('answers bad form input with 400 naming the field', async () => {
    const { cookie, token } = await formSession();
    for (const payload of [`name=&amount=1`, `name=%E0%A4&amount=NaN`, `name=x&amount=Infinity`, `name=x&amount=-5`, `name=x&amount=%zz`]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/test/form',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        payload: `_csrf=${encodeURIComponent(token)}&${payload}`,
      });
      expect(res.statusCode, payload).toBe(400);
      expect(
        res.json().problems.map((p: { field: string }) => p.field),
        payload,
      ).toEqual(expect.arrayContaining([expect.stringMatching(/^(name|amount)$/)]));
    }
  });

  it('answers malformed JSON with 400, an oversized body with 413 and an unknown type with 415', async () => {
    const malformed = await t.app.inject({ method: 'POST', url: '/api/test/json', headers: { 'content-type': 'application/json' }, payload: '{"a":' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().message).toMatch(/^body:/);
    const big = await t.app.inject({
      method: 'POST',
      url: '/api/test/json',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ a: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(big.statusCode).toBe(413);
    const odd = await t.app.inject({ method: 'POST', url: '/api/test/json', headers: { 'content-type': 'application/x-strange' }, payload: 'x' });
    expect(odd.statusCode).toBe(415);
    const bigForm = await t.app.inject({
      method: 'POST',
      url: '/test/form',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `name=${'x'.repeat(300 * 1024)}`,
    });
    expect(bigForm.statusCode).toBe(413);
  });
});

describe('HTTP platform behind the trusted proxy', () => {
  const t = useTestApp({ env: { TRUST_PROXY: '127.0.0.1' }, prepare: testRoutes });

  it('redirects a plain-HTTP page request to HTTPS with 301, at our own address (here the listen address), not the Host named', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/employees?page=2', headers: { host: 'app.bizlumo.in', 'x-forwarded-proto': 'http' } });
    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toBe(`https://localhost:${t.config.port}/employees?page=2`);
  });

  it('answers plain-HTTP API and webhook calls with an error instead of a redirect', async () => {
    for (const url of ['/api/kiosk/v1/recognize', '/webhooks/razorpay']) {
      const res = await t.app.inject({ method: 'POST', url, headers: { 'x-forwarded-proto': 'http', 'content-type': 'application/json' }, payload: '{}' });
      expect(res.statusCode, url).toBe(403);
      expect(res.json().error).toBe('https_required');
    }
  });

  it('exempts the health endpoints', async () => {
    for (const url of ['/healthz', '/readyz']) {
      const res = await t.app.inject({ method: 'GET', url, headers: { 'x-forwarded-proto': 'http' } });
      expect(res.statusCode, url).toBe(200);
    }
  });

  it('serves HTTPS requests and takes the client address from X-Forwarded-For', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/test/ip', headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.7' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ip: '198.51.100.7', protocol: 'https' });
  });

  it('cannot be fooled by a client that prepends its own X-Forwarded-For', async () => {
    // The proxy appends the real peer; the client's forged entry is further left and untrusted.
    const res = await t.app.inject({
      method: 'GET',
      url: '/test/ip',
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '10.9.9.9, 198.51.100.7' },
    });
    expect(res.json().ip).toBe('198.51.100.7');
  });
});

describe('HTTPS redirect with PUBLIC_ORIGIN set', () => {
  const t = useTestApp({ env: { TRUST_PROXY: '127.0.0.1', PUBLIC_ORIGIN: 'https://app.bizlumo.in' } });

  it('redirects to our own origin whatever Host the request names', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/login?x=1', headers: { host: 'evil.example', 'x-forwarded-proto': 'http' } });
    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toBe('https://app.bizlumo.in/login?x=1');
  });
});
