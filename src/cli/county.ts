import { InvalidArgumentError, type Command } from 'commander';
import cliProgress from 'cli-progress';
import pg from 'pg';
import { openDatabase } from '../platform/db/database.ts';
import { migrateToLatest } from '../platform/db/migrate.ts';
import { systemContext } from '../platform/access/context.ts';
import { systemClock } from '../platform/clock.ts';
import { createCounty } from '../features/synthetic-county/generator.ts';
import { COUNTY_STATE, loadCounty } from '../features/ingest/county-load.ts';
import { ingestRepository } from '../features/ingest/repository.ts';
import { demoRepository } from '../features/demo/repository.ts';
import { replicaRepository } from '../features/synthetic-county/replicas.ts';
import { positiveInt, years } from './options.ts';

/** Events the generator makes per child over ten years (1,000 children: 166,650): for the progress bar's estimate only. */
const EVENTS_PER_CHILD_DECADE = 166.65;

/** Create the database the URL names on its server when it does not exist yet. */
async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new InvalidArgumentError('the database name must be lower-case letters, digits and underscores');
  const server = new URL(url);
  server.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: server.toString() });
  await admin.connect();
  try {
    const { rows } = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (rows.length === 0) await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
}

/**
 * Adds `kinsight county load`: a synthetic county loaded through the real
 * ingest path (loadCounty, bulk) into a PostgreSQL database that stays, for the
 * benchmarks to read (BENCH_COUNTY_DATABASE_URL) and for full-scale figures.
 */
