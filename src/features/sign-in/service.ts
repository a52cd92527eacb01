import { createHash, randomBytes } from 'node:crypto';
import { verify as verifyTotp } from 'otplib';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Actor } from '../../platform/access/context.ts';
import { ROLES, type Role } from '../../platform/http/access-rule.ts';
import { signInRepository, type UserRow } from './repository.ts';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.ts';

/** After this many wrong passwords or codes in a row the account locks. */
export const MAX_FAILED_SIGN_INS = 5;
/** How long a lock lasts. */
export const LOCKOUT_MINUTES = 15;
/** A session ends after this long without a request (NCSC guidance: short idle timeouts for sensitive data). */
export const IDLE_TIMEOUT_MINUTES = 30;
/** ...and after this long however active it is: one working shift. */
export const ABSOLUTE_TIMEOUT_HOURS = 10;
/** A password-verified session has this long to give its second factor. */
const SECOND_FACTOR_MINUTES = 5;

/** Roles that never see a person's record may sign in with a password alone. */
const ROLES_WITHOUT_PERSONAL_DATA: readonly Role[] = ['partnership-analyst'];

export function needsSecondFactor(roles: readonly string[]): boolean {
  return roles.some((r) => !ROLES_WITHOUT_PERSONAL_DATA.includes(r as Role));
}

export type ChangePasswordOutcome =
  | { kind: 'changed' }
  | { kind: 'wrong-current' }
  | { kind: 'locked' }
  | { kind: 'too-short' }
  | { kind: 'same-as-current' }
  | { kind: 'no-local-password' };

export type SignInOutcome =
  | { kind: 'signed-in'; sessionToken: string; user: UserRow }
  | { kind: 'second-factor-needed'; sessionToken: string; user: UserRow }
  | { kind: 'locked'; user: UserRow }
  | { kind: 'refused'; user?: UserRow; reason: 'unknown-user' | 'wrong-password' | 'inactive' | 'demo-in-production' };

export type SecondFactorOutcome =
  | { kind: 'signed-in'; sessionToken: string; user: UserRow }
  | { kind: 'wrong-code'; user: UserRow }
  | { kind: 'locked'; user: UserRow }
  | { kind: 'expired' };

export type OidcSignInOutcome =
  | { kind: 'signed-in'; sessionToken: string; user: UserRow }
  | { kind: 'refused'; user?: UserRow; reason: 'unknown-subject' | 'locked' | 'inactive' | 'demo-in-production' };

export type LinkOidcOutcome =
  | { kind: 'linked'; user: UserRow; replacedEarlierLink: boolean }
  | { kind: 'unlinked'; user: UserRow }
  | { kind: 'unknown-user' }
  | { kind: 'subject-in-use' };

export interface LiveSession {
  actor: Extract<Actor, { kind: 'user' }>;
  agencyName: string;
  teamKind: string | null;
  stage: 'password-verified' | 'signed-in';
  idHash: string;
  /** Signed in with a temporary password an administrator set: every page asks for a new one first. */
  mustChangePassword: boolean;
}

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function asRoles(roles: string[]): Role[] {
  return roles.filter((r): r is Role => (ROLES as readonly string[]).includes(r));
}

