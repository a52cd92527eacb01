import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { RequestContext } from '../../platform/access/context.ts';
import type { Clock } from '../../platform/clock.ts';
import { writeAudit } from '../../platform/audit/audit.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { ingestRepository, type QuarantineItem } from './repository.ts';
import { ingestBatch, type IngestResult, type ItemResult } from './service.ts';
import { mapFhirBundle } from './fhir.ts';
import type { ItemKind } from './validate.ts';

/** Rejected items, for an administrator to list, correct and resubmit. Every look is audited. */
export async function listQuarantine(db: Kysely<DB>, ctx: RequestContext, limit = 100): Promise<QuarantineItem[]> {
  return db.transaction().execute(async (trx) => {
    const items = await ingestRepository(trx).list('open', limit);
    await writeAudit(trx, ctx, { action: 'read', outcome: 'allowed', subjectType: 'quarantine', details: { count: items.length } });
    return items;
  });
}

export async function getQuarantined(db: Kysely<DB>, ctx: RequestContext, id: string): Promise<QuarantineItem> {
  return db.transaction().execute(async (trx) => {
    const item = await ingestRepository(trx).get(id);
    if (!item) throw new NotFoundError();
    await writeAudit(trx, ctx, { action: 'read', outcome: 'allowed', subjectType: 'quarantine-item', subjectId: id });
    return item;
  });
}

/**
 * Send a corrected item through the same ingest. Accepted (or found already
 * stored): the quarantined item is closed. Rejected again: it stays open and
 * the new reasons are returned; nothing is quarantined twice.
 */
export async function resubmitQuarantined(
  db: Kysely<DB>, ctx: RequestContext, id: string, corrected: unknown, clock: Clock,
): Promise<ItemResult> {
  const item = await ingestRepository(db).get(id);
  if (!item || item.status !== 'open') throw new NotFoundError();
  let result: IngestResult;
  let outcome: ItemResult;
  if (item.itemKind === 'fhir-resource') {
    // A FHIR resource goes through the same mapping as the FHIR API, then the same ingest.
    const mapped = mapFhirBundle({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: corrected }] }, item.agencyId ?? '');
    if (mapped.refused.length > 0 || mapped.sources.size === 0) {
      return { kind: 'records', index: 0, status: 'rejected', reasons: mapped.refused[0]?.reasons ?? [{ path: 'resource', expected: 'a Patient, RelatedPerson, Appointment or Encounter Kinsight can map' }] };
    }
    result = await ingestBatch(db, ctx, mapped.batch, { clock, source: 'resubmit', noQuarantine: true });
    outcome = result.items.find((i) => i.status === 'rejected') ?? result.items[0]!;
  } else {
    const kind = item.itemKind as ItemKind;
    result = await ingestBatch(db, ctx, { [kind]: [corrected] }, { clock, source: 'resubmit', noQuarantine: true });
    outcome = result.items[0]!;
  }
  if (outcome.status !== 'rejected') {
    await db.transaction().execute(async (trx) => {
      const by = ctx.actor.kind === 'user' ? ctx.actor.userId : ctx.actor.kind === 'api-client' ? ctx.actor.clientId : ctx.actor.process;
      await ingestRepository(trx).resolve(id, { status: 'resubmitted', by, at: clock.now(), batchId: result.batchId });
      await writeAudit(trx, ctx, { action: 'correct', outcome: 'succeeded', subjectType: 'quarantine-item', subjectId: id, details: { status: outcome.status } });
    });
  }
  return outcome;
}
