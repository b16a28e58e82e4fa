/// <reference lib="dom" />
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { browserAvailable, screenshots, useBrowser } from '../support/browser.js';
import { useListeningApp } from '../support/server.js';
import { ROLE_DUTIES } from '../../src/modules/access/index.js';

const DEMO = [
  {
    email: 'owner@acme.test',
    badge: 'Owner',
    nav: [
      'Dashboard',
      'Employees',
      'Today',
      'Attendance',
      'Kiosks',
      'Punches',
      'Shift',
      'Regularisations',
      'Salaries',
      'Pay runs',
      'Payroll costs',
      'Leave',
      'Users',
      'My account',
    ],
    duties: ROLE_DUTIES.owner,
  },
  {
    email: 'hr@acme.test',
    badge: 'HR admin',
    nav: [
      'Dashboard',
      'Employees',
      'Today',
      'Attendance',
      'Kiosks',
      'Punches',
      'Shift',
      'Regularisations',
      'Salaries',
      'Pay runs',
      'Payroll costs',
      'My profile',
      'My attendance',
      'My payslips',
      'Leave',
      'Kiosk PIN',
      'My account',
    ],
    duties: ROLE_DUTIES.hr_admin,
  },
  { email: 'finance@acme.test', badge: 'Finance', nav: ['Dashboard', 'Payroll costs', 'Leave', 'My account'], duties: ROLE_DUTIES.finance },
  {
    email: 'head.engineering@acme.test',
    badge: 'Department head',
    nav: ['Dashboard', 'My team', 'Today', 'Attendance', 'Regularisations', 'My profile', 'My attendance', 'My payslips', 'Leave', 'Kiosk PIN', 'My account'],
    duties: ROLE_DUTIES.dept_head,
  },
  {
    email: 'head.sales@acme.test',
    badge: 'Department head',
    nav: ['Dashboard', 'My team', 'Today', 'Attendance', 'Regularisations', 'My profile', 'My attendance', 'My payslips', 'Leave', 'Kiosk PIN', 'My account'],
    duties: ROLE_DUTIES.dept_head,
  },
  {
    email: 'employee@acme.test',
    badge: 'Employee',
    nav: ['Dashboard', 'My profile', 'My attendance', 'My payslips', 'Leave', 'Kiosk PIN', 'My account'],
    duties: ROLE_DUTIES.employee,
  },
];

describe.runIf(browserAvailable)('signing in as each demo role in a real browser', () => {
  const server = useListeningApp();
  const chrome = useBrowser();

  for (const demo of DEMO) {
    it(`${demo.email} sees the navigation of their role`, async () => {
      const context = await chrome.browser.newContext();
      const page = await context.newPage();
      const problems: string[] = [];
      // The deliberate 403 below is logged by Chromium as a failed load; anything else is a problem.
      page.on('console', (m) => m.type() === 'error' && !/status of 403/.test(m.text()) && problems.push(m.text()));
      await page.goto(`${server.baseUrl}/users`);
      // Signed out: sent to the login page, which brings us back afterwards.
      expect(new URL(page.url()).pathname).toBe('/login');
      await page.getByLabel('Work email').fill(demo.email);
      await page.getByLabel('Password').fill('Demo-pass-2026');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForLoadState('domcontentloaded');
      if (demo.nav.includes('Users')) {
        expect(new URL(page.url()).pathname).toBe('/users');
        await page.goto(`${server.baseUrl}/`);
      } else {
        expect(await page.locator('h1').textContent()).toBe('Not allowed');
        await page.getByRole('link', { name: 'Dashboard' }).click();
      }
      const nav = await page.locator('nav.site-nav ul a').allTextContents();
      expect(nav).toEqual(demo.nav);
      expect(await page.locator('.role-badge').textContent()).toBe(demo.badge);
      expect(await page.locator('[data-duties] li').allTextContents()).toEqual(demo.duties);
      await page.screenshot({ path: path.join(screenshots, `dashboard-${demo.email.split('@')[0]}.png`), fullPage: true });

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/login$/);
      expect(await page.locator('.flash').textContent()).toContain('You have signed out');
      expect(problems).toEqual([]);
      await context.close();
    });
  }

  it('shows the password rules ticking as the user types at sign-up', async () => {
    const page = await chrome.browser.newPage();
    await page.goto(`${server.baseUrl}/signup`);
    await page.getByLabel('Password').fill('short');
    expect((await page.locator('[data-rule="length"]').getAttribute('class')) ?? '').not.toContain('rule-met');
    await page.getByLabel('Password').fill('a much longer passphrase 42');
    for (const rule of ['length', 'letter', 'digit']) {
      expect(await page.locator(`[data-rule="${rule}"]`).getAttribute('class'), rule).toContain('rule-met');
    }
    await page.close();
  });
});
