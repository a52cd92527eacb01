import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { accessibilityViolations, launchBrowser } from '../support/browser.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { demoCode } from '../support/sign-in.ts';
import { seedDemoPartnership } from '../../src/features/demo/seed.ts';
import { DEMO_PASSWORD } from '../../src/features/demo/demo-partnership.ts';
import { ingestBatch } from '../../src/features/ingest/service.ts';
import { systemContext } from '../../src/platform/access/context.ts';

describe('signing in and access control in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let policeOnlyPerson: string;

  beforeAll(async () => {
    t = await startTestApp();
    await seedDemoPartnership(t.database.db);
    await ingestBatch(t.database.db, systemContext('test', 'e2e'), {
      records: [{ agency: 'marlshire-police', localId: 'POL-77', kind: 'person', name: { given: ['Robin'], family: 'Glasscase' }, birthDate: '2015-03-03' }],
    }, { clock: t.clock });
    const link = await t.database.db.selectFrom('person_link').select('person_id').executeTakeFirstOrThrow();
    policeOnlyPerson = link.person_id;
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function fresh(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext();
    return { context, page: await context.newPage() };
  }

  async function signIn(page: Page, username: string) {
    await page.goto(`${base}/sign-in`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Enter your security code').fill(await demoCode(username, t.clock));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForLoadState();
    if (page.url() !== `${base}/`) throw new Error(`sign-in as ${username} ended at ${page.url()}: ${await page.locator('main').innerText()}`);
  }

  it('signs in with a password and a one-time code, renewing the session id, with accessible pages', async () => {
    const { context, page } = await fresh();
    await page.goto(`${base}/sign-in`);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByLabel('Username').fill('front.door');
    await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${base}/sign-in/code`);
    expect(await accessibilityViolations(page)).toEqual([]);
    const pending = (await context.cookies()).find((c) => c.name === 'kinsight_pending')?.value;
    expect(pending).toBeTruthy();
    await page.getByLabel('Enter your security code').fill(await demoCode('front.door', t.clock));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/`);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'kinsight_session');
    expect(session?.value).toBeTruthy();
    expect(session?.value).not.toBe(pending);
    expect(session?.httpOnly).toBe(true);
    expect(cookies.some((c) => c.name === 'kinsight_pending')).toBe(false);
    await expect(page.getByText('Signed in as Sam Okafor')).toBeTruthy();
    expect(await page.locator('.kinsight-signed-in').innerText()).toContain('Sam Okafor');
    expect(await accessibilityViolations(page)).toEqual([]);
    await context.close();
  });

  it('locks the account after repeated wrong passwords and says so in the error summary', async () => {
    const { context, page } = await fresh();
    for (let i = 0; i < 5; i++) {
      await page.goto(`${base}/sign-in`);
      await page.getByLabel('Username').fill('admin');
      await page.getByLabel('Password', { exact: true }).fill('wrong password');
      await page.getByRole('button', { name: 'Continue' }).click();
    }
    const summary = page.locator('.govuk-error-summary');
    expect(await summary.innerText()).toContain('Your account is locked for 15 minutes');
    expect(await page.title()).toMatch(/^Error: /);
    expect(await accessibilityViolations(page)).toEqual([]);
    await context.close();
  });

  it('refuses a form whose CSRF token has been tampered with', async () => {
    const { context, page } = await fresh();
    await page.goto(`${base}/sign-in`);
    await page.locator('input[name="_csrf"]').evaluate((el) => ((el as HTMLInputElement).value = 'tampered'));
    await page.getByLabel('Username').fill('analyst');
    await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/sign-in') && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Continue' }).click(),
    ]);
    expect(response.status()).toBe(403);
    expect(page.url()).toBe(`${base}/sign-in`);
    expect((await context.cookies()).some((c) => c.name === 'kinsight_session')).toBe(false);
    await context.close();
  });

  it('sends someone idle for over 30 minutes back to sign in', async () => {
    const { context, page } = await fresh();
    await signIn(page, 'hv.practitioner');
    await page.goto(`${base}/people/search`);
    expect(page.url()).toBe(`${base}/people/search`);
    t.clock.set(new Date(t.clock.now().getTime() + 31 * 60_000));
    await page.goto(`${base}/people/search`);
    expect(page.url()).toBe(`${base}/sign-in`);
    await context.close();
  });

  it('opens a record through break-glass with a stated reason, and shows it to the safeguarding lead for review', async () => {
    const { context, page } = await fresh();
    await signIn(page, 'ed.nurse');
    const refused = await page.goto(`${base}/people/${policeOnlyPerson}`);
    expect(refused?.status()).toBe(404);
    await page.getByRole('link', { name: 'use break-glass access' }).click();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Open the record' }).click();
    expect(await page.locator('.govuk-error-summary').innerText()).toContain('Select why you need to see this record');
    await page.getByLabel('A child may be at immediate risk of harm').check();
    await page.getByLabel('Explain the safeguarding reason').fill('Child brought to ED with an unexplained injury; police involvement mentioned.');
    await page.getByRole('button', { name: 'Open the record' }).click();
    await page.waitForLoadState();
    if (!page.url().endsWith(`/people/${policeOnlyPerson}`)) {
      throw new Error(`after break-glass: ${page.url()} ${await page.locator('main').innerText()}`);
    }
    expect(await page.locator('h1').count()).toBe(1);
    expect((await page.goto(`${base}/people/${policeOnlyPerson}`))?.status()).toBe(200);
    await context.close();

    const audit = await t.database.db.selectFrom('audit_event').selectAll().where('person_id', '=', policeOnlyPerson).execute();
    expect(audit.some((a) => a.action === 'break-glass' && a.outcome === 'break-glass')).toBe(true);
    expect(audit.some((a) => a.action === 'read' && a.outcome === 'denied')).toBe(true);

    const lead = await fresh();
    await signIn(lead.page, 'safeguarding.lead');
    await lead.page.goto(`${base}/access/break-glass`);
    expect(await lead.page.locator('main').innerText()).toContain('Jamie Patel');
    expect(await accessibilityViolations(lead.page)).toEqual([]);
    await lead.page.getByRole('link', { name: 'What was looked at' }).click();
    expect(await lead.page.locator('main').innerText()).toContain('Break-glass');
    await lead.page.goBack();
    await lead.page.getByLabel('Your review').fill('Checked with the ED nurse: legitimate concern, referral made.');
    await lead.page.getByRole('button', { name: 'Record review' }).click();
    expect(await lead.page.locator('main').innerText()).toContain('There is nothing to review');
    await lead.context.close();
  });
  it('lets the administrator create a staff account through accessible pages, showing the sign-in details once', async () => {
    const { context, page } = await fresh();
    await signIn(page, 'admin');
    await page.getByRole('link', { name: 'Staff accounts' }).click();
    await page.waitForURL(`${base}/admin/users`);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Create a staff account' }).click();
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => page.locator('.govuk-error-summary').innerText()).toContain('Enter the person’s full name');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByLabel('Full name').fill('Morgan Tillery');
    await page.getByLabel('Username').fill('morgan.tillery');
    await page.getByLabel('Agency').selectOption({ label: 'Marlshire 0-19 Health Visiting Service' });
    await page.getByLabel('Practitioner', { exact: true }).check();
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => page.locator('h1').innerText()).toContain('Account created');
    expect(await page.locator('.app-secret').count()).toBe(2);
    expect(await accessibilityViolations(page)).toEqual([]);
    await context.close();
  });
  it('adds a lead practitioner to a child’s Team Around the Child through accessible pages', async () => {
    await ingestBatch(t.database.db, systemContext('test', 'e2e-tac'), {
      records: [{ agency: 'marlshire-hospital', localId: 'ED-9', kind: 'person', name: { given: ['Wren'], family: 'Halloway' }, birthDate: '2020-01-20' }],
    }, { clock: t.clock });
    const { person_id: child } = await t.database.db.selectFrom('person_link as l').innerJoin('agency_record as r', 'r.id', 'l.record_id')
      .select('l.person_id').where('r.local_id', '=', 'ED-9').executeTakeFirstOrThrow();
    const { context, page } = await fresh();
    await signIn(page, 'ed.nurse');
    await page.goto(`${base}/people/${child}`);
    await page.getByRole('link', { name: 'Team Around the Child' }).click();
    await page.waitForURL(`${base}/people/${child}/team-around-child`);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByLabel('Agency').selectOption({ label: 'Marlshire 0-19 Health Visiting Service' });
    await page.getByLabel('Practitioner’s username (optional for a member)').fill('hv.practitioner');
    await page.getByLabel('Lead practitioner').check();
    await page.getByRole('button', { name: 'Add to the team' }).click();
    await expect.poll(() => page.locator('table').first().innerText()).toContain('Priya Shah');
    expect(await accessibilityViolations(page)).toEqual([]);
    await context.close();
  });
});
