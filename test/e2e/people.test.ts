/// <reference lib="dom" />
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { browserAvailable, screenshots, useBrowser } from '../support/browser.js';
import { useListeningApp } from '../support/server.js';

describe.runIf(browserAvailable)('people pages in a real browser', () => {
  const server = useListeningApp();
  const chrome = useBrowser();

  async function signedIn(email: string): Promise<Page> {
    const page = await chrome.browser.newPage();
    await page.goto(`${server.baseUrl}/login`);
    await page.getByLabel('Work email').fill(email);
    await page.getByLabel('Password').fill('Demo-pass-2026');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.baseUrl}/`);
    return page;
  }

  it('HR searches, opens an employee, and reveals a PAN with a reason', async () => {
    const page = await signedIn('hr@acme.test');
    await page.getByRole('link', { name: 'Employees' }).click();
    expect(await page.locator('tbody tr').count()).toBe(50);
    expect(await page.locator('td.masked').first().textContent()).toMatch(/^XXXXXX\w{4}$/);
    await page.screenshot({ path: path.join(screenshots, 'employees-hr.png'), fullPage: true });
    const firstName = (await page.locator('tbody tr td:nth-child(2) a').first().textContent())!;
    await page.getByLabel('Search').fill(firstName.split(' ')[0]!);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('link', { name: firstName }).first().click();
    expect(await page.locator('h1').textContent()).toBe(firstName);
    await page.locator('details.reveal summary').first().click();
    await page.getByLabel('Reason').first().fill('Verifying Form 16');
    await page.getByRole('button', { name: 'Reveal PAN' }).click();
    expect(await page.locator('[data-revealed]').textContent()).toMatch(/^[A-Z]{5}\d{4}[A-Z]$/);
    await page.close();
  });

  it('HR adds an employee through the form and sees clear field errors first', async () => {
    const page = await signedIn('hr@acme.test');
    await page.goto(`${server.baseUrl}/employees/new`);
    await page.getByLabel('Employee code').fill('NEW01');
    await page.getByLabel('Full name').fill('Farah Khan');
    await page.getByLabel('Date of joining').fill('2026-04-01');
    await page.getByLabel('PAN').fill('BAD');
    await page.getByRole('button', { name: 'Save' }).click();
    expect(await page.locator('.error-summary').textContent()).toContain('pan');
    await page.goBack();
    await page.getByLabel('PAN').fill('FKHPK7788Q');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/employees\/[0-9a-f-]{36}$/);
    expect(await page.locator('.flash').textContent()).toContain('Employee added');
    expect(await page.locator('.masked').first().textContent()).toBe('XXXXXX788Q');
    await page.close();
  });

  it('a department head sees only their team, without sensitive columns', async () => {
    const page = await signedIn('head.engineering@acme.test');
    await page.getByRole('link', { name: 'My team' }).click();
    expect(await page.locator('h1').textContent()).toBe('My team');
    expect(await page.locator('tbody tr').count()).toBe(15);
    expect(await page.locator('th', { hasText: 'PAN' }).count()).toBe(0);
    await page.screenshot({ path: path.join(screenshots, 'employees-head.png'), fullPage: true });
    await page.close();
  });
});
