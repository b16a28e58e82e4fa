import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { flushSentry, initSentry } from '../../src/platform/observability/sentry.js';
import { createAlerter } from '../../src/platform/observability/alert.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { testConfig } from '../support/app.js';

/**
 * Sentry's servers are outside our reach, so a local HTTP server plays the ingest endpoint: the real
 * SDK, our init and our scrubber all run, and we read exactly what would have left the building.
 */
describe('error reports to Sentry carry no personal data', () => {
  const envelopes: string[] = [];
  let ingest: http.Server;
  let t: TestDatabase;
  let app: FastifyInstance;

  beforeAll(async () => {
    ingest = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        envelopes.push(req.headers['content-encoding'] === 'gzip' ? gunzipSync(body).toString() : body.toString());
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => ingest.listen(0, '127.0.0.1', resolve));
    const port = (ingest.address() as { port: number }).port;
    t = await createTestDatabase();
    const config = testConfig(t.url, { SENTRY_DSN: `http://publickey@127.0.0.1:${port}/42` });
    expect(initSentry(config)).toBe(true);
    app = await buildApp(config, { database: t.database });
    app.get('/test/boom', { config: { access: { public: true } } }, async () => {
      throw new Error('could not save PAN ABCDE1234F for account 123456789012345');
    });
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
    await t?.drop();
    ingest?.close();
  });

  it('sends the error with its reference id but without cookies, query strings or PAN/account shapes', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/test/boom?token=reset-secret',
      headers: { cookie: '__Host-session=very-secret-session', authorization: 'Bearer abc' },
    });
    expect(res.statusCode).toBe(500);
    await flushSentry(5000);
    const sent = envelopes.join('\n');
    expect(sent).toContain('could not save PAN [pan] for account [number]');
    expect(sent).toContain(String(res.headers['x-request-id']));
    expect(sent).not.toMatch(/ABCDE1234F|123456789012345|very-secret-session|reset-secret|Bearer abc/);
  });

  it('sends alerts as a structured log line and a Sentry message', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (lines.push(chunk.toString()), done()) }));
    const alert = createAlerter(logger);
    envelopes.length = 0;
    alert('login.failures', { ip: '203.0.113.5', failures: 5 });
    await flushSentry(5000);
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ alert: 'login.failures', ip: '203.0.113.5', failures: 5, level: 40 });
    expect(envelopes.join('\n')).toContain('alert: login.failures');
  });
});
