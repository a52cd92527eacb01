import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** Break-glass grants and the audit trail, read for review. */
export function accessReviewRepository(db: Db) {
  return {
    async personExists(personId: string): Promise<boolean> {
      return Boolean(await db.selectFrom('person').select('id').where('id', '=', personId).executeTakeFirst());
    },

    async addBreakGlass(g: { id: string; userId: string; personId: string; reason: string; grantedAt: Date; expiresAt: Date }) {
      await db
        .insertInto('break_glass_grant')
        .values({ id: g.id, user_id: g.userId, person_id: g.personId, reason: g.reason, granted_at: g.grantedAt, expires_at: g.expiresAt })
        .execute();
    },

    /** Grants not yet reviewed, oldest first, for a safeguarding lead's agency's staff (or all if agency is null). */
    async unreviewedBreakGlass(agencyId: string | null) {
      let q = db
        .selectFrom('break_glass_grant as g')
        .innerJoin('app_user as u', 'u.id', 'g.user_id')
        .innerJoin('agency as a', 'a.id', 'u.agency_id')
        .select(['g.id', 'g.person_id as personId', 'g.reason', 'g.granted_at as grantedAt', 'g.expires_at as expiresAt',
          'u.display_name as userName', 'a.name as agencyName'])
        .where('g.reviewed_at', 'is', null)
        .orderBy('g.granted_at', 'asc');
      if (agencyId) q = q.where('u.agency_id', '=', agencyId);
      return q.execute();
    },

    async reviewBreakGlass(id: string, reviewerId: string, at: Date, note: string, agencyId: string | null): Promise<boolean> {
      let q = db
        .updateTable('break_glass_grant')
        .set({ reviewed_at: at, reviewed_by: reviewerId, review_note: note })
        .where('id', '=', id)
        .where('reviewed_at', 'is', null);
      if (agencyId) {
        q = q.where('user_id', 'in', db.selectFrom('app_user').select('id').where('agency_id', '=', agencyId));
      }
      const r = await q.executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /** Whether staff of this agency have opened this person's record through break-glass. */
    async agencyBrokeGlassOn(personId: string, agencyId: string): Promise<boolean> {
      const row = await db
        .selectFrom('break_glass_grant as g')
        .innerJoin('app_user as u', 'u.id', 'g.user_id')
        .select('g.id')
        .where('g.person_id', '=', personId)
        .where('u.agency_id', '=', agencyId)
        .executeTakeFirst();
      return Boolean(row);
    },

    /** Who has looked at (or been refused) this person's record, newest first. */
    async accessToPerson(personId: string, limit: number) {
      return db
        .selectFrom('audit_event as e')
        .leftJoin('app_user as u', (j) => j.on((eb) => eb(eb.cast('u.id', 'text'), '=', eb.ref('e.actor_id'))))
        .leftJoin('agency as a', 'a.id', 'e.actor_agency_id')
        .select(['e.at', 'e.action', 'e.outcome', 'e.purpose', 'e.actor_kind as actorKind', 'e.break_glass_id as breakGlassId',
          'u.display_name as userName', 'a.name as agencyName', 'e.actor_roles as roles'])
        .where('e.person_id', '=', personId)
        .orderBy('e.at', 'desc')
        .limit(limit)
        .execute();
    },

    async findUser(userId: string) {
      return db
        .selectFrom('app_user as u')
        .innerJoin('agency as a', 'a.id', 'u.agency_id')
        .select(['u.id', 'u.display_name as displayName', 'u.agency_id as agencyId', 'u.team_id as teamId', 'a.name as agencyName'])
        .where((eb) => eb(eb.cast('u.id', 'text'), '=', userId))
        .executeTakeFirst();
    },

    async activityOf(userId: string, limit: number) {
      return db
        .selectFrom('audit_event')
        .select(['at', 'action', 'outcome', 'subject_type as subjectType', 'person_id as personId', 'purpose', 'break_glass_id as breakGlassId'])
        .where('actor_id', '=', userId)
        .orderBy('at', 'desc')
        .limit(limit)
        .execute();
    },

    async usersOfAgency(agencyId: string) {
      return db
        .selectFrom('app_user')
        .select(['id', 'display_name as displayName', 'username', 'roles'])
        .where('agency_id', '=', agencyId)
        .orderBy('display_name')
        .execute();
    },
  };
}

/** Mark a person's record restricted and name who may see it (e.g. a family in a refuge). */
export function restrictionRepository(db: Db) {
  return {
    async restrict(personId: string, userIds: string[], grantedBy: string | null, reason: string): Promise<void> {
      await db.updateTable('person').set({ restricted: true }).where('id', '=', personId).execute();
      if (userIds.length === 0) return;
      await db
        .insertInto('restricted_access')
        .values(userIds.map((u) => ({ person_id: personId, user_id: u, granted_by: grantedBy, reason })))
        .onConflict((oc) => oc.columns(['person_id', 'user_id']).doNothing())
        .execute();
    },
  };
}
