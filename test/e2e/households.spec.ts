import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations, launchBrowser } from '../support/browser.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { testIdentities } from '../../src/features/records/test-identities.ts';
import { ingestBatch } from '../../src/features/ingest/service.ts';
import { systemContext } from '../../src/platform/access/context.ts';
import { recordsRepository } from '../../src/features/records/repository.ts';
import { splitPerson } from '../../src/features/linkage-review/service.ts';

// Synthetic people only.
const agencies = [
  { id: 'hv', name: 'Health Visiting', kind: 'health-visiting', authority: 'E06000021' },
  { id: 'housing', name: 'Housing', kind: 'housing', authority: 'E06000021' },
];
const home = { lines: ['7 Larch Close'], town: 'Marlbury', postcode: 'MR3 4JT' };

describe('a household, corrected, and a split undone, in Chromium without JavaScript', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let mother: string;
  let partner: string;

  beforeAll(async () => {
    t = await startTestApp({}, testIdentities);
    await ingestBatch(t.database.db, systemContext('test', 'e2e-households'), {
      agencies,
      records: [
        { agency: 'housing', localId: 'HS-M', kind: 'person', name: { given: ['Lena'], family: 'Marsh' }, birthDate: '1993-06-21', sex: 'female', nhsNumber: '9434765919', address: home },
        { agency: 'hv', localId: 'HV-M', kind: 'person', name: { given: ['Lena'], family: 'Marsh' }, birthDate: '1993-06-21', sex: 'female', nhsNumber: '9434765919', address: home },
        { agency: 'housing', localId: 'HS-C', kind: 'person', name: { given: ['Ivy'], family: 'Marsh' }, birthDate: '2023-02-10', sex: 'female', address: home },
        { agency: 'housing', localId: 'HS-P', kind: 'person', name: { given: ['Craig'], family: 'Dunn' }, birthDate: '1989-09-09', sex: 'male', address: { lines: ['7 Larch Cl'], postcode: 'MR34JT' } },
      ],
    }, { clock: t.clock });
    const repo = recordsRepository(t.database.db);
    const ids = await repo.recordIds([{ agency: 'housing', localId: 'HS-M' }, { agency: 'housing', localId: 'HS-P' }, { agency: 'hv', localId: 'HV-M' }]);
    const persons = await repo.currentPersons([...ids.values()]);
    mother = persons.get(ids.get('housing:HS-M')!)!;
    partner = persons.get(ids.get('housing:HS-P')!)!;
    // A split to undo: the health visiting record taken out of the mother.
    const lead = { actor: { kind: 'user' as const, userId: '00000000-0000-4000-8000-000000000002', username: 'lead', displayName: 'Lead', agencyId: 'housing', teamId: null, roles: ['safeguarding-lead' as const] }, correlationId: 'e2e' };
    await splitPerson(t.database.db, lead, mother, { records: String(ids.get('hv:HV-M')), reason: 'Thought to be another Lena' }, t.clock);
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  // axe needs JavaScript in the page; the forms are used with it switched off.
  async function newPage(javaScriptEnabled: boolean): Promise<Page> {
    const context = await browser.newContext({ javaScriptEnabled, extraHTTPHeaders: { 'x-test-agency': 'housing', 'x-test-roles': 'safeguarding-lead' } });
    return context.newPage();
  }

  it('shows the household, its correction form with errors, the links page and the undo page with no accessibility violations', async () => {
    const page = await newPage(true);
    await page.goto(`${base}/people/${mother}`);
    expect(await page.locator('#household-members').innerText()).toContain('Craig Dunn');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('link', { name: /^Household/ }).click();
    await expect(page.locator('h1').innerText()).resolves.toBe('Household');
    expect(await page.locator('table.household-members tbody tr').count()).toBe(2);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByLabel('Person').fill(partner);
    await page.getByRole('button', { name: 'Correct household' }).click();
    await expect(page.locator('.govuk-error-summary').innerText()).resolves.toContain('Select whether they live at this address');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.goto(`${base}/people/${mother}/links`);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.locator('#link-changes').getByRole('link', { name: /^Undo/ }).click();
    await expect(page.locator('h1').innerText()).resolves.toBe('Undo this split');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('corrects the household and undoes the split without JavaScript', async () => {
    const page = await newPage(false);
    await page.goto(`${base}/people/${mother}/household`);
    await page.getByLabel('Person').fill(partner);
    await page.getByLabel('Does not live at this address').check();
    await page.getByLabel('Why').fill('Moved to his mother’s in October');
    await page.getByRole('button', { name: 'Correct household' }).click();
    expect(await page.locator('table.household-members tbody tr').count()).toBe(1);
    expect(await page.locator('details', { hasText: 'corrected out' }).textContent()).toContain('Craig Dunn');
    await page.goto(`${base}/people/${mother}/links`);
    expect(await page.locator('#current-records tbody tr').count()).toBe(1);
    await page.locator('#link-changes').getByRole('link', { name: /^Undo/ }).click();
    await page.getByLabel('Why should this be undone?').fill('The GP confirmed it is the same Lena');
    await page.getByRole('button', { name: 'Undo the split' }).click();
    await expect(page.locator('h1').innerText()).resolves.toBe('Records linked to this person');
    expect(await page.locator('#current-records tbody tr').count()).toBe(2);
    expect(await page.locator('#link-changes').innerText()).toMatch(/Undone/);
    await page.context().close();
  });
});
