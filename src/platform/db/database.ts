import fs from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import { forgetPgClient, trackPgClient } from './copy.ts';
import { usePreparedStatements } from './prepared.ts';

export type Engine = 'pglite' | 'postgres';

export type DatabaseSettings =
  | { kind: 'postgres'; url: string; poolSize?: number; onIdleConnectionError?: (error: Error) => void }
  | { kind: 'pglite'; dataDir: string | null };

/** An open database: the typed query builder, which engine it is, and how to close it. */
export interface Database {
  db: Kysely<DB>;
  engine: Engine;
  close(): Promise<void>;
}

// PostgreSQL returns bigint counts and numerics as strings by default; Kysely
// code in Kinsight expects numbers for counts (they fit in a double).
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
// Calendar dates stay 'YYYY-MM-DD' strings: a Date would shift them by time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

/** The same parsing for PGlite, by type oid. */
const pgliteParsers = {
  20: (v: string) => Number(v),
  1700: (v: string) => Number(v),
  1082: (v: string) => v,
};

/**
 * Open the database the settings describe: PostgreSQL through a `pg` pool, or
 * the embedded PGlite in a data folder (null: in memory, for tests and replay).
 */
export async function openDatabase(settings: DatabaseSettings): Promise<Database> {
  if (settings.kind === 'postgres') {
    // JIT compilation pays off for long analytical queries, not for Kinsight's
    // short indexed reads: when the planner misjudges a query as expensive it
    // spent 100-150 ms compiling (measured on the front-door history panel).
    const pool = new pg.Pool({ connectionString: settings.url, max: settings.poolSize ?? 10, options: '-c jit=off' });
    // An idle connection the server ends (a restart, an administrator, a dropped
    // scratch database) is reported on the pool; pg has already removed it and
    // the next query opens a new one. Unheard, the event would stop the process.
    pool.on('error', (error) => settings.onIdleConnectionError?.(error));
    // Bulk ingest writes with COPY on the transaction's own client (copy.ts);
    // queries marked `prepared()` are named statements, planned once per connection (prepared.ts).
    pool.on('connect', (client) => {
      trackPgClient(client);
      usePreparedStatements(client);
    });
    pool.on('remove', forgetPgClient);
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return { db, engine: 'postgres', close: () => db.destroy() };
  }
  if (settings.dataDir) await fs.mkdir(settings.dataDir, { recursive: true });
  const pglite = await PGlite.create({
    ...(settings.dataDir ? { dataDir: settings.dataDir } : {}),
    extensions: { pg_trgm },
    parsers: pgliteParsers,
  });
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  return { db, engine: 'pglite', close: () => db.destroy() };
}

/** A one-line health probe: true when the database answers. */
export async function databaseIsHealthy(db: Kysely<DB>): Promise<boolean> {
  try {
    const { rows } = await sql<{ ok: number }>`select 1 as ok`.execute(db);
    return rows[0]?.ok === 1;
  } catch {
    return false;
  }
}
