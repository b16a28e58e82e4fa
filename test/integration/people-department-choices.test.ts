import { describe, expect, it, vi } from 'vitest';
import { useSecondInstance, useTestApp } from '../support/app.js';
import { getPage, sessionFor, submitForm } from '../support/auth.js';
import { seedDemo } from '../../src/demo/seed.js';
import { DEPARTMENT_CHOICES_MS } from '../../src/modules/people/department-choices.js';
import { listDepartments } from '../../src/modules/people/index.js';
import { findCompanyByDomain } from '../../src/modules/tenancy/index.js';

/** The department filter of the employee list: a few seconds' memory per company, never another company's. */
describe("the employee list's department filter", () => {
  const t = useTestApp({ seed: async (t) => void (await seedDemo(t.db.database.db, t.config)) });
  const other = useSecondInstance(t);

  const tenantOf = async (domain: string) => (await findCompanyByDomain(t.app.database.db, domain))!.id;
  const choices = (html: string) => [...html.matchAll(/<option value="([^"]*)"[^>]*>([^<]*)<\/option>/g)].map((m) => m[2]);

  it("offers the company's own departments, read once for many views", async () => {
    const acme = await sessionFor(t.app, 'hr@acme.test');
    const globex = await sessionFor(t.app, 'hr@globex.test');
    await getPage(t.app, acme, '/employees');
    const queries = vi.spyOn(t.app.database.pool, 'query');
    let pages: string[];
    try {
      pages = await Promise.all(Array.from({ length: 5 }, async () => (await getPage(t.app, acme, '/employees')).body));
      const sqlOf = (call: unknown[]) => String((call[0] as { sql?: string }).sql ?? call[0]);
      expect(queries.mock.calls.filter((call) => sqlOf(call).includes('from `employees`'))).toHaveLength(5);
      expect(queries.mock.calls.filter((call) => sqlOf(call).includes('from `departments`'))).toHaveLength(0);
    } finally {
      queries.mockRestore();
    }
    for (const page of pages) expect(choices(page)).toEqual(['All', 'Engineering', 'Finance', 'Operations', 'Sales']);
    await submitForm(t.app, globex, '/departments', '/departments', { name: 'Globex Only' });
    expect(choices((await getPage(t.app, globex, '/employees')).body)).toContain('Globex Only');
    expect(choices((await getPage(t.app, acme, '/employees')).body)).not.toContain('Globex Only');
  });

  it("offers a department head only the departments they head, whatever the company's list in memory", async () => {
    await getPage(t.app, await sessionFor(t.app, 'hr@acme.test'), '/employees'); // the company's list is remembered
    const head = await sessionFor(t.app, 'head.engineering@acme.test');
    expect(choices((await getPage(t.app, head, '/employees')).body)).toEqual(['All', 'Engineering']);
  });

  it('shows a new department at once on the instance that made it, and within the cache time on another', async () => {
    const hr = await sessionFor(t.app, 'hr@acme.test');
    await getPage(other.app, hr, '/employees'); // the other instance remembers the list as it was
    expect((await submitForm(t.app, hr, '/departments', '/departments', { name: 'Legal', costCentre: 'CC-500' })).statusCode).toBe(303);
    expect(choices((await getPage(t.app, hr, '/employees')).body)).toContain('Legal');
    expect(choices((await getPage(other.app, hr, '/employees')).body)).not.toContain('Legal');
    await new Promise((resolve) => setTimeout(resolve, DEPARTMENT_CHOICES_MS + 100));
    expect(choices((await getPage(other.app, hr, '/employees')).body)).toContain('Legal');
  });

  it('renaming shows at once on this instance', async () => {
    const hr = await sessionFor(t.app, 'hr@acme.test');
    await getPage(t.app, hr, '/employees');
    const finance = (await listDepartments(t.app.database.db, await tenantOf('acme.test'))).find((d) => d.name === 'Finance')!;
    expect((await submitForm(t.app, hr, '/departments', `/departments/${finance.id}`, { name: 'Finance and Accounts', costCentre: 'CC-400' })).statusCode).toBe(
      303,
    );
    expect(choices((await getPage(t.app, hr, '/employees')).body)).toContain('Finance and Accounts');
  });

  it('a department made on another instance can be given to an employee at once: that check reads the table', async () => {
    const hr = await sessionFor(t.app, 'hr@acme.test');
    await getPage(other.app, hr, '/employees'); // the other instance remembers the list as it was
    await submitForm(t.app, hr, '/departments', '/departments', { name: 'Procurement' });
    expect(choices((await getPage(other.app, hr, '/employees')).body)).not.toContain('Procurement');
    const procurement = (await listDepartments(t.app.database.db, await tenantOf('acme.test'))).find((d) => d.name === 'Procurement')!;
    const res = await submitForm(other.app, hr, '/employees/new', '/employees', {
      code: 'ACM9100',
      fullName: 'Ira Menon',
      dateOfJoining: '2026-04-01',
      workState: 'KA',
      departmentId: procurement.id,
    });
    expect(res.statusCode).toBe(303);
  });
});
