import { afterAll, beforeAll } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppAdapters } from '../../src/app.js';
import { seedDemo } from '../../src/demo/seed.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { testConfig } from './app.js';

export interface ListeningApp {
  app: FastifyInstance;
  db: TestDatabase;
  baseUrl: string;
}

/** A real listening server over a fresh, demo-seeded database, for browser tests. */
export function useListeningApp(options: { env?: Record<string, string>; adapters?: Partial<AppAdapters>; seed?: boolean } = {}) {
  const holder = {} as ListeningApp;
  beforeAll(async () => {
    holder.db = await createTestDatabase();
    const config = testConfig(holder.db.url, options.env);
    if (options.seed !== false) await seedDemo(holder.db.database.db, config);
    holder.app = await buildApp(config, { database: holder.db.database, ...options.adapters });
    await holder.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = holder.app.server.address() as { port: number };
    // "localhost" is a secure context for Chromium, so Secure/__Host- cookies work over plain HTTP.
    holder.baseUrl = `http://localhost:${port}`;
  });
  afterAll(async () => {
    await holder.app?.close();
    await holder.db?.drop();
  });
  return holder;
}
