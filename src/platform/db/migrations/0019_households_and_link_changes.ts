import { sql, type Kysely } from 'kysely';

/**
 * Issue 6, the rest of record linkage.
 *
 * - `household_correction`: households are derived when read, from the
 *   addresses of people's current records; a practitioner corrects one by
 *   saying a person does (or does not) live at an address, with a reason.
 *   The latest row for a person and address wins; rows are never changed.
 * - `link_change`: each merge and split made by a person (a review's "link",
 *   a split), and each undoing of one, with the records it moved, so it can be
 *   undone in one step. `undoes` names the change an undo reverses; a change
 *   is undone at most once.
 *
 * Both are append-only: a trigger refuses UPDATE and DELETE.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table household_correction (
      id bigint generated always as identity primary key,
      person_id text not null references person (id),
      postcode text not null,
      address_key text not null,
      resident boolean not null,
      reason text not null check (length(reason) > 0),
      corrected_by text not null,
      corrected_at timestamptz not null
    )`.execute(db);
  await sql`create index household_correction_address on household_correction (postcode, address_key)`.execute(db);
  await sql`create index household_correction_person on household_correction (person_id)`.execute(db);

  await sql`
    create table link_change (
      id bigint generated always as identity primary key,
      kind text not null check (kind in ('merge', 'split', 'undo')),
      from_person_id text not null references person (id),
      to_person_id text not null references person (id),
      record_ids bigint[] not null check (cardinality(record_ids) > 0),
      reason text not null check (length(reason) > 0),
      undoes bigint references link_change (id),
      changed_by text not null,
      changed_at timestamptz not null,
      check ((kind = 'undo') = (undoes is not null))
    )`.execute(db);
  await sql`create unique index link_change_undoes on link_change (undoes) where undoes is not null`.execute(db);
  await sql`create index link_change_from on link_change (from_person_id)`.execute(db);
  await sql`create index link_change_to on link_change (to_person_id)`.execute(db);

  await sql`
    create function linkage_record_is_append_only() returns trigger language plpgsql as $$
    begin
      raise exception '% is append-only: % is not allowed', tg_table_name, tg_op;
    end
    $$`.execute(db);
  for (const table of ['household_correction', 'link_change']) {
    await sql`
      create trigger ${sql.raw(`${table}_append_only`)} before update or delete on ${sql.table(table)}
      for each statement execute function linkage_record_is_append_only()`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table link_change`.execute(db);
  await sql`drop table household_correction`.execute(db);
  await sql`drop function linkage_record_is_append_only()`.execute(db);
}
