import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { prepared } from '../../platform/db/prepared.ts';

export interface UserRow {
  id: string;
  username: string;
  displayName: string;
  agencyId: string;
  agencyName: string;
  teamId: string | null;
  teamKind: string | null;
  roles: string[];
  passwordHash: string | null;
  totpSecret: string | null;
  active: boolean;
  demo: boolean;
  failedSignIns: number;
  lockedUntil: Date | null;
  mustChangePassword: boolean;
}

export interface SessionRow {
  idHash: string;
  userId: string;
  stage: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

/** Users and their sessions, for signing in and out. */
export function signInRepository(db: Kysely<DB>) {
  const userColumns = (qb: ReturnType<typeof baseUserQuery>) =>
    qb.select([
      'app_user.id', 'app_user.username', 'app_user.display_name as displayName', 'app_user.agency_id as agencyId',
      'agency.name as agencyName', 'app_user.team_id as teamId', 'team.kind as teamKind', 'app_user.roles',
      'app_user.password_hash as passwordHash', 'app_user.totp_secret as totpSecret', 'app_user.active',
      'app_user.demo', 'app_user.failed_sign_ins as failedSignIns', 'app_user.locked_until as lockedUntil',
      'app_user.must_change_password as mustChangePassword',
    ]);
  const baseUserQuery = () =>
    db.selectFrom('app_user')
      .innerJoin('agency', 'agency.id', 'app_user.agency_id')
      .leftJoin('team', 'team.id', 'app_user.team_id');

  return {
    async findUserByUsername(username: string): Promise<UserRow | undefined> {
      return userColumns(baseUserQuery()).where('app_user.username', '=', username).executeTakeFirst();
    },

    async findUserById(id: string): Promise<UserRow | undefined> {
      return userColumns(baseUserQuery()).where('app_user.id', '=', id).executeTakeFirst();
    },

    async findUserByOidcSubject(subject: string): Promise<UserRow | undefined> {
      return userColumns(baseUserQuery()).where('app_user.oidc_subject', '=', subject).executeTakeFirst();
    },

    async findOidcSubject(userId: string): Promise<string | null> {
      const row = await db.selectFrom('app_user').select('oidc_subject').where('id', '=', userId).executeTakeFirst();
      return row?.oidc_subject ?? null;
    },

    /** Link (or, with null, unlink) the identity provider's subject that signs this user in. */
    async setOidcSubject(userId: string, subject: string | null): Promise<void> {
      await db.updateTable('app_user').set({ oidc_subject: subject }).where('id', '=', userId).execute();
    },

    /** Count a failed attempt and, past the limit, lock the account until the given time. */
    async recordFailedSignIn(userId: string, lockedUntil: Date | null): Promise<number> {
      const row = await db
        .updateTable('app_user')
        .set((eb) => ({ failed_sign_ins: eb('failed_sign_ins', '+', 1), ...(lockedUntil ? { locked_until: lockedUntil } : {}) }))
        .where('id', '=', userId)
        .returning('failed_sign_ins')
        .executeTakeFirstOrThrow();
      return row.failed_sign_ins;
    },

    async recordSuccessfulSignIn(userId: string, at: Date): Promise<void> {
      await db
        .updateTable('app_user')
        .set({ failed_sign_ins: 0, locked_until: null, last_sign_in_at: at })
        .where('id', '=', userId)
        .execute();
    },

    async createSession(s: SessionRow): Promise<void> {
      await db
        .insertInto('user_session')
        .values({
          id_hash: s.idHash, user_id: s.userId, stage: s.stage, created_at: s.createdAt,
          last_seen_at: s.lastSeenAt, expires_at: s.expiresAt,
        })
        .execute();
    },

    async findLiveSession(idHash: string): Promise<SessionRow | undefined> {
      return db
        .selectFrom('user_session')
        .select(['id_hash as idHash', 'user_id as userId', 'stage', 'created_at as createdAt', 'last_seen_at as lastSeenAt', 'expires_at as expiresAt'])
        .where('id_hash', '=', idHash)
        .where('ended_at', 'is', null)
        .executeTakeFirst();
    },

    /**
     * A live (not ended) session and its user, in one query: every request
     * that carries a session cookie asks, so it is one round trip and a
     * prepared statement (planned once per connection).
     */
    async findLiveSessionAndUser(idHash: string): Promise<{ session: SessionRow; user: UserRow } | undefined> {
      const { rows } = await prepared(sql<SessionRow & UserRow>`
        select s.id_hash as "idHash", s.user_id as "userId", s.stage, s.created_at as "createdAt", s.last_seen_at as "lastSeenAt",
               s.expires_at as "expiresAt",
               u.id, u.username, u.display_name as "displayName", u.agency_id as "agencyId", a.name as "agencyName",
               u.team_id as "teamId", t.kind as "teamKind", u.roles, u.password_hash as "passwordHash", u.totp_secret as "totpSecret",
               u.active, u.demo, u.failed_sign_ins as "failedSignIns", u.locked_until as "lockedUntil",
               u.must_change_password as "mustChangePassword"
          from user_session s
          join app_user u on u.id = s.user_id
          join agency a on a.id = u.agency_id
          left join team t on t.id = u.team_id
         where s.id_hash = ${idHash} and s.ended_at is null`).execute(db);
      const r = rows[0];
      if (!r) return undefined;
      const { idHash: h, userId, stage, createdAt, lastSeenAt, expiresAt, ...user } = r;
      return { session: { idHash: h, userId, stage, createdAt, lastSeenAt, expiresAt }, user };
    },

    /** A new password hash chosen by the user; a temporary password stops being demanded. */
    async setPassword(userId: string, passwordHash: string): Promise<void> {
      await db.updateTable('app_user').set({ password_hash: passwordHash, must_change_password: false }).where('id', '=', userId).execute();
    },

    async touchSession(idHash: string, at: Date): Promise<void> {
      await db.updateTable('user_session').set({ last_seen_at: at }).where('id_hash', '=', idHash).execute();
    },

    async endSession(idHash: string, at: Date, reason: string): Promise<void> {
      await db
        .updateTable('user_session')
        .set({ ended_at: at, ended_reason: reason })
        .where('id_hash', '=', idHash)
        .where('ended_at', 'is', null)
        .execute();
    },
  };
}
export type SignInRepository = ReturnType<typeof signInRepository>;
