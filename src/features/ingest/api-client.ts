import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../../platform/access/context.ts';
import { AppError } from '../../platform/errors.ts';

/**
 * The partner agency's system behind an API request, as a RequestContext. The
 * platform's authentication resolves the `x-api-key` header to
 * `request.apiClient`; without one the caller gets 401, never a guess.
 */
export function resolveApiClient(request: FastifyRequest): RequestContext {
  const client = request.apiClient;
  if (!client) throw new AppError(401, 'unauthenticated', 'A valid API key is required (x-api-key header)');
  return { actor: { kind: 'api-client', clientId: client.clientId, agencyId: client.agencyId }, correlationId: request.id };
}
