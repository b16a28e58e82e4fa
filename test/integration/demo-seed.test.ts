import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { seedDemo, DEMO_EMPLOYEES_PER_COMPANY } from '../../src/demo/seed.js';
import { declinesFace, DEMO_KIOSK } from '../../src/demo/kiosk.js';
import { readDemoKioskKey, saveDemoKioskKey } from '../../src/demo/faces.js';
import { loadConfig } from '../../src/config.js';
import { previousMonth } from '../../src/demo/payroll.js';

// Its own data folder: the seed saves the demo kiosks' keys there.
const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'bz-seed-')) });
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

  it('gives every demo employee a salary structure, CTCs from 2.4 L to 40 L', async () => {
    const [rows] = (await t.database.db.execute(
      sql`SELECT c.domain, COUNT(s.id) AS structures, MIN(s.annual_ctc) AS lowest, MAX(s.annual_ctc) AS highest, COUNT(DISTINCT s.template_id) AS templates
        FROM companies c JOIN employees e ON e.tenant_id = c.id LEFT JOIN salary_structures s ON s.employee_id = e.id AND s.tenant_id = c.id GROUP BY c.domain ORDER BY c.domain`,
    )) as unknown as [{ domain: string; structures: number; lowest: number; highest: number; templates: number }[]];
    expect(rows.map((r) => [r.domain, Number(r.structures), Number(r.lowest), Number(r.highest), Number(r.templates)])).toEqual([
      ['acme.test', DEMO_EMPLOYEES_PER_COMPANY, 240_000, 4_000_000, 2],
      ['globex.test', DEMO_EMPLOYEES_PER_COMPANY, 240_000, 4_000_000, 2],
    ]);
  });

  it("approves the previous month's run, started by HR and approved by the owner, one payslip per active employee", async () => {
    const month = previousMonth(new Date());
    const [runs] = (await t.database.db.execute(
      sql`SELECT c.domain, r.id, r.status, r.employees_total AS total, maker.email AS maker, checker.email AS checker,
        (SELECT COUNT(*) FROM payslips p WHERE p.run_id = r.id) AS payslips,
        (SELECT COUNT(*) FROM employees e WHERE e.tenant_id = c.id AND (e.date_of_leaving IS NULL OR e.date_of_leaving >= ${`${month}-01`})) AS active,
        (SELECT MIN(p.net) FROM payslips p WHERE p.run_id = r.id) AS lowestNet,
        (SELECT SUM(p.esi_covered) FROM payslips p WHERE p.run_id = r.id) AS esiCovered,
        (SELECT SUM(p.lop_half_days > 0) FROM payslips p WHERE p.run_id = r.id) AS withLop
        FROM pay_runs r JOIN companies c ON c.id = r.tenant_id JOIN users maker ON maker.id = r.started_by JOIN users checker ON checker.id = r.approved_by
        WHERE r.month = ${month} ORDER BY c.domain`,
    )) as unknown as [
      {
        domain: string;
        id: string;
        status: string;
        total: number;
        maker: string;
        checker: string;
        payslips: number;
        active: number;
        lowestNet: number;
        esiCovered: number;
        withLop: number;
      }[],
    ];
    expect(runs.map((r) => [r.domain, r.status, r.maker, r.checker])).toEqual([
      ['acme.test', 'approved', 'hr@acme.test', 'owner@acme.test'],
      ['globex.test', 'approved', 'hr@globex.test', 'owner@globex.test'],
    ]);
    for (const run of runs) {
      expect(Number(run.payslips)).toBe(Number(run.active));
      expect(Number(run.total)).toBe(Number(run.active));
      expect(Number(run.lowestNet)).toBeGreaterThan(0);
      expect(Number(run.esiCovered)).toBeGreaterThan(0);
      expect(Number(run.withLop)).toBeGreaterThan(0);
    }
    const [states] = (await t.database.db.execute(
      sql`SELECT DISTINCT c.domain, JSON_UNQUOTE(JSON_EXTRACT(p.input, '$.state')) AS state FROM payslips p JOIN companies c ON c.id = p.tenant_id WHERE p.month = ${month} AND p.professional_tax >= 0`,
    )) as unknown as [{ domain: string; state: string }[]];
    for (const domain of ['acme.test', 'globex.test']) expect(states.filter((s) => s.domain === domain).length).toBeGreaterThanOrEqual(4);
    const [audit] = (await t.database.db.execute(
      sql`SELECT action, COUNT(*) AS n FROM audit_events WHERE action IN ('pay_run.started', 'pay_run.approved') GROUP BY action ORDER BY action`,
    )) as unknown as [{ action: string; n: number }[]];
    expect(audit.map((a) => [a.action, Number(a.n)])).toEqual([
      ['pay_run.approved', 2],
      ['pay_run.started', 2],
    ]);
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
    // The same kiosk (its key is still there) and no second set of samples.
    const [kiosks] = (await t.database.db.execute(sql`SELECT COUNT(*) AS n FROM kiosks`)) as unknown as [{ n: number }[]];
    expect(Number(kiosks[0]!.n)).toBe(2);
    expect(again.companies.map((c) => c.kiosk.kioskId)).toEqual(['acme.test', 'globex.test'].map((d) => readDemoKioskKey(config, d)!.kioskId));
    const [samples] = (await t.database.db.execute(sql`SELECT COUNT(*) AS n FROM face_samples`)) as unknown as [{ n: number }[]];
    expect(Number(samples[0]!.n)).toBe(2 * 3 * again.companies[0]!.kiosk.enrolled);
    // The same approved runs and structures: nothing recomputed, nothing doubled.
    const [payroll] = (await t.database.db.execute(
      sql`SELECT (SELECT COUNT(*) FROM pay_runs) AS runs, (SELECT COUNT(*) FROM salary_structures) AS structures, (SELECT COUNT(*) FROM salary_templates) AS templates,
        (SELECT COUNT(*) FROM audit_events WHERE action = 'pay_run.started') AS started`,
    )) as unknown as [{ runs: number; structures: number; templates: number; started: number }[]];
    expect(Object.values(payroll[0]!).map(Number)).toEqual([2, 120, 4, 2]);
    expect(again.companies.map((c) => c.payroll.payslips)).toEqual([60, 60]);
  });

  it('pairs one demo kiosk per company, its key saved under the data folder, and enrols those who consent', async () => {
    const [rows] = (await t.database.db.execute(
      sql`SELECT c.domain, k.id, k.name, k.status, (SELECT COUNT(*) FROM face_samples s WHERE s.tenant_id = c.id) AS samples,
        (SELECT COUNT(*) FROM face_consents f WHERE f.tenant_id = c.id AND f.text_version = ${DEMO_KIOSK.consentTextVersion} AND f.kiosk_id = k.id) AS consents,
        (SELECT enrolment_version FROM attendance_settings a WHERE a.tenant_id = c.id) AS version
        FROM companies c JOIN kiosks k ON k.tenant_id = c.id ORDER BY c.domain`,
    )) as unknown as [{ domain: string; id: string; name: string; status: string; samples: number; consents: number; version: number }[]];
    const [codes] = (await t.database.db.execute(sql`SELECT code FROM employees WHERE code LIKE 'ACM%'`)) as unknown as [{ code: string }[]];
    const consenting = codes.filter((c) => !declinesFace(c.code)).length;
    expect(consenting).toBeLessThan(DEMO_EMPLOYEES_PER_COMPANY); // some decline: the demo shows PIN is the other way
    expect(rows.map((r) => [r.domain, r.name, r.status, Number(r.samples), Number(r.consents)])).toEqual([
      ['acme.test', 'Demo kiosk', 'active', consenting * 3, consenting],
      ['globex.test', 'Demo kiosk', 'active', consenting * 3, consenting],
    ]);
    for (const row of rows) {
      const key = readDemoKioskKey(config, row.domain)!;
      expect(key.kioskId).toBe(row.id);
      expect(key.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      expect(key.enrolled).toHaveLength(consenting);
      expect(statSync(path.join(config.dataDir, 'demo-kiosks', `${row.domain}.json`)).mode & 0o077).toBe(0); // the owner's alone
    }
  });

  it('never writes a demo kiosk key in production', () => {
    expect(() => saveDemoKioskKey({ ...config, isProduction: true }, { domain: 'x.test', kioskId: 'k', privateKeyPem: 'p', enrolled: [] })).toThrow(
      /never written in production/,
    );
  });

  it('never runs in production', async () => {
    await expect(seedDemo(t.database.db, { ...config, isProduction: true })).rejects.toThrow(/never runs in production/);
  });
});
