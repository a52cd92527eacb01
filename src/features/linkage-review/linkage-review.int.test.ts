import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { testIdentities } from '../records/test-identities.ts';
import { ingestBatch } from '../ingest/service.ts';
import { systemContext, type RequestContext } from '../../platform/access/context.ts';
import { csrfTokenIn } from '../../../test/support/sign-in.ts';
import { decideReview, splitPerson } from './service.ts';
import { linkageRepository } from './repository.ts';

const agencies = [
  { id: 'hv', name: 'Health Visiting', kind: 'health-visiting', authority: 'E06000021' },
  { id: 'housing', name: 'Housing', kind: 'housing', authority: 'E06000021' },
];
const address = { lines: ['12 Acacia Avenue'], town: 'Stoke-on-Trent', postcode: 'ST4 7QP' };
const records = [
  { agency: 'hv', localId: 'HV-1', kind: 'person', name: { given: ['Amara'], family: 'Okafor' }, birthDate: '2019-06-01', sex: 'female', nhsNumber: '9434765919', address },
  // The same child at housing: no NHS number, a slip in the family name.
  { agency: 'housing', localId: 'HS-1', kind: 'person', name: { given: ['Amara'], family: 'Okafer' }, birthDate: '2019-06-01', sex: 'female', address },
  // Her twin: same birth date, address and family name, another given name.
  { agency: 'housing', localId: 'HS-2', kind: 'person', name: { given: ['Chidi'], family: 'Okafor' }, birthDate: '2019-06-01', sex: 'male', address },
  // An older sister at the same address.
  { agency: 'housing', localId: 'HS-3', kind: 'person', name: { given: ['Ngozi'], family: 'Okafor' }, birthDate: '2014-02-11', sex: 'female', address },
];

