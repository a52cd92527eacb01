import { sql, type Kysely } from 'kysely';

/**
 * Sign-in and access: sessions, lockout state, partner agencies' API clients,
 * break-glass grants, named access to restricted records, and the
 * information-sharing record (the decision and reasons, whether or not shared).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table app_user add column failed_sign_ins integer not null default 0`.execute(db);
  await sql`alter table app_user add column locked_until timestamptz`.execute(db);
  await sql`alter table app_user add column last_sign_in_at timestamptz`.execute(db);
  await sql`alter table app_user add column oidc_subject text unique`.execute(db);

  // The cookie holds a random id; only its SHA-256 is stored, so a database
  // read does not hand out live sessions.
  await sql`
    create table user_session (
      id_hash text primary key,
      user_id uuid not null references app_user (id),
      stage text not null,
      created_at timestamptz not null,
      last_seen_at timestamptz not null,
      expires_at timestamptz not null,
      ended_at timestamptz,
      ended_reason text
    )`.execute(db);
  await sql`create index user_session_user_idx on user_session (user_id)`.execute(db);

  await sql`
    create table api_client (
      id text primary key,
      agency_id text not null references agency (id),
      name text not null,
      key_prefix text not null unique,
      key_hash text not null,
      scopes text[] not null,
      active boolean not null default true,
      created_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table break_glass_grant (
      id text primary key,
      user_id uuid not null references app_user (id),
      person_id text not null,
      reason text not null,
      granted_at timestamptz not null,
      expires_at timestamptz not null,
      reviewed_at timestamptz,
      reviewed_by uuid references app_user (id),
      review_note text
    )`.execute(db);
  await sql`create index break_glass_active_idx on break_glass_grant (user_id, person_id, expires_at)`.execute(db);
  await sql`create index break_glass_unreviewed_idx on break_glass_grant (granted_at) where reviewed_at is null`.execute(db);

  await sql`
    create table restricted_access (
      person_id text not null,
      user_id uuid not null references app_user (id),
      granted_by uuid references app_user (id),
      granted_at timestamptz not null default now(),
      reason text not null,
      primary key (person_id, user_id)
    )`.execute(db);

  await sql`
    create table information_share (
      id text primary key,
      person_id text not null,
      recorded_by uuid not null references app_user (id),
      recorded_at timestamptz not null,
      decision text not null,
      shared_with text,
      what_shared text,
      purpose text not null,
      lawful_basis text[] not null,
      consent text not null,
      consent_detail text,
      reason_not_shared text
    )`.execute(db);
  await sql`create index information_share_person_idx on information_share (person_id, recorded_at desc)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['information_share', 'restricted_access', 'break_glass_grant', 'api_client', 'user_session']) {
    await sql.raw(`drop table ${t}`).execute(db);
  }
}
