import { sql, type Kysely } from 'kysely';

/**
 * Probabilistic record linkage (issue 6): the model's parameters as trained,
 * the review queue of pairs the linker will not decide alone, and family
 * corrections. Review decisions and family corrections are append-only
 * records of who decided what and why; links themselves stay in person_link.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per training run (`kinsight link --train`); the newest is used.
  await sql`
    create table linkage_parameters (
      id bigint generated always as identity primary key,
      trained_at timestamptz not null,
      source text not null,
      parameters jsonb not null,
      name_frequencies jsonb not null default '{}',
      records integer not null,
      candidate_pairs integer not null,
      iterations integer not null
    )`.execute(db);

  // A pair the linker scored between the thresholds, or held (possible twins):
  // the new record against the best record of a person it may be.
  await sql`
    create table link_review (
      id bigint generated always as identity primary key,
      record_id bigint not null references agency_record (id),
      candidate_record_id bigint not null references agency_record (id),
      probability double precision not null,
      match_weight double precision not null,
      held_because text,
      breakdown jsonb not null,
      created_at timestamptz not null,
      status text not null default 'open',
      decided_at timestamptz,
      decided_by text,
      decision_reason text
    )`.execute(db);
  await sql`create index link_review_open on link_review (created_at) where status = 'open'`.execute(db);
  await sql`create index link_review_record on link_review (record_id)`.execute(db);
  await sql`create index link_review_candidate on link_review (candidate_record_id)`.execute(db);

  // Who moved whom between families, and why. Applied over the derived families.
  await sql`
    create table family_correction (
      id bigint generated always as identity primary key,
      person_id text not null references person (id),
      from_family_id text,
      to_family_id text not null,
      reason text not null,
      corrected_by text not null,
      corrected_at timestamptz not null
    )`.execute(db);
  await sql`create index family_correction_person on family_correction (person_id, corrected_at)`.execute(db);

  // Blocking look-ups of the linker on the names (equality on the lower-cased family name).
  await sql`create index record_version_family_lower on agency_record_version (lower(family_name)) where family_name is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index record_version_family_lower`.execute(db);
  for (const t of ['family_correction', 'link_review', 'linkage_parameters']) await sql.raw(`drop table ${t}`).execute(db);
}
