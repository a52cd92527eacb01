import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, expectedEngine } from '../../../test/support/database.ts';
import type { Database } from '../../platform/db/database.ts';
import { systemContext } from '../../platform/access/context.ts';
import { ManualClock } from '../../platform/clock.ts';
import { ingestBatch } from '../ingest/service.ts';
import { flagsRepository } from './repository.ts';
import { HOUR_MS, startFlagScheduler } from './scheduler.ts';

const agencies = [
  { id: 'door', name: 'Marlshire Front Door', kind: 'front-door', authority: 'E06000021' },
  { id: 'hv', name: 'Marlshire Health Visiting', kind: 'health-visiting', authority: 'E06000021' },
];
const records = [
  { agency: 'door', localId: 'FD-1', kind: 'person', name: { given: ['Robin'], family: 'Clocktest' }, birthDate: '2021-01-10', nhsNumber: '9435555209' },
  { agency: 'hv', localId: 'HV-1', kind: 'person', name: { given: ['Robin'], family: 'Clocktest' }, birthDate: '2021-01-10', nhsNumber: '9435555209' },
];

describe(`the flag scheduler with an injected clock and timer (${expectedEngine})`, () => {
  let database: Database;
  const clock = new ManualClock(new Date('2024-04-02T09:00:00+01:00'));
  let fire: (() => void) | undefined;
  let interval: number | undefined;
  let cleared = false;
  const timer = { set: (fn: () => void, ms: number) => { fire = fn; interval = ms; return 'handle'; }, clear: () => { cleared = true; } };
  const overdue = async () => (await flagsRepository(database.db).allFlags()).filter((f) => f.category === 'decision-overdue');

  beforeAll(async () => {
    database = await openTestDatabase();
    await ingestBatch(database.db, systemContext('test', 'seed'), {
      agencies, records,
      events: [{ id: 'fd-1', at: '2024-04-02T10:00:00+01:00', agency: 'door', type: 'contact', subjects: ['FD-1'], data: { to: 'door', reason: 'Neighbour worried.', requestedLevel: 2 } }],
    }, { clock });
  });
  afterAll(async () => database?.close());

  it('runs hourly, raises a referral-decision-overdue flag only once the deadline has passed on the clock, and never twice', async () => {
    const runs: { people: number; raised: number }[] = [];
    const scheduler = startFlagScheduler(database.db, clock, { timer, onRun: (s) => runs.push(s), onError: (e) => { throw e; } });
    expect(interval).toBe(HOUR_MS);
    clock.set(new Date('2024-04-03T17:00:00+01:00'));
    await scheduler.tick();
    expect(await overdue()).toEqual([]);
    // The end of the next working day (3 April) has passed by the morning of 4 April.
    clock.set(new Date('2024-04-04T09:00:00+01:00'));
    fire!();
    await scheduler.tick();
    const flags = await overdue();
    expect(flags.map((f) => f.ruleId)).toEqual(['referral-decision-overdue']);
    expect(flags[0]!.evidence).toEqual(['fd-1']);
    clock.set(new Date('2024-04-04T10:00:00+01:00'));
    await scheduler.tick();
    expect(await overdue()).toHaveLength(1);
    expect(runs.map((r) => r.raised)).toEqual([0, 1, 0]);
    expect(runs.every((r) => r.people === 1)).toBe(true);
    await scheduler.stop();
    expect(cleared).toBe(true);
  });

  it('does nothing for a contact that was decided in time', async () => {
    await ingestBatch(database.db, systemContext('test', 'more'), {
      events: [
        { id: 'fd-2', at: '2024-05-07T10:00:00+01:00', agency: 'door', type: 'contact', subjects: ['FD-1'], data: { to: 'door', reason: 'School worried.', requestedLevel: 2 } },
        { id: 'fd-3', at: '2024-05-07T15:00:00+01:00', agency: 'door', type: 'decision', subjects: ['FD-1'], data: { on: 'fd-2', level: 1, outcome: 'nfa' } },
      ],
    }, { clock });
    clock.set(new Date('2024-05-10T09:00:00+01:00'));
    const scheduler = startFlagScheduler(database.db, clock, { timer });
    await scheduler.tick();
    await scheduler.stop();
    expect((await overdue()).flatMap((f) => f.evidence)).toEqual(['fd-1']);
  });
});
