import { sql, type Kysely } from 'kysely';

/**
 * Two things for issue 5 (the synthetic county and its benchmarks).
 *
 * The linker's name indexes stop deferring inserts. A GIN index with
 * `fastupdate` (the default) puts new entries in a pending list that every
 * search reads from end to end until a vacuum merges it: after a bulk load of
 * records each trigram look-up read thousands of pending entries (2.5 ms
 * instead of 0.15 ms a look-up on PostgreSQL, worse on PGlite), which made the
 * linker's name block the slowest part of ingest.
 *
 * What demonstration data has been loaded into this database (issue 5): one
 * row per data set, written when its load finished, so `npm start` loads the
 * synthetic county once however often it is started. Never used in production.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter index record_version_family_trgm set (fastupdate = off)`.execute(db);
  await sql`alter index record_version_given_trgm set (fastupdate = off)`.execute(db);
  await sql`
    create table demo_state (
      name text primary key,
      detail jsonb not null,
      loaded_at timestamptz not null
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table demo_state`.execute(db);
  await sql`alter index record_version_family_trgm reset (fastupdate)`.execute(db);
  await sql`alter index record_version_given_trgm reset (fastupdate)`.execute(db);
}
