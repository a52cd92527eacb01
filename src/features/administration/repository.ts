import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';

export interface AgencyInput {
  id: string;
  name: string;
  kind: string;
  authorityCode: string;
}

export interface TeamInput {
  id: string;
  agencyId: string;
  name: string;
  kind: string;
}

export interface UserInput {
  username: string;
  displayName: string;
  agencyId: string;
  teamId: string | null;
  roles: string[];
  passwordHash: string | null;
  totpSecret: string | null;
  demo: boolean;
}

/** Agencies, teams and user accounts: the partnership's own configuration. */
export function administrationRepository(db: Kysely<DB>) {
  return {
    /** Insert an agency unless one with that id exists; never overwrites. Returns true if inserted. */
    async addAgencyIfAbsent(a: AgencyInput): Promise<boolean> {
      const result = await db
        .insertInto('agency')
        .values({ id: a.id, name: a.name, kind: a.kind, authority_code: a.authorityCode })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async addTeamIfAbsent(t: TeamInput): Promise<boolean> {
      const result = await db
        .insertInto('team')
        .values({ id: t.id, agency_id: t.agencyId, name: t.name, kind: t.kind })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async addUserIfAbsent(u: UserInput): Promise<boolean> {
      const result = await db
        .insertInto('app_user')
        .values({
          username: u.username,
          display_name: u.displayName,
          agency_id: u.agencyId,
          team_id: u.teamId,
          roles: u.roles,
          password_hash: u.passwordHash,
          totp_secret: u.totpSecret,
          demo: u.demo,
        })
        .onConflict((oc) => oc.column('username').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async usernames(): Promise<string[]> {
      const rows = await db.selectFrom('app_user').select('username').orderBy('username').execute();
      return rows.map((r) => r.username);
    },

    async countAgencies(): Promise<number> {
      const row = await db.selectFrom('agency').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
