import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** The queries behind the person access check. */
export function accessRepository(db: Db) {
  return {
    /**
     * Of these people, those the agency has a legitimate relationship with: it
     * holds a linked record of them or of someone in their family, or has a
     * current or recent involvement with them or their family, (for a front
     * door) a live contact or referral about them or their family, (for the
     * early help or social work service a front door handed a decision to) that
     * hand-off in the last 30 days, or a
     * current or recent place (the agency's or the user's own) in a child's
     * Team Around the Child.
     */
    async relatedPeople(
      personIds: string[], agencyId: string, since: { involvementEndedOn: string; contactSince: Date }, userId?: string,
    ): Promise<string[]> {
      if (personIds.length === 0) return [];
      // Three separate semi-joins driven by the (few) family members, each on
      // its person index: OR-ed EXISTS made the planner scan whole tables.
      const { rows } = await sql<{ person_id: string }>`
        with target as (select unnest(${personIds}::text[]) as person_id),
        circle as (
          select t.person_id, t.person_id as member from target t
          union
          select t.person_id, other.person_id from target t
            join family_member mine on mine.person_id = t.person_id
            join family_member other on other.family_id = mine.family_id
        ),
        members as (select distinct member from circle),
        related as (
          select m.member from members m
           where exists (select 1 from person_link l join agency_record r on r.id = l.record_id
                          where l.person_id = m.member and l.unlinked_at is null and r.agency_id = ${agencyId})
          union
          select m.member from members m
           where exists (select 1 from involvement i where i.person_id = m.member and i.agency_id = ${agencyId}
                           and (i.ended_on is null or i.ended_on >= ${since.involvementEndedOn}::date))
          union
          select m.member from members m
           where exists (select 1 from event_subject s join event e on e.id = s.event_row_id
                          where s.person_id = m.member and s.type in ('contact', 'referral') and s.at >= ${since.contactSince}
                            and e.data ->> 'to' = ${agencyId})
          union
          select m.member from members m
           where exists (select 1 from event_subject s join front_door_decision d on d.contact_event_row_id = s.event_row_id
                          where s.person_id = m.member and s.type in ('contact', 'referral') and d.handoff_agency_id = ${agencyId}
                            and d.decided_at >= ${since.contactSince})
          union
          select m.member from members m
           where exists (select 1 from team_around_child_member t
                          where t.child_person_id = m.member and (t.agency_id = ${agencyId} or t.user_id = ${userId ?? null}::uuid)
                            and (t.left_on is null or t.left_on >= ${since.involvementEndedOn}::date))
        )
        select distinct c.person_id from circle c join related r on r.member = c.member
      `.execute(db);
      return rows.map((r) => r.person_id);
    },

    /** Which of these people are restricted records. */
    async restricted(personIds: string[]): Promise<string[]> {
      if (personIds.length === 0) return [];
      const rows = await db.selectFrom('person').select('id').where('id', 'in', personIds).where('restricted', '=', true).execute();
      return rows.map((r) => r.id);
    },

    /** Restricted people this user is named for. */
    async namedFor(personIds: string[], userId: string): Promise<string[]> {
      if (personIds.length === 0) return [];
      const rows = await db
        .selectFrom('restricted_access')
        .select('person_id')
        .where('person_id', 'in', personIds)
        .where('user_id', '=', userId)
        .execute();
      return rows.map((r) => r.person_id);
    },

    /** Break-glass grants of this user's that are still running, by person. */
    async activeBreakGlass(personIds: string[], userId: string, now: Date): Promise<Map<string, string>> {
      if (personIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('break_glass_grant')
        .select(['id', 'person_id'])
        .where('person_id', 'in', personIds)
        .where('user_id', '=', userId)
        .where('expires_at', '>', now)
        .execute();
      return new Map(rows.map((r) => [r.person_id, r.id]));
    },
  };
}
