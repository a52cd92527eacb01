import { sql, type Kysely } from 'kysely';

/**
 * The flag store (issue 7): every concern flag Kinsight raised, and every
 * change to its state, append-only. A flag is never deleted: it is closed with
 * a reason. At most one flag per finding key is open or acknowledged at a time
 * (the partial unique index), so re-evaluation updates rather than duplicates.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create sequence flag_seq`.execute(db);
  await sql`
    create table flag (
      id text primary key,
      key text not null,
      category text not null,
      rule_id text not null,
      rule_version integer not null,
      person_id text not null references person (id),
      evidence text[] not null,
      evidence_rows bigint[] not null,
      sources text[] not null,
      explanation text not null,
      raised_at timestamptz not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      review_by timestamptz not null,
      routed_to_kind text not null check (routed_to_kind in ('user', 'team', 'front-door')),
      routed_to_id text,
      state text not null default 'open' check (state in ('open', 'acknowledged', 'closed')),
      state_note text,
      state_changed_at timestamptz,
      state_changed_by text,
      previous_flag_id text references flag (id)
    )`.execute(db);
  await sql`create unique index flag_live_key on flag (key) where state <> 'closed'`.execute(db);
  await sql`create index flag_key on flag (key)`.execute(db);
  await sql`create index flag_person on flag (person_id, created_at)`.execute(db);
  await sql`create index flag_routed on flag (routed_to_kind, routed_to_id, review_by) where state <> 'closed'`.execute(db);

  // Every change to a flag, as it happened: raised, evidence updated, acknowledged, closed, raised again.
  await sql`
    create table flag_history (
      id bigint generated always as identity primary key,
      flag_id text not null references flag (id),
      at timestamptz not null,
      actor_kind text not null,
      actor_id text not null,
      action text not null,
      from_state text,
      to_state text not null,
      note text,
      details jsonb not null default '{}'
    )`.execute(db);
  await sql`create index flag_history_flag on flag_history (flag_id, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table flag_history`.execute(db);
  await sql`drop table flag`.execute(db);
  await sql`drop sequence flag_seq`.execute(db);
}
