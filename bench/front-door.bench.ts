import { sql } from 'kysely';
import { createCounty } from '../src/features/synthetic-county/generator.ts';
import { loadCounty } from '../src/features/ingest/county-load.ts';
import { openScratchDatabase } from '../src/platform/db/scratch.ts';
import { systemContext, type RequestContext } from '../src/platform/access/context.ts';
import { ManualClock } from '../src/platform/clock.ts';
import { buildHistoryPanel, decisionScreen } from '../src/features/front-door/service.ts';
import { latency, type BenchSuite } from './suite.ts';

const SEED = 20261123;
const FRONT_DOOR = 'marlshire-front-door';

/**
 * The front door's history panel (issue 8): a synthetic county loaded through
 * ingest, then, for a seeded sample of the contacts and referrals the county
 * sent to its front door, the panel a duty worker sees (person access check,
 * family circle, earlier contacts and their outcomes, involvements across
 * authorities, what is known about the adults, live flags), timed with the
 * clock an hour after each contact arrived. `decisionScreen` adds recording
 * what was shown and the audit rows. Target: p95 at most 150 ms.
 */
export const suite: BenchSuite = {
  name: 'front-door',
  measures: 'history panel latency (p50/p95/p99) on the decision screen, on a synthetic county loaded through ingest',
  async run(options) {
    const children = options.quick ? 150 : Number(process.env.FRONT_DOOR_BENCH_CHILDREN ?? 3000);
    const samples = options.quick ? 25 : Number(process.env.FRONT_DOOR_BENCH_SAMPLES ?? 200);
    const years = 5;
    const database = await openScratchDatabase(options.databaseUrl);
    try {
      const db = database.db;
      const county = createCounty({ children, years, seed: SEED });
      const clock = new ManualClock(new Date(`${county.window.end}T23:00:00Z`));
      const loadStarted = performance.now();
      const loaded = await loadCounty(db, systemContext('bench', 'front-door-load'), county, {
        clock, onProgress: (p) => options.progress(`front-door: loaded ${p.households} households, ${p.events} events`),
      });
      const loadSeconds = (performance.now() - loadStarted) / 1000;
      const { rows } = await sql<{ id: number; at: Date }>`
        select id, at from event where type in ('contact', 'referral') and data ->> 'to' = ${FRONT_DOOR} order by id`.execute(db);
      // A seeded, evenly spread sample.
      const step = Math.max(1, Math.floor(rows.length / samples));
      const sample = rows.filter((_, i) => i % step === 0).slice(0, samples);
      const ctx = (at: Date): RequestContext => ({
        actor: { kind: 'user', userId: '00000000-0000-4000-8000-000000000001', username: 'bench.front.door', displayName: 'Bench', agencyId: FRONT_DOOR, teamId: null, roles: ['front-door-practitioner'] },
        correlationId: 'bench-front-door', now: at,
      });
      const panelMs: number[] = [];
      const screenMs: number[] = [];
      let peopleShown = 0;
      let flagsShown = 0;
      for (const [i, c] of sample.entries()) {
        clock.set(new Date(c.at.getTime() + 3_600_000));
        const started = performance.now();
        const panel = await buildHistoryPanel(db, ctx(clock.now()), c.id, clock);
        panelMs.push(performance.now() - started);
        peopleShown += panel.children.length + panel.adults.length;
        flagsShown += panel.flags.length;
        const s2 = performance.now();
        await decisionScreen(db, ctx(clock.now()), c.id, clock);
        screenMs.push(performance.now() - s2);
        if (i % 20 === 0) options.progress(`front-door: ${i + 1}/${sample.length} panels`);
      }
      return {
        engine: options.databaseUrl ? 'postgres' : 'pglite',
        county: { children, years, seed: SEED, records: loaded.records, events: loaded.events, loadSeconds: Math.round(loadSeconds) },
        contactsToFrontDoor: rows.length,
        historyPanelMs: latency(panelMs),
        decisionScreenMs: latency(screenMs),
        meanPeopleShown: sample.length ? Math.round((peopleShown / sample.length) * 10) / 10 : 0,
        meanLiveFlagsShown: sample.length ? Math.round((flagsShown / sample.length) * 10) / 10 : 0,
        targetP95Ms: 150,
        note: 'Full scale is 300,000 children; this is the scale measured (see BENCHMARKS.md).',
      };
    } finally {
      await database.close();
    }
  },
};
