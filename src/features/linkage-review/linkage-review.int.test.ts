import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { testIdentities } from '../records/test-identities.ts';
import { ingestBatch } from '../ingest/service.ts';
import { systemContext, type RequestContext } from '../../platform/access/context.ts';
import { csrfTokenIn } from '../../../test/support/sign-in.ts';
import { sql } from 'kysely';
import { decideReview, splitPerson, undoLinkChange } from './service.ts';
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

  it('undoes a split in one step through the links page: the records, chronology and involvements go back; audited; not twice', async () => {
    const amara = await personOf('HV-1');
    const split = await personOf('HS-1');
    expect(split).not.toBe(amara);
    // Something housing recorded about the split record since: it must follow the record back.
    await ingestBatch(t.database.db, systemContext('test', 'test'), {
      agencies, events: [{ id: 'hs-e1', at: '2026-10-01', agency: 'housing', type: 'involvement-start', subjects: ['HS-1'], data: { service: 'early-help', level: 2 } }],
    }, { clock: t.clock });
    // Housing holds only the split record: the lead reaches the split from the new person's page.
    const links = await t.app.inject({ method: 'GET', url: `/people/${split}/links`, headers: lead });
    expect(links.statusCode).toBe(200);
    const href = new RegExp(`href="(/people/${split}/link-changes/\\d+/undo)"`).exec(links.body)?.[1];
    expect(href).toBeDefined();
    const page = await t.app.inject({ method: 'GET', url: href!, headers: lead });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Undo this split');
    expect(page.body).toContain('Amara Okafer');
    const cookies = Object.fromEntries((page.cookies as { name: string; value: string }[]).map((c) => [c.name, c.value]));
    const post = (form: Record<string, string>, url = href!) => t.app.inject({
      method: 'POST', url, headers: { ...lead, 'content-type': 'application/x-www-form-urlencoded' }, cookies,
      payload: new URLSearchParams({ ...form, _csrf: csrfTokenIn(page.body) ?? '' }).toString(),
    });
    const missing = await post({});
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('Explain why this should be undone in at least 10 characters');
    const done = await post({ reason: 'Housing confirmed it is Amara after all' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/people/${amara}/links`);
    expect(await personOf('HS-1')).toBe(amara);
    const subjects = await t.database.db.selectFrom('event_subject').select('person_id').where('agency_id', '=', 'housing').execute();
    expect(subjects).toEqual([{ person_id: amara }]);
    const involvements = await t.database.db.selectFrom('involvement').select('person_id').where('agency_id', '=', 'housing').execute();
    expect(involvements).toEqual([{ person_id: amara }]);
    const family = await t.database.db.selectFrom('family_member').select('person_id').where('person_id', 'in', [amara, split]).execute();
    expect(family.map((f) => f.person_id)).toEqual([amara]);
    const audits = await t.database.db.selectFrom('audit_event').select(['person_id', 'details']).where('action', '=', 'merge').where('person_id', 'in', [amara, split]).execute();
    expect(audits.map((a) => a.person_id).sort()).toEqual([amara, split].sort());
    expect(audits[0]!.details).toMatchObject({ undoes: Number(/link-changes\/(\d+)/.exec(href!)![1]) });
    // The split person holds nothing now; from Amara's page the change shows as undone and cannot be undone again.
    expect((await t.app.inject({ method: 'GET', url: href!, headers: lead })).statusCode).toBe(404);
    const undone = await t.app.inject({ method: 'GET', url: href!.replace(split, amara), headers: lead });
    expect(undone.body).toContain('This was undone on');
    const again = await post({ reason: 'Pressed the button a second time' }, href!.replace(split, amara));
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('This change has already been undone');
    expect(await personOf('HS-1')).toBe(amara);
  });

  it('undoes a merge, but only once the later split of the same records is undone; the merged person gets their records back', async () => {
    const sister = await personOf('HS-3');
    const changes = await linkageRepository(t.database.db).linkChanges([sister]);
    const merge = changes.find((c) => c.kind === 'merge')!;
    const laterSplit = changes.find((c) => c.kind === 'split' && c.undoneBy === null)!;
    expect(merge.to).toBe(sister);
    expect(merge.recordIds).toEqual(laterSplit.recordIds);
    await expect(undoLinkChange(t.database.db, ctx, sister, merge.id, { reason: 'Linked in error after all' }, t.clock)).rejects.toThrow(/Cannot undo/);
    await undoLinkChange(t.database.db, ctx, sister, laterSplit.id, { reason: 'The split was the mistake' }, t.clock);
    expect(await personOf('HV-9')).toBe(sister);
    const { personId } = await undoLinkChange(t.database.db, ctx, sister, merge.id, { reason: 'Linked in error: another girl' }, t.clock);
    expect(personId).toBe(merge.from);
    expect(await personOf('HV-9')).toBe(merge.from);
    expect(await personOf('HS-3')).toBe(sister);
    const undo = (await linkageRepository(t.database.db).linkChanges([merge.from])).find((c) => c.undoes === merge.id);
    expect(undo).toMatchObject({ kind: 'undo', from: sister, to: merge.from, recordIds: merge.recordIds });
    expect((await t.database.db.selectFrom('audit_event').select('action').where('action', '=', 'split').where('person_id', '=', merge.from).execute()).length).toBe(1);
    await expect(sql`delete from link_change`.execute(t.database.db)).rejects.toThrow(/append-only/);
  });

  it('refuses to undo an undo, and a change of someone else, as not found', async () => {
    const sister = await personOf('HS-3');
    const undo = (await linkageRepository(t.database.db).linkChanges([sister])).find((c) => c.kind === 'undo')!;
    const other = await personOf('HV-1');
    for (const [p, id] of [[sister, undo.id], [other, undo.undoes!]] as const) {
      const res = await t.app.inject({ method: 'GET', url: `/people/${p}/link-changes/${id}/undo`, headers: lead });
      expect(res.statusCode).toBe(404);
    }
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
