import { sql, type Kysely } from 'kysely';

/**
 * Agency records as received, the people they are linked into, relationships,
 * families, involvements and the append-only event store (issue 4).
 *
 * Scale: ~300,000 children and tens of millions of events per partnership.
 * Large tables carry a distribution key (person_id) so that they can be
 * sharded by person (Citus) and so that a person's chronology is one index
 * range scan on event_subject (person_id, at). See docs/data-model.md.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table ingest_batch (
      id text primary key,
      source text not null,
      sender_agency_id text references agency (id),
      actor_id text not null,
      received_at timestamptz not null,
      counts jsonb not null default '{}'
    )`.execute(db);

  // The identity of one agency's record of one person: (agency, localId). Never changes.
  await sql`
    create table agency_record (
      id bigint generated always as identity primary key,
      agency_id text not null references agency (id),
      local_id text not null,
      first_received_at timestamptz not null,
      unique (agency_id, local_id)
    )`.execute(db);

  // Every distinct version of a record, as received. A changed resubmission is a new row.
  await sql`
    create table agency_record_version (
      record_id bigint not null references agency_record (id),
      version integer not null,
      content_hash text not null,
      kind text not null,
      given_names text,
      family_name text,
      birth_date date,
      expected_date date,
      sex text,
      nhs_number text,
      postcode text,
      body jsonb not null,
      batch_id text not null references ingest_batch (id),
      received_at timestamptz not null,
      primary key (record_id, version)
    )`.execute(db);
  await sql`create index record_version_family_trgm on agency_record_version using gin (lower(family_name) gin_trgm_ops)`.execute(db);
  await sql`create index record_version_given_trgm on agency_record_version using gin (lower(given_names) gin_trgm_ops)`.execute(db);
  await sql`create index record_version_birth_date on agency_record_version (birth_date) where birth_date is not null`.execute(db);
  await sql`create index record_version_nhs on agency_record_version (nhs_number) where nhs_number is not null`.execute(db);
  await sql`create index record_version_postcode on agency_record_version (postcode) where postcode is not null`.execute(db);

  await sql`create sequence person_seq`.execute(db);
  await sql`
    create table person (
      id text primary key,
      restricted boolean not null default false,
      created_at timestamptz not null
    )`.execute(db);

  // Which records make up which person. Links are ended (unlinked_at), never deleted,
  // so a merge or a split can be reversed and explained.
  await sql`
    create table person_link (
      id bigint generated always as identity primary key,
      person_id text not null references person (id),
      record_id bigint not null references agency_record (id),
      method text not null,
      linked_at timestamptz not null,
      unlinked_at timestamptz,
      unlink_reason text
    )`.execute(db);
  await sql`create unique index person_link_current_record on person_link (record_id) where unlinked_at is null`.execute(db);
  await sql`create index person_link_current_person on person_link (person_id) where unlinked_at is null`.execute(db);

  await sql`
    create view person_agency as
      select distinct l.person_id, r.agency_id
      from person_link l join agency_record r on r.id = l.record_id
      where l.unlinked_at is null`.execute(db);

  // Relationships as each agency recorded them (between that agency's records).
  await sql`
    create table relationship (
      id bigint generated always as identity primary key,
      agency_id text not null references agency (id),
      from_record_id bigint not null references agency_record (id),
      to_record_id bigint not null references agency_record (id),
      type text not null,
      from_date date,
      content_hash text not null,
      batch_id text not null references ingest_batch (id),
      received_at timestamptz not null,
      unique (agency_id, content_hash)
    )`.execute(db);
  await sql`create index relationship_from on relationship (from_record_id)`.execute(db);
  await sql`create index relationship_to on relationship (to_record_id)`.execute(db);

  // Families: derived (the people connected by relationships). Rebuilt when links or relationships change.
  await sql`
    create table family_member (
      family_id text not null,
      person_id text not null references person (id),
      primary key (person_id)
    )`.execute(db);
  await sql`create index family_member_family on family_member (family_id)`.execute(db);

  // Events: append-only. A correction is a new version (supersedes the old row);
  // a retraction is a row in event_retraction. Nothing is updated or deleted.
  await sql`
    create table event (
      id bigint generated always as identity primary key,
      agency_id text not null references agency (id),
      event_id text not null,
      version integer not null,
      supersedes bigint references event (id),
      content_hash text not null,
      type text not null,
      at timestamptz not null,
      on_date date not null,
      at_precision text not null,
      significant boolean not null,
      subjects text[] not null,
      data jsonb not null,
      text text,
      batch_id text not null references ingest_batch (id),
      received_at timestamptz not null,
      unique (agency_id, event_id, version)
    )`.execute(db);
  await sql`create index event_supersedes on event (supersedes) where supersedes is not null`.execute(db);

  // One row per (event, subject record): the chronology index. person_id is derived from
  // the record's current link and moved when records are merged or split.
  await sql`
    create table event_subject (
      event_row_id bigint not null references event (id),
      record_id bigint not null references agency_record (id),
      person_id text not null references person (id),
      at timestamptz not null,
      agency_id text not null,
      type text not null,
      significant boolean not null,
      primary key (event_row_id, record_id)
    )`.execute(db);
  await sql`create index event_subject_chronology on event_subject (person_id, at, event_row_id)`.execute(db);
  await sql`create index event_subject_record on event_subject (record_id)`.execute(db);

  await sql`
    create table event_retraction (
      event_row_id bigint primary key references event (id),
      reason text not null,
      batch_id text not null references ingest_batch (id),
      retracted_at timestamptz not null
    )`.execute(db);

  // Service episodes derived from involvement-start/end events; rebuilt per person.
  await sql`
    create table involvement (
      id bigint generated always as identity primary key,
      person_id text not null references person (id),
      agency_id text not null references agency (id),
      team_id text references team (id),
      service text not null,
      category text,
      level integer,
      started_on date not null,
      ended_on date,
      end_reason text,
      start_event_row_id bigint not null references event (id),
      end_event_row_id bigint references event (id)
    )`.execute(db);
  await sql`create index involvement_person on involvement (person_id, started_on)`.execute(db);
  await sql`create index involvement_open on involvement (agency_id, service) where ended_on is null`.execute(db);

  // Items an ingest could not accept, kept with the reason so an administrator can correct them.
  await sql`
    create table quarantine (
      id text primary key,
      batch_id text not null references ingest_batch (id),
      agency_id text,
      item_kind text not null,
      item_index integer not null,
      raw jsonb not null,
      reasons jsonb not null,
      status text not null default 'open',
      received_at timestamptz not null,
      resolved_at timestamptz,
      resolved_by text,
      resolved_batch_id text
    )`.execute(db);
  await sql`create index quarantine_open on quarantine (received_at desc) where status = 'open'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'quarantine', 'involvement', 'event_retraction', 'event_subject', 'event', 'family_member', 'relationship',
  ]) {
    await sql`drop table ${sql.table(t)}`.execute(db);
  }
  await sql`drop view person_agency`.execute(db);
  for (const t of ['person_link', 'person', 'agency_record_version', 'agency_record', 'ingest_batch']) {
    await sql`drop table ${sql.table(t)}`.execute(db);
  }
  await sql`drop sequence person_seq`.execute(db);
}