/** Signing in and out, and turning a session cookie back into a person. */
export function signInService(db: Kysely<DB>, clock: Clock, options: { production: boolean }) {
  const repo = signInRepository(db);

  // A dummy hash so that an unknown username costs the same time as a wrong password.
  const timingDummy = '$argon2id$v=19$m=19456,t=2,p=1$k5S9+F4ut7PpeEp6vxpIIg$o9CBlvt9p5L90AogkuNhk6OCRR/hImGO1giP+jy+sz4';

  async function openSession(user: UserRow, stage: 'password-verified' | 'signed-in'): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const now = clock.now();
    const minutes = stage === 'signed-in' ? ABSOLUTE_TIMEOUT_HOURS * 60 : SECOND_FACTOR_MINUTES;
    await repo.createSession({
      idHash: hashSessionToken(token), userId: user.id, stage, createdAt: now, lastSeenAt: now,
      expiresAt: new Date(now.getTime() + minutes * 60_000),
    });
    return token;
  }

  async function fail(user: UserRow): Promise<'locked' | 'counted'> {
    const now = clock.now();
    const lockAt = user.failedSignIns + 1 >= MAX_FAILED_SIGN_INS;
    await repo.recordFailedSignIn(user.id, lockAt ? new Date(now.getTime() + LOCKOUT_MINUTES * 60_000) : null);
    return lockAt ? 'locked' : 'counted';
  }

  function isLocked(user: UserRow): boolean {
    return user.lockedUntil !== null && user.lockedUntil.getTime() > clock.now().getTime();
  }

  return {
    /** Check a username and password. Locked accounts are refused without checking the password. */
    async signInWithPassword(username: string, password: string): Promise<SignInOutcome> {
      const user = await repo.findUserByUsername(username);
      if (!user || !user.passwordHash) {
        await verifyPassword(timingDummy, password);
        return { kind: 'refused', reason: 'unknown-user' };
      }
      if (isLocked(user)) return { kind: 'locked', user };
      if (!user.active) return { kind: 'refused', user, reason: 'inactive' };
      // Demo accounts have published passwords: never usable in production.
      if (user.demo && options.production) return { kind: 'refused', user, reason: 'demo-in-production' };
      const ok = await verifyPassword(user.passwordHash, password);
      if (!ok) {
        return (await fail(user)) === 'locked' ? { kind: 'locked', user } : { kind: 'refused', user, reason: 'wrong-password' };
      }
      if (needsSecondFactor(user.roles)) {
        if (!user.totpSecret) return { kind: 'refused', user, reason: 'inactive' };
        return { kind: 'second-factor-needed', sessionToken: await openSession(user, 'password-verified'), user };
      }
      await repo.recordSuccessfulSignIn(user.id, clock.now());
      return { kind: 'signed-in', sessionToken: await openSession(user, 'signed-in'), user };
    },

    /** Check the one-time code for a password-verified session; on success the session id is renewed. */
    async completeSecondFactor(pendingToken: string, code: string): Promise<SecondFactorOutcome> {
      const pending = await repo.findLiveSession(hashSessionToken(pendingToken));
      const now = clock.now();
      if (!pending || pending.stage !== 'password-verified' || pending.expiresAt.getTime() <= now.getTime()) {
        return { kind: 'expired' };
      }
      const user = await repo.findUserById(pending.userId);
      if (!user || !user.totpSecret) return { kind: 'expired' };
      if (isLocked(user)) return { kind: 'locked', user };
      const result = await verifyTotp({
        secret: user.totpSecret,
        token: code.replace(/\s+/g, ''),
        epoch: Math.floor(now.getTime() / 1000),
        epochTolerance: 30,
      }).catch(() => ({ valid: false }));
      if (!result.valid) {
        return (await fail(user)) === 'locked' ? { kind: 'locked', user } : { kind: 'wrong-code', user };
      }
      // Session fixation defence: the pre-authentication id dies, a new one is issued.
      await repo.endSession(pending.idHash, now, 'second-factor-completed');
      await repo.recordSuccessfulSignIn(user.id, now);
      return { kind: 'signed-in', sessionToken: await openSession(user, 'signed-in'), user };
    },

    /**
     * Sign in someone the organisation's identity provider has authenticated
     * (NHS CIS2, Entra ID). The provider is trusted for both factors, so a
     * matched account gets a full session at once; an unknown subject gets
     * nothing, because accounts are provisioned by an administrator, never here.
     */
    async signInWithOidcSubject(subject: string): Promise<OidcSignInOutcome> {
      const user = await repo.findUserByOidcSubject(subject);
      if (!user) return { kind: 'refused', reason: 'unknown-subject' };
      if (!user.active) return { kind: 'refused', user, reason: 'inactive' };
      // A lock is on the account, however the attempt arrives.
      if (isLocked(user)) return { kind: 'refused', user, reason: 'locked' };
      if (user.demo && options.production) return { kind: 'refused', user, reason: 'demo-in-production' };
      await repo.recordSuccessfulSignIn(user.id, clock.now());
      return { kind: 'signed-in', sessionToken: await openSession(user, 'signed-in'), user };
    },

    /** Link a user to the subject their identity provider knows them by (null unlinks). One subject, one user. */
    async linkOidcSubject(username: string, subject: string | null): Promise<LinkOidcOutcome> {
      const user = await repo.findUserByUsername(username);
      if (!user) return { kind: 'unknown-user' };
      if (subject === null) {
        await repo.setOidcSubject(user.id, null);
        return { kind: 'unlinked', user };
      }
      const holder = await repo.findUserByOidcSubject(subject);
      if (holder && holder.id !== user.id) return { kind: 'subject-in-use' };
      const previous = await repo.findOidcSubject(user.id);
      await repo.setOidcSubject(user.id, subject);
      return { kind: 'linked', user, replacedEarlierLink: previous !== null && previous !== subject };
    },

    /** The session a cookie names, if it is live; ends it if it has timed out. */
    async resolveSession(token: string): Promise<LiveSession | null> {
      const idHash = hashSessionToken(token);
      const found = await repo.findLiveSessionAndUser(idHash);
      if (!found) return null;
      const { session, user } = found;
      const now = clock.now().getTime();
      if (session.expiresAt.getTime() <= now) {
        await repo.endSession(idHash, clock.now(), 'absolute-timeout');
        return null;
      }
      if (session.stage === 'signed-in' && now - session.lastSeenAt.getTime() > IDLE_TIMEOUT_MINUTES * 60_000) {
        await repo.endSession(idHash, clock.now(), 'idle-timeout');
        return null;
      }
      if (!user.active || (user.demo && options.production)) return null;
      if (session.stage === 'signed-in' && now - session.lastSeenAt.getTime() > 60_000) {
        await repo.touchSession(idHash, clock.now());
      }
      return {
        idHash,
        stage: session.stage === 'signed-in' ? 'signed-in' : 'password-verified',
        agencyName: user.agencyName,
        mustChangePassword: user.mustChangePassword,
        teamKind: user.teamKind,
        actor: {
          kind: 'user', userId: user.id, username: user.username, displayName: user.displayName,
          agencyId: user.agencyId, teamId: user.teamId, roles: asRoles(user.roles),
        },
      };
    },

    /**
     * Change a signed-in user's own password. The current one must be given
     * (a left-open screen is not enough); a temporary password set by an
     * administrator stops being demanded once changed.
     */
    async changePassword(userId: string, current: string, next: string): Promise<ChangePasswordOutcome> {
      const user = await repo.findUserById(userId);
      if (!user || !user.passwordHash) return { kind: 'no-local-password' };
      if (!(await verifyPassword(user.passwordHash, current))) {
        return (await fail(user)) === 'locked' ? { kind: 'locked' } : { kind: 'wrong-current' };
      }
      if (next.length < MIN_PASSWORD_LENGTH) return { kind: 'too-short' };
      if (next === current) return { kind: 'same-as-current' };
      await repo.setPassword(userId, await hashPassword(next));
      return { kind: 'changed' };
    },

    async signOut(token: string, reason = 'signed-out'): Promise<void> {
      await repo.endSession(hashSessionToken(token), clock.now(), reason);
    },
  };
}
export type SignInService = ReturnType<typeof signInService>;
