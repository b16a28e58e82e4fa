import { describe, expect, it } from 'vitest';
import { useTestApp, csrfTokenOf } from '../support/app.js';
import { getPage, sessionFor } from '../support/auth.js';
import { seedDemo } from '../../src/demo/seed.js';

/**
 * security.md, last section: bad input gets a clear 4xx, never a 500. Every registered route, as an
 * owner and an HR admin (who reach the most handlers), gets the same set of hostile bodies and params.
 */
const NASTY_BODIES: { name: string; contentType: string; payload: string }[] = [
  {
    name: 'arrays for every field',
    contentType: 'application/x-www-form-urlencoded',
    payload: 'email=a&email=b&password=x&password=y&role=owner&role=employee&code=1&code=2&field=pan&field=bankAccount&required=yes&required=no&name=a&name=b',
  },
  {
    name: 'JSON objects where strings go',
    contentType: 'application/json',
    payload:
      '{"email":{"$ne":null},"password":["x"],"role":{"a":1},"code":null,"fullName":{},"dateOfJoining":12,"workState":[],"field":{"x":1},"reason":true,"heads":[{"x":1}],"required":null,"token":{"a":1}}',
  },
  {
    name: 'NaN, Infinity and negatives',
    contentType: 'application/x-www-form-urlencoded',
    payload: 'page=NaN&amount=Infinity&dateOfJoining=-1&code=-5&workState=%00',
  },
  {
    name: 'HTML, SQL and control characters',
    contentType: 'application/x-www-form-urlencoded',
    payload: `fullName=${encodeURIComponent("<script>alert(1)</script>'; DROP TABLE employees; --")}&code=${encodeURIComponent('A\u0000B')}&email=${encodeURIComponent('x@y.z\r\nBcc: a@b.c')}`,
  },
  { name: 'broken percent-encoding', contentType: 'application/x-www-form-urlencoded', payload: 'email=%E0%A4%A&password=%zz&name=%' },
  { name: 'prototype pollution', contentType: 'application/json', payload: '{"__proto__":{"role":"owner"},"constructor":{"prototype":{"admin":true}}}' },
];
const NASTY_PARAMS = ['..%2F..%2Fetc%2Fpasswd', '%00', 'x'.repeat(300), '0190aaaa-0000-7000-8000-000000000000'];

describe('hostile input on every route', () => {
  const t = useTestApp({ seed: async (t) => void (await seedDemo(t.db.database.db, t.config)) });

  it('never answers 500', async () => {
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (const email of ['owner@acme.test', 'hr@acme.test']) {
      for (const { method, url: pattern } of t.app.routeRules) {
        const urls = pattern.includes(':') ? NASTY_PARAMS.map((p) => pattern.replace(/:\w+/g, p)) : [pattern.replace('*', 'css/app.css')];
        for (const url of urls) {
          // A fresh session each time: some routes (logout, sign out everywhere) end the one they get.
          const jar = await sessionFor(t.app, email);
          const token = csrfTokenOf((await getPage(t.app, jar, '/account')).body);
          const bodies = method === 'GET' ? [undefined] : NASTY_BODIES;
          for (const body of bodies) {
            const query = method === 'GET' ? `${url.includes('?') ? '&' : '?'}page=-1&q=${'%'.repeat(5)}&department=x&token[]=a` : '';
            const res = await t.app.inject({
              method: method as 'GET' | 'POST',
              url: url + query,
              headers: { cookie: jar.cookie, 'x-csrf-token': token, 'sec-fetch-site': 'same-origin', ...(body ? { 'content-type': body.contentType } : {}) },
              payload: body?.payload,
            });
            statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
            if (res.statusCode >= 500) failures.push(`${method} ${url} as ${email}${body ? ` with ${body.name}` : ''}: ${res.statusCode}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    // Most requests must have got past access and CSRF into validation, or this tested nothing.
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(total / 2);
  }, 120_000);
});
