import { sql, type Kysely } from 'kysely';

/**
 * The Team Around the Child: the practitioners and agencies working with a
 * child, one of them the lead practitioner. Membership gives access to the
 * child's record (issue 3) while it lasts and for 12 months after; ending a
 * membership is a new fact (left_on), never a deletion.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table team_around_child_member (
      id text primary key,
      child_person_id text not null references person (id),
      agency_id text not null references agency (id),
      user_id uuid references app_user (id),
      role text not null check (role in ('lead-practitioner', 'member')),
      joined_on date not null,
      left_on date,
      added_by uuid not null references app_user (id),
      added_at timestamptz not null,
      ended_by uuid references app_user (id),
      ended_at timestamptz
    )`.execute(db);
  await sql`create index tac_member_child on team_around_child_member (child_person_id)`.execute(db);
  await sql`create unique index tac_one_lead on team_around_child_member (child_person_id) where role = 'lead-practitioner' and left_on is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table team_around_child_member`.execute(db);
}
