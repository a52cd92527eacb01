import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { openDatabase, type Database } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { systemContext } from '../../platform/access/context.ts';
import { ManualClock } from '../../platform/clock.ts';
import { ingestBatch, type ItemResult } from '../ingest/service.ts';
import { eventTime } from '../ingest/validate.ts';
import { recordsRepository } from '../records/repository.ts';
import type { RequestContext } from '../../platform/access/context.ts';
import { londonDate } from '../../domain/timescales/working-days.ts';
import { evaluateFlagsFor } from '../flags/service.ts';
import { flagsLinkRepository, flagsRepository } from '../flags/repository.ts';

/**
 * Replay: load a scenario (kinsight-scenario/1) through the real ingest path
 * with the clock set to each event's time, and report the people Kinsight
 * formed, the flags it raised and whether the scenario's expectations held.
 * `truth`, `incident` and `expect` are stripped before anything is ingested.
 */

const scenarioSchema = z.looseObject({
  format: z.literal('kinsight-scenario/1'),
  id: z.string().min(1),
  home: z.looseObject({ authority: z.string() }).optional(),
  agencies: z.array(z.looseObject({})).default([]),
  records: z.array(z.looseObject({ agency: z.string(), localId: z.string(), truth: z.string().optional() })).default([]),
  relationships: z.array(z.unknown()).default([]),
  events: z.array(z.looseObject({ at: z.string() })).default([]),
  expect: z.array(z.strictObject({ category: z.string(), about: z.string(), by: z.string(), why: z.string().optional() })).default([]),
});

export interface ReplayFlag {
  category: string;
  rule: string;
  about: string;
  raisedAt: string;
  evidence: string[];
  explanation: string;
}

export interface ReplayExpectation {
  category: string;
  about: string;
  by: string;
  met: boolean;
  raisedAt?: string;
}

export interface ReplayOutput {
  scenario: string;
  people: { personId: string; records: string[] }[];
  flags: ReplayFlag[];
  expectations: ReplayExpectation[];
}

export interface ReplayReport {
  output: ReplayOutput;
  /** Items the ingest rejected (a well-formed scenario has none). */
  rejected: ItemResult[];
}

/**
 * The flag step of a replay, after each event: evaluate the people the event's
 * batch touched (and their families) with the clock at the event's time, as
 * Kinsight does after any ingest, and store what is found.
 */
export async function raiseReplayFlags(
  db: Kysely<DB>, asAt: Date, batchId: string, options: { homeAuthority?: string; ctx: RequestContext },
): Promise<void> {
  const people = await flagsLinkRepository(db).peopleOfBatch(batchId);
  await evaluateFlagsFor(db, people, asAt, options);
}

/** The flags a replay raised, oldest first, as FORMAT.md prints them (raisedAt: the simulated day Kinsight raised it). */
export async function replayFlags(db: Kysely<DB>): Promise<ReplayFlag[]> {
  return (await flagsRepository(db).allFlags()).map((f) => ({
    category: f.category,
    rule: `${f.ruleId}/${f.ruleVersion}`,
    about: f.personId,
    raisedAt: londonDate(f.createdAt),
    evidence: f.evidence,
    explanation: f.explanation,
  }));
}

/** Replay a scenario into a fresh in-memory database, then close it. */
export async function replayScenario(scenario: unknown): Promise<ReplayReport> {
  const database = await openDatabase({ kind: 'pglite', dataDir: null });
  try {
    await migrateToLatest(database.db);
    return await replayInto(database, scenario);
  } finally {
    await database.close();
  }
}

/** Replay a scenario into an open, migrated database (tests use this to look at the result). */
export async function replayInto(database: Database, scenario: unknown): Promise<ReplayReport> {
  const s = scenarioSchema.parse(scenario);
  const db = database.db;
  const ctx = systemContext('replay', `replay-${s.id}`);
  // Scoring fields are kept aside here and never reach Kinsight.
  const truthOf = new Map<string, string>();
  const records = s.records.map(({ truth, ...record }) => {
    if (truth) truthOf.set(`${record.agency}:${record.localId}`, truth);
    return record;
  });
  const times = s.events.map((e) => eventTime(e.at).at);
  const start = times[0] ?? new Date();
  const clock = new ManualClock(start);
  const rejected: ItemResult[] = [];
  const homeAuthority = s.home?.authority;
  const first = await ingestBatch(db, ctx, { agencies: s.agencies, records, relationships: s.relationships }, { clock, source: 'replay' });
  rejected.push(...first.items.filter((i) => i.status === 'rejected'));
  for (const [i, event] of s.events.entries()) {
    const at = times[i]!;
    if (at.getTime() > clock.now().getTime()) clock.set(at);
    const result = await ingestBatch(db, ctx, { events: [event] }, { clock, source: 'replay' });
    rejected.push(...result.items.filter((x) => x.status === 'rejected').map((x) => ({ ...x, index: i })));
    await raiseReplayFlags(db, clock.now(), result.batchId, { ctx, ...(homeAuthority ? { homeAuthority } : {}) });
  }
  const flags = await replayFlags(db);

  const byPerson = new Map<string, string[]>();
  for (const link of await recordsRepository(db).allCurrentLinks()) {
    const list = byPerson.get(link.personId) ?? [];
    list.push(`${link.agencyId}:${link.localId}`);
    byPerson.set(link.personId, list);
  }
  const people = [...byPerson].map(([personId, recs]) => ({ personId, records: recs }));
  const expectations = s.expect.map((x) => {
    const about = new Set(people.filter((p) => p.records.some((r) => truthOf.get(r) === x.about)).map((p) => p.personId));
    const raised = flags
      .filter((f) => f.category === x.category && about.has(f.about) && f.raisedAt.slice(0, 10) <= x.by)
      .sort((a, b) => a.raisedAt.localeCompare(b.raisedAt))[0];
    return { category: x.category, about: x.about, by: x.by, met: Boolean(raised), ...(raised ? { raisedAt: raised.raisedAt } : {}) };
  });
  return { output: { scenario: s.id, people, flags, expectations }, rejected };
}
