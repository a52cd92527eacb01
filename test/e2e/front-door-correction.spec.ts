import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations, launchBrowser } from '../support/browser.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { testIdentities } from '../../src/features/records/test-identities.ts';
import { seedDemoPartnership } from '../../src/features/demo/seed.ts';
import { ingestBatch } from '../../src/features/ingest/service.ts';
import { systemContext } from '../../src/platform/access/context.ts';

/**
 * Correcting a front-door decision in Chromium, with axe on every page: the
 * decision, the correction screen with its errors, and the contact page
 * showing both versions. (The same flow without JavaScript, as plain form
 * posts, is in src/features/front-door/decisions.int.test.ts; Playwright
 * cannot read a page whose JavaScript is turned off, nor can axe.)
 */
describe('correcting a front-door decision, in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let contactRowId: number;

  beforeAll(async () => {
    t = await startTestApp({}, testIdentities);
    await seedDemoPartnership(t.database.db);
    t.clock.set(new Date('2026-11-17T10:00:00Z'));
    await ingestBatch(t.database.db, systemContext('test', 'fd-correction-seed'), {
      records: [{ agency: 'marlshire-hv', localId: 'HV-CR1', kind: 'person', name: { given: ['Robin'], family: 'Revise' }, birthDate: '2022-08-19', address: { postcode: 'ST4 7QP' } }],
      events: [{ id: 'cr-r1', at: '2026-11-17T09:00:00Z', agency: 'marlshire-hv', type: 'referral', subjects: ['HV-CR1'], data: { to: 'marlshire-front-door', reason: 'Unexplained bruising' } }],
    }, { clock: t.clock });
    contactRowId = (await t.database.db.selectFrom('event').select('id').where('event_id', '=', 'cr-r1').executeTakeFirstOrThrow()).id;
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function dutyWorker(): Promise<Page> {
    const context = await browser.newContext({
      extraHTTPHeaders: { 'x-test-agency': 'marlshire-front-door', 'x-test-roles': 'front-door-practitioner' },
    });
    return context.newPage();
  }

  it('decides, then corrects the decision as a new version with a reason, keeping the first', async () => {
    const page = await dutyWorker();
    await page.goto(`${base}/front-door/contacts/${contactRowId}`);
    await page.getByLabel(/I have read and considered the history/).check();
    await page.locator('#level').check(); // the first level: universal
    await page.locator('#outcome').check(); // the first outcome: no further action
    await page.getByLabel('Rationale').fill('A single bruise with a plausible explanation from a nursery.');
    await page.locator('#shared-2').check();
    await page.getByRole('button', { name: 'Save the decision' }).click();
    await page.waitForURL(/\/front-door\?decided=/);

    await page.goto(`${base}/front-door/contacts/${contactRowId}`);
    await expect(page.locator('h1').innerText()).resolves.toBe('The decision on this referral');
    await expect(page.locator('#decided').innerText()).resolves.toContain('No further action, level 1');
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Correct this decision' }).click();
    await page.waitForURL(/\/correction$/);
    await expect(page.locator('h1').innerText()).resolves.toBe('Correct the decision on this referral');
    // The decision as it stands, to change; the history is on the screen again.
    expect(await page.locator('#outcome').isChecked()).toBe(true);
    expect(await page.locator('#history-heading').count()).toBe(1);
    expect(await accessibilityViolations(page)).toEqual([]);

    // No reason, no confirmation: both errors, linked from the summary, nothing written.
    await page.locator('#level-3').check();
    await page.locator('#outcome-3').check(); // early help
    await page.locator('#shared-2').check();
    await page.getByRole('button', { name: 'Save the correction' }).click();
    const summary = await page.locator('.govuk-error-summary').innerText();
    expect(summary).toContain('Explain why the decision is being corrected');
    expect(summary).toContain('Confirm that you have considered the history');
    expect(await page.locator('.govuk-error-summary a[href="#correctionReason"]').count()).toBe(1);
    expect(await t.database.db.selectFrom('front_door_decision').select('id').where('contact_event_row_id', '=', contactRowId).execute()).toHaveLength(1);
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByLabel('Why are you correcting this decision?').fill('The nursery told us later that it did not see the bruise happen.');
    await page.getByLabel(/I have read and considered the history/).check();
    await page.getByLabel('Rationale').fill('Bruising not explained by the nursery after all: early help with a health review.');
    await page.getByRole('button', { name: 'Save the correction' }).click();
    await page.waitForURL(/\?corrected=1/);
    await expect(page.locator('.govuk-notification-banner').innerText()).resolves.toContain('The decision has been corrected');
    await expect(page.locator('#decided').innerText()).resolves.toContain('Early help, level 3');
    const rows = await page.locator('#decision-versions tbody tr').allInnerTexts();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('Current');
    expect(rows[0]).toContain('The nursery told us later that it did not see the bruise happen.');
    expect(rows[1]).toContain('No further action, level 1');
    expect(rows[1]).toContain('First decision');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.context().close();
  }, 300_000);
});
