import type { BenchSuite } from './suite.ts';
import { loadedCounty } from './county-db.ts';

/**
 * Events per second through the real ingest path: the synthetic county loaded
 * by `loadCounty` (src/features/ingest/county-load.ts), which calls the ingest
 * service's bulk path with every check (validation, duplicates, versions,
 * linkage, families, involvements, audit). Sustained: the figure is all the
 * county's events over all the time spent in ingest, records and linkage
 * included (generating the county is not counted).
 */
export const suite: BenchSuite = {
  name: 'ingest',
  measures: 'events per second through the real ingest path (loadCounty), sustained over a whole synthetic county',
  async run(options) {
    const size = options.quick ? { children: 200, years: 5 } : { children: Number(process.env.BENCH_INGEST_CHILDREN ?? 5000), years: 5 };
    const { database, result, wallSeconds } = await loadedCounty(options, size, 'ingest');
    try {
      const r = (x: number) => Math.round(x * 10) / 10;
      return {
        engine: database.engine,
        county: { ...size, households: result.households, records: result.records, events: result.events },
        counts: result.counts,
        eventsPerSecond: Math.round(result.events / result.ingestSeconds),
        itemsPerSecond: Math.round((result.counts.accepted + result.counts.duplicate + result.counts.rejected) / result.ingestSeconds),
        ingestSeconds: r(result.ingestSeconds),
        recordSeconds: r(result.recordSeconds),
        eventSeconds: r(result.eventSeconds),
        recordsPerSecond: Math.round(result.records / result.recordSeconds),
        eventOnlyPerSecond: Math.round(result.events / result.eventSeconds),
        wallSeconds: r(wallSeconds),
        target: { eventsPerSecond: 20_000 },
      };
    } finally {
      await database.close();
    }
  },
};
