import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { seedDemo } from '../../src/demo/seed.js';
import { readDemoKioskKey } from '../../src/demo/faces.js';
import { planDay, simulateDay } from '../../src/demo/simulate.js';
import { kioskNonces, punches } from '../../src/modules/attendance/index.js';
import { employees } from '../../src/modules/people/index.js';
import { istDay, istDayBounds } from '../../src/platform/clock/index.js';
import { testConfig } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/** `npm run kiosk:simulate` against a listening, demo-seeded server: punches through the real signed API. */
let db: TestDatabase;
let config: Config;
let app: FastifyInstance;
let url: string;

beforeAll(async () => {
  db = await createTestDatabase();
  config = testConfig(db.url);
  await seedDemo(db.database.db, config);
  app = await buildApp(config, { database: db.database });
  await app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe('kiosk:simulate', () => {
  it('plans a realistic day: some absent, check-ins 08:45–10:30, check-outs in the evening, the same on every run', () => {
    const codes = Array.from({ length: 200 }, (_, i) => `ACM${String(i + 1).padStart(4, '0')}`);
    const plan = planDay('acme.test', codes, '2026-12-02');
    expect(planDay('acme.test', codes, '2026-12-02')).toEqual(plan);
    expect(plan.absent.length).toBeGreaterThan(0);
    expect(plan.absent.length).toBeLessThan(40);
    const istTime = (at: Date) => new Date(at.getTime() + 5.5 * 3600_000).toISOString().slice(11, 16);
    const ins = plan.punches.filter((p) => p.direction === 'in').map((p) => istTime(p.at));
    const outs = plan.punches.filter((p) => p.direction === 'out').map((p) => istTime(p.at));
    expect(ins.length).toBe(200 - plan.absent.length);
    expect(ins.every((t) => t >= '08:45' && t <= '10:30')).toBe(true);
    expect(ins.filter((t) => t > '09:45').length).toBeGreaterThan(10); // some late
    expect(outs.every((t) => t >= '17:30' && t <= '19:30')).toBe(true);
  });

  it('posts the day so far through the signed API: every present employee punched in, nobody absent', async () => {
    const key = readDemoKioskKey(config, 'acme.test')!;
    const today = istDay(new Date());
    const midday = new Date(istDayBounds(today).start.getTime() + 13 * 3600_000);
    const result = await simulateDay({ url, key, upTo: midday });
    const plan = planDay('acme.test', key.enrolled, today);
    expect(result.absent).toEqual(plan.absent);
    expect(result.posted).toHaveLength(key.enrolled.length - plan.absent.length);
    expect(result.posted.every((p) => p.direction === 'in' && /^in [A-Z][a-z]+$/.test(p.answer))).toBe(true);

    const rows = await db.database.db
      .select({ code: employees.code, direction: punches.direction, method: punches.method, kioskId: punches.kioskId, distance: punches.distance })
      .from(punches)
      .innerJoin(employees, eq(employees.id, punches.employeeId))
      .where(and(eq(punches.istDay, today)));
    expect(rows.map((r) => r.code).sort()).toEqual(result.posted.map((p) => p.code).sort());
    expect(rows.every((r) => r.direction === 'in' && r.method === 'face' && r.kioskId === key.kioskId && r.distance! < 0.2)).toBe(true);
    expect(rows.some((r) => plan.absent.includes(r.code))).toBe(false);
    // Each punch spent its own nonce: the real API, not a shortcut.
    const used = await db.database.db.select().from(kioskNonces).where(eq(kioskNonces.kioskId, key.kioskId));
    expect(used.filter((n) => n.usedAt !== null)).toHaveLength(rows.length);
  });
});
