import { sql, type Kysely } from 'kysely';

/**
 * The audit trail: append-only. A trigger refuses UPDATE and DELETE so that not
 * even a bug in Kinsight can rewrite who looked at a child's record.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table audit_event (
      id bigint generated always as identity primary key,
      at timestamptz not null default now(),
      correlation_id text not null,
      actor_kind text not null,
      actor_id text not null,
      actor_agency_id text,
      actor_roles text[] not null default '{}',
      action text not null,
      subject_type text,
      subject_id text,
      person_id text,
      purpose text,
      outcome text not null,
      break_glass_id text,
      details jsonb not null default '{}'
    )`.execute(db);
  await sql`create index audit_event_person_idx on audit_event (person_id, at desc) where person_id is not null`.execute(db);
  await sql`create index audit_event_actor_idx on audit_event (actor_id, at desc)`.execute(db);
  await sql`
    create function audit_event_is_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_event is append-only: % is not allowed', tg_op;
    end
    $$`.execute(db);
  await sql`
    create trigger audit_event_append_only before update or delete on audit_event
    for each statement execute function audit_event_is_append_only()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table audit_event`.execute(db);
  await sql`drop function audit_event_is_append_only`.execute(db);
}
