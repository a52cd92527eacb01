import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { expectedEngine } from '../../../test/support/database.ts';
import { systemContext } from '../../platform/access/context.ts';
import { testIdentities } from '../records/test-identities.ts';
import { ingestBatch } from '../ingest/service.ts';
import { recordsRepository } from '../records/repository.ts';
import { FLAG_CATALOGUE } from '../../domain/flags/index.ts';
import { flagsRepository } from './repository.ts';
import { evaluateFlagsFor, recomputeFlags, storeFindings } from './service.ts';

const agencies = [
  { id: 'hv', name: 'Marlshire Health Visiting', kind: 'health-visiting', authority: 'E06000021' },
  { id: 'hosp', name: 'Marlshire General Hospital', kind: 'hospital', authority: 'E06000021' },
  { id: 'door', name: 'Marlshire Front Door', kind: 'front-door', authority: 'E06000021' },
  { id: 'eh', name: 'Marlshire Early Help', kind: 'early-help', authority: 'E06000021' },
  { id: 'police', name: 'Marlshire Police', kind: 'police', authority: 'E06000021' },
];
const records = [
  { agency: 'hv', localId: 'HV-B', kind: 'person', name: { given: ['Robin'], family: 'Testcase' }, birthDate: '2024-01-10', nhsNumber: '9435555209' },
  { agency: 'hosp', localId: 'H-B', kind: 'person', name: { given: ['Robin'], family: 'Testcase' }, birthDate: '2024-01-10', nhsNumber: '9435555209' },
  { agency: 'hv', localId: 'HV-M', kind: 'person', name: { given: ['Sam'], family: 'Testcase' }, birthDate: '1990-02-02', nhsNumber: '9434765919' },
  { agency: 'eh', localId: 'EH-B', kind: 'person', name: { given: ['Robin'], family: 'Testcase' }, birthDate: '2024-01-10', nhsNumber: '9435555209' },
  { agency: 'door', localId: 'FD-B', kind: 'person', name: { given: ['Robin'], family: 'Testcase' }, birthDate: '2024-01-10', nhsNumber: '9435555209' },
  { agency: 'police', localId: 'P-X', kind: 'person', name: { given: ['Alex'], family: 'Other' }, birthDate: '2020-05-05' },
];
const relationships = [{ agency: 'hv', from: 'HV-M', to: 'HV-B', type: 'parent-of', from_date: '2024-01-10' }];
const injury = (id: string, at: string) => ({
  id, at, agency: 'hosp', type: 'unscheduled-care', subjects: ['H-B'],
  data: { setting: 'ed', reason: 'injury', injury: { type: 'bruise', site: 'face' } }, text: 'Bruise to the cheek.',
});

function csrfIn(html: string): string {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
}
function cookiesOf(res: { cookies: unknown }): Record<string, string> {
  return Object.fromEntries((res.cookies as { name: string; value: string }[]).map((c) => [c.name, c.value]));
}

