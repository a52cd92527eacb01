import type { Database } from '../src/platform/db/database.ts';
import { openScratchDatabase } from '../src/platform/db/scratch.ts';
import { systemContext } from '../src/platform/access/context.ts';
import { systemClock } from '../src/platform/clock.ts';
import { createCounty } from '../src/features/synthetic-county/generator.ts';
import { loadCounty, type CountyLoadResult } from '../src/features/ingest/county-load.ts';
import type { BenchOptions } from './suite.ts';

type Loaded = { database: Database; result: CountyLoadResult; wallSeconds: number };

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
): Promise<Loaded> {
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
      onProgress: (p) => {
        const now = performance.now();
        if (now - said < 5000) return;
        said = now;
        options.progress(`  ${label}: ${p.households} households, ${p.records} records, ${p.events} events (${Math.round((now - started) / 1000)} s)`);
      },
    });
    const wallSeconds = (performance.now() - started) / 1000;
    return { database, result, wallSeconds };
  } catch (error) {
    await database.close();
    throw error;
  }
}
