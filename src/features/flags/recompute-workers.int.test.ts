import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDatabase, expectedEngine } from '../../../test/support/database.ts';
import type { Database } from '../../platform/db/database.ts';
import { systemContext } from '../../platform/access/context.ts';
import { ManualClock } from '../../platform/clock.ts';
import { ingestBatch } from '../ingest/service.ts';
import { flagsRepository } from './repository.ts';
import { recomputeFlags } from './service.ts';

const agencies = [
  { id: 'hosp', name: 'Marlshire General Hospital', kind: 'hospital', authority: 'E06000021' },
  { id: 'door', name: 'Marlshire Front Door', kind: 'front-door', authority: 'E06000021' },
  { id: 'hv', name: 'Marlshire Health Visiting', kind: 'health-visiting', authority: 'E06000021' },
];
const records = [
  { agency: 'hosp', localId: 'H-1', kind: 'person', name: { given: ['Robin'], family: 'Workercase' }, birthDate: '2024-01-10', nhsNumber: '9435555209' },
  { agency: 'door', localId: 'D-1', kind: 'person', name: { given: ['Robin'], family: 'Workercase' }, birthDate: '2024-01-10', nhsNumber: '9435555209' },
  { agency: 'hv', localId: 'HV-1', kind: 'person', name: { given: ['Robin'], family: 'Workercase' }, birthDate: '2024-01-10', nhsNumber: '9435555209' },
  { agency: 'hv', localId: 'HV-M', kind: 'person', name: { given: ['Sam'], family: 'Workercase' }, birthDate: '1990-02-02', nhsNumber: '9434765919' },
  { agency: 'hosp', localId: 'H-2', kind: 'person', name: { given: ['Ali'], family: 'Loneperson' }, birthDate: '2023-11-01' },
];
const relationships = [{ agency: 'hv', from: 'HV-M', to: 'HV-1', type: 'parent-of', from_date: '2024-01-10' }];
const events = [
  { id: 'ed-1', at: '2024-03-01T10:00:00Z', agency: 'hosp', type: 'unscheduled-care', subjects: ['H-1'], data: { setting: 'ed', reason: 'injury', injury: { type: 'bruise', site: 'face' } } },
  { id: 'ed-2', at: '2024-03-02T10:00:00Z', agency: 'hosp', type: 'unscheduled-care', subjects: ['H-2'], data: { setting: 'ed', reason: 'injury', injury: { type: 'bruise', site: 'arm' } } },
  { id: 'fd-1', at: '2024-03-04T10:00:00Z', agency: 'door', type: 'contact', subjects: ['D-1'], data: { to: 'door', reason: 'Neighbour worried.', requestedLevel: 2 } },
];

// Worker threads open their own PostgreSQL connections: an in-memory PGlite cannot be shared with them.
describe.skipIf(expectedEngine !== 'postgres')('the full recompute in worker threads (postgres)', () => {
  let database: Database;
  let url: string;
  beforeAll(async () => {
    database = await openTestDatabase();
    const clock = new ManualClock(new Date('2024-03-04T12:00:00Z'));
    await ingestBatch(database.db, systemContext('test', 'seed'), { agencies, records, relationships, events }, { clock });
    const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(database.db);
    const u = new URL(process.env.DATABASE_URL!);
    u.pathname = `/${rows[0]!.name}`;
    url = u.toString();
  });
  afterAll(async () => database?.close());

  it('raises in workers what the main thread alone would, so a serial recompute at the same instant then writes nothing', async () => {
    const at = new Date('2024-03-08T12:00:00Z');
    const summary = await recomputeFlags(database.db, at, { workers: { count: 2, url, minFamilies: 1 }, batch: 1 });
    expect(summary.evaluated).toBe(3);
    const rules = (await flagsRepository(database.db).allFlags()).map((f) => `${f.ruleId}:${f.evidence.join(',')}`).sort();
    expect(rules).toEqual(['infant-injury-not-mobile:ed-1', 'infant-injury-not-mobile:ed-2', 'referral-decision-overdue:fd-1']);
    expect(summary.raised).toBe(3);
    expect(await recomputeFlags(database.db, at, { batch: 1 })).toMatchObject({ evaluated: 3, raised: 0, updated: 0, raisedAgain: 0 });
  });
});
