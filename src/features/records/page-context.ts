import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../../platform/access/context.ts';

/**
 * The signed-in user's context for a page, or null when there is none (the
 * route then redirects to /sign-in). The platform's access rule normally
 * answers first; this is the second lock on the door.
 */
export function pageContext(request: FastifyRequest): RequestContext | null {
  const ctx = request.requestContext;
  if (!ctx || ctx.actor.kind !== 'user') return null;
  return { ...ctx, correlationId: ctx.correlationId || request.id };
}
