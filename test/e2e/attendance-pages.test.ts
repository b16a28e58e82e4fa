/// <reference lib="dom" />
import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { and, asc, eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { browserAvailable, screenshots, useBrowser } from '../support/browser.js';
import { useListeningApp } from '../support/server.js';
import { insertPunches } from '../support/punches.js';
import { findCompanyByDomain } from '../../src/modules/tenancy/index.js';
import { employees, listDepartments } from '../../src/modules/people/index.js';

describe.runIf(browserAvailable)('attendance team pages in a real browser', () => {
  const server = useListeningApp();
  const chrome = useBrowser();
  /** Who punched in this morning: two of Engineering, one of Sales (the demo seed has no punches). */
  const inToday: Record<'engineering' | 'sales', string[]> = { engineering: [], sales: [] };

  beforeAll(async () => {
    const db = server.db.database.db;
    const acme = (await findCompanyByDomain(db, 'acme.test'))!;
    const departments = await listDepartments(db, acme.id);
    const at = new Date(Date.now() - 60_000);
    for (const [key, name, count] of [
      ['engineering', 'Engineering', 2],
      ['sales', 'Sales', 1],
    ] as const) {
      const departmentId = departments.find((d) => d.name === name)!.id;
      const people = await db
        .select({ id: employees.id, fullName: employees.fullName })
        .from(employees)
        .where(and(eq(employees.tenantId, acme.id), eq(employees.departmentId, departmentId)))
        .orderBy(asc(employees.code))
        .limit(count);
      inToday[key] = people.map((p) => p.fullName);
      await insertPunches(
        db,
        acme.id,
        people.map((p) => ({ employeeId: p.id, at })),
      );
    }
  });

  async function signedIn(email: string): Promise<Page> {
    const page = await chrome.browser.newPage();
    await page.goto(`${server.baseUrl}/login`);
    await page.getByLabel('Work email').fill(email);
    await page.getByLabel('Password').fill('Demo-pass-2026');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.baseUrl}/`);
    return page;
  }

  const namesIn = (page: Page, table: string) => page.locator(`#${table} tbody th[scope="row"]`).allTextContents();

  it('HR opens the board, filters a department, then the month grid with its chart and moves a month back', async () => {
    const page = await signedIn('hr@acme.test');
    await page.getByRole('link', { name: 'Today', exact: true }).click();
    expect(await page.locator('h1').textContent()).toMatch(/^Today, /);
    expect((await namesIn(page, 'in')).sort()).toEqual([...inToday.engineering, ...inToday.sales].sort());
    expect(await page.locator('[data-count="in"]').textContent()).toBe('3');
    await page.screenshot({ path: path.join(screenshots, 'attendance-today-hr.png'), fullPage: true });

    await page.getByLabel('Department').selectOption({ label: 'Sales' });
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/department=/);
    expect(await namesIn(page, 'in')).toEqual(inToday.sales);

    await page.getByRole('link', { name: 'Month grid' }).click();
    expect(await page.locator('h1').textContent()).toMatch(/^Attendance, /);
    expect(await page.locator('table.month-grid caption').textContent()).toContain('in Sales');
    expect(await page.getByRole('img', { name: /Daily attendance rate/ }).count()).toBe(1);
    await page.getByText('The numbers behind the chart').click();
    expect(await page.locator('table.rates tbody tr').count()).toBeGreaterThanOrEqual(28);
    await page.screenshot({ path: path.join(screenshots, 'attendance-month-hr.png'), fullPage: true });

    const month = new URL(page.url()).searchParams.get('month');
    await page.getByRole('link', { name: /^←/ }).click();
    await page.waitForURL((url) => url.searchParams.get('month') !== month);
    expect(await page.locator('table.month-grid caption').textContent()).toContain('in Sales');
    await page.close();
  });

  it('a department head sees only their team on the same pages', async () => {
    const page = await signedIn('head.engineering@acme.test');
    await page.getByRole('link', { name: 'Today', exact: true }).click();
    expect((await namesIn(page, 'in')).sort()).toEqual([...inToday.engineering].sort());
    expect(await page.getByLabel('Department').locator('option').allTextContents()).toEqual(['All', 'Engineering']);
    await page.screenshot({ path: path.join(screenshots, 'attendance-today-head.png'), fullPage: true });

    await page.getByRole('link', { name: 'Attendance', exact: true }).click();
    expect(await page.locator('table.month-grid tbody tr').count()).toBe(15);
    const departmentsShown = await page.locator('table.month-grid').textContent();
    for (const name of inToday.sales) expect(departmentsShown).not.toContain(name);
    await page.close();
  });
});
