import { afterAll, beforeAll } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp, type AppAdapters } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createTestDatabase, type TestDatabase } from './db.js';

/** Each call gets its own data folder (outbox, local key file), so test files never share one. */
export function testConfig(databaseUrl: string, env: Record<string, string> = {}): Config {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bz-data-'));
  return loadConfig({ NODE_ENV: 'test', DATABASE_URL: databaseUrl, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', DATA_DIR: dataDir, ...env });
}

export interface TestApp {
  app: FastifyInstance;
  db: TestDatabase;
  config: Config;
}

/**
 * Builds the app once per test file over its own fresh database. `prepare` may add routes before
 * the app is ready (for example a route that throws, to see the 500 page).
 */
export function useTestApp(
  options: {
    env?: Record<string, string>;
    prepare?: (app: FastifyInstance) => void | Promise<void>;
    adapters?: () => Partial<AppAdapters>;
    seed?: (t: TestApp) => Promise<void>;
  } = {},
) {
  const holder = {} as TestApp;
  beforeAll(async () => {
    holder.db = await createTestDatabase();
    holder.config = testConfig(holder.db.url, options.env);
    await options.seed?.(holder);
    holder.app = await buildApp(holder.config, { database: holder.db.database, ...options.adapters?.() });
    await options.prepare?.(holder.app);
    await holder.app.ready();
  });
  afterAll(async () => {
    await holder.app?.close();
    await holder.db?.drop();
  });
  return holder;
}

/** Pulls `name=value` pairs from set-cookie headers into a Cookie header value. */
export function cookieHeader(setCookie: string | string[] | undefined, existing = ''): string {
  const jar = new Map<string, string>();
  for (const part of existing
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    jar.set(part.slice(0, eq), part.slice(eq + 1));
  }
  for (const line of [setCookie ?? []].flat()) {
    const pair = line.split(';')[0]!;
    const eq = pair.indexOf('=');
    const value = pair.slice(eq + 1);
    if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) jar.delete(pair.slice(0, eq));
    else jar.set(pair.slice(0, eq), value);
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** The CSRF token of a rendered form. */
export function csrfTokenOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no _csrf field in the page');
  return match[1]!;
}

/**
 * A second app instance over the same database, as a second ECS task would be: for what must reach
 * every instance (revocations, caches). Built after the first, closed with the file.
 */
export function useSecondInstance(first: TestApp) {
  const holder = {} as { app: FastifyInstance };
  beforeAll(async () => {
    holder.app = await buildApp(first.config, { database: first.db.database });
    await holder.app.ready();
  });
  afterAll(async () => {
    await holder.app?.close();
  });
  return holder;
}
