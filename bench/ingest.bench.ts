import type { BenchSuite } from './suite.ts';
import { loadedCounty } from './county-db.ts';

/**
 * Events per second through the real ingest path: the synthetic county loaded
 * by `loadCounty` (src/features/ingest/county-load.ts), which calls the ingest
 * service's bulk path with every check (validation, duplicates, versions,
 * linkage, families, involvements, audit). Sustained: the figure is all the
 * county's events over the whole load's wall-clock time, records and linkage
 * included, less the time spent generating the county. On PostgreSQL one
 * batch's events are written while the next batch's records are linked
 * (loadCounty `parallel`), so recordSeconds and eventSeconds overlap. Always
 * loads a fresh county, even when BENCH_COUNTY_DATABASE_URL names one.
 */
export const suite: BenchSuite = {
  name: 'ingest',
  measures: 'events per second through the real ingest path (loadCounty), sustained over a whole synthetic county',
  async run(options) {
    const size = options.quick ? { children: 200, years: 5 } : { children: Number(process.env.BENCH_INGEST_CHILDREN ?? 5000), years: 5 };
    const { database, result, wallSeconds } = await loadedCounty(options, size, 'ingest', { load: true });
    try {
      const r = (x: number) => Math.round(x * 10) / 10;
      return {
        engine: database.engine,
        county: { ...size, households: result.households, records: result.records, events: result.events },
        counts: result.counts,
        // Events over the load's wall-clock time less generating the households (loadCounty's ingestSeconds).
        eventsPerSecond: Math.round(result.events / result.ingestSeconds),
        parallel: database.engine === 'postgres',
        itemsPerSecond: Math.round((result.counts.accepted + result.counts.duplicate + result.counts.rejected) / result.ingestSeconds),
        ingestSeconds: r(result.ingestSeconds),
        recordSeconds: r(result.recordSeconds),
        eventSeconds: r(result.eventSeconds),
        recordsPerSecond: Math.round(result.records / result.recordSeconds),
        eventOnlyPerSecond: Math.round(result.events / result.eventSeconds),
        generateSeconds: r(result.generateSeconds),
        wallSeconds: r(wallSeconds),
        target: { eventsPerSecond: 20_000 },
      };
    } finally {
      await database.close();
    }
  },
};