export function registerCounty(program: Command): void {
  const county = program.command('county').description('a persistent synthetic county in a PostgreSQL database');
  county
    .command('load')
    .description('create and migrate the database, then load a synthetic county (Marlshire) through the real ingest path; prints a JSON line of figures at the end')
    .requiredOption('--database-url <url>', 'PostgreSQL database to load into (created if missing; it must not hold events yet)')
    .option('--children <n>', 'children in the county (under 18 when each household first appears)', positiveInt, 300_000)
    .option('--years <y>', 'years of events, ending 31 March 2025', years, 10)
    .option('--seed <s>', 'seed: the same seed gives the same county', '20261123')
    .option('--events-per-batch <n>', 'events per ingest call', positiveInt, 20_000)
    .option('--sequential', 'one ingest call at a time (default: events written alongside the next batch’s linkage)')
    .action(async (options: { databaseUrl: string; children: number; years: number; seed: string; eventsPerBatch: number; sequential?: boolean }) => {
      const seed = /^[0-9]+$/.test(options.seed) ? Number(options.seed) : options.seed;
      await ensureDatabase(options.databaseUrl);
      const database = await openDatabase({ kind: 'postgres', url: options.databaseUrl, poolSize: 4 });
      try {
        await migrateToLatest(database.db);
        if (await ingestRepository(database.db).holdsEvents()) {
          console.error('This database already holds events: load a county into a new database (or drop this one first).');
          process.exitCode = 1;
          return;
        }
        const estimate = Math.round(options.children * EVENTS_PER_CHILD_DECADE * (options.years / 10));
        const bar = new cliProgress.SingleBar(
          {
            format: 'Loading Marlshire |{bar}| {percentage}% of ~{total} events | {value} events | {records} records | {rate} events/s | {eta_formatted} left',
            stream: process.stderr, fps: 2, etaBuffer: 200, noTTYOutput: true, notTTYSchedule: 30_000,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(estimate, 0, { records: 0, rate: 0 });
        const started = performance.now();
        const result = await loadCounty(database.db, systemContext('county-load', `county-load-${Date.now()}`), createCounty({
          children: options.children, years: options.years, seed, childB: true,
        }), {
          clock: systemClock,
          eventsPerBatch: options.eventsPerBatch,
          parallel: !options.sequential,
          onProgress: (p) => {
            const seconds = (performance.now() - started) / 1000;
            bar.setTotal(Math.max(estimate, p.events));
            bar.update(p.events, { records: p.records, rate: Math.round(p.events / Math.max(seconds, 0.001)) });
          },
        });
        bar.stop();
        const bytes = await ingestRepository(database.db).databaseBytes();
        const figures = {
          database: new URL(options.databaseUrl).pathname.slice(1),
          children: options.children, years: options.years, seed: options.seed,
          households: result.households, records: result.records, events: result.events, counts: result.counts,
          seconds: Math.round(result.wallSeconds), ingestSeconds: Math.round(result.ingestSeconds), generateSeconds: Math.round(result.generateSeconds),
          eventsPerSecondSustained: Math.round(result.events / result.wallSeconds),
          eventsPerSecondIngest: Math.round(result.events / result.ingestSeconds),
          recordsPerSecond: Math.round(result.records / result.recordSeconds),
          databaseBytes: bytes, databaseGiB: Math.round((bytes / 2 ** 30) * 100) / 100, bytesPerEvent: Math.round(bytes / Math.max(result.events, 1)),
        };
        await demoRepository(database.db).markLoaded(COUNTY_STATE, figures, new Date());
        console.log(JSON.stringify(figures));
      } finally {
        await database.close();
      }
    });
  county
    .command('replicate')
    .description('scale a loaded county up for the read benchmarks: COPIES copies of it in all (the loaded one is the first), each with its own identifiers; see src/features/synthetic-county/replicas.ts')
    .requiredOption('--database-url <url>', 'PostgreSQL database holding a county loaded by `kinsight county load`')
    .requiredOption('--copies <n>', 'how many copies the county should hold in all (e.g. 30 turns 10,000 children into 300,000)', positiveInt)
    .action(async (options: { databaseUrl: string; copies: number }) => {
      const database = await openDatabase({ kind: 'postgres', url: options.databaseUrl, poolSize: 2 });
      try {
        const demo = demoRepository(database.db);
        const state = await demo.loaded(COUNTY_STATE);
        const detail = state?.detail as (Record<string, unknown> & { children: number; households: number; records: number; events: number; replicated?: unknown }) | undefined;
        if (!detail) throw new InvalidArgumentError('this database holds no county loaded by `kinsight county load`');
        if (detail.replicated) throw new InvalidArgumentError('this county has been replicated already: load a new one to replicate it again');
        if (options.copies < 2) throw new InvalidArgumentError('--copies must be at least 2 (the loaded county is the first)');
        const started = performance.now();
        const repo = replicaRepository(database.db);
        const base = await repo.base();
        const batchId = `b_replica_${Date.now()}`;
        await repo.insertBatch(batchId, new Date());
        const bar = new cliProgress.SingleBar(
          { format: 'Replicating |{bar}| copy {value} of {total} | {eta_formatted} left', stream: process.stderr, fps: 2, noTTYOutput: true, notTTYSchedule: 30_000 },
          cliProgress.Presets.shades_classic,
        );
        const definitions = await repo.dropSecondaryIndexes();
        bar.start(options.copies, 1);
        try {
          for (let k = 1; k < options.copies; k += 1) {
            await repo.copy(k, base, batchId);
            bar.update(k + 1);
          }
        } finally {
          // Each copy is one transaction: after a failure the tables hold whole copies, and need their indexes back.
          bar.stop();
          console.error('Building indexes again…');
          await repo.createIndexes(definitions);
        }
        await repo.advanceSequences(options.copies, base);
        await repo.analyze();
        const seconds = Math.round((performance.now() - started) / 1000);
        const bytes = await ingestRepository(database.db).databaseBytes();
        const scaled = {
          ...detail,
          children: detail.children * options.copies, households: detail.households * options.copies,
          records: detail.records * options.copies, events: detail.events * options.copies,
          databaseBytes: bytes, databaseGiB: Math.round((bytes / 2 ** 30) * 100) / 100, bytesPerEvent: Math.round(bytes / Math.max(detail.events * options.copies, 1)),
          // The ingest rates above are the loaded county's: the copies did not go through ingest.
          replicated: { copies: options.copies, loaded: { children: detail.children, households: detail.households, records: detail.records, events: detail.events }, seconds },
        };
        await demo.replaceDetail(COUNTY_STATE, scaled);
        console.log(JSON.stringify(scaled));
      } finally {
        await database.close();
      }
    });
}
