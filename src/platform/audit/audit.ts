import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { RequestContext } from '../access/context.ts';

/** What was done. Reads, searches and exports count as much as writes. */
export type AuditAction =
  | 'read' | 'search' | 'export' | 'print' | 'create' | 'correct' | 'retract' | 'ingest'
  | 'link' | 'unlink' | 'merge' | 'split' | 'decide' | 'acknowledge' | 'close'
  | 'sign-in' | 'sign-out' | 'break-glass' | 'share' | 'administer';

export type AuditOutcome = 'allowed' | 'denied' | 'break-glass' | 'failed' | 'succeeded';

export interface AuditEntry {
  action: AuditAction;
  outcome: AuditOutcome;
  /** What kind of thing: 'person', 'chronology', 'flag', 'event-batch', 'user'... */
  subjectType?: string;
  /** Opaque id of the thing (never a name or an NHS number). */
  subjectId?: string;
  /** The person whose record this is, when there is one: powers "who has looked at this record". */
  personId?: string;
  /** Non-personal detail: counts, filters used (no free text typed about a person). */
  details?: Record<string, unknown>;
}

/**
 * The one audit writer. Call it with the same transaction as the action it
 * records, so the audit and the action commit or fail together.
 */
export async function writeAudit(db: Kysely<DB> | Transaction<DB>, ctx: RequestContext, entry: AuditEntry): Promise<void> {
  await writeAuditMany(db, ctx, [entry]);
}

/** Several audit rows at once (e.g. a search that returned several people). */
export async function writeAuditMany(
  db: Kysely<DB> | Transaction<DB>,
  ctx: RequestContext,
  entries: AuditEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  const actor = ctx.actor;
  const actorId = actor.kind === 'user' ? actor.userId : actor.kind === 'api-client' ? actor.clientId : actor.process;
  const actorAgency = actor.kind === 'system' ? null : actor.agencyId;
  const roles = actor.kind === 'user' ? actor.roles : [];
  await db
    .insertInto('audit_event')
    .values(
      entries.map((e) => ({
        correlation_id: ctx.correlationId,
        actor_kind: actor.kind,
        actor_id: actorId,
        actor_agency_id: actorAgency,
        actor_roles: roles,
        action: e.action,
        subject_type: e.subjectType ?? null,
        subject_id: e.subjectId ?? null,
        person_id: e.personId ?? null,
        purpose: ctx.purpose ?? null,
        outcome: e.outcome,
        break_glass_id: ctx.breakGlassId ?? null,
        details: JSON.stringify(e.details ?? {}),
      })),
    )
    .execute();
}
