import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { signInAs, type Browserless } from '../../../test/support/sign-in.ts';
import { seedDemoPartnership } from '../demo/seed.ts';
import { ingestBatch } from '../ingest/service.ts';
import { systemContext } from '../../platform/access/context.ts';
import { recordsRepository } from '../records/repository.ts';
import { personAccess } from '../../platform/access/person-access.ts';
import type { RequestContext } from '../../platform/access/context.ts';

const NHS = '9434765919';

describe('the front door: a partner referral, the history panel, a decision that needs the history, and the outcome', () => {
  let t: TestApp;
  let child: string;
  let hv: Browserless;
  let door: Browserless;

  beforeAll(async () => {
    t = await startTestApp();
    await seedDemoPartnership(t.database.db);
    const db = t.database.db;
    // A child known to health visiting, with a child protection plan in a neighbouring authority and an earlier referral.
    t.clock.set(new Date('2026-05-06T10:00:00Z'));
    await ingestBatch(db, systemContext('test', 'fd-seed'), {
      agencies: [{ id: 'westshire-csc', name: 'Westshire Children’s Social Care', kind: 'childrens-social-care', authority: 'E10000028' }],
      records: [
        { agency: 'marlshire-hv', localId: 'HV-FD1', kind: 'person', name: { given: ['Rowan'], family: 'Doorstep' }, birthDate: '2024-02-10', nhsNumber: NHS, address: { postcode: 'ST4 7QP' } },
        { agency: 'westshire-csc', localId: 'WCS-FD1', kind: 'person', name: { given: ['Rowan'], family: 'Doorstep' }, birthDate: '2024-02-10', nhsNumber: NHS },
      ],
      events: [
        { id: 'w1', at: '2024-06-01', agency: 'westshire-csc', type: 'involvement-start', subjects: ['WCS-FD1'], data: { service: 'child-protection', category: 'neglect', level: 4 } },
        { id: 'w2', at: '2025-03-01', agency: 'westshire-csc', type: 'involvement-end', subjects: ['WCS-FD1'], data: { service: 'child-protection', reason: 'moved' } },
        { id: 'r1', at: '2026-05-06', agency: 'marlshire-hv', type: 'referral', subjects: ['HV-FD1'], data: { to: 'marlshire-front-door', reason: 'Missed appointments' } },
        { id: 'd1', at: '2026-05-07', agency: 'marlshire-front-door', type: 'decision', subjects: ['marlshire-hv:HV-FD1'], data: { on: 'r1', level: 1, outcome: 'nfa', rationale: 'Universal services only.' } },
      ],
    }, { clock: t.clock });
    const repo = recordsRepository(db);
    const id = (await repo.recordIds([{ agency: 'marlshire-hv', localId: 'HV-FD1' }])).get('marlshire-hv:HV-FD1')!;
    child = (await repo.currentPersons([id])).get(id)!;
    // Wednesday 18 November 2026, mid-morning.
    t.clock.set(new Date('2026-11-18T10:00:00Z'));
    hv = await signInAs(t.app, t.clock, 'hv.practitioner');
    door = await signInAs(t.app, t.clock, 'front.door');
  }, 120_000);
  afterAll(async () => { await t?.close(); });

  const form = {
    kind: 'referral', reason: 'Bruise seen on the cheek', worries: 'At a home visit I saw a bruise on Rowan’s cheek; mother said he fell.',
    urgent: 'no', childGiven: 'Rowan', childFamily: 'Doorstep', childBirthDay: '10', childBirthMonth: '2', childBirthYear: '2024',
    childNhs: NHS, childPostcode: 'ST4 7QP', consent: 'given', lawfulBasis: 'uk-gdpr-6-1-e',
  };

  let contactId: string;

  it('matches the child before recording, and records the referral as an event to the front door', async () => {
    const bad = await hv.post('/front-door/contacts/new', { ...form, reason: '' }, { csrfFrom: '/front-door/contacts/new' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('There is a problem');
    const first = await hv.post('/front-door/contacts/new', form, { csrfFrom: '/front-door/contacts/new' });
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('Is the child one of these people?');
    expect(first.body).toContain(`value="${child}"`);
    const saved = await hv.post('/front-door/contacts/new', { ...form, childMatch: child }, { csrfFrom: '/front-door/contacts/new' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/front-door/referrals?sent=1');
    const { rows } = await t.database.db.selectFrom('front_door_contact as c').innerJoin('event as e', 'e.id', 'c.event_row_id')
      .select(['c.event_row_id', 'e.type', 'e.subjects']).execute().then((r) => ({ rows: r }));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.type).toBe('referral');
    expect(rows[0]!.subjects).toEqual(['marlshire-hv:HV-FD1']);
    contactId = String(rows[0]!.event_row_id);
  });

  it('puts it in the triage queue with its one-working-day deadline', async () => {
    const queue = await door.get('/front-door');
    expect(queue.statusCode).toBe(200);
    expect(queue.body).toContain(`/front-door/contacts/${contactId}`);
    expect(queue.body).toContain('Rowan Doorstep');
    expect(queue.body).toContain('19 November 2026'); // due by the end of the next working day
    // The teams the front door hands over to can reach their queue from the main menu.
    expect(queue.body).toContain('href="/front-door/handoffs"');
    expect(queue.body).not.toContain('Decision overdue');
    t.clock.set(new Date('2026-11-20T09:00:00Z'));
    // Sessions time out after 30 idle minutes: sign in again two days later.
    door = await signInAs(t.app, t.clock, 'front.door');
    hv = await signInAs(t.app, t.clock, 'hv.practitioner');
    expect((await door.get('/front-door')).body).toContain('Decision overdue');
  });

  it('shows the history (another authority’s child protection plan, the earlier referral, re-referral) and will not decide without the confirmation', async () => {
    const page = await door.get(`/front-door/contacts/${contactId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Child protection plan (neglect)');
    expect(page.body).toContain('Another local authority');
    expect(page.body).toContain('Missed appointments');
    expect(page.body).toContain('Re-referral within 12 months');
    const viewId = /name="historyViewId" value="([^"]+)"/.exec(page.body)![1]!;
    const view = await t.database.db.selectFrom('front_door_history_view').selectAll().where('id', '=', viewId).executeTakeFirstOrThrow();
    expect((view.contents as { involvements: number[] }).involvements.length).toBeGreaterThan(0);

    const decision = { historyViewId: viewId, level: '3', outcome: 'early-help', rationale: 'Earlier plan in Westshire and a new injury: early help with a health review.', shared: 'yes', sharedWith: 'Marlshire Early Help', whatShared: 'The referral and the history', shareLawfulBasis: 'uk-gdpr-6-1-e' };
    const refused = await door.post(`/front-door/contacts/${contactId}/decision`, decision, { csrfFrom: `/front-door/contacts/${contactId}` });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Confirm that you have considered the history');
    expect(await t.database.db.selectFrom('front_door_decision').selectAll().execute()).toHaveLength(0);

    const forged = await door.post(`/front-door/contacts/${contactId}/decision`, { ...decision, historyViewId: `hv_${'0'.repeat(32)}`, confirmHistory: 'yes' }, { csrfFrom: `/front-door/contacts/${contactId}` });
    expect(forged.statusCode).toBe(400);

    const ok = await door.post(`/front-door/contacts/${contactId}/decision`, { ...decision, confirmHistory: 'yes' }, { csrfFrom: `/front-door/contacts/${contactId}` });
    expect(ok.statusCode).toBe(303);
    const saved = await t.database.db.selectFrom('front_door_decision').selectAll().executeTakeFirstOrThrow();
    expect(saved).toMatchObject({ outcome: 'early-help', level: 3, history_confirmed: true, re_referral: true, handoff_agency_id: 'marlshire-early-help' });
    expect(saved.history_view_id).toMatch(/^hv_/);
    expect(saved.information_share_id).toMatch(/^is_/);
    expect(saved.decision_event_row_id).not.toBeNull();
    const audit = await t.database.db.selectFrom('audit_event').select(['details', 'person_id']).where('action', '=', 'decide').execute();
    expect(audit.map((a) => a.person_id)).toContain(child);
    expect((audit[0]!.details as { historyView: string }).historyView).toBe(saved.history_view_id);
    expect((await door.get('/front-door')).body).not.toContain(`/front-door/contacts/${contactId}"`);
  });

  it('lets the early help service the decision was handed to see the child, for 30 days', async () => {
    const ctx: RequestContext = {
      actor: { kind: 'user', userId: '00000000-0000-4000-8000-0000000000e1', username: 'eh.worker', displayName: 'Early help worker', agencyId: 'marlshire-early-help', teamId: 'eh-north', roles: ['practitioner'] },
      correlationId: 'fd-handoff',
    };
    expect((await personAccess(t.database.db, ctx, [child], t.clock)).get(child)).toBe('relationship');
    const police: RequestContext = { ...ctx, actor: { ...ctx.actor, agencyId: 'marlshire-police' } as RequestContext['actor'] };
    expect((await personAccess(t.database.db, police, [child], t.clock)).has(child)).toBe(false);
    const later: RequestContext = { ...ctx, now: new Date(t.clock.now().getTime() + 31 * 86_400_000) };
    expect((await personAccess(t.database.db, later, [child])).has(child)).toBe(false);
  });

  it('tells the referrer the outcome and lets a manager review it', async () => {
    const mine = await hv.get('/front-door/referrals');
    expect(mine.statusCode).toBe(200);
    expect(mine.body).toContain('Early help, level 3');
    // The May referral was decided by the front door's own system (a decision event, no decision row): not "waiting".
    expect(mine.body).toContain('No further action, level 1');
    expect(mine.body).not.toContain('Waiting for a decision');
    const manager = await signInAs(t.app, t.clock, 'team.manager');
    const review = await manager.get('/front-door/review');
    expect(review.statusCode).toBe(200);
    expect(review.body).toContain('Earlier plan in Westshire');
    const decisionId = /action="\/front-door\/review\/(fdd_[0-9a-f]+)"/.exec(review.body)![1]!;
    expect((await manager.post(`/front-door/review/${decisionId}`, { agrees: 'yes', note: 'Agreed: proportionate.' }, { csrfFrom: '/front-door/review' })).statusCode).toBe(303);
    expect((await manager.get('/front-door/review')).body).toContain('Agreed: proportionate.');
    expect((await hv.get('/front-door')).statusCode).toBe(403);
  });
});
