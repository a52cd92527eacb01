import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** The people an access question is about: a list of ids, or a query yielding a `person_id` column (e.g. a family's members). */
export type AccessTarget = string[] | RawBuilder<{ person_id: string }>;

/** What the person access check needs to know about the asking user, at the request's instant. */
export interface AccessQuestion {
  agencyId: string;
  userId: string;
  now: Date;
  /** Involvements, and places in a Team Around the Child, that ended on or after this day still count. */
  involvementEndedOn: string;
  /** Front-door contacts and hand-offs at or after this instant still count. */
  contactSince: Date;
}

/**
 * The person access check as one SQL query: which of the target people the
 * user may see, and why ('named', 'relationship' or 'break-glass'), one row
 * per person seen. One statement (one round trip), so a service can also
 * embed it in its own statement (a chronology reads and audits only what it
 * allows, in the same statement).
 *
 * - A restricted record is seen only by the users named for it: neither
 *   relationships nor break-glass open it.
 * - Otherwise, a relationship: the agency holds a linked record of them or of
 *   someone in their family, has a current or recent involvement with them or
 *   their family, (for a front door) a live contact or referral about them or
 *   their family, (for the early help or social work service a front door
 *   handed a decision to) that hand-off in the last 30 days, or a current or
 *   recent place (the agency's or the user's own) in a child's Team Around
 *   the Child.
 * - Otherwise, a running break-glass grant of the user's.
 */
export function accessQuery(target: AccessTarget, q: AccessQuestion): RawBuilder<{ person_id: string; access: 'named' | 'relationship' | 'break-glass' }> {
  // One person is one value, not a one-element array: the planner then knows
  // it is one row whatever the value, so a prepared statement embedding this
  // check keeps a generic plan (for unnest of an array parameter it guesses 10
  // rows and would plan every call afresh).
  const targetSql = Array.isArray(target)
    ? target.length === 1 ? sql`select ${target[0]}::text as person_id` : sql`select unnest(${target}::text[]) as person_id`
    : sql`select t.person_id from (${target}) t`;
  // Separate semi-joins driven by the (few) family members, each on its
  // person index: OR-ed EXISTS made the planner scan whole tables.
  return sql`
    with target as materialized (select distinct person_id from (${targetSql}) t where person_id is not null),
    restricted as materialized (select p.id as person_id from person p where p.id in (select person_id from target) and p.restricted),
    named as (select r.person_id from restricted_access r
               where r.person_id in (select person_id from restricted) and r.user_id = ${q.userId}::uuid),
    open as materialized (select person_id from target where person_id not in (select person_id from restricted)),
    circle as materialized (
      select o.person_id, o.person_id as member from open o
      union
      select o.person_id, other.person_id from open o
        join family_member mine on mine.person_id = o.person_id
        join family_member other on other.family_id = mine.family_id
    ),
    members as (select distinct member from circle),
    related as (
      select m.member from members m
       where exists (select 1 from person_link l join agency_record r on r.id = l.record_id
                      where l.person_id = m.member and l.unlinked_at is null and r.agency_id = ${q.agencyId})
      union
      select m.member from members m
       where exists (select 1 from involvement i where i.person_id = m.member and i.agency_id = ${q.agencyId}
                       and (i.ended_on is null or i.ended_on >= ${q.involvementEndedOn}::date))
      union
      select m.member from members m
       where exists (select 1 from event_subject s join event e on e.id = s.event_row_id
                      where s.person_id = m.member and s.type in ('contact', 'referral') and s.at >= ${q.contactSince}
                        and e.data ->> 'to' = ${q.agencyId})
      union
      select m.member from members m
       where exists (select 1 from event_subject s join front_door_decision d on d.contact_event_row_id = s.event_row_id
                      where s.person_id = m.member and s.type in ('contact', 'referral') and d.handoff_agency_id = ${q.agencyId}
                        and d.decided_at >= ${q.contactSince})
      union
      select m.member from members m
       where exists (select 1 from team_around_child_member t
                      where t.child_person_id = m.member and (t.agency_id = ${q.agencyId} or t.user_id = ${q.userId}::uuid)
                        and (t.left_on is null or t.left_on >= ${q.involvementEndedOn}::date))
    ),
    by_relationship as materialized (select distinct c.person_id from circle c join related r on r.member = c.member),
    by_break_glass as (
      select distinct g.person_id from break_glass_grant g
       where g.person_id in (select person_id from open) and g.person_id not in (select person_id from by_relationship)
         and g.user_id = ${q.userId}::uuid and g.expires_at > ${q.now}
    )
    select person_id, 'named'::text as access from named
    union all select person_id, 'relationship'::text from by_relationship
    union all select person_id, 'break-glass'::text from by_break_glass`;
}

/** No one: for askers who never see people (analysts, administrators, API clients). */
export function noAccessQuery(): RawBuilder<{ person_id: string; access: string }> {
  return sql`select null::text as person_id, null::text as access where false`;
}

/** Everyone targeted: Kinsight's own processes. */
export function systemAccessQuery(target: AccessTarget): RawBuilder<{ person_id: string; access: string }> {
  return Array.isArray(target)
    ? sql`select distinct unnest(${target}::text[]) as person_id, 'system'::text as access`
    : sql`select distinct t.person_id, 'system'::text as access from (${target}) t`;
}

/** The queries behind the person access check. */
export function accessRepository(db: Db) {
  return {
    /** Run an access query: who of the target may be seen, and how. */
    async run(query: RawBuilder<{ person_id: string; access: string }>): Promise<{ person_id: string; access: string }[]> {
      return (await query.execute(db)).rows;
    },
  };
}
