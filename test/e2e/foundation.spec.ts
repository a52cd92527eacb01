import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations, launchBrowser } from '../support/browser.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

describe('the foundation pages in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    t = await startTestApp();
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
  });
  async function newPage(javaScriptEnabled = true): Promise<Page> {
    const context = await browser.newContext({ javaScriptEnabled });
    return context.newPage();
  }

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows the home page with the service name, the partnership and no accessibility violations', async () => {
    const page = await newPage();
    const cspErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && cspErrors.push(m.text()));
    await page.goto(`${base}/`);
    expect(await page.title()).toBe(`Home – Kinsight – ${t.config.partnershipName}`);
    await expect(page.locator('header').innerText()).resolves.toContain('Kinsight');
    expect(await accessibilityViolations(page)).toEqual([]);
    // GOV.UK Frontend's script ran under the strict CSP.
    expect(await page.locator('body.govuk-frontend-supported').count()).toBe(1);
    expect(cspErrors).toEqual([]);
    await page.context().close();
  });

  it('reaches the main content by the skip link from the keyboard', async () => {
    const page = await newPage();
    await page.goto(`${base}/`);
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
    expect(focused).toBe('Skip to main content');
    await page.context().close();
  });

  it('shows the 404 page with no accessibility violations', async () => {
    const page = await newPage();
    const response = await page.goto(`${base}/no-such-page`);
    expect(response?.status()).toBe(404);
    await expect(page.locator('h1').innerText()).resolves.toBe('Page not found');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('shows the accessibility statement and privacy notice without violations, and without JavaScript', async () => {
    const pages = [
      ['/accessibility', 'Accessibility statement for Kinsight'],
      ['/privacy', 'Privacy notice'],
    ] as const;
    const withScript = await newPage();
    const withoutScript = await newPage(false);
    for (const [path, heading] of pages) {
      await withoutScript.goto(`${base}${path}`);
      await expect(withoutScript.locator('h1').innerText()).resolves.toBe(heading);
      await withScript.goto(`${base}${path}`);
      expect(await accessibilityViolations(withScript)).toEqual([]);
    }
    await withScript.context().close();
    await withoutScript.context().close();
  });
});
