import type { Database } from '../src/platform/db/database.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { openScratchDatabase } from '../src/platform/db/scratch.ts';
import { demoRepository } from '../src/features/demo/repository.ts';
import { systemContext } from '../src/platform/access/context.ts';
import { systemClock } from '../src/platform/clock.ts';
import { createCounty } from '../src/features/synthetic-county/generator.ts';
import { COUNTY_STATE, loadCounty, type CountyLoadResult } from '../src/features/ingest/county-load.ts';
import type { BenchOptions } from './suite.ts';

type Loaded = {
  database: Database;
  result: CountyLoadResult;
  wallSeconds: number;
  /** The county's size: the one asked for, or that of the county at BENCH_COUNTY_DATABASE_URL. */
  size: { children: number; years: number; seed?: number | string };
  /** True when the county is the one at BENCH_COUNTY_DATABASE_URL (loaded before, by `kinsight county load`). */
  persistent: boolean;
};

/**
 * Counties loaded for --quick runs, shared by the suites that only read them
 * (chronology, pages), so a quick run loads each size once. Their databases
 * close when the whole run ends (closeSharedCounties).
 */
const shared = new Map<string, { loading: Promise<Loaded>; close: () => Promise<void> }>();

export async function closeSharedCounties(): Promise<void> {
  const all = [...shared.values()];
  shared.clear();
  for (const s of all) await s.close();
}

/** A scratch database holding a synthetic county loaded through the real ingest path (bulk). */
export async function loadedCounty(
  options: BenchOptions,
  size: { children: number; years: number; seed?: number },
  label: string,
  /** Load a county even when BENCH_COUNTY_DATABASE_URL names one (the ingest suite measures the loading). */
  how: { load?: boolean } = {},
): Promise<Loaded> {
  const persistent = process.env.BENCH_COUNTY_DATABASE_URL;
  if (persistent && !how.load) return openPersistentCounty(options, persistent, label);
  if (!options.quick) return loadFreshCounty(options, size, label);
  const key = `${size.children}/${size.years}/${size.seed ?? ''}`;
  let entry = shared.get(key);
  if (!entry) {
    const loading = loadFreshCounty(options, size, label);
    entry = { loading, close: async () => (await loading).database.close() };
    shared.set(key, entry);
  }
  const loaded = await entry.loading;
  return { ...loaded, database: { ...loaded.database, close: async () => {} } };
}

async function loadFreshCounty(
  options: BenchOptions,
  size: { children: number; years: number; seed?: number },
  label: string,
): Promise<Loaded> {
  const database = await openScratchDatabase(options.databaseUrl, { poolSize: 60 });
  try {
    const county = createCounty({ children: size.children, years: size.years, seed: size.seed ?? 20261123, childB: true });
    const started = performance.now();
    let said = 0;
    const result = await loadCounty(database.db, systemContext(`bench-${label}`, `bench-${label}`), county, {
      clock: systemClock,
      parallel: database.engine === 'postgres',
      onProgress: (p) => {
        const now = performance.now();
        if (now - said < 5000) return;
        said = now;
        options.progress(`  ${label}: ${p.households} households, ${p.records} records, ${p.events} events (${Math.round((now - started) / 1000)} s)`);
      },
    });
    const wallSeconds = (performance.now() - started) / 1000;
    return { database, result, wallSeconds, size, persistent: false };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/**
 * The county a `kinsight county load` put in the database at
 * BENCH_COUNTY_DATABASE_URL (its figures are in demo_state). Read only: the
 * suites' reads append audit rows, nothing else is written, and closing it
 * closes the connections, never the database.
 */
async function openPersistentCounty(options: BenchOptions, url: string, label: string): Promise<Loaded> {
  const database = await openDatabase({ kind: 'postgres', url, poolSize: 10 });
  try {
    const state = await demoRepository(database.db).loaded(COUNTY_STATE);
    if (!state) throw new Error('BENCH_COUNTY_DATABASE_URL holds no complete county: load one with `npx kinsight county load` first');
    const f = state.detail as {
      children: number; years: number; seed: string; households: number; records: number; events: number;
      counts: CountyLoadResult['counts']; seconds: number; ingestSeconds: number; generateSeconds?: number;
    };
    options.progress(`  ${label}: the county at BENCH_COUNTY_DATABASE_URL (${f.children} children, ${f.years} years, ${f.events} events), not a fresh one`);
    const result: CountyLoadResult = {
      households: f.households, counts: f.counts, byKind: {}, ingestSeconds: f.ingestSeconds, wallSeconds: f.seconds,
      generateSeconds: f.generateSeconds ?? 0, recordSeconds: 0, eventSeconds: 0, records: f.records, events: f.events,
    };
    return {
      database, result, wallSeconds: f.seconds, size: { children: f.children, years: f.years, seed: f.seed }, persistent: true,
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
