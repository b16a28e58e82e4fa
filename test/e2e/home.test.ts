/// <reference lib="dom" />
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { browserAvailable, screenshots, useBrowser } from '../support/browser.js';
import { useListeningApp } from '../support/server.js';

describe.runIf(browserAvailable)('home page in a real browser', () => {
  const server = useListeningApp();
  const chrome = useBrowser();

  it('renders with the stylesheet, no CSP violations or script errors, and takes a screenshot', async () => {
    const page = await chrome.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    const response = await page.goto(`${server.baseUrl}/`);
    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe('Bizlumo HR');
    expect(await page.locator('h1').textContent()).toContain('HR and payroll for Indian companies');
    // The stylesheet loaded under the CSP: the header is white and the brand mark blue.
    const brandColour = await page.locator('.brand-mark').evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(brandColour).toBe('rgb(31, 79, 209)');
    expect(await page.locator('main').getByRole('link', { name: 'Sign in' }).isVisible()).toBe(true);
    const file = path.join(screenshots, 'home.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(problems).toEqual([]);

    // Narrow screens keep everything reachable.
    await page.setViewportSize({ width: 375, height: 740 });
    await page.screenshot({ path: path.join(screenshots, 'home-mobile.png'), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(overflow).toBe(false);
  });
});
