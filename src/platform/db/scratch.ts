import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from './database.ts';
import { migrateToLatest } from './migrate.ts';

/**
 * A fresh, migrated database that disappears when closed: PGlite in memory
 * when no server URL is given, or a new database on that PostgreSQL server
 * (dropped on close). Tests, replay checks and benchmarks use it.
 */
export async function openScratchDatabase(serverUrl: string | undefined, options: { poolSize?: number } = {}): Promise<Database> {
  if (!serverUrl) {
    const database = await openDatabase({ kind: 'pglite', dataDir: null });
    await migrateToLatest(database.db);
    return database;
  }
  const name = `kinsight_scratch_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: options.poolSize ?? 4 });
  await migrateToLatest(database.db);
  return {
    ...database,
    async close() {
      await database.close();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}
