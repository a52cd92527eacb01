import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import { recomputeFlags } from '../flags/service.ts';
import { systemContext } from '../../platform/access/context.ts';
import { createCounty } from '../synthetic-county/generator.ts';
import { loadCounty } from '../ingest/county-load.ts';
import { demoRepository } from './repository.ts';

/**
 * The demonstration county `npm start` loads: small enough to load in about a
 * minute on the embedded database (PGlite), with the family that follows the
 * Child B review (shared/seeds/004). See README ("Run it") and
 * docs/synthetic-county.md.
 */
export const DEMO_COUNTY = { children: 2500, years: 3, seed: 'marlshire-demo' } as const;

/** The demo_state row that says the county is in. */
const STATE_NAME = 'synthetic-county';

export interface DemoCountyResult {
  /** False when it was already loaded (nothing was done). */
  loaded: boolean;
  households: number;
  records: number;
  events: number;
  seconds: number;
}

/**
 * Load the demonstration county through the real ingest path (`loadCounty`,
 * the bulk path of the ingest service: same checks, same audit), once. The
 * demo_state row is written only when the whole county is in, so an
 * interrupted load is finished by the next start: ingest answers what is
 * already stored as a duplicate and stores it once.
 *
 * Agencies already registered (the demo partnership's, which share the
 * county's ids) are left as they are, so demo users' agencies hold records.
 */
export async function loadDemoCounty(
  db: Kysely<DB>,
  options: { clock: Clock; children?: number; years?: number; seed?: string; progress?: (line: string) => void },
): Promise<DemoCountyResult> {
  const repo = demoRepository(db);
  const say = options.progress ?? (() => {});
  if (await repo.loaded(STATE_NAME)) return { loaded: false, households: 0, records: 0, events: 0, seconds: 0 };
  const size = { children: options.children ?? DEMO_COUNTY.children, years: options.years ?? DEMO_COUNTY.years, seed: options.seed ?? DEMO_COUNTY.seed };
  const county = createCounty({ ...size, childB: true });
  const registered = await repo.registeredAgencies(county.agencies.map((a) => a.id));
  const started = performance.now();
  say(`Loading the demo county (${size.children} children, ${size.years} years of events) through ingest; this happens once…`);
  let lastSaid = 0;
  const result = await loadCounty(db, systemContext('demo-county', `demo-${Date.now()}`), { ...county, agencies: county.agencies.filter((a) => !registered.has(a.id)) }, {
    clock: options.clock,
    eventsPerBatch: 10_000,
    onProgress: (p) => {
      const now = performance.now();
      if (now - lastSaid < 2000) return;
      lastSaid = now;
      say(`  … ${p.households} households, ${p.records} records, ${p.events} events (${Math.round((now - started) / 1000)} s)`);
    },
  });
  // Flags as they stood at the end of the county's window (its last day of events), so the demo shows them.
  const asAt = new Date(`${county.window.end}T23:00:00Z`);
  say(`Evaluating concern flags as at ${county.window.end}…`);
  const flags = await recomputeFlags(db, asAt, { ctx: systemContext('demo-county', `demo-flags-${Date.now()}`) });
  say(`  … ${flags.raised} flags raised for ${flags.people} people.`);
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  await repo.markLoaded(STATE_NAME, { ...size, households: result.households, records: result.records, events: result.events, counts: result.counts }, options.clock.now());
  say(`Demo county loaded: ${result.households} households, ${result.records} records, ${result.events} events in ${seconds} s.`);
  return { loaded: true, households: result.households, records: result.records, events: result.events, seconds };
}
