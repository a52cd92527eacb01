import { sql } from 'kysely';
import type { Database } from '../src/platform/db/database.ts';
import { openScratchDatabase } from '../src/platform/db/scratch.ts';
import { systemContext } from '../src/platform/access/context.ts';
import { systemClock } from '../src/platform/clock.ts';
import { createCounty } from '../src/features/synthetic-county/generator.ts';
import { loadCounty, type CountyLoadResult } from '../src/features/ingest/county-load.ts';
import type { BenchOptions } from './suite.ts';

/** A scratch database holding a synthetic county loaded through the real ingest path (bulk). */
export async function loadedCounty(
  options: BenchOptions,
  size: { children: number; years: number; seed?: number },
  label: string,
): Promise<{ database: Database; result: CountyLoadResult; wallSeconds: number }> {
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
    await sql`analyze`.execute(database.db);
    return { database, result, wallSeconds };
  } catch (error) {
    await database.close();
    throw error;
  }
}
