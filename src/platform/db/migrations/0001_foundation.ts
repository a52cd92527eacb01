import { sql, type Kysely } from 'kysely';

/** Agencies, their teams, and the people who sign in to Kinsight. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);

  await sql`
    create table agency (
      id text primary key,
      name text not null,
      kind text not null,
      authority_code text not null,
      created_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table team (
      id text primary key,
      agency_id text not null references agency (id),
      name text not null,
      kind text not null default 'general',
      created_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table app_user (
      id uuid primary key default gen_random_uuid(),
      username text not null unique,
      display_name text not null,
      agency_id text not null references agency (id),
      team_id text references team (id),
      roles text[] not null,
      password_hash text,
      totp_secret text,
      active boolean not null default true,
      demo boolean not null default false,
      created_at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table app_user`.execute(db);
  await sql`drop table team`.execute(db);
  await sql`drop table agency`.execute(db);
}
