import { describe, expect, it } from 'vitest';
import { scrubEvent, scrubText } from '../../src/platform/observability/scrub.js';

describe('Sentry scrubber', () => {
  it('removes PAN, Aadhaar, account-number and e-mail shapes from text', () => {
    const text = 'PAN ABCDE1234F aadhaar 2345 6789 0123 acct 123456789012345 mail ravi.k@acme.test';
    const scrubbed = scrubText(text);
    expect(scrubbed).toBe('PAN [pan] aadhaar [aadhaar] acct [number] mail [email]');
  });

  it('drops cookies, authorization, bodies and query strings, and keeps only an opaque user id', () => {
    const event = {
      message: 'failed for ABCDE1234F',
      request: {
        url: 'https://app.bizlumo.in/reset?token=secret-token',
        method: 'POST',
        headers: { cookie: '__Host-session=abc', authorization: 'Bearer x', 'user-agent': 'Mozilla' },
        cookies: { '__Host-session': 'abc' },
        data: { pan: 'ABCDE1234F' },
        query_string: 'token=secret-token',
      },
      user: { id: 'u-123', email: 'ravi@acme.test', username: 'Ravi' },
      extra: { nested: { account: 'acct 987654321098' } },
    };
    const scrubbed = scrubEvent(event);
    const json = JSON.stringify(scrubbed);
    expect(json).not.toMatch(/ABCDE1234F|secret-token|__Host-session|Bearer|ravi|987654321098/i);
    expect(scrubbed.request).toEqual({ url: 'https://app.bizlumo.in/reset', method: 'POST', headers: { 'user-agent': 'Mozilla' } });
    expect(scrubbed.user).toEqual({ id: 'u-123' });
    expect(scrubbed.message).toBe('failed for [pan]');
  });
  it("drops bcrypt hashes and a failed query's parameters, keeping the query's shape", () => {
    const hash = '$2b$12$' + 'a'.repeat(22) + 'b'.repeat(31);
    const message = `Failed query: insert into \`users\` (\`id\`, \`email\`, \`password_hash\`) values (?, ?, ?)\nparams: 0193,ravi.k@acme.test,${hash}`;
    const scrubbed = scrubText(message);
    expect(scrubbed).toBe('Failed query: insert into `users` (`id`, `email`, `password_hash`) values (?, ?, ?)\nparams: [dropped]');
    expect(scrubText(`hash ${hash} leaked`)).toBe('hash [hash] leaked');
  });
});
