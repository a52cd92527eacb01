import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import { evaluateFlagsAfterBatch, evaluateFlagsFor } from './service.ts';
import { flagsRepository } from './repository.ts';

const INGEST_ROUTES = new Set(['/api/v1/events', '/api/v1/fhir', '/api/v1/attendance']);

/** The people an ingest answer names: its batch (JSON and CSV answers), or the events a FHIR OperationOutcome reports accepted. */
async function peopleOf(db: Kysely<DB>, body: unknown): Promise<{ batchId?: string; people?: string[] }> {
  if (!body || typeof body !== 'object') return {};
  const batchId = (body as { batchId?: unknown }).batchId;
  if (typeof batchId === 'string') return { batchId };
  const issues = (body as { issue?: { diagnostics?: string }[] }).issue;
  if (!Array.isArray(issues)) return {};
  const keys = issues.flatMap((i) => {
    const m = /^accepted: ([^:\s]+):(\S+)$/.exec(i.diagnostics ?? '');
    return m ? [{ agency: m[1]!, eventId: m[2]! }] : [];
  });
  return { people: await flagsRepository(db).peopleOfEvents(keys) };
}

/**
 * An onSend hook for the ingest routes: after a successful batch, evaluate the
 * flags of the people it touched (and their families) before answering, so a
 * flag is raised as soon as its evidence arrives. A failure here is logged and
 * does not fail the ingest (the batch is stored; the daily recompute catches
 * up).
 */
export function flagsAfterIngest(db: Kysely<DB>, clock: Clock) {
  return async (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
    if (request.method !== 'POST' || reply.statusCode !== 200 || !INGEST_ROUTES.has(request.routeOptions.url ?? '')) return payload;
    try {
      const body: unknown = typeof payload === 'string' ? JSON.parse(payload) : undefined;
      const found = await peopleOf(db, body);
      if (found.batchId) await evaluateFlagsAfterBatch(db, found.batchId, clock);
      else if (found.people && found.people.length > 0) await evaluateFlagsFor(db, found.people, clock);
    } catch (error) {
      request.log.error({ err: error }, 'flag evaluation after ingest failed; the daily recompute will catch up');
    }
    return payload;
  };
}
