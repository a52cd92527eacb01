import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { expectedEngine, openTestDatabase } from '../../../test/support/database.ts';
import type { Database } from '../../platform/db/database.ts';
import { systemContext } from '../../platform/access/context.ts';
import { ManualClock } from '../../platform/clock.ts';
import { createCounty } from '../synthetic-county/generator.ts';
import { loadCounty } from './county-load.ts';
import { ingestBatch, ingestBulk } from './service.ts';
import { agencies } from './fixtures.ts';

const system = systemContext('test', 'test-county-load');

/** What linkage, families, involvements and the chronology made of a load, by the senders' own keys. */
async function outcome(database: Database) {
  const q = async (query: ReturnType<typeof sql>) => (await query.execute(database.db)).rows;
  return {
    links: await q(sql`select r.agency_id || ':' || r.local_id as record, l.person_id, l.method, l.unlinked_at is null as current
      from person_link l join agency_record r on r.id = l.record_id order by 1, l.id`),
    families: await q(sql`select family_id, person_id from family_member order by person_id`),
    involvements: await q(sql`select person_id, agency_id, service, started_on, ended_on from involvement order by 1, 2, 3, 4`),
    subjects: await q(sql`select e.agency_id || ':' || e.event_id || ':' || e.version as event, r.local_id, s.person_id, s.event_row_id = e.id as same
      from event_subject s join event e on e.id = s.event_row_id join agency_record r on r.id = s.record_id order by 1, 2`),
    reviews: await q(sql`select r.local_id, c.local_id as candidate from link_review v
      join agency_record r on r.id = v.record_id join agency_record c on c.id = v.candidate_record_id order by 1, 2`),
  };
}

describe(`loadCounty (${expectedEngine})`, () => {
  let sequential: Database;
  let parallel: Database;
  beforeAll(async () => {
    [sequential, parallel] = await Promise.all([openTestDatabase(), openTestDatabase()]);
  });
  afterAll(async () => {
    await sequential.close();
    await parallel.close();
  });

  it('links, merges and derives the same whether batches are loaded one by one or alongside each other', async () => {
    const county = () => createCounty({ children: 40, years: 4, seed: 7, childB: true });
    const clock = new ManualClock(new Date('2025-04-01T09:00:00Z'));
    const one = await loadCounty(sequential.db, system, county(), { clock, eventsPerBatch: 600 });
    const two = await loadCounty(parallel.db, system, county(), { clock, eventsPerBatch: 600, parallel: true });
    expect(one.counts.rejected).toBe(0);
    expect(two.counts).toEqual(one.counts);
    expect(one.events).toBeGreaterThan(2000);
    const [a, b] = [await outcome(sequential), await outcome(parallel)];
    expect(a.links.length).toBeGreaterThan(100);
    expect(a.subjects.length).toBeGreaterThanOrEqual(one.events);
    expect(b).toEqual(a);
  });
});

describe(`bulk event store (${expectedEngine})`, () => {
  let database: Database;
  const clock = new ManualClock(new Date('2021-05-01T09:00:00Z'));
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => database.close());

  it('stores text, data and subjects exactly as the per-item path does, whatever characters they hold', async () => {
    const records = [
      { agency: 'hv', localId: 'A{1}', kind: 'person', name: { given: ['Zoë'], family: "O'Brien" }, birthDate: '2019-02-03', sex: 'female' },
      { agency: 'hv', localId: 'B,"2"\\', kind: 'person', name: { given: ['Sam'], family: 'Lee' }, birthDate: '2018-01-01' },
    ];
    const awkward = 'line one\nline two\ttabbed \\ backslash \\N not null, "quoted" {braces} \r end';
    const event = (id: string, text: string | undefined) => ({
      id, at: '2021-04-01T10:00:00+01:00', agency: 'hv', type: 'appointment', subjects: ['A{1}', 'B,"2"\\'],
      data: { service: 'health-visiting', status: 'attended' }, ...(text === undefined ? {} : { text }),
    });
    const stored = await ingestBatch(database.db, system, { agencies: agencies.slice(0, 1), records }, { clock });
    expect(stored.counts).toEqual({ accepted: 3, duplicate: 0, rejected: 0 });
    const perItem = await ingestBatch(database.db, system, { events: [event('one', awkward), event('two', undefined)] }, { clock });
    const bulk = await ingestBulk(database.db, system, { events: [event('three', awkward), event('four', undefined)] }, { clock });
    expect(perItem.counts.accepted).toBe(2);
    expect(bulk.counts.accepted).toBe(2);
    const { rows } = await sql<{ event_id: string; text: string | null; data: unknown; subjects: string[]; n: number; persons: number }>`
      select e.event_id, e.text, e.data, e.subjects,
        (select count(*) from event_subject s where s.event_row_id = e.id)::int as n,
        (select count(distinct s.person_id) from event_subject s where s.event_row_id = e.id)::int as persons
      from event e order by e.id`.execute(database.db);
    const byId = new Map(rows.map((r) => [r.event_id, r]));
    for (const [a, b] of [['one', 'three'], ['two', 'four']] as const) {
      const { event_id: _a, ...x } = byId.get(a)!;
      const { event_id: _b, ...y } = byId.get(b)!;
      expect(y).toEqual(x);
    }
    expect(byId.get('three')!.text).toBe(awkward);
    expect(byId.get('four')!.text).toBeNull();
    expect(byId.get('three')!.subjects).toEqual(['A{1}', 'B,"2"\\']);
    expect(byId.get('three')!.n).toBe(2);
    // Sent again: duplicates, nothing written.
    const again = await ingestBulk(database.db, system, { events: [event('three', awkward)] }, { clock });
    expect(again.counts).toEqual({ accepted: 0, duplicate: 1, rejected: 0 });
  });
});
