import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { RequestContext } from '../../platform/access/context.ts';
import type { Clock } from '../../platform/clock.ts';
import type { County } from '../synthetic-county/generator.ts';
import { rawPgClient } from '../../platform/db/copy.ts';
import { exclusiveLock, ingestBulk, type IngestResult } from './service.ts';

/** The demo_state row under which `kinsight county load` records a loaded county and its figures (the benchmarks read it). */
export const COUNTY_STATE = 'synthetic-county';

export interface CountyLoadProgress {
  households: number;
  records: number;
  events: number;
}

export interface CountyLoadResult {
  households: number;
  counts: { accepted: number; duplicate: number; rejected: number };
  /** Accepted, duplicate and rejected by group (agencies, records, relationships, events). */
  byKind: Record<string, { accepted: number; duplicate: number; rejected: number }>;
  /**
   * Seconds spent in ingest: the load's wall-clock time less the time spent
   * generating households (generation runs between ingest calls, so it is not
   * hidden behind them).
   */
  ingestSeconds: number;
  /** The whole load, generation included. */
  wallSeconds: number;
  /** Generating the county's households. */
  generateSeconds: number;
  /**
   * Time in each part, summed over its calls: records and relationships (with
   * linkage and families), and events (with chronology rows, births and
   * involvements). With `parallel` the two overlap, so they add up to more than ingestSeconds.
   */
  recordSeconds: number;
  eventSeconds: number;
  records: number;
  events: number;
}

export interface CountyLoadOptions {
  clock: Clock;
  /** Households are gathered into one ingest call until it holds about this many events. */
  eventsPerBatch?: number;
  /**
   * PostgreSQL only (PGlite has one connection): write one batch's events while
   * the next batch's records are linked, on two pool connections. People are
   * still created, linked and merged one batch at a time and in order (the
   * ingest service's `exclusive` lock), so the links are those of a sequential
   * load.
   */
  parallel?: boolean;
  onProgress?: (p: CountyLoadProgress) => void;
}

function add(into: CountyLoadResult, result: IngestResult): void {
  for (const item of result.items) {
    into.counts[item.status] += 1;
    const k = (into.byKind[item.kind] ??= { accepted: 0, duplicate: 0, rejected: 0 });
    k[item.status] += 1;
  }
}

/**
 * Load a synthetic county through the real ingest path in bulk mode: the
 * agencies first, then many households per `ingestBulk` call (records,
 * relationships and events of the households together, so every reference is
 * to a record sent in the same call or before).
 */
export async function loadCounty(db: Kysely<DB>, ctx: RequestContext, county: County, options: CountyLoadOptions): Promise<CountyLoadResult> {
  const eventsPerBatch = options.eventsPerBatch ?? 20_000;
  const out: CountyLoadResult = {
    households: 0, counts: { accepted: 0, duplicate: 0, rejected: 0 }, byKind: {}, ingestSeconds: 0, wallSeconds: 0, generateSeconds: 0,
    recordSeconds: 0, eventSeconds: 0, records: 0, events: 0,
  };
  const began = performance.now();
  // PGlite has one connection, which a waiting transaction would hold: parallel needs a PostgreSQL pool.
  const exclusive = options.parallel && (await rawPgClient(db)) ? exclusiveLock() : undefined;
  const timed = async (batch: Parameters<typeof ingestBulk>[2], part: 'recordSeconds' | 'eventSeconds') => {
    const started = performance.now();
    const result = await ingestBulk(db, ctx, batch, { clock: options.clock, ...(exclusive ? { exclusive } : {}) });
    out[part] += (performance.now() - started) / 1000;
    add(out, result);
  };
  await timed({ agencies: county.agencies }, 'recordSeconds');
  let records: unknown[] = [];
  let relationships: unknown[] = [];
  let events: unknown[] = [];
  // The previous batch's events, still being written (parallel), and the NHS numbers its records hold.
  let writing: Promise<void> = Promise.resolve();
  let previousNumbers = new Set<string>();
  const flush = async () => {
    if (records.length + relationships.length + events.length === 0) return;
    const batch = { records, relationships, events };
    records = [];
    relationships = [];
    events = [];
    const numbers = nhsNumbersOf(batch.records);
    // A record whose NHS number the previous batch also holds may be linked by that number: let the previous
    // batch's births (which merge people) finish first, so it is linked as a sequential load would link it.
    if ([...numbers].some((n) => previousNumbers.has(n))) await writing;
    previousNumbers = numbers;
    // Two calls, so the figures can tell linkage from the event store: records first, then the events about them.
    await timed({ records: batch.records, relationships: batch.relationships }, 'recordSeconds');
    await writing;
    const done = timed({ events: batch.events }, 'eventSeconds').then(() => {
      out.events += batch.events.length;
      out.records += batch.records.length;
      options.onProgress?.({ households: out.households, records: out.records, events: out.events });
    });
    // Awaited at the next flush (or now, without parallel); marked handled so a failure is not reported twice.
    done.catch(() => {});
    writing = done;
    if (!exclusive) await writing;
  };
  const households = county.households();
  for (;;) {
    const generating = performance.now();
    const next = households.next();
    out.generateSeconds += (performance.now() - generating) / 1000;
    if (next.done) break;
    const chunk = next.value;
    for (const r of chunk.records) records.push(r);
    for (const r of chunk.relationships) relationships.push(r);
    for (const e of chunk.events) events.push(e);
    out.households += 1;
    if (events.length >= eventsPerBatch) await flush();
  }
  await flush();
  await writing;
  // A bulk load leaves the planner's statistics describing empty tables until
  // autovacuum catches up; plans made from them were 5x slower (front-door panel).
  await sql`analyze`.execute(db);
  out.wallSeconds = (performance.now() - began) / 1000;
  out.ingestSeconds = out.wallSeconds - out.generateSeconds;
  return out;
}

function nhsNumbersOf(records: unknown[]): Set<string> {
  const out = new Set<string>();
  for (const r of records) {
    const n = (r as { nhsNumber?: unknown } | null)?.nhsNumber;
    if (typeof n === 'string') out.add(n);
  }
  return out;
}
