import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations, launchBrowser } from '../support/browser.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { testIdentities } from '../../src/features/records/test-identities.ts';
import { raiseReplayFlags, replayInto } from '../../src/features/replay/service.ts';
import { ingestBatch } from '../../src/features/ingest/service.ts';
import { systemContext } from '../../src/platform/access/context.ts';
import { eventTime } from '../../src/features/ingest/validate.ts';

/**
 * The Child B story's 2019 and 2020 referrals through the front door (004,
 * learning point 1 and 4.1.4): the scenario is replayed up to just before each
 * referral, the referral arrives as the referrer's system sends it, and a CHAD
 * duty worker opens it. The decision screen must show the neighbouring
 * authority's (Staffordshire's) child protection history and the live flags
 * before a decision can be saved.
 */
const projectRoot = path.resolve(import.meta.dirname, '..', '..');
const scenarioFile = path.resolve(projectRoot, '..', 'shared', 'scenarios', 'child-b.json');
const haveShared = fs.existsSync(scenarioFile);

type Scenario = { events: { id: string; at: string; agency: string; type: string; data?: { on?: string } }[] } & Record<string, unknown>;

describe.skipIf(!haveShared)('Child B’s 2019 and 2020 referrals through the front door, in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let scenario: Scenario;
  const indexOf = (id: string) => scenario.events.findIndex((e) => e.id === id);

  beforeAll(async () => {
    scenario = JSON.parse(fs.readFileSync(scenarioFile, 'utf8')) as Scenario;
    t = await startTestApp({}, testIdentities);
    // The story up to just before the 2019 referral (e26, the family support charity's).
    await replayInto(t.database, { ...scenario, events: scenario.events.slice(0, indexOf('e26')) });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** The referral arrives through ingest at its own time, and flags are evaluated as after any ingest. */
  async function arrive(eventId: string): Promise<void> {
    const event = scenario.events[indexOf(eventId)]!;
    const at = eventTime(event.at).at;
    t.clock.set(at);
    const ctx = systemContext('test', `fd-${eventId}`);
    const result = await ingestBatch(t.database.db, ctx, { events: [event] }, { clock: t.clock });
    expect(result.counts.rejected).toBe(0);
    await raiseReplayFlags(t.database.db, at, result.batchId, { ctx, homeAuthority: 'E06000021' });
    t.clock.set(new Date(at.getTime() + 3 * 3_600_000));
  }

  async function dutyWorker(): Promise<Page> {
    const context = await browser.newContext({ extraHTTPHeaders: { 'x-test-agency': 'chad', 'x-test-roles': 'front-door-practitioner' } });
    return context.newPage();
  }

  /** Live flags about the people the contact is about and their family, from the database. */
  async function liveFlagIds(eventId: string): Promise<string[]> {
    const db = t.database.db;
    const row = await db.selectFrom('event').select('id').where('event_id', '=', eventId).executeTakeFirstOrThrow();
    const subjects = (await db.selectFrom('event_subject').select('person_id').where('event_row_id', '=', row.id).execute()).map((s) => s.person_id);
    const fams = (await db.selectFrom('family_member').select('family_id').where('person_id', 'in', subjects).execute()).map((f) => f.family_id);
    const members = fams.length ? (await db.selectFrom('family_member').select('person_id').where('family_id', 'in', fams).execute()).map((m) => m.person_id) : [];
    const flags = await db.selectFrom('flag').select('id').where('person_id', 'in', [...subjects, ...members]).where('state', '<>', 'closed').execute();
    return flags.map((f) => f.id);
  }

  async function decideThroughTheFrontDoor(eventId: string, rationale: string) {
    const page = await dutyWorker();
    await page.goto(`${base}/front-door`);
    expect(await accessibilityViolations(page)).toEqual([]);
    const rowId = (await t.database.db.selectFrom('event').select('id').where('event_id', '=', eventId).executeTakeFirstOrThrow()).id;
    await page.locator(`a[href="/front-door/contacts/${rowId}"]`).click();
    await expect(page.locator('h1').innerText()).resolves.toMatch(/^Decide on this referral/);

    // Before any decision: Staffordshire's child protection plan, marked as another authority's.
    const involvements = await page.locator('#history-involvements tbody tr').allInnerTexts();
    const cp = involvements.filter((r) => r.includes('Child protection plan') && r.includes('Staffordshire'));
    expect(cp.length).toBeGreaterThan(0);
    expect(cp.every((r) => r.includes('Another local authority'))).toBe(true);
    // ...and every live flag about the family.
    const flags = await liveFlagIds(eventId);
    expect(flags.length).toBeGreaterThan(0);
    for (const id of flags) expect(await page.locator(`#live-flags a[href="/flags/${id}"]`).count()).toBe(1);
    expect(await accessibilityViolations(page)).toEqual([]);

    // The decision cannot be saved without confirming the history.
    await page.locator('#level-3').check(); // level 3: complex needs
    await page.locator('#outcome-3').check(); // early help
    await page.getByLabel('Rationale').fill(rationale);
    await page.locator('#shared-2').check();
    await page.getByRole('button', { name: 'Save the decision' }).click();
    await expect(page.locator('.govuk-error-summary').innerText()).resolves.toContain('Confirm that you have considered the history');
    expect(await t.database.db.selectFrom('front_door_decision').select('id').where('contact_event_row_id', '=', rowId).execute()).toHaveLength(0);
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByLabel(/I have read and considered the history/).check();
    await page.getByRole('button', { name: 'Save the decision' }).click();
    await page.waitForURL(/\/front-door\?decided=/);
    expect(await page.locator(`a[href="/front-door/contacts/${rowId}"]`).count()).toBe(0);
    const saved = await t.database.db.selectFrom('front_door_decision').selectAll().where('contact_event_row_id', '=', rowId).executeTakeFirstOrThrow();
    expect(saved.history_confirmed).toBe(true);
    const view = await t.database.db.selectFrom('front_door_history_view').selectAll().where('id', '=', saved.history_view_id).executeTakeFirstOrThrow();
    expect([...(view.contents as { flags: string[] }).flags].sort()).toEqual([...flags].sort());
    await page.context().close();
  }

  it('2019: the charity’s referral (e26) shows Staffordshire’s child protection history and the live flags before the decision', async () => {
    await arrive('e26');
    await decideThroughTheFrontDoor('e26', 'Financial hardship after a move, but Kai was on a child protection plan in Staffordshire until 2018: early help with a health review.');
  }, 180_000);

  it('2020: the hospital’s referral (e100) shows the same history and the live flags before the decision', async () => {
    // The story from the 2019 referral up to just before the 2020 one; CHAD's own 2019 decision on e26 was made above.
    const from = indexOf('e26') + 1;
    const events = scenario.events.slice(from, indexOf('e100')).filter((e) => !(e.type === 'decision' && e.data?.on === 'e26'));
    await replayInto(t.database, { ...scenario, events });
    await arrive('e100');
    await decideThroughTheFrontDoor('e100', 'Twin with complex needs, mother not coping, history of child protection in Staffordshire and earlier early help: early help now, with review.');
  }, 300_000);
});

it.skipIf(haveShared)('plays Child B’s referrals through the front door (skipped: no ../shared)', () => {
  expect(haveShared).toBe(false);
});
