import { sql, type Kysely } from 'kysely';

/**
 * Flag evaluation follows merges: for the people evaluated, it looks for
 * records they hold that another person formerly held (person_link rows with
 * unlinked_at set). Without an index on those former links by record, every
 * evaluation scanned the whole person_link table (about 10 ms on a
 * 5,000-child county, growing with the county). The index is small: only
 * links that have ended.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index person_link_former_record on person_link (record_id) where unlinked_at is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index person_link_former_record`.execute(db);
}
