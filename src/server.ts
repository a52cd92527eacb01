import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './platform/db/database.ts';
import { migrateToLatest } from './platform/db/migrate.ts';
import { createLogger, type Logger } from './platform/log.ts';
import { systemClock } from './platform/clock.ts';
import { seedDemoPartnership } from './features/demo/seed.ts';
import { loadDemoCounty } from './features/demo/county.ts';
import { startFlagScheduler } from './features/flags/scheduler.ts';

export interface RunningKinsight {
  app: FastifyInstance;
  database: Database;
  url: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Load the demo partnership (never in production). */
  demo: boolean;
  /** Apply migrations (and load the demo, if asked) first; false in a cluster worker, whose primary did it once for all. Default true. */
  prepare?: boolean;
  /** Run the hourly time-based flag evaluation in this process; in a cluster, one worker does. Default true. */
  scheduler?: boolean;
  logger?: Logger;
  /** Say what is happening, for a person at a terminal. */
  progress?: (line: string) => void;
}

/** Open the database, bring it up to date, load demo data if asked, and listen. */
export async function startKinsight(config: Config, options: StartOptions): Promise<RunningKinsight> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const say = options.progress ?? (() => {});
  if (options.demo && config.environment === 'production') {
    throw new Error('Demo data cannot be loaded in production (NODE_ENV=production).');
  }

  say(config.database.kind === 'postgres'
    ? 'Connecting to PostgreSQL (DATABASE_URL)…'
    : `Opening the embedded database in ${config.database.dataDir}…`);
  const database = await openDatabase(config.database.kind === 'postgres'
    ? { ...config.database, onIdleConnectionError: (err) => logger.warn({ err }, 'an idle database connection was closed by the server') }
    : config.database);
  try {
    if (options.prepare ?? true) await prepareDatabase(database, config, options.demo, say);
    const app = await buildApp({ config, database, logger, clock: systemClock });
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host}:${port}`;
    // Time-based flags (decisions and assessments overdue) fire as time passes: check every hour.
    const flagScheduler = (options.scheduler ?? true)
      ? startFlagScheduler(database.db, systemClock, { onError: (err) => logger.error({ err }, 'scheduled flag evaluation failed') })
      : { stop: async () => {} };
    return {
      app,
      database,
      url,
      async stop() {
        await flagScheduler.stop();
        await app.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** Bring the schema up to date and, if asked, create the demo partnership and county (each once). */
async function prepareDatabase(database: Database, config: Config, demo: boolean, say: (line: string) => void): Promise<void> {
  if (demo && config.environment === 'production') {
    throw new Error('Demo data cannot be loaded in production (NODE_ENV=production).');
  }
  const applied = await migrateToLatest(database.db);
  say(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Database schema is up to date.');
  if (demo) {
    const seeded = await seedDemoPartnership(database.db);
    say(seeded.usersAdded + seeded.agenciesAdded > 0
      ? `Demo partnership created: ${seeded.agenciesAdded} agencies, ${seeded.usersAdded} demo accounts.`
      : 'Demo partnership already present: nothing added.');
    const county = await loadDemoCounty(database.db, { clock: systemClock, progress: say });
    if (!county.loaded) say('Demo county already loaded: nothing added.');
  }
}

/**
 * Prepare the database once, without serving: what a cluster's primary does
 * before it starts the workers that serve (they skip it).
 */
export async function prepareKinsight(config: Config, options: { demo: boolean; progress?: (line: string) => void }): Promise<void> {
  const database = await openDatabase(config.database);
  try {
    await prepareDatabase(database, config, options.demo, options.progress ?? (() => {}));
  } finally {
    await database.close();
  }
}
