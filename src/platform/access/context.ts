import type { Role } from '../http/access-rule.ts';
import { NotFoundError } from '../errors.ts';

/** Who is acting: a signed-in person, a partner agency's system, or Kinsight itself. */
export type Actor =
  | {
      kind: 'user';
      userId: string;
      username: string;
      displayName: string;
      agencyId: string;
      teamId: string | null;
      roles: Role[];
    }
  | { kind: 'api-client'; clientId: string; agencyId: string }
  /** Kinsight's own work: replay, scheduled flag evaluation, demo loading, migrations. */
  | { kind: 'system'; process: string };

/**
 * Every service call that touches personal data carries one of these: it scopes
 * the access check and gives the audit its who, why and correlation id.
 */
export interface RequestContext {
  actor: Actor;
  correlationId: string;
  /** Why the data is being used (e.g. "front door decision"), when the user said. */
  purpose?: string;
  /** Set when the user opened a record through break-glass access. */
  breakGlassId?: string;
  /** The instant of the request, from the application's clock: time-limited access is judged at it. */
  now?: Date;
}

/** A context for Kinsight's own processes (no user). */
export function systemContext(process: string, correlationId: string): RequestContext {
  return { actor: { kind: 'system', process }, correlationId };
}

/** The signed-in person acting, for work only a person does; anyone else is answered "not found". */
export function requireUser(ctx: RequestContext): Extract<Actor, { kind: 'user' }> {
  if (ctx.actor.kind !== 'user') throw new NotFoundError();
  return ctx.actor;
}
