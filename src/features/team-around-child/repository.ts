import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';

type Db = Kysely<DB> | Transaction<DB>;

export interface TacMember {
  id: string;
  agencyId: string;
  agencyName: string;
  userId: string | null;
  userName: string | null;
  role: 'lead-practitioner' | 'member';
  joinedOn: string;
  leftOn: string | null;
}

/** The Team Around the Child's members, as added and ended; rows are never deleted. */
export function tacRepository(db: Db) {
  return {
    async members(childPersonId: string): Promise<TacMember[]> {
      const rows = await db.selectFrom('team_around_child_member as t')
        .innerJoin('agency as a', 'a.id', 't.agency_id')
        .leftJoin('app_user as u', 'u.id', 't.user_id')
        .select(['t.id', 't.agency_id as agencyId', 'a.name as agencyName', 't.user_id as userId', 'u.display_name as userName',
          't.role', 't.joined_on as joinedOn', 't.left_on as leftOn'])
        .where('t.child_person_id', '=', childPersonId)
        .orderBy('t.left_on', (ob) => ob.desc().nullsFirst()).orderBy('t.role').orderBy('t.joined_on')
        .execute();
      return rows.map((r) => ({ ...r, role: r.role === 'lead-practitioner' ? 'lead-practitioner' : 'member' }));
    },

    async add(m: { id: string; childPersonId: string; agencyId: string; userId: string | null; role: string; joinedOn: string; addedBy: string; addedAt: Date }): Promise<void> {
      await db.insertInto('team_around_child_member').values({
        id: m.id, child_person_id: m.childPersonId, agency_id: m.agencyId, user_id: m.userId, role: m.role,
        joined_on: m.joinedOn, added_by: m.addedBy, added_at: m.addedAt,
      }).execute();
    },

    /** End a current membership: it stays on record with the day it ended. */
    async end(id: string, childPersonId: string, on: string, by: string, at: Date): Promise<boolean> {
      const result = await db.updateTable('team_around_child_member')
        .set({ left_on: on, ended_by: by, ended_at: at })
        .where('id', '=', id).where('child_person_id', '=', childPersonId).where('left_on', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async isLeadPractitioner(userId: string, childPersonId: string): Promise<boolean> {
      const row = await db.selectFrom('team_around_child_member').select('id')
        .where('child_person_id', '=', childPersonId).where('user_id', '=', userId)
        .where('role', '=', 'lead-practitioner').where('left_on', 'is', null)
        .executeTakeFirst();
      return row !== undefined;
    },

    agencies() {
      return db.selectFrom('agency').select(['id', 'name']).orderBy('name').execute();
    },

    userByUsername(username: string) {
      return db.selectFrom('app_user').select(['id', 'agency_id as agencyId', 'active']).where('username', '=', username).executeTakeFirst();
    },
  };
}
