import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { seedDemo, DEMO_EMPLOYEES_PER_COMPANY } from '../../src/demo/seed.js';
import { loadConfig } from '../../src/config.js';

const config = loadConfig({ NODE_ENV: 'test' });
import { createTestDatabase, type TestDatabase } from '../support/db.js';

describe('demo seed', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it('creates two companies with four departments and 60 employees each', async () => {
    const summary = await seedDemo(t.database.db, config);
    expect(summary.companies.map((c) => [c.name, c.domain, c.employees])).toEqual([
      ['Acme Industries', 'acme.test', DEMO_EMPLOYEES_PER_COMPANY],
      ['Globex Labs', 'globex.test', DEMO_EMPLOYEES_PER_COMPANY],
    ]);
    const [departments] = (await t.database.db.execute(
      sql`SELECT c.domain, d.name, COUNT(e.id) AS people FROM departments d JOIN companies c ON c.id = d.tenant_id LEFT JOIN employees e ON e.department_id = d.id GROUP BY c.domain, d.name ORDER BY c.domain, d.name`,
    )) as unknown as [{ domain: string; name: string; people: number }[]];
    expect(departments.map((d) => `${d.domain}/${d.name}`)).toEqual([
      'acme.test/Engineering',
      'acme.test/Finance',
      'acme.test/Operations',
      'acme.test/Sales',
      'globex.test/Engineering',
      'globex.test/Finance',
      'globex.test/Operations',
      'globex.test/Sales',
    ]);
    expect(departments.every((d) => Number(d.people) === 15)).toBe(true);
  });

  it('gives people plausible Indian names, unique within a company', async () => {
    const [rows] = (await t.database.db.execute(sql`SELECT tenant_id, full_name, email, work_state FROM employees`)) as unknown as [
      { tenant_id: string; full_name: string; email: string; work_state: string }[],
    ];
    expect(new Set(rows.map((r) => `${r.tenant_id}/${r.full_name}`)).size).toBe(rows.length);
    expect(rows.every((r) => /^[A-Z][a-z]+ [A-Z][a-z]+$/.test(r.full_name))).toBe(true);
    expect(rows.every((r) => /@(acme|globex)\.test$/.test(r.email))).toBe(true);
  });

  it('is idempotent', async () => {
    const again = await seedDemo(t.database.db, config);
    expect(again.companies.map((c) => c.employees)).toEqual([60, 60]);
    const [count] = (await t.database.db.execute(sql`SELECT COUNT(*) AS n FROM companies`)) as unknown as [{ n: number }[]];
    expect(Number(count[0]!.n)).toBe(2);
  });

  it('never runs in production', async () => {
    await expect(seedDemo(t.database.db, { ...config, isProduction: true })).rejects.toThrow(/never runs in production/);
  });
});
