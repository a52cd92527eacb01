import { sql, type Kysely } from 'kysely';

/**
 * The front door (issue 8). Contacts and referrals themselves are events in the
 * event store (written through ingest, like all data); these tables hold what
 * only the front door knows about them: the details taken on the form, what the
 * history panel showed, the decision and its hand-off, and managers' reviews.
 * Everything here is appended; a changed decision is a new version.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // What the contact form captured beyond the event (referrer, consent, urgency). Keyed by the event row.
  await sql`
    create table front_door_contact (
      event_row_id bigint primary key references event (id),
      front_door_agency_id text not null references agency (id),
      recorded_by text not null,
      recorded_at timestamptz not null,
      referrer_name text,
      referrer_role text,
      referrer_agency_id text references agency (id),
      referrer_phone text,
      urgent boolean not null default false,
      consent text not null,
      consent_detail text,
      lawful_basis text[] not null default '{}'
    )`.execute(db);

  // Each time the decision screen was drawn: the history panel's contents, by reference (event rows,
  // involvements, flags, people), so the audit can show what was on screen when the decision was made.
  await sql`
    create table front_door_history_view (
      id text primary key,
      contact_event_row_id bigint not null references event (id),
      viewed_by text not null,
      viewed_at timestamptz not null,
      contents jsonb not null
    )`.execute(db);
  await sql`create index front_door_history_view_contact on front_door_history_view (contact_event_row_id, viewed_at)`.execute(db);

  await sql`
    create table front_door_decision (
      id text primary key,
      contact_event_row_id bigint not null references event (id),
      version integer not null default 1,
      front_door_agency_id text not null references agency (id),
      decided_by text not null,
      decided_at timestamptz not null,
      level integer not null check (level between 1 and 4),
      outcome text not null check (outcome in ('nfa', 'universal', 'early-help', 'cin-assessment', 'strategy-discussion')),
      rationale text not null,
      history_view_id text not null references front_door_history_view (id),
      history_confirmed boolean not null check (history_confirmed),
      re_referral boolean not null,
      open_case boolean not null,
      information_share_id text references information_share (id),
      decision_event_row_id bigint references event (id),
      handoff_agency_id text references agency (id),
      handoff_team_id text references team (id),
      unique (contact_event_row_id, version)
    )`.execute(db);
  await sql`create index front_door_decision_agency on front_door_decision (front_door_agency_id, decided_at desc)`.execute(db);
  await sql`create index front_door_decision_handoff on front_door_decision (handoff_agency_id, decided_at desc) where handoff_agency_id is not null`.execute(db);

  await sql`
    create table front_door_decision_review (
      id bigint generated always as identity primary key,
      decision_id text not null references front_door_decision (id),
      reviewed_by text not null,
      reviewed_at timestamptz not null,
      agrees boolean not null,
      note text not null
    )`.execute(db);
  await sql`create index front_door_decision_review_decision on front_door_decision_review (decision_id)`.execute(db);

  // The triage queue and the history panel look contacts up by type and by the front door they went to.
  await sql`create index event_front_door_contacts on event ((data ->> 'to'), at) where type in ('contact', 'referral')`.execute(db);
  await sql`create index event_decisions_on on event (agency_id, (data ->> 'on')) where type = 'decision'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index event_decisions_on`.execute(db);
  await sql`drop index event_front_door_contacts`.execute(db);
  for (const t of ['front_door_decision_review', 'front_door_decision', 'front_door_history_view', 'front_door_contact']) {
    await sql`drop table ${sql.table(t)}`.execute(db);
  }
}
