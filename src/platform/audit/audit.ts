import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
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
  const who = actorColumns(ctx);
  await db
    .insertInto('audit_event')
    .values(
      entries.map((e) => ({
        ...who,
        action: e.action,
        subject_type: e.subjectType ?? null,
        subject_id: e.subjectId ?? null,
        person_id: e.personId ?? null,
        outcome: e.outcome,
        details: JSON.stringify(e.details ?? {}),
      })),
    )
    .execute();
}

/** Who acted, why and in which request: the columns every audit row takes from the context. */
function actorColumns(ctx: RequestContext) {
  const actor = ctx.actor;
  return {
    correlation_id: ctx.correlationId,
    actor_kind: actor.kind,
    actor_id: actor.kind === 'user' ? actor.userId : actor.kind === 'api-client' ? actor.clientId : actor.process,
    actor_agency_id: actor.kind === 'system' ? null : actor.agencyId,
    actor_roles: actor.kind === 'user' ? actor.roles : [],
    purpose: ctx.purpose ?? null,
    break_glass_id: ctx.breakGlassId ?? null,
  };
}

/**
 * The audit rows for a read, as an INSERT to embed in the reading statement
 * itself (a data-modifying WITH): the rows commit with the read, in the same
 * statement, and cost no round trip of their own. `rows` is a query yielding
 * the columns action, outcome, subject_type, subject_id, person_id and
 * details (jsonb), typically one row per person the read was allowed for.
 */
export function auditInsertQuery(
  ctx: RequestContext,
  rows: RawBuilder<{ action: AuditAction; outcome: AuditOutcome; subject_type: string | null; subject_id: string | null; person_id: string | null; details: unknown }>,
): RawBuilder<unknown> {
  const who = actorColumns(ctx);
  return sql`insert into audit_event (correlation_id, actor_kind, actor_id, actor_agency_id, actor_roles, purpose, break_glass_id,
      action, outcome, subject_type, subject_id, person_id, details)
    select ${who.correlation_id}, ${who.actor_kind}, ${who.actor_id}, ${who.actor_agency_id}::text, ${who.actor_roles}::text[],
      ${who.purpose}::text, ${who.break_glass_id}::text, r.action, r.outcome, r.subject_type, r.subject_id, r.person_id, r.details
    from (${rows}) r`;
}
