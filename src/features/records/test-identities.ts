import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { RequestContext } from '../../platform/access/context.ts';

// TEST-ONLY: used by integration and browser tests through startTestApp's beforeReady; never registered by the app.

/** Test-only: act as a practitioner of an agency (x-test-agency) or as an agency's system (x-test-client). */
export function testIdentities(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const agency = request.headers['x-test-agency'];
    if (typeof agency === 'string') {
      const roles = String(request.headers['x-test-roles'] ?? 'practitioner').split(',') as never[];
      const ctx: RequestContext = {
        actor: { kind: 'user', userId: uuidFor(agency), username: `user.${agency}`, displayName: 'Test User', agencyId: agency, teamId: null, roles },
        correlationId: request.id,
      };
      request.requestContext = ctx;
    }
    const client = request.headers['x-test-client'];
    if (typeof client === 'string') request.apiClient = { clientId: `client-${client}`, agencyId: client, scopes: ['events:write', 'fhir:write', 'attendance:write'] };
  });
}

/** User ids are UUIDs in Kinsight: one per test agency. */
function uuidFor(agency: string): string {
  const h = createHash('sha256').update(agency).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

