import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedEngine, openTestDatabase } from '../../../test/support/database.ts';
import type { Database } from '../../platform/db/database.ts';
import { systemContext, type RequestContext } from '../../platform/access/context.ts';
import { ManualClock } from '../../platform/clock.ts';
import { recordsRepository } from '../records/repository.ts';
import { ingestBatch, ingestBulk } from './service.ts';
import { listQuarantine, resubmitQuarantined } from './quarantine.ts';
import { batch } from './fixtures.ts';

const system = systemContext('test', 'test-ingest');
const client = (agencyId: string): RequestContext => ({ actor: { kind: 'api-client', clientId: `client-${agencyId}`, agencyId }, correlationId: 'c1' });

describe(`ingest (${expectedEngine})`, () => {
  let database: Database;
  const clock = new ManualClock(new Date('2020-03-01T09:00:00Z'));
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => database.close());

  const count = async (table: 'agency_record_version' | 'event' | 'relationship' | 'person' | 'event_subject') =>
    Number((await database.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const personOf = async (key: string) => {
    const [agency, localId] = key.split(':') as [string, string];
    const repo = recordsRepository(database.db);
    const id = (await repo.recordIds([{ agency, localId }])).get(key)!;
    return (await repo.currentPersons([id])).get(id)!;
  };

  it('accepts a well-formed batch, item by item', async () => {
    const result = await ingestBatch(database.db, system, batch(), { clock });
    expect(result.counts).toEqual({ accepted: 3 + 4 + 1 + 5, duplicate: 0, rejected: 0 });
    expect(result.items.filter((i) => i.kind === 'events').map((i) => i.key)).toEqual(['hv:hv-e1', 'hv:hv-e2', 'police:p-e1', 'hv:hv-e3', 'gp:gp-e1']);
  });

  it('stores a resubmitted identical batch once: every item is a duplicate and no rows are added', async () => {
    const before = await Promise.all([count('agency_record_version'), count('event'), count('relationship'), count('person')]);
    const again = await ingestBatch(database.db, system, batch(), { clock });
    expect(again.counts).toEqual({ accepted: 0, duplicate: 13, rejected: 0 });
    expect(await Promise.all([count('agency_record_version'), count('event'), count('relationship'), count('person')])).toEqual(before);
  });

  it('links records sharing a valid NHS number into one person, and keeps a record with a bad check digit apart', async () => {
    expect(await personOf('hv:HV-1')).toBe(await personOf('gp:G-1'));
    expect(await personOf('hv:HV-1')).toMatch(/^p_\d+$/);
    expect(await personOf('police:P-1')).not.toBe(await personOf('hv:HV-2'));
    expect(await count('person')).toBe(3);
  });

  it('derives the family from relationships and exposes person_agency for the access check', async () => {
    const kai = await personOf('hv:HV-1');
    const mother = await personOf('hv:HV-2');
    const families = await database.db.selectFrom('family_member').selectAll().where('person_id', 'in', [kai, mother]).execute();
    expect(new Set(families.map((f) => f.family_id)).size).toBe(1);
    const agencies = await database.db.selectFrom('person_agency').select('agency_id').where('person_id', '=', kai).orderBy('agency_id').execute();
    expect(agencies.map((a) => a.agency_id)).toEqual(['gp', 'hv']);
  });

  it('derives involvements from involvement-start and involvement-end events', async () => {
    const rows = await database.db.selectFrom('involvement').selectAll().where('person_id', '=', await personOf('hv:HV-1')).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ agency_id: 'hv', service: 'early-help', level: 3, started_on: '2019-09-01', ended_on: '2020-01-10', end_reason: 'needs-met' });
  });

  it('stores a changed record as a new version, keeping the first as received', async () => {
    const changed = batch().records[0]!;
    changed.address = { lines: ['Flat 6', '112 Lichfield Street'], postcode: 'ST1 3EA' };
    const result = await ingestBatch(database.db, system, { records: [changed] }, { clock });
    expect(result.items[0]).toMatchObject({ status: 'accepted', version: 2, key: 'hv:HV-1' });
    const versions = await database.db.selectFrom('agency_record_version').select(['version', 'postcode']).where('postcode', 'in', ['ST47QP', 'ST13EA']).orderBy('version').execute();
    expect(versions.map((v) => v.postcode)).toContain('ST47QP');
    expect(versions.map((v) => v.postcode)).toContain('ST13EA');
  });

  it('treats a changed event as a correction that points at the version it replaces', async () => {
    const corrected = { ...batch().events[0]!, data: { service: 'health-visiting', status: 'was-not-brought' } };
    const result = await ingestBatch(database.db, system, { events: [corrected] }, { clock });
    expect(result.items[0]).toMatchObject({ status: 'accepted', version: 2 });
    const rows = await database.db.selectFrom('event').select(['id', 'version', 'supersedes']).where('event_id', '=', 'hv-e1').orderBy('version').execute();
    expect(rows).toHaveLength(2);
    expect(rows[1]!.supersedes).toBe(rows[0]!.id);
  });

  it('retracts an event with a reason: it stays stored, and the involvement it started is gone', async () => {
    const result = await ingestBatch(database.db, system, { retractions: [{ agency: 'hv', eventId: 'hv-e2', reason: 'recorded on the wrong child' }] }, { clock });
    expect(result.items[0]).toMatchObject({ status: 'accepted' });
    expect(await database.db.selectFrom('event').select('id').where('event_id', '=', 'hv-e2').execute()).toHaveLength(1);
    const rows = await database.db.selectFrom('involvement').selectAll().where('person_id', '=', await personOf('hv:HV-1')).execute();
    expect(rows).toEqual([]);
    const twice = await ingestBatch(database.db, system, { retractions: [{ agency: 'hv', eventId: 'hv-e2', reason: 'again' }] }, { clock });
    expect(twice.items[0]!.status).toBe('duplicate');
  });

  it('rejects invalid items with field paths and what was expected, without echoing personal data', async () => {
    const result = await ingestBatch(database.db, system, {
      records: [
        { agency: 'hv', localId: 'HV-9', kind: 'person', birthDate: '09/07/2017', nhsNumber: '943 555 5209' },
        { agency: 'hv', localId: 'HV-10', kind: 'alien' },
      ],
      events: [
        { id: 'x1', at: '2020-01-01', agency: 'hv', type: 'appointment', subjects: ['HV-1'], data: { service: 'gp', status: 'no-show' } },
        { id: 'x2', at: '2020-01-01', agency: 'hv', type: 'telepathy', subjects: ['HV-1'] },
      ],
    }, { clock });
    const [r0, r1] = result.items.filter((i) => i.kind === 'records');
    expect(r0!.status).toBe('rejected');
    expect(r0!.reasons!.map((r) => r.path).sort()).toEqual(['records[0].birthDate', 'records[0].nhsNumber']);
    expect(JSON.stringify(r0!.reasons)).not.toContain('09/07/2017');
    expect(JSON.stringify(r0!.reasons)).not.toContain('5209');
    expect(r1!.reasons).toEqual([{ path: 'records[1].kind', expected: 'must be one of: person, unborn', value: 'alien' }]);
    const [e0, e1] = result.items.filter((i) => i.kind === 'events');
    expect(e0!.reasons).toEqual([expect.objectContaining({ path: 'events[0].data.status', value: 'no-show' })]);
    expect(e0!.reasons![0]!.expected).toContain('was-not-brought');
    expect(e1!.reasons).toEqual([expect.objectContaining({ path: 'events[1].type', value: 'telepathy' })]);
    expect(result.items.every((i) => i.quarantineId?.startsWith('q_'))).toBe(true);
  });

  it('rejects an event about a record it has never received, and writes nothing of it', async () => {
    const before = await count('event');
    const result = await ingestBatch(database.db, system, {
      events: [{ id: 'orphan', at: '2020-01-01', agency: 'hv', type: 'note', subjects: ['HV-1', 'HV-404'], text: 'A note.' }],
    }, { clock });
    expect(result.items[0]).toMatchObject({ status: 'rejected', reasons: [expect.objectContaining({ path: 'events[0].subjects[1]', value: 'HV-404' })] });
    expect(result.items[0]!.reasons![0]!.expected).toContain('record already received');
    expect(await count('event')).toBe(before);
  });

  it('lets an agency send only for itself', async () => {
    const result = await ingestBatch(database.db, client('gp'), {
      events: [{ id: 'g9', at: '2020-01-01', agency: 'hv', type: 'note', subjects: ['HV-1'], text: 'Not ours to send.' }],
    }, { clock });
    expect(result.items[0]!.reasons).toEqual([{ path: 'events[0].agency', expected: 'must be your own agency (gp)', value: 'hv' }]);
  });

  it('refuses a batch from an API client whose agency is not registered', async () => {
    await expect(ingestBatch(database.db, client('nowhere'), { events: [] }, { clock })).rejects.toMatchObject({ status: 403 });
  });

  it('refuses a batch that is not in the expected shape', async () => {
    await expect(ingestBatch(database.db, system, { people: [] }, { clock })).rejects.toMatchObject({ status: 400 });
  });

  it('keeps rejected items in quarantine, and accepts one once an administrator corrects it', async () => {
    const open = await listQuarantine(database.db, system);
    const item = open.find((q) => q.itemKind === 'events' && (q.raw as { id?: string }).id === 'x1')!;
    expect(item.reasons[0]!.path).toBe('events[0].data.status');
    const again = await resubmitQuarantined(database.db, system, item.id, { ...(item.raw as object), data: { service: 'gp', status: 'attended' } }, clock);
    expect(again.status).toBe('accepted');
    expect((await listQuarantine(database.db, system)).some((q) => q.id === item.id)).toBe(false);
  });

  it('audits each ingest with counts and no personal data', async () => {
    const rows = await database.db.selectFrom('audit_event').select(['action', 'details', 'subject_type']).where('action', '=', 'ingest').execute();
    expect(rows.length).toBeGreaterThan(3);
    const text = JSON.stringify(rows);
    expect(text).not.toMatch(/Harper|Whitfield|9435555209|2017-07-09/);
    expect(rows[0]!.details).toMatchObject({ accepted: expect.any(Number), rejected: expect.any(Number) });
  });

  it('takes a large batch through the bulk path with the same checks, in chunks', async () => {
    const events = Array.from({ length: 12_000 }, (_, i) => ({
      id: `bulk-${i}`, at: `2021-${String((i % 12) + 1).padStart(2, '0')}-01`, agency: 'gp', type: 'appointment',
      subjects: ['G-1'], data: { service: 'gp', status: i % 7 === 0 ? 'was-not-brought' : 'attended' },
    }));
    events[10_500] = { ...events[10_500]!, subjects: ['G-404'] };
    const result = await ingestBulk(database.db, system, { events }, { clock });
    expect(result.counts).toEqual({ accepted: 11_999, duplicate: 0, rejected: 1 });
    expect(result.items.find((i) => i.status === 'rejected')!.reasons![0]!.path).toBe('events[10500].subjects[0]');
  });

  it('joins each unborn record to its child at birth, twins born in one batch to their own child, with the unborn baby\'s chronology', async () => {
    const unborn = (localId: string) => ({ agency: 'hv', localId, kind: 'unborn', name: { family: 'Okonjo' }, expectedDate: '2021-06-01' });
    const child = (localId: string, given: string) => ({
      agency: 'hv', localId, kind: 'person', name: { given: [given], family: 'Okonjo' }, birthDate: '2021-05-20', sex: 'female',
      address: { lines: ['3 Mill Lane'], postcode: 'ST4 1AA' },
    });
    await ingestBatch(database.db, system, {
      records: [unborn('U-1'), unborn('U-2')],
      events: [{ id: 'u-e1', at: '2021-02-01', agency: 'hv', type: 'appointment', subjects: ['U-1'], data: { service: 'midwifery', status: 'attended' } }],
    }, { clock });
    expect(await personOf('hv:U-1')).not.toBe(await personOf('hv:U-2'));
    await ingestBatch(database.db, system, {
      records: [child('C-1', 'Ada'), child('C-2', 'Ngozi')],
      events: [
        { id: 'b-1', at: '2021-05-20', agency: 'hv', type: 'birth', subjects: ['U-1', 'C-1'], data: { unborn: 'U-1', child: 'C-1' } },
        { id: 'b-2', at: '2021-05-20', agency: 'hv', type: 'birth', subjects: ['U-2', 'C-2'], data: { unborn: 'U-2', child: 'C-2' } },
      ],
    }, { clock });
    const [u1, c1, u2, c2] = await Promise.all(['hv:U-1', 'hv:C-1', 'hv:U-2', 'hv:C-2'].map(personOf));
    expect(u1).toBe(c1);
    expect(u2).toBe(c2);
    expect(c1).not.toBe(c2);
    // The unborn baby's appointment is now in the child's chronology; the ended link is kept.
    const subjects = await database.db.selectFrom('event_subject').innerJoin('event', 'event.id', 'event_subject.event_row_id')
      .select('event_subject.person_id').where('event.event_id', '=', 'u-e1').execute();
    expect(subjects.map((r) => r.person_id)).toEqual([c1]);
    const repo = recordsRepository(database.db);
    const u1Record = (await repo.recordIds([{ agency: 'hv', localId: 'U-1' }])).get('hv:U-1')!;
    const links = await database.db.selectFrom('person_link').select(['method', 'unlink_reason', 'person_id'])
      .where('record_id', '=', u1Record).orderBy('id').execute();
    expect(links.map((l) => [l.unlink_reason, l.method])).toEqual([['birth', expect.any(String)], [null, 'birth']]);
  });
});
