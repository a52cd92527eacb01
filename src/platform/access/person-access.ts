import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Role } from '../http/access-rule.ts';
import { PersonAccessDenied } from '../errors.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { RequestContext } from './context.ts';
import { accessRepository } from './repository.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** An involvement that ended within this many months still counts as a relationship. */
export const RECENT_INVOLVEMENT_MONTHS = 12;
/** A front door keeps access to a child for this long after a contact or referral about them, and the service it hands the decision to for this long after the hand-off. */
export const FRONT_DOOR_CONTACT_DAYS = 30;

/** Roles whose holders work with children's records. Analysts and administrators do not. */
const ROLES_THAT_SEE_RECORDS: readonly Role[] = ['practitioner', 'front-door-practitioner', 'team-manager', 'safeguarding-lead'];

export type PersonAccess = 'relationship' | 'break-glass' | 'named' | 'system';

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
 * Analysts and administrators never see people.
 */
export async function personAccess(
  db: Db,
  ctx: RequestContext,
  personIds: string[],
  clock?: Clock,
): Promise<Map<string, PersonAccess>> {
  const result = new Map<string, PersonAccess>();
  const ids = [...new Set(personIds)];
  const actor = ctx.actor;
  if (ids.length === 0) return result;
  if (actor.kind === 'system') {
    for (const id of ids) result.set(id, 'system');
    return result;
  }
  if (actor.kind === 'api-client') return result; // systems send; they do not browse
  if (!actor.roles.some((r) => ROLES_THAT_SEE_RECORDS.includes(r))) return result;

  const repo = accessRepository(db);
  const now = clock?.now() ?? ctx.now ?? systemClock.now();
  const restricted = new Set(await repo.restricted(ids));
  if (restricted.size > 0) {
    for (const id of await repo.namedFor([...restricted], actor.userId)) result.set(id, 'named');
  }
  const open = ids.filter((id) => !restricted.has(id));
  const cutoff = new Date(now);
  cutoff.setUTCMonth(cutoff.getUTCMonth() - RECENT_INVOLVEMENT_MONTHS);
  const related = await repo.relatedPeople(open, actor.agencyId, {
    involvementEndedOn: cutoff.toISOString().slice(0, 10),
    contactSince: new Date(now.getTime() - FRONT_DOOR_CONTACT_DAYS * 86_400_000),
  }, actor.userId);
  for (const id of related) result.set(id, 'relationship');
  const pending = open.filter((id) => !result.has(id));
  for (const [id] of await repo.activeBreakGlass(pending, actor.userId, now)) result.set(id, 'break-glass');
  return result;
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
