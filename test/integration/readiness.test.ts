import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { createDatabase, type Database } from '../../src/platform/db/client.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { testConfig } from '../support/app.js';
import { TcpProxy } from '../support/tcp-proxy.js';

describe('readiness follows the database', () => {
  let testDb: TestDatabase;
  let proxy: TcpProxy;
  let database: Database;
  let app: FastifyInstance;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const real = new URL(testDb.url);
    proxy = new TcpProxy({ host: real.hostname, port: Number(real.port || 3306) });
    const port = await proxy.start();
    const viaProxy = new URL(testDb.url);
    viaProxy.host = `127.0.0.1:${port}`;
    database = createDatabase({ url: viaProxy.toString(), poolSize: 2 });
    app = await buildApp(testConfig(viaProxy.toString()), { database });
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
    await database?.close().catch(() => {});
    await proxy?.cut();
    await testDb?.drop();
  });

  it('is ready while the database answers', async () => {
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', database: 'up' });
  });

  it('answers 503 quickly when the database is down, while /healthz stays 200', async () => {
    await proxy.cut();
    const started = Date.now();
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'unavailable', database: 'down' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('recovers without a restart once the database is back', async () => {
    await proxy.restore();
    let status = 0;
    for (let attempt = 0; attempt < 20 && status !== 200; attempt++) {
      status = (await app.inject({ method: 'GET', url: '/readyz' })).statusCode;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
  });
});
