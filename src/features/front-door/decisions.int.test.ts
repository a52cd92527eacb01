import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { signInAs, type Browserless } from '../../../test/support/sign-in.ts';
import { seedDemoPartnership } from '../demo/seed.ts';
import { ingestBatch } from '../ingest/service.ts';
import { systemContext, type RequestContext } from '../../platform/access/context.ts';
import { recordsRepository } from '../records/repository.ts';
import { contactForm, decide, decisionScreen, recordContact, type DecisionForm } from './service.ts';

const FRONT_DOOR = 'marlshire-front-door';

/**
 * A decision is all or nothing (the information-sharing record, the decision
 * event, the decision with its hand-off, the audit), and a decision is
 * corrected by a new version, never changed.
 */
describe('front-door decisions: written in one transaction, corrected by a new version', () => {
  let t: TestApp;
  let child: string;
  let ctx: RequestContext;
  const contactRow: Record<string, number> = {};

  beforeAll(async () => {
    t = await startTestApp();
    await seedDemoPartnership(t.database.db);
    const db = t.database.db;
    t.clock.set(new Date('2026-11-17T10:00:00Z'));
    await ingestBatch(db, systemContext('test', 'fd-atomic-seed'), {
      records: [{ agency: 'marlshire-hv', localId: 'HV-AT1', kind: 'person', name: { given: ['Ash'], family: 'Atomic' }, birthDate: '2023-04-02', address: { postcode: 'ST4 7QP' } }],
      events: [
        { id: 'at-r1', at: '2026-11-17T09:00:00Z', agency: 'marlshire-hv', type: 'referral', subjects: ['HV-AT1'], data: { to: FRONT_DOOR, reason: 'Home conditions' } },
        { id: 'at-r2', at: '2026-11-17T09:30:00Z', agency: 'marlshire-hv', type: 'referral', subjects: ['HV-AT1'], data: { to: FRONT_DOOR, reason: 'Missed immunisations' } },
      ],
    }, { clock: t.clock });
    const repo = recordsRepository(db);
    const id = (await repo.recordIds([{ agency: 'marlshire-hv', localId: 'HV-AT1' }])).get('marlshire-hv:HV-AT1')!;
    child = (await repo.currentPersons([id])).get(id)!;
    for (const e of await db.selectFrom('event').select(['id', 'event_id']).where('event_id', 'in', ['at-r1', 'at-r2']).execute()) contactRow[e.event_id] = e.id;
    const user = await db.selectFrom('app_user').select(['id', 'display_name']).where('username', '=', 'front.door').executeTakeFirstOrThrow();
    ctx = {
      actor: { kind: 'user', userId: user.id, username: 'front.door', displayName: user.display_name, agencyId: FRONT_DOOR, teamId: null, roles: ['front-door-practitioner'] },
      correlationId: 'fd-atomic',
    };
    t.clock.set(new Date('2026-11-17T11:00:00Z'));
  }, 120_000);
  afterAll(async () => { await t?.close(); });

  /** Everything a decision on this contact writes, counted. */
  async function written(contact: number) {
    const db = t.database.db;
    const count = async (q: Promise<{ n: number | string | bigint }[]>) => Number((await q)[0]!.n);
    return {
      decisions: await count(db.selectFrom('front_door_decision').select((e) => e.fn.countAll<number>().as('n')).where('contact_event_row_id', '=', contact).execute()),
      decisionEvents: await count(db.selectFrom('event').select((e) => e.fn.countAll<number>().as('n')).where('type', '=', 'decision').where('agency_id', '=', FRONT_DOOR).execute()),
      shares: await count(db.selectFrom('information_share').select((e) => e.fn.countAll<number>().as('n')).where('person_id', '=', child).execute()),
      audits: await count(db.selectFrom('audit_event').select((e) => e.fn.countAll<number>().as('n')).where('action', '=', 'decide').execute()),
    };
  }

  const form = (historyViewId: string): DecisionForm => ({
    historyViewId, confirmHistory: 'yes', level: '3', outcome: 'early-help', rationale: 'Home conditions and missed health contacts: early help.',
    shared: 'yes', sharedWith: 'Marlshire Early Help', whatShared: 'The referral', shareLawfulBasis: ['uk-gdpr-6-1-e'],
  });

  // Each write of a decision, made to fail in the database itself (a trigger), one at a time.
  const failures = [
    { write: 'the information-sharing record (first write)', table: 'information_share', when: 'true' },
    { write: 'the decision event (second write)', table: 'event', when: `new.type = 'decision'` },
    { write: 'the decision and its hand-off (third write)', table: 'front_door_decision', when: 'true' },
    { write: 'the audit (last write)', table: 'audit_event', when: `new.action = 'decide'` },
  ];

  it.each(failures)('writes nothing when $write fails', async ({ table, when }) => {
    const db = t.database.db;
    const contact = contactRow['at-r1']!;
    const before = await written(contact);
    const { historyViewId } = await decisionScreen(db, ctx, contact, t.clock);
    await sql`create or replace function fd_test_fail() returns trigger language plpgsql as $$ begin raise exception 'forced failure'; end $$`.execute(db);
    await sql.raw(`create trigger fd_test_fail before insert on ${table} for each row when (${when}) execute function fd_test_fail()`).execute(db);
    try {
      await expect(decide(db, ctx, contact, form(historyViewId), t.clock)).rejects.toThrow(/forced failure/);
    } finally {
      await sql.raw(`drop trigger fd_test_fail on ${table}`).execute(db);
    }
    expect(await written(contact)).toEqual(before);
    // The contact is still waiting for its decision.
    const undecided = await db.selectFrom('front_door_decision').select('id').where('contact_event_row_id', '=', contact).execute();
    expect(undecided).toHaveLength(0);
  });

  it('records a contact all or nothing: when its place in the triage queue cannot be written, its event is not kept either', async () => {
    const db = t.database.db;
    const contactForm_ = contactForm.parse({
      kind: 'referral', reason: 'Bruising seen', worries: 'Bruising on the arm seen at nursery drop-off.', urgent: 'no',
      childGiven: 'Bea', childFamily: 'Atomic', childBirthDay: '2', childBirthMonth: '4', childBirthYear: '2023',
      consent: 'given', lawfulBasis: 'uk-gdpr-6-1-e', childMatch: 'new',
    });
    const count = async () => Number((await db.selectFrom('event').select((e) => e.fn.countAll<number>().as('n')).where('type', '=', 'referral').where('agency_id', '=', FRONT_DOOR).execute())[0]!.n);
    const before = await count();
    await sql`create or replace function fd_test_fail() returns trigger language plpgsql as $$ begin raise exception 'forced failure'; end $$`.execute(db);
    await sql`create trigger fd_test_fail before insert on front_door_contact for each row execute function fd_test_fail()`.execute(db);
    try {
      await expect(recordContact(db, ctx, contactForm_, t.clock)).rejects.toThrow(/forced failure/);
    } finally {
      await sql`drop trigger fd_test_fail on front_door_contact`.execute(db);
    }
    expect(await count()).toBe(before);
    const saved = await recordContact(db, ctx, contactForm_, t.clock);
    expect(await count()).toBe(before + 1);
    expect(await db.selectFrom('front_door_contact').select('event_row_id').where('event_row_id', '=', saved).execute()).toHaveLength(1);
  });

  it('writes all of it when nothing fails: the decision cites its event, its information share and its hand-off', async () => {
    const db = t.database.db;
    const contact = contactRow['at-r1']!;
    const before = await written(contact);
    const { historyViewId } = await decisionScreen(db, ctx, contact, t.clock);
    const id = await decide(db, ctx, contact, form(historyViewId), t.clock);
    expect(await written(contact)).toEqual({
      decisions: before.decisions + 1, decisionEvents: before.decisionEvents + 1, shares: before.shares + 1, audits: before.audits + 1,
    });
    const saved = await db.selectFrom('front_door_decision').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(saved).toMatchObject({ version: 1, handoff_agency_id: 'marlshire-early-help', corrects_decision_id: null, correction_reason: null });
    const event = await db.selectFrom('event').selectAll().where('id', '=', saved.decision_event_row_id!).executeTakeFirstOrThrow();
    expect(event.data).toMatchObject({ on: 'at-r1', outcome: 'early-help', level: 3 });
    expect(await db.selectFrom('information_share').select('id').where('id', '=', saved.information_share_id!).execute()).toHaveLength(1);
  });

  it('shows a lateral check on the decision screen once it is recorded, and keeps it with what was on screen', async () => {
    const door = await signInAs(t.app, t.clock, 'front.door');
    const url = `/front-door/contacts/${contactRow['at-r1']}`;
    expect((await door.get(url)).body).toContain('No lateral checks recorded.');
    const saved = await door.post(`${url}/lateral-checks`, { with: 'marlshire-early-help', answer: 'Not known to early help before this week.' }, { csrfFrom: url });
    expect(saved.statusCode).toBe(303);
    const page = await door.get(url);
    expect(page.body).toContain('id="history-lateral-checks"');
    expect(page.body).toContain('Not known to early help before this week.');
    expect(page.body).toContain('For this referral');
    // What was on screen is kept by reference: the last drawing lists the lateral check.
    const views = await t.database.db.selectFrom('front_door_history_view').select('contents').where('contact_event_row_id', '=', contactRow['at-r1']!).execute();
    expect(views.some((v) => (v.contents as { lateralChecks?: number[] }).lateralChecks?.length === 1)).toBe(true);
  });

  it('records a call from the public at the front door and shows who called, the consent reasoning and the lawful basis', async () => {
    const door = await signInAs(t.app, t.clock, 'front.door');
    const saved = await door.post('/front-door/contacts/new', {
      kind: 'contact', reason: 'Neighbour worried about shouting', worries: 'A neighbour rang: shouting and a child crying late at night.',
      urgent: 'no', childGiven: 'Zebedee', childFamily: 'Quellington', referrerName: 'Ms A Caller', referrerRole: 'neighbour', referrerPhone: '01632 960000',
      consent: 'not-sought', consentDetail: 'A member of the public: consent is not theirs to give.', lawfulBasis: 'uk-gdpr-6-1-e', childMatch: 'new',
    }, { csrfFrom: '/front-door/contacts/new' });
    expect(saved.statusCode).toBe(303);
    const page = await door.get(saved.headers.location!);
    expect(page.body).toContain('Contact from Ms A Caller (neighbour), taken by the front door');
    expect(page.body).toContain('Ms A Caller, neighbour, not from an agency, phone 01632 960000');
    expect(page.body).toContain('A member of the public: consent is not theirs to give.');
    expect(page.body).toContain('UK GDPR Article 6(1)(e)');
  });

  describe('correcting a decision, through the pages', () => {
    let door: Browserless;
    let hv: Browserless;
    const url = () => `/front-door/contacts/${contactRow['at-r2']}`;

    beforeAll(async () => {
      door = await signInAs(t.app, t.clock, 'front.door');
      hv = await signInAs(t.app, t.clock, 'hv.practitioner');
      const page = await door.get(url());
      const historyViewId = /name="historyViewId" value="([^"]+)"/.exec(page.body)![1]!;
      const first = await door.post(`${url()}/decision`, {
        historyViewId, confirmHistory: 'yes', level: '1', outcome: 'nfa', rationale: 'Immunisations are for the health visitor to follow up.', shared: 'no',
      }, { csrfFrom: url() });
      expect(first.statusCode).toBe(303);
    });

    it('shows the decision with a way to correct it, and the correction screen with the history and the decision as it stands', async () => {
      const page = await door.get(url());
      expect(page.body).toContain('The decision on this referral');
      expect(page.body).toContain(`href="${url()}/correction"`);
      expect(page.body).not.toContain('Save the decision');
      const correction = await door.get(`${url()}/correction`);
      expect(correction.statusCode).toBe(200);
      expect(correction.body).toContain('Correct the decision on this referral');
      expect(correction.body).toContain('id="history-heading"');
      expect(correction.body).toMatch(/name="correctsDecisionId" value="fdd_[0-9a-f]{32}"/);
      expect(correction.body).toMatch(/value="nfa" checked/);
    });

    it('refuses a correction without a reason or without the history confirmed, and writes nothing', async () => {
      const page = await door.get(`${url()}/correction`);
      const historyViewId = /name="historyViewId" value="([^"]+)"/.exec(page.body)![1]!;
      const correctsDecisionId = /name="correctsDecisionId" value="([^"]+)"/.exec(page.body)![1]!;
      const base = { historyViewId, correctsDecisionId, level: '3', outcome: 'early-help', rationale: 'Missed immunisations and home conditions together: early help.', shared: 'no' };
      const noReason = await door.post(`${url()}/correction`, { ...base, confirmHistory: 'yes' }, { csrfFrom: `${url()}/correction` });
      expect(noReason.statusCode).toBe(400);
      expect(noReason.body).toContain('Explain why the decision is being corrected');
      const noHistory = await door.post(`${url()}/correction`, { ...base, correctionReason: 'The earlier referral was missed.' }, { csrfFrom: `${url()}/correction` });
      expect(noHistory.statusCode).toBe(400);
      expect(noHistory.body).toContain('Confirm that you have considered the history');
      expect(await t.database.db.selectFrom('front_door_decision').select('id').where('contact_event_row_id', '=', contactRow['at-r2']!).execute()).toHaveLength(1);
    });

    it('saves a correction as version 2, keeps version 1, hands it off, and the chronology shows the corrected outcome', async () => {
      const db = t.database.db;
      t.clock.set(new Date('2026-11-17T15:00:00Z'));
      // Sessions end after 30 idle minutes: sign in again four hours later.
      door = await signInAs(t.app, t.clock, 'front.door');
      hv = await signInAs(t.app, t.clock, 'hv.practitioner');
      const page = await door.get(`${url()}/correction`);
      const historyViewId = /name="historyViewId" value="([^"]+)"/.exec(page.body)![1]!;
      const correctsDecisionId = /name="correctsDecisionId" value="([^"]+)"/.exec(page.body)![1]!;
      const saved = await door.post(`${url()}/correction`, {
        historyViewId, correctsDecisionId, confirmHistory: 'yes', level: '3', outcome: 'early-help',
        rationale: 'Missed immunisations on top of the home conditions referral the same day: early help.', shared: 'no',
        correctionReason: 'The home conditions referral made the same morning was not considered.',
      }, { csrfFrom: `${url()}/correction` });
      expect(saved.statusCode).toBe(303);
      expect(saved.headers.location).toBe(`${url()}?corrected=1#decision`);

      const versions = await db.selectFrom('front_door_decision').selectAll().where('contact_event_row_id', '=', contactRow['at-r2']!).orderBy('version').execute();
      expect(versions.map((v) => [v.version, v.outcome, v.level])).toEqual([[1, 'nfa', 1], [2, 'early-help', 3]]);
      expect(versions[1]).toMatchObject({ corrects_decision_id: versions[0]!.id, correction_reason: 'The home conditions referral made the same morning was not considered.', handoff_agency_id: 'marlshire-early-help' });
      expect(versions[0]!.handoff_agency_id).toBeNull();
      // One decision event, two versions: the second supersedes the first.
      const events = await db.selectFrom('event').selectAll().where('type', '=', 'decision').where(sql<boolean>`data ->> 'on' = 'at-r2'`).orderBy('version').execute();
      expect(events.map((e) => [e.version, (e.data as { outcome: string }).outcome])).toEqual([[1, 'nfa'], [2, 'early-help']]);
      expect(events[1]!.supersedes).toBe(events[0]!.id);
      expect(events[1]!.at.getTime()).toBe(events[0]!.at.getTime());
      expect(versions[1]!.decision_event_row_id).toBe(events[1]!.id);
      const audit = await db.selectFrom('audit_event').select('details').where('subject_id', '=', versions[1]!.id).where('action', '=', 'decide').execute();
      expect(audit.map((a) => a.details)).toEqual([expect.objectContaining({ corrects: versions[0]!.id, version: 2, historyView: historyViewId })]);

      const contactPage = await door.get(`${url()}?corrected=1`);
      expect(contactPage.body).toContain('The decision has been corrected');
      expect(contactPage.body).toContain('id="decision-versions"');
      expect(contactPage.body).toContain('The home conditions referral made the same morning was not considered.');
      expect(contactPage.body).toContain('Immunisations are for the health visitor to follow up.');

      const chronology = await door.get(`/people/${child}/chronology`);
      expect(chronology.statusCode).toBe(200);
      expect(chronology.body).toContain('Corrected by the agency after it was first sent.');
      expect(chronology.body).toContain('The home conditions referral made the same morning was not considered.');

      expect((await hv.get('/front-door/referrals')).body).toContain('Early help, level 3');
    });

    it('refuses to correct a version that is no longer the current one', async () => {
      const db = t.database.db;
      const [v1] = await db.selectFrom('front_door_decision').select('id').where('contact_event_row_id', '=', contactRow['at-r2']!).where('version', '=', 1).execute();
      const page = await door.get(`${url()}/correction`);
      const historyViewId = /name="historyViewId" value="([^"]+)"/.exec(page.body)![1]!;
      const stale = await door.post(`${url()}/correction`, {
        historyViewId, correctsDecisionId: v1!.id, confirmHistory: 'yes', level: '1', outcome: 'nfa',
        rationale: 'Back to no further action, from a stale screen.', shared: 'no', correctionReason: 'A stale correction that must be refused.',
      }, { csrfFrom: `${url()}/correction` });
      expect(stale.statusCode).toBe(409);
      expect(stale.body).toContain('corrected by someone else');
      expect(await db.selectFrom('front_door_decision').select('id').where('contact_event_row_id', '=', contactRow['at-r2']!).execute()).toHaveLength(2);
    });

    it('shows a manager the pattern of no-further-action decisions, wherever they were recorded, counting a corrected one as corrected', async () => {
      // Two earlier referrals this year decided "no further action" by the front door's previous system (decision events only).
      await ingestBatch(t.database.db, systemContext('test', 'fd-pattern-seed'), {
        events: [
          { id: 'pat-r1', at: '2026-03-02', agency: 'marlshire-hv', type: 'referral', subjects: ['HV-AT1'], data: { to: FRONT_DOOR, reason: 'Poor home conditions' } },
          { id: 'pat-d1', at: '2026-03-03', agency: FRONT_DOOR, type: 'decision', subjects: ['marlshire-hv:HV-AT1'], data: { on: 'pat-r1', level: 1, outcome: 'nfa' } },
          { id: 'pat-r2', at: '2026-07-14', agency: 'marlshire-hv', type: 'referral', subjects: ['HV-AT1'], data: { to: FRONT_DOOR, reason: 'Missed appointments' } },
          { id: 'pat-d2', at: '2026-07-15', agency: FRONT_DOOR, type: 'decision', subjects: ['marlshire-hv:HV-AT1'], data: { on: 'pat-r2', level: 2, outcome: 'universal' } },
        ],
      }, { clock: t.clock });
      const manager = await signInAs(t.app, t.clock, 'team.manager');
      const review = await manager.get('/front-door/review');
      expect(review.statusCode).toBe(200);
      // Two, not three: the no-further-action decision on at-r2 was corrected to early help.
      expect(review.body).toContain('2 no-further-action or signposting decisions in 12 months');
      expect(review.body).toContain('Ash Atomic');
      expect(review.body).toContain(`href="/front-door/contacts/${contactRow['at-r2']}"`);
      expect(review.body).toContain('Corrected');
    });
  });
});
