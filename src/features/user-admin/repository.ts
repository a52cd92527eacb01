import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';

export interface UserSummary {
  id: string;
  username: string;
  displayName: string;
  agencyName: string;
  teamName: string | null;
  roles: string[];
  active: boolean;
  demo: boolean;
  lockedUntil: Date | null;
  lastSignInAt: Date | null;
  mustChangePassword: boolean;
  hasSecondFactor: boolean;
  oidcLinked: boolean;
}

export interface NewUser {
  username: string;
  displayName: string;
  agencyId: string;
  teamId: string | null;
  roles: string[];
  passwordHash: string;
  totpSecret: string | null;
  createdBy: string;
}

/** Staff accounts as an administrator manages them. SQL for the user-admin feature lives only here. */
export function userAdminRepository(db: Kysely<DB>) {
  const summaries = () =>
    db.selectFrom('app_user')
      .innerJoin('agency', 'agency.id', 'app_user.agency_id')
      .leftJoin('team', 'team.id', 'app_user.team_id')
      .select((eb) => [
        'app_user.id', 'app_user.username', 'app_user.display_name as displayName', 'agency.name as agencyName',
        'team.name as teamName', 'app_user.roles', 'app_user.active', 'app_user.demo', 'app_user.locked_until as lockedUntil',
        'app_user.last_sign_in_at as lastSignInAt', 'app_user.must_change_password as mustChangePassword',
        eb('app_user.totp_secret', 'is not', null).$castTo<boolean>().as('hasSecondFactor'),
        eb('app_user.oidc_subject', 'is not', null).$castTo<boolean>().as('oidcLinked'),
      ]);

  return {
    list(): Promise<UserSummary[]> {
      return summaries().orderBy('agency.name').orderBy('app_user.display_name').execute();
    },

    find(id: string): Promise<UserSummary | undefined> {
      return summaries().where('app_user.id', '=', id).executeTakeFirst();
    },

    async usernameTaken(username: string): Promise<boolean> {
      return (await db.selectFrom('app_user').select('id').where('username', '=', username).executeTakeFirst()) !== undefined;
    },

    agencies() {
      return db.selectFrom('agency').select(['id', 'name']).orderBy('name').execute();
    },

    teams() {
      return db.selectFrom('team').select(['id', 'name', 'agency_id as agencyId']).orderBy('name').execute();
    },

    async create(u: NewUser): Promise<string> {
      const row = await db.insertInto('app_user').values({
        username: u.username, display_name: u.displayName, agency_id: u.agencyId, team_id: u.teamId, roles: u.roles,
        password_hash: u.passwordHash, totp_secret: u.totpSecret, must_change_password: true, created_by: u.createdBy,
      }).returning('id').executeTakeFirstOrThrow();
      return row.id;
    },

    /** Deactivating ends every live session at once; nothing about the account is deleted. */
    async setActive(id: string, active: boolean, at: Date): Promise<void> {
      await db.updateTable('app_user').set({ active }).where('id', '=', id).execute();
      if (!active) {
        await db.updateTable('user_session').set({ ended_at: at, ended_reason: 'deactivated' })
          .where('user_id', '=', id).where('ended_at', 'is', null).execute();
      }
    },

    async unlock(id: string): Promise<void> {
      await db.updateTable('app_user').set({ locked_until: null, failed_sign_ins: 0 }).where('id', '=', id).execute();
    },

    /** A new temporary password (and second factor, when the roles need one); live sessions end. */
    async resetCredentials(id: string, passwordHash: string, totpSecret: string | null, at: Date): Promise<void> {
      await db.updateTable('app_user')
        .set({ password_hash: passwordHash, totp_secret: totpSecret, must_change_password: true, locked_until: null, failed_sign_ins: 0 })
        .where('id', '=', id).execute();
      await db.updateTable('user_session').set({ ended_at: at, ended_reason: 'credentials-reset' })
        .where('user_id', '=', id).where('ended_at', 'is', null).execute();
    },
  };
}
