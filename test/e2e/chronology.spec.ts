import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations, launchBrowser } from '../support/browser.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { testIdentities } from '../../src/features/records/test-identities.ts';
import { replayInto } from '../../src/features/replay/service.ts';

const projectRoot = path.resolve(import.meta.dirname, '..', '..');
const scenarioFile = path.resolve(projectRoot, '..', 'shared', 'scenarios', 'child-b.json');
const haveShared = fs.existsSync(scenarioFile);

describe.skipIf(!haveShared)('from search to a family chronology in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    t = await startTestApp({}, testIdentities);
    await replayInto(t.database, JSON.parse(fs.readFileSync(scenarioFile, 'utf8')));
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  // A health visitor; the test hook stands in for sign-in.
  async function newPage(javaScriptEnabled: boolean): Promise<Page> {
    const context = await browser.newContext({ javaScriptEnabled, extraHTTPHeaders: { 'x-test-agency': 'hv' } });
    return context.newPage();
  }

  it('walks from search to the person, the family chronology and its timeline with no accessibility violations', async () => {
    const page = await newPage(true);
    await page.goto(`${base}/people/search`);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByLabel('Name').fill('Kai Whitfeild');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.locator('#results').innerText()).resolves.toMatch(/[1-9]\d* (person|people) found/);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Kai Whitfield' }).first().click();
    await expect(page.locator('h1').innerText()).resolves.toBe('Kai Whitfield');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Family chronology' }).click();
    await expect(page.locator('h1').innerText()).resolves.toMatch(/^Family of /);
    const svg = page.locator('svg.kinsight-timeline');
    expect(await svg.count()).toBe(1);
    expect(await svg.getAttribute('role')).toBe('img');
    expect(await page.locator('svg.kinsight-timeline circle, svg.kinsight-timeline path').count()).toBeGreaterThan(50);
    expect(await page.locator('#chronology-table tbody tr').count()).toBeGreaterThan(50);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('filters the chronology and shows the print view without JavaScript', async () => {
    const page = await newPage(false);
    await page.goto(`${base}/people/search`);
    await page.getByLabel('Name').fill('Kai Whitfield');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'Kai Whitfield' }).first().click();
    await page.getByRole('link', { name: /^Chronology for/ }).click();
    await page.locator('summary', { hasText: 'Filter and sort' }).click();
    await page.getByLabel(/Significant events only/).check();
    await page.getByLabel('Oldest first').check();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const rows = await page.locator('#chronology-table tbody tr').allInnerTexts();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.includes('Significant:'))).toBe(true);
    await page.getByRole('link', { name: 'Print view' }).click();
    await expect(page.locator('h1').innerText()).resolves.toMatch(/^Chronology: /);
    await page.context().close();
  });
});

it.skipIf(haveShared)('walks to a family chronology (skipped: no ../shared)', () => {
  expect(haveShared).toBe(false);
});