describe(`concern flags in the database and on the pages (${expectedEngine})`, () => {
  let t: TestApp;
  let baby: string;
  let flagId: string;
  const as = (agency: string) => ({ 'x-test-agency': agency });
  beforeAll(async () => {
    t = await startTestApp({}, testIdentities);
    await ingestBatch(t.database.db, systemContext('test', 'seed'), { agencies, records, relationships }, { clock: t.clock });
    const repo = recordsRepository(t.database.db);
    const id = (await repo.recordIds([{ agency: 'hv', localId: 'HV-B' }])).get('hv:HV-B')!;
    baby = (await repo.currentPersons([id])).get(id)!;
  });
  afterAll(async () => t?.close());

  it('raises a flag when an agency’s API batch brings the evidence, routed to the front-door queue when no service leads for the child', async () => {
    t.clock.set(new Date('2024-03-01T12:00:00Z'));
    const res = await t.app.inject({
      method: 'POST', url: '/api/v1/events', headers: { 'content-type': 'application/json', 'x-test-client': 'hosp' },
      payload: JSON.stringify({ events: [injury('ed-1', '2024-03-01T10:00:00Z')] }),
    });
    expect(res.statusCode).toBe(200);
    const flags = await flagsRepository(t.database.db).flagsOfPeople([baby]);
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ category: 'infant-injury', ruleId: 'infant-injury-not-mobile', state: 'open', routedToKind: 'front-door', routedToId: 'door', evidence: ['ed-1'], sources: ['hosp'] });
    expect(flags[0]!.evidenceRows).toHaveLength(1);
    flagId = flags[0]!.id;
    expect((await flagsRepository(t.database.db).history(flagId)).map((h) => h.action)).toEqual(['raised']);
  });

  it('shows the flag on the person page to an agency that knows the child, linked to the flag page, and audits the read', async () => {
    const page = await t.app.inject({ method: 'GET', url: `/people/${baby}`, headers: as('hv') });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`href="/flags/${flagId}"`);
    expect(page.body).toContain('Injury in a baby');
    const audit = await t.database.db.selectFrom('audit_event').select(['action', 'person_id']).where('subject_type', '=', 'flag').execute();
    expect(audit).toContainEqual({ action: 'read', person_id: baby });
  });

  it('answers "not found" for the flag to an agency with no relationship with the child, and audits the denial', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/flags/${flagId}`, headers: as('police') });
    expect(res.statusCode).toBe(404);
    const denied = await t.database.db.selectFrom('audit_event').select('outcome').where('outcome', '=', 'denied').where('person_id', '=', baby).execute();
    expect(denied.length).toBeGreaterThan(0);
  });

  it('links the evidence in the chronology to the flag', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/people/${baby}/chronology`, headers: as('hosp') });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(new RegExp(`Evidence for <a class="govuk-link" href="/flags/${flagId}">`));
  });

  it('puts the flag in the front door’s queue and not in another agency’s worklist', async () => {
    const door = await t.app.inject({ method: 'GET', url: '/flags', headers: as('door') });
    expect(door.statusCode).toBe(200);
    expect(door.body).toContain('Front door queue (1)');
    expect(door.body).toContain(`href="/flags/${flagId}"`);
    const hv = await t.app.inject({ method: 'GET', url: '/flags', headers: as('hv') });
    expect(hv.body).not.toContain(`href="/flags/${flagId}"`);
  });

  it('will not acknowledge without a note, then acknowledges with one, keeping the note out of the audit', async () => {
    const page = await t.app.inject({ method: 'GET', url: `/flags/${flagId}`, headers: as('door') });
    expect(page.statusCode).toBe(200);
    const post = (payload: Record<string, string>) => t.app.inject({
      method: 'POST', url: `/flags/${flagId}/acknowledge`, headers: as('door'), payload: { ...payload, _csrf: csrfIn(page.body) }, cookies: cookiesOf(page),
    });
    const empty = await post({ note: '  ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Enter a note saying what you have done or will do');
    const done = await post({ note: 'Spoke to the health visitor; home visit booked.' });
    expect(done.statusCode).toBe(303);
    const flag = await flagsRepository(t.database.db).flag(flagId);
    expect(flag).toMatchObject({ state: 'acknowledged', stateNote: 'Spoke to the health visitor; home visit booked.' });
    const audit = await t.database.db.selectFrom('audit_event').select(['details']).where('action', '=', 'acknowledge').execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain('health visitor');
  });

  it('refuses a form post without the CSRF token', async () => {
    const res = await t.app.inject({ method: 'POST', url: `/flags/${flagId}/close`, headers: as('door'), payload: { reason: 'x' } });
    expect(res.statusCode).toBe(403);
    expect((await flagsRepository(t.database.db).flag(flagId))?.state).toBe('acknowledged');
  });

  it('closes with a reason, and does not raise it again until there is new evidence', async () => {
    const page = await t.app.inject({ method: 'GET', url: `/flags/${flagId}`, headers: as('door') });
    const closed = await t.app.inject({
      method: 'POST', url: `/flags/${flagId}/close`, headers: as('door'), payload: { reason: 'Accidental: seen by paediatrics.', _csrf: csrfIn(page.body) }, cookies: cookiesOf(page),
    });
    expect(closed.statusCode).toBe(303);
    expect((await flagsRepository(t.database.db).history(flagId)).map((h) => h.action)).toEqual(['raised', 'acknowledge', 'close']);
    const again = await evaluateFlagsFor(t.database.db, [baby], t.clock);
    expect(again).toMatchObject({ raised: 0, raisedAgain: 0 });
    const [flag] = await flagsRepository(t.database.db).flagsOfPeople([baby]);
    const finding = {
      key: flag!.key, category: 'infant-injury' as const, ruleId: flag!.ruleId, ruleVersion: 1, personId: baby,
      evidence: [...flag!.evidence, 'ed-2'], sources: ['hosp'], explanation: 'Two injuries.', raisedAt: t.clock.now(), reviewBy: t.clock.now(),
    };
    const stored = await storeFindings(t.database.db, systemContext('test', 't'), [finding], new Map(), t.clock.now(), 'E06000021');
    expect(stored.raisedAgain).toHaveLength(1);
    const reraised = await flagsRepository(t.database.db).flag(stored.raisedAgain[0]!);
    expect(reraised).toMatchObject({ state: 'open', previousFlagId: flagId });
    expect((await flagsRepository(t.database.db).flag(flagId))?.state).toBe('closed');
    const twice = await storeFindings(t.database.db, systemContext('test', 't'), [finding], new Map(), t.clock.now(), 'E06000021');
    expect(twice).toEqual({ raised: [], updated: [], raisedAgain: [] });
  });

  it('routes a new flag to the team of the service leading for the child', async () => {
    await t.database.db.insertInto('team').values({ id: 'eh-east', agency_id: 'eh', name: 'Early Help East' }).execute();
    await ingestBatch(t.database.db, systemContext('test', 'eh'), {
      events: [{ id: 'eh-1', at: '2024-03-05', agency: 'eh', type: 'involvement-start', subjects: ['EH-B'], data: { service: 'early-help', level: 2 } }],
    }, { clock: t.clock });
    t.clock.set(new Date('2024-03-20T12:00:00Z'));
    await ingestBatch(t.database.db, systemContext('test', 'h'), { events: [injury('ed-3', '2024-03-20T09:00:00Z')] }, { clock: t.clock });
    await evaluateFlagsFor(t.database.db, [baby], t.clock);
    const flags = await flagsRepository(t.database.db).flagsOfPeople([baby]);
    const latest = flags.find((f) => f.evidence.includes('ed-3') && f.previousFlagId === null);
    expect(latest).toMatchObject({ routedToKind: 'team', routedToId: 'eh-east' });
  });

  it('raises a time-based flag only when the recompute runs at a later instant', async () => {
    await ingestBatch(t.database.db, systemContext('test', 'door'), {
      events: [{ id: 'fd-1', at: '2024-04-02T10:00:00+01:00', agency: 'door', type: 'contact', subjects: ['FD-B'], data: { to: 'door', reason: 'Neighbour worried.', requestedLevel: 2 } }],
    }, { clock: t.clock });
    const overdue = async () => (await flagsRepository(t.database.db).flagsOfPeople([baby])).filter((f) => f.category === 'decision-overdue');
    await recomputeFlags(t.database.db, new Date('2024-04-02T12:00:00Z'));
    expect(await overdue()).toEqual([]);
    const summary = await recomputeFlags(t.database.db, new Date('2024-04-05T09:00:00+01:00'));
    expect(summary.people).toBeGreaterThan(1);
    expect((await overdue()).map((f) => f.ruleId)).toEqual(['referral-decision-overdue']);
  });

  it('a recompute in chunks of one family at the same instant finds the same flags and writes nothing', async () => {
    const at = new Date('2024-04-05T09:00:00+01:00');
    const count = async (table: 'flag' | 'flag_history' | 'audit_event') =>
      Number((await t.database.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = { flags: await count('flag'), history: await count('flag_history'), audit: await count('audit_event') };
    const summary = await recomputeFlags(t.database.db, at, { batch: 1 });
    expect(summary.evaluated).toBeGreaterThan(1);
    expect(summary).toMatchObject({ raised: 0, updated: 0, raisedAgain: 0 });
    expect({ flags: await count('flag'), history: await count('flag_history'), audit: await count('audit_event') }).toEqual(before);
  });

  it('an evaluation of a few people that finds what is stored writes nothing, and a finding it lacks is still stored', async () => {
    const count = async (table: 'flag' | 'flag_history' | 'audit_event') =>
      Number((await t.database.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const at = new Date('2024-04-05T09:00:00+01:00');
    const before = { flags: await count('flag'), history: await count('flag_history'), audit: await count('audit_event') };
    expect(await evaluateFlagsFor(t.database.db, [baby], at)).toMatchObject({ evaluated: 2, raised: 0, updated: 0, raisedAgain: 0 });
    expect({ flags: await count('flag'), history: await count('flag_history'), audit: await count('audit_event') }).toEqual(before);
    // A live flag whose wording differs from the finding is updated (the one-read path does not hide a change).
    const overdue = (await flagsRepository(t.database.db).flagsOfPeople([baby])).find((f) => f.ruleId === 'referral-decision-overdue')!;
    await t.database.db.updateTable('flag').set({ explanation: 'stale wording' }).where('id', '=', overdue.id).execute();
    expect(await evaluateFlagsFor(t.database.db, [baby], at)).toMatchObject({ updated: 1, raised: 0 });
    expect((await flagsRepository(t.database.db).flag(overdue.id))?.explanation).toBe(overdue.explanation);
  });

  it('writes an evaluation of a few people in one statement only while the flags with its keys are as read, else reads them afresh', async () => {
    // A flag with the finding's key held by someone outside the family (as after a merge): the family read does not see it,
    // so the one-statement write must not raise a second live flag with the key (flag_live_key would refuse it) but update it.
    const at = new Date('2024-04-05T09:00:00+01:00');
    const repo = recordsRepository(t.database.db);
    const px = (await repo.recordIds([{ agency: 'police', localId: 'P-X' }])).get('police:P-X')!;
    const other = (await repo.currentPersons([px])).get(px)!;
    const overdue = (await flagsRepository(t.database.db).flagsOfPeople([baby])).find((f) => f.ruleId === 'referral-decision-overdue')!;
    await t.database.db.updateTable('flag').set({ person_id: other, explanation: 'stale wording' }).where('id', '=', overdue.id).execute();
    try {
      expect(await evaluateFlagsFor(t.database.db, [baby], at)).toMatchObject({ raised: 0, raisedAgain: 0, updated: 1 });
      expect((await flagsRepository(t.database.db).flagsByKeys([overdue.key])).map((f) => [f.id, f.explanation])).toEqual([[overdue.id, overdue.explanation]]);
    } finally {
      await t.database.db.updateTable('flag').set({ person_id: baby }).where('id', '=', overdue.id).execute();
    }
    // As read, a change is one statement: the flag, its history and its audit row together.
    await t.database.db.updateTable('flag').set({ explanation: 'stale again' }).where('id', '=', overdue.id).execute();
    expect(await evaluateFlagsFor(t.database.db, [baby], at)).toMatchObject({ raised: 0, updated: 1 });
    expect((await flagsRepository(t.database.db).history(overdue.id)).slice(-2).map((h) => [h.action, h.toState])).toEqual([['reworded', 'open'], ['reworded', 'open']]);
    const audits = await t.database.db.selectFrom('audit_event').select(['action', 'subject_id']).where('subject_type', '=', 'flag').where('subject_id', '=', overdue.id).where('action', '=', 'correct').execute();
    expect(audits.length).toBeGreaterThanOrEqual(3);
  });

  it('reads a family in one round trip, sending the agencies only when they changed since the copy the caller holds', async () => {
    const repo = flagsRepository(t.database.db);
    const first = await repo.familyRead([baby], null);
    expect(first.agencies?.map((a) => a.id)).toEqual(expect.arrayContaining(['hv', 'hosp', 'door']));
    expect(first.records.some((r) => r.personId === baby)).toBe(true);
    expect(first.events.map((e) => e.eventId)).toEqual(expect.arrayContaining(['ed-1', 'ed-3', 'fd-1']));
    expect(first.events.every((e) => e.text === null && e.personIds.includes(baby))).toBe(true);
    expect(first.flags.map((f) => f.key).sort()).toEqual((await repo.flagsOfPeople([baby])).map((f) => f.key).sort());
    const same = await repo.familyRead([baby], first.agencyHash);
    expect(same).toMatchObject({ agencies: null, agencyHash: first.agencyHash });
    await t.database.db.updateTable('agency').set({ authority_code: 'E06000022' }).where('id', '=', 'police').execute();
    const changed = await repo.familyRead([baby], first.agencyHash);
    expect(changed.agencyHash).not.toBe(first.agencyHash);
    expect(changed.agencies?.find((a) => a.id === 'police')?.authority).toBe('E06000022');
    await t.database.db.updateTable('agency').set({ authority_code: 'E06000021' }).where('id', '=', 'police').execute();
  });

  it('lists every rule in the catalogue with the learning it cites', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/flags/catalogue', headers: as('hv') });
    expect(res.statusCode).toBe(200);
    for (const rule of FLAG_CATALOGUE) expect(res.body).toContain(`id="${rule.id}"`);
    expect(res.body).toContain('004_a9f449d4e917b1ec.txt');
    expect((await t.app.inject({ method: 'GET', url: '/flags/catalogue' })).statusCode).not.toBe(200);
  });
});
