import type { Database } from '../../src/platform/db/database.ts';
import { openScratchDatabase } from '../../src/platform/db/scratch.ts';

/**
 * A fresh, migrated database for one test file: PGlite in memory by default, or
 * a new database on the PostgreSQL server named by DATABASE_URL (dropped after).
 */
export function openTestDatabase(): Promise<Database> {
  return openScratchDatabase(process.env.DATABASE_URL);
}

/** Which engine the suite was asked to run on. */
export const expectedEngine = process.env.DATABASE_URL ? 'postgres' : 'pglite';
