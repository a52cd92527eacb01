import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { RequestContext } from '../../platform/access/context.ts';
import type { Clock } from '../../platform/clock.ts';
import type { County } from '../synthetic-county/generator.ts';
import { ingestBulk, type IngestResult } from './service.ts';

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
  /** Seconds spent in ingest (not in generating the county). */
  ingestSeconds: number;
  /** Of which: records and relationships (with linkage and families), and events (with chronology rows, births and involvements). */
  recordSeconds: number;
  eventSeconds: number;
  records: number;
  events: number;
}

export interface CountyLoadOptions {
  clock: Clock;
  /** Households are gathered into one ingest call until it holds about this many events. */
  eventsPerBatch?: number;
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
    households: 0, counts: { accepted: 0, duplicate: 0, rejected: 0 }, byKind: {}, ingestSeconds: 0, recordSeconds: 0, eventSeconds: 0, records: 0, events: 0,
  };
  const timed = async (batch: Parameters<typeof ingestBulk>[2], part: 'recordSeconds' | 'eventSeconds') => {
    const started = performance.now();
    const result = await ingestBulk(db, ctx, batch, { clock: options.clock });
    const seconds = (performance.now() - started) / 1000;
    out.ingestSeconds += seconds;
    out[part] += seconds;
    add(out, result);
  };
  await timed({ agencies: county.agencies }, 'recordSeconds');
  let records: unknown[] = [];
  let relationships: unknown[] = [];
  let events: unknown[] = [];
  const flush = async () => {
    if (records.length + relationships.length + events.length === 0) return;
    // Two calls, so the figures can tell linkage from the event store: records first, then the events about them.
    await timed({ records, relationships }, 'recordSeconds');
    await timed({ events }, 'eventSeconds');
    out.events += events.length;
    out.records += records.length;
    records = [];
    relationships = [];
    events = [];
    options.onProgress?.({ households: out.households, records: out.records, events: out.events });
  };
  for (const chunk of county.households()) {
    records.push(...chunk.records);
    relationships.push(...chunk.relationships);
    events.push(...chunk.events);
    out.households += 1;
    if (events.length >= eventsPerBatch) await flush();
  }
  await flush();
  // A bulk load leaves the planner's statistics describing empty tables until
  // autovacuum catches up; plans made from them were 5x slower (front-door panel).
  await sql`analyze`.execute(db);
  return out;
}
