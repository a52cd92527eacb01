import type { Kysely, RawBuilder, Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Role } from '../http/access-rule.ts';
import { PersonAccessDenied } from '../errors.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { RequestContext } from './context.ts';
import { accessQuery, accessRepository, noAccessQuery, systemAccessQuery, type AccessTarget } from './repository.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** An involvement that ended within this many months still counts as a relationship. */
export const RECENT_INVOLVEMENT_MONTHS = 12;
/** A front door keeps access to a child for this long after a contact or referral about them, and the service it hands the decision to for this long after the hand-off. */
export const FRONT_DOOR_CONTACT_DAYS = 30;

/** Roles whose holders work with children's records. Analysts and administrators do not. */
const ROLES_THAT_SEE_RECORDS: readonly Role[] = ['practitioner', 'front-door-practitioner', 'team-manager', 'safeguarding-lead'];

export type PersonAccess = 'relationship' | 'break-glass' | 'named' | 'system';

/**
 * The access check as one SQL query (platform/access/repository.ts) for this
 * caller, at the request's instant: one row (person_id, access) per target
 * person they may see. personAccess runs it; a service that reads a person's
 * data in one statement (the chronology) embeds it there, reading and
 * auditing only what it allows. Either way it is this one check.
 */
export function personAccessQuery(ctx: RequestContext, target: AccessTarget, clock?: Clock): RawBuilder<{ person_id: string; access: string }> {
  const actor = ctx.actor;
  if (Array.isArray(target) && target.length === 0) return noAccessQuery();
  if (actor.kind === 'system') return systemAccessQuery(target);
  if (actor.kind === 'api-client') return noAccessQuery(); // systems send; they do not browse
  if (!actor.roles.some((r) => ROLES_THAT_SEE_RECORDS.includes(r))) return noAccessQuery();
  const now = clock?.now() ?? ctx.now ?? systemClock.now();
  const cutoff = new Date(now);
  cutoff.setUTCMonth(cutoff.getUTCMonth() - RECENT_INVOLVEMENT_MONTHS);
  return accessQuery(target, {
    agencyId: actor.agencyId,
    userId: actor.userId,
    now,
    involvementEndedOn: cutoff.toISOString().slice(0, 10),
    contactSince: new Date(now.getTime() - FRONT_DOOR_CONTACT_DAYS * 86_400_000),
  });
}

/**
 * Who may see which people: the one access check for personal data, deny by
 * default. Services call it where they read; routes never decide alone.
 *
 * A user sees a person when their agency has a legitimate relationship with the
 * child or family (a linked record, a current or recent involvement, a place
 * in a child's Team Around the Child, or, at a front door, a recent contact
 * about them), or through a running break-glass
 * grant. Restricted records (e.g. a family in a refuge) are visible only to
 * the users named for them: neither relationships nor break-glass open them.
 * Analysts and administrators never see people. One statement.
 */
export async function personAccess(
  db: Db,
  ctx: RequestContext,
  personIds: string[],
  clock?: Clock,
): Promise<Map<string, PersonAccess>> {
  const rows = await accessRepository(db).run(personAccessQuery(ctx, personIds, clock));
  return new Map(rows.map((r) => [r.person_id, r.access as PersonAccess]));
}

/** The subset of these people the caller may see (search results, family members). */
export async function filterVisiblePeople(db: Db, ctx: RequestContext, personIds: string[], clock?: Clock): Promise<Set<string>> {
  return new Set((await personAccess(db, ctx, personIds, clock)).keys());
}

/**
 * Require access to one person's record, or answer "not found": a denied look-up
 * cannot be told from a missing record. The denial is audited by the error
 * handler (platform/http/error-handler.ts), outside any transaction.
 */
export async function requirePersonAccess(db: Db, ctx: RequestContext, personId: string, clock?: Clock): Promise<PersonAccess> {
  const access = (await personAccess(db, ctx, [personId], clock)).get(personId);
  if (!access) throw new PersonAccessDenied(personId, ctx);
  return access;
}

/** The audit outcome for a read made with this kind of access. */
export function auditOutcomeFor(access: PersonAccess): 'allowed' | 'break-glass' {
  return access === 'break-glass' ? 'break-glass' : 'allowed';
}
