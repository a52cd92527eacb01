import { sql, type Kysely } from 'kysely';

/**
 * The event store without per-row foreign-key checks (issue 5: ingest at
 * 20,000 events a second).
 *
 * Every `event` and `event_subject` row is written by ingest alone, which
 * resolves each reference before writing: the agency must be registered, the
 * batch is the one being written, the subject records were looked up by
 * (agency, localId) and their persons by their current links, and the event row
 * is written in the same transaction. The five constraints below checked all of
 * that again, row by row (a lookup and a key-share lock each): measured on
 * PostgreSQL 15, half the time of writing an event and its subject rows
 * (COPY of 50,000 events: 2.7 s with them, 1.3 s without). The version chain
 * (`event.supersedes`) keeps its constraint: it is null for almost every row,
 * so it costs nothing, and it is the one reference ingest derives rather than
 * looks up. Tables that refer to events (retractions, involvements) keep theirs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table event drop constraint event_agency_id_fkey, drop constraint event_batch_id_fkey`.execute(db);
  await sql`
    alter table event_subject drop constraint event_subject_event_row_id_fkey,
      drop constraint event_subject_record_id_fkey, drop constraint event_subject_person_id_fkey`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table event add constraint event_agency_id_fkey foreign key (agency_id) references agency (id),
      add constraint event_batch_id_fkey foreign key (batch_id) references ingest_batch (id)`.execute(db);
  await sql`
    alter table event_subject add constraint event_subject_event_row_id_fkey foreign key (event_row_id) references event (id),
      add constraint event_subject_record_id_fkey foreign key (record_id) references agency_record (id),
      add constraint event_subject_person_id_fkey foreign key (person_id) references person (id)`.execute(db);
}
