import { beforeAll, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { useTestApp } from '../support/app.js';
import { getPage, sessionFor, type Browserish } from '../support/auth.js';
import { testClock } from '../support/clock.js';
import * as factories from '../support/factories.js';
import { insertPunches, istAt, workedDay, type PunchSpec } from '../support/punches.js';
import { datesBetween, weekday } from '../../src/platform/clock/index.js';
import { newId } from '../../src/platform/db/columns.js';
import { insertEmployeeRows } from '../../src/modules/people/index.js';

/**
 * The team pages for a company of 300 employees in three departments with a month of punches
 * (about 15,000 rows) and this morning's: how long each page takes through app.inject, median of 7.
 * The bounds are loose (a shared 2-core machine); the figures are printed for the note.
 */
const EMPLOYEES = 300;
const clock = testClock(istAt('2026-12-15', '12:00'));
const t = useTestApp({ adapters: () => ({ clock }) });
const db = () => t.app.database.db;
let hr: Browserish;
let engineering: string;

beforeAll(async () => {
  const acme = await factories.company(db());
  const departments: string[] = [];
  for (const name of ['Engineering', 'Sales', 'Operations']) departments.push((await factories.department(db(), acme.id, { name })).id);
  engineering = departments[0]!;
  const ids = Array.from({ length: EMPLOYEES }, () => newId());
  await insertEmployeeRows(
    db(),
    acme.id,
    ids.map((id, i) => ({
      id,
      code: `L${String(i).padStart(4, '0')}`,
      fullName: `Load Person ${i}`,
      departmentId: departments[i % 3]!,
      dateOfJoining: '2025-01-01',
      workState: 'KA',
    })),
  );
  const workingDays = datesBetween('2026-11-01', '2026-12-14').filter((d) => weekday(d) !== 0);
  const punches: PunchSpec[] = [];
  ids.forEach((id, i) => {
    workingDays.forEach((date, d) => {
      if ((i + d) % 10 === 0) return; // one day in ten absent
      const late = (i * 7 + d) % 9 === 0;
      punches.push(...workedDay(id, date, late ? '10:05' : '09:20', '18:40', i % 4 === 0 ? 'pin' : 'face'));
    });
    if (i % 5 !== 0) punches.push({ employeeId: id, at: istAt('2026-12-15', i % 6 === 0 ? '10:10' : '09:25') });
  });
  await insertPunches(db(), acme.id, punches);
  hr = await sessionFor(t.app, (await factories.user(db(), acme.id, { role: 'hr_admin' })).email);
}, 120_000);

async function medianMs(url: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const started = performance.now();
    const res = await getPage(t.app, hr, url);
    times.push(performance.now() - started);
    expect(res.statusCode).toBe(200);
  }
  return times.sort((a, b) => a - b)[3]!;
}

describe(`team pages for ${EMPLOYEES} employees`, () => {
  it('render within bounds', async () => {
    const pages = {
      'month grid, whole company (300 rows)': '/attendance/month?month=2026-11',
      'month grid, one department (100 rows)': `/attendance/month?month=2026-11&department=${engineering}`,
      'month grid, running month': '/attendance/month',
      "today's board, whole company": '/attendance/today',
      "today's board, one department": `/attendance/today?department=${engineering}`,
      'punch log, last seven days (latest 200)': '/attendance/punches',
      'punch log, one employee': '/attendance/punches?employeeCode=L0042',
    };
    const figures: Record<string, string> = {};
    for (const [name, url] of Object.entries(pages)) {
      const ms = await medianMs(url);
      figures[name] = `${ms.toFixed(1)} ms`;
      expect(ms, name).toBeLessThan(3000);
    }
    console.log('attendance page times (median of 7):', figures);
    const grid = await getPage(t.app, hr, '/attendance/month?month=2026-11');
    expect([...grid.body.matchAll(/<span class="code">L\d{4}<\/span>/g)]).toHaveLength(EMPLOYEES);
    console.log('month grid HTML size:', `${Math.round(grid.body.length / 1024)} KiB`);
  }, 120_000);

  it('read punches in one query for the whole grid and one for the board, whatever the head count', async () => {
    const statements = await sqlOf('/attendance/month?month=2026-11');
    expect(statements.filter((s) => /from `punches`/.test(s))).toHaveLength(1);
    expect(statements.length, statements.join('\n')).toBeLessThan(10);
    const board = await sqlOf('/attendance/today');
    console.log('SQL statements per page:', { monthGrid: statements.length, board: board.length });
    expect(board.filter((s) => /from `punches`/.test(s))).toHaveLength(1); // the day's punches carry how the first ins were made
    expect(board.length).toBeLessThan(10);
  });
});

/** Every SQL statement the app sends while serving one page (drizzle calls the pool's query or execute). */
async function sqlOf(url: string): Promise<string[]> {
  const pool = t.app.database.pool as unknown as Record<'query' | 'execute', (...args: unknown[]) => unknown>;
  const seen: string[] = [];
  const originals = { query: pool.query, execute: pool.execute };
  for (const method of ['query', 'execute'] as const) {
    pool[method] = function (this: unknown, ...args: unknown[]) {
      const statement = args[0] as string | { sql: string };
      seen.push(typeof statement === 'string' ? statement : statement.sql);
      return originals[method].apply(this, args);
    };
  }
  try {
    expect((await getPage(t.app, hr, url)).statusCode).toBe(200);
  } finally {
    Object.assign(pool, originals);
  }
  return seen;
}
