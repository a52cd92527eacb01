import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/platform/log.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { openTestDatabase } from './database.ts';

export interface TestApp {
  app: FastifyInstance;
  database: Database;
  config: Config;
  clock: ManualClock;
  close(): Promise<void>;
}

/** The real application on a fresh real database, for route and page tests. */
export async function startTestApp(
  overrides: Partial<Config> = {},
  beforeReady?: (app: FastifyInstance) => void,
): Promise<TestApp> {
  const database = await openTestDatabase();
  const config = { ...loadConfig({ NODE_ENV: 'test' }), ...overrides };
  const clock = new ManualClock(new Date('2026-11-23T10:00:00Z'));
  const app = await buildApp({ config, database, logger: createLogger('silent'), clock });
  beforeReady?.(app);
  await app.ready();
  return {
    app,
    database,
    config,
    clock,
    async close() {
      await app.close();
      await database.close();
    },
  };
}
