import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations, launchBrowser } from '../support/browser.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { demoCode } from '../support/sign-in.ts';
import { seedDemoPartnership } from '../../src/features/demo/seed.ts';
import { DEMO_PASSWORD } from '../../src/features/demo/demo-partnership.ts';
import { ingestBatch } from '../../src/features/ingest/service.ts';
import { systemContext } from '../../src/platform/access/context.ts';
import { recordsRepository } from '../../src/features/records/repository.ts';
import { evaluateFlagsFor } from '../../src/features/flags/service.ts';

describe('a concern flag from the person page to acknowledging it, in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let baby: string;

  beforeAll(async () => {
    t = await startTestApp();
    await seedDemoPartnership(t.database.db);
    t.clock.set(new Date('2026-11-20T12:00:00Z'));
    const ctx = systemContext('test', 'e2e-flags');
    await ingestBatch(t.database.db, ctx, {
      records: [
        { agency: 'marlshire-hv', localId: 'HV-F1', kind: 'person', name: { given: ['Rowan'], family: 'Flagtest' }, birthDate: '2026-10-01', nhsNumber: '9435555209' },
        { agency: 'marlshire-hospital', localId: 'H-F1', kind: 'person', name: { given: ['Rowan'], family: 'Flagtest' }, birthDate: '2026-10-01', nhsNumber: '9435555209' },
      ],
      events: [{
        id: 'ed-f1', at: '2026-11-20T10:00:00Z', agency: 'marlshire-hospital', type: 'unscheduled-care', subjects: ['H-F1'],
        data: { setting: 'ed', reason: 'injury', injury: { type: 'bruise', site: 'ear' } }, text: 'Bruise behind the ear.',
      }],
    }, { clock: t.clock });
    const repo = recordsRepository(t.database.db);
    const id = (await repo.recordIds([{ agency: 'marlshire-hv', localId: 'HV-F1' }])).get('marlshire-hv:HV-F1')!;
    baby = (await repo.currentPersons([id])).get(id)!;
    await evaluateFlagsFor(t.database.db, [baby], t.clock);
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signIn(page: Page, username: string) {
    await page.goto(`${base}/sign-in`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Enter your security code').fill(await demoCode(username, t.clock));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForLoadState();
  }

  it('shows the flag on the person page, opens it with its evidence, and acknowledges it with a note, with accessible pages', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, 'hv.practitioner');
    await page.goto(`${base}/people/${baby}`);
    const link = page.getByRole('link', { name: 'Injury in a baby: An injury in a baby who is not yet mobile' });
    await expect(link.count()).resolves.toBe(1);
    expect(await accessibilityViolations(page)).toEqual([]);
    await link.click();
    await page.waitForLoadState();
    expect(await page.locator('h1').innerText()).toContain('Injury in a baby');
    expect(await page.locator('main').innerText()).toContain('Bruise behind the ear.');
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Acknowledge flag' }).click();
    await page.waitForLoadState();
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('Enter a note saying what you have done or will do');
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByLabel('What have you done, or will you do?').fill('Discussed with the GP; paediatric review arranged today.');
    await page.getByRole('button', { name: 'Acknowledge flag' }).click();
    await page.waitForLoadState();
    expect(await page.locator('main').innerText()).toContain('Acknowledged: Discussed with the GP');
    expect(await page.locator('main').innerText()).toContain('Acknowledge by Priya Shah');
    await context.close();
  });

  it('tells the front door a flag in its queue is about a child it cannot yet open, and shows the catalogue', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, 'front.door');
    await page.goto(`${base}/flags`);
    expect(await page.locator('main').innerText()).toContain('1 flag in the front door queue is about children your front door has no contact or referral about yet');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.goto(`${base}/flags/catalogue`);
    expect(await page.locator('h1').innerText()).toBe('The flag catalogue');
    expect(await accessibilityViolations(page)).toEqual([]);
    await context.close();
  });
});