describe('probabilistic linking and the review queue', () => {
  let t: TestApp;
  const lead = { 'x-test-agency': 'housing', 'x-test-roles': 'safeguarding-lead' };
  const ctx: RequestContext = {
    actor: { kind: 'user', userId: '00000000-0000-4000-8000-000000000001', username: 'lead', displayName: 'Lead', agencyId: 'housing', teamId: null, roles: ['safeguarding-lead'] },
    correlationId: 'test',
  };
  const personOf = async (localId: string) =>
    (await t.database.db.selectFrom('person_link as l').innerJoin('agency_record as r', 'r.id', 'l.record_id')
      .select('l.person_id').where('r.local_id', '=', localId).where('l.unlinked_at', 'is', null).executeTakeFirstOrThrow()).person_id;

  beforeAll(async () => {
    t = await startTestApp({}, testIdentities);
    await ingestBatch(t.database.db, systemContext('test', 'test'), { agencies, records }, { clock: t.clock });
  }, 60_000);
  afterAll(async () => t?.close());

  it('links a record without an NHS number to the child it matches by name, birth date and address', async () => {
    expect(await personOf('HS-1')).toBe(await personOf('HV-1'));
  });

  it('never links possible twins, and queues them for review; a sibling of another age is neither linked nor queued', async () => {
    expect(await personOf('HS-2')).not.toBe(await personOf('HV-1'));
    expect(await personOf('HS-3')).not.toBe(await personOf('HV-1'));
    const queued = await t.database.db.selectFrom('link_review').select(['held_because', 'record_id']).execute();
    expect(queued.map((q) => q.held_because)).toContain('possible twins');
    const sister = await t.database.db.selectFrom('agency_record').select('id').where('local_id', '=', 'HS-3').executeTakeFirstOrThrow();
    expect(queued.map((q) => q.record_id)).not.toContain(sister.id);
  });

  it('shows a safeguarding lead both records side by side with the waterfall and its table, and audits the read', async () => {
    const queue = await t.app.inject({ method: 'GET', url: '/linkage/reviews', headers: lead });
    expect(queue.statusCode).toBe(200);
    const id = /href="\/linkage\/reviews\/(\d+)"/.exec(queue.body)?.[1];
    expect(id).toBeDefined();
    const page = await t.app.inject({ method: 'GET', url: `/linkage/reviews/${id}`, headers: lead });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Chidi Okafor');
    expect(page.body).toContain('Amara Okafor');
    expect(page.body).toContain('possible twins');
    expect(page.body).toMatch(/<svg[^>]*class="kinsight-waterfall"[^>]*role="img"/);
    expect(page.body).toContain('id="weights"');
    const audits = await t.database.db.selectFrom('audit_event').select('person_id').where('subject_type', '=', 'link-review').where('subject_id', '=', id!).execute();
    expect(audits.length).toBe(2);
  });

  it('refuses the review queue to system administrators and practitioners', async () => {
    for (const roles of ['system-administrator', 'practitioner']) {
      const res = await t.app.inject({ method: 'GET', url: '/linkage/reviews', headers: { 'x-test-agency': 'housing', 'x-test-roles': roles } });
      expect(res.statusCode).toBe(403);
    }
  });

  it('records "not the same person" with the reason, audits it, and refuses a second decision on the same pair', async () => {
    const review = await t.database.db.selectFrom('link_review').select('id').where('held_because', '=', 'possible twins').executeTakeFirstOrThrow();
    await decideReview(t.database.db, ctx, review.id, { decision: 'not-same-person', reason: 'Twins: the birth register lists both' }, t.clock);
    const row = await t.database.db.selectFrom('link_review').selectAll().where('id', '=', review.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'not-same-person', decision_reason: 'Twins: the birth register lists both' });
    await expect(decideReview(t.database.db, ctx, review.id, { decision: 'link', reason: 'Changed my mind about this' }, t.clock)).rejects.toThrow(/already been decided/);
    const audit = await t.database.db.selectFrom('audit_event').select('details').where('action', '=', 'decide').execute();
    expect(audit).toHaveLength(1);
  });

  it('splits a record out of a person into a new person, keeping the ended link, and the split is audited', async () => {
    const person = await personOf('HV-1');
    const housing = await t.database.db.selectFrom('agency_record').select('id').where('local_id', '=', 'HS-1').executeTakeFirstOrThrow();
    const created = await splitPerson(t.database.db, ctx, person, { records: String(housing.id), reason: 'Housing recorded another child' }, t.clock);
    expect(created).not.toBe(person);
    expect(await personOf('HS-1')).toBe(created);
    const ended = await t.database.db.selectFrom('person_link').selectAll().where('record_id', '=', housing.id).where('unlinked_at', 'is not', null).execute();
    expect(ended).toHaveLength(1);
    expect(ended[0]!.unlink_reason).toMatch(/^split: /);
    const audit = await t.database.db.selectFrom('audit_event').select('person_id').where('action', '=', 'split').execute();
    expect(audit).toEqual([{ person_id: person }]);
  });

  it('merges two people on a "link" decision, audited, and a split reverses it with the history kept', async () => {
    // A record the linker keeps apart from the older sister; a practitioner decides they are one girl (a name given at adoption, say).
    await ingestBatch(t.database.db, systemContext('test', 'test'), {
      agencies,
      records: [{ agency: 'hv', localId: 'HV-9', kind: 'person', name: { given: ['Adaeze'], family: 'Bello' }, birthDate: '2015-07-23', sex: 'female', address: { lines: ['3 Mill Lane'], town: 'Leek', postcode: 'ST13 5AA' } }],
    }, { clock: t.clock });
    const sister = await personOf('HS-3');
    const other = await personOf('HV-9');
    expect(other).not.toBe(sister);
    const [incoming, existing] = await Promise.all(['HV-9', 'HS-3'].map((id) => t.database.db.selectFrom('agency_record').select('id').where('local_id', '=', id).executeTakeFirstOrThrow()));
    await linkageRepository(t.database.db).insertReviews([{
      recordId: incoming!.id, candidateRecordId: existing!.id, probability: 0.7, matchWeight: 1.2, heldBecause: null,
      breakdown: { priorWeight: 0, fields: [], matchWeight: 1.2, probability: 0.7, outcome: 'review', heldBecause: null }, createdAt: t.clock.now(),
    }]);
    const review = await t.database.db.selectFrom('link_review').select('id').where('record_id', '=', incoming!.id).where('status', '=', 'open').executeTakeFirstOrThrow();
    const { personId } = await decideReview(t.database.db, ctx, review.id, { decision: 'link', reason: 'Same girl: school confirmed the date of birth slip' }, t.clock);
    expect(personId).toBe(sister);
    expect(await personOf('HV-9')).toBe(sister);
    const merges = await t.database.db.selectFrom('audit_event').select(['person_id', 'details']).where('action', '=', 'merge').execute();
    expect(merges).toHaveLength(1);
    expect(merges[0]!.person_id).toBe(sister);
    // Reversed: split the record out again; the ended link stays as history.
    const created = await splitPerson(t.database.db, ctx, sister, { records: String(incoming!.id), reason: 'Linked in error: another Ngozi' }, t.clock);
    expect(await personOf('HV-9')).toBe(created);
    expect(await personOf('HS-3')).toBe(sister);
    const history = await t.database.db.selectFrom('person_link').select(['person_id', 'unlinked_at']).where('record_id', '=', incoming!.id).orderBy('id').execute();
    expect(history.length).toBeGreaterThanOrEqual(3);
    expect(history.filter((l) => l.unlinked_at === null)).toEqual([{ person_id: created, unlinked_at: null }]);
  });

  it('takes a decision through the form, with its CSRF token, and answers a missing reason with a GOV.UK error', async () => {
    await t.database.db.updateTable('link_review').set({ status: 'open', decided_at: null, decided_by: null, decision_reason: null }).execute();
    const review = await t.database.db.selectFrom('link_review').select('id').orderBy('id').executeTakeFirstOrThrow();
    const page = await t.app.inject({ method: 'GET', url: `/linkage/reviews/${review.id}`, headers: lead });
    const cookies = Object.fromEntries((page.cookies as { name: string; value: string }[]).map((c) => [c.name, c.value]));
    const post = (form: Record<string, string>) => t.app.inject({
      method: 'POST', url: `/linkage/reviews/${review.id}`, headers: { ...lead, 'content-type': 'application/x-www-form-urlencoded' }, cookies,
      payload: new URLSearchParams({ ...form, _csrf: csrfTokenIn(page.body) ?? '' }).toString(),
    });
    const missing = await post({ decision: 'not-same-person' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('Explain your decision in at least 10 characters');
    const done = await post({ decision: 'not-same-person', reason: 'Different children, checked with the school' });
    expect(done.statusCode).toBe(303);
  });
});
