import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import { apiClientWith, withRoles } from '../../platform/http/access-rule.ts';
import { AppError } from '../../platform/errors.ts';
import { pageContext } from '../records/page-context.ts';
import { resolveApiClient } from './api-client.ts';
import { ingestBatch, quarantineUnmapped } from './service.ts';
import { getQuarantined, listQuarantine, resubmitQuarantined } from './quarantine.ts';
import { fhirIssue, mapFhirBundle, operationOutcome } from './fhir.ts';
import { mapAttendanceCsv } from './attendance-csv.ts';
import { flagsAfterIngest } from '../flags/ingest-hook.ts';

export interface IngestRoutesOptions {
  database: Database;
  clock: Clock;
}

const admin = withRoles('system-administrator');
const quarantineId = z.string().regex(/^q_[0-9a-f-]{36}$/);

/**
 * The ways data enters Kinsight: JSON batches in the event vocabulary (and,
 * from health systems, FHIR R4 bundles; from schools, attendance CSV), and the
 * quarantine where an administrator corrects what was rejected.
 */
export const ingestRoutes: FastifyPluginAsync<IngestRoutesOptions> = async (app, { database, clock }) => {
  const db = database.db;
  app.addHook('onSend', flagsAfterIngest(db, clock));

  app.post('/api/v1/events', { config: apiClientWith('events:write') }, async (request, reply) => {
    const ctx = resolveApiClient(request);
    if (typeof request.body === 'string') throw new AppError(415, 'unsupported-media-type', 'Send the batch as application/json');
    if (request.body === null || typeof request.body !== 'object' || Array.isArray(request.body)) {
      throw new AppError(400, 'invalid', 'The body must be a JSON object: { agencies?, records?, relationships?, events?, retractions? }');
    }
    return reply.send(await ingestBatch(db, ctx, request.body, { clock, source: 'json' }));
  });

  // FHIR clients send application/fhir+json; schools send text/csv. Both only on these routes.
  app.addContentTypeParser(['application/fhir+json'], { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(String(body)));
    } catch {
      done(Object.assign(new Error('The request body is not valid JSON'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' }), undefined);
    }
  });
  app.addContentTypeParser(['text/csv'], { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.post('/api/v1/fhir', { config: apiClientWith('fhir:write') }, async (request, reply) => {
    const ctx = resolveApiClient(request);
    const agency = ctx.actor.kind === 'api-client' ? ctx.actor.agencyId : '';
    const mapped = mapFhirBundle(request.body, agency);
    const fhirJson = (status: number, issues: Parameters<typeof operationOutcome>[0]) =>
      reply.status(status).type('application/fhir+json').send(operationOutcome(issues));
    // Entries refused whole are kept, as sent, for an operator to correct and resubmit.
    const kept = await quarantineUnmapped(db, ctx, mapped.refused.map((r) => ({ kind: 'fhir-resource', index: r.entry, raw: r.resource, reasons: r.reasons })), { clock, source: 'fhir' });
    kept.quarantineIds.forEach((id, i) => mapped.issues.push(
      fhirIssue('information', 'informational', `kept in quarantine as ${id} for correction`, `Bundle.entry[${mapped.refused[i]!.entry}]`),
    ));
    if (mapped.sources.size === 0) {
      return fhirJson(mapped.issues.length && mapped.issues.every((i) => i.code === 'structure') ? 400 : 422, mapped.issues);
    }
    const result = await ingestBatch(db, ctx, mapped.batch, { clock, source: 'fhir' });
    const issues = [...mapped.issues];
    for (const item of result.items) {
      const entry = mapped.sources.get(`${item.kind}[${item.index}]`);
      const where = entry === undefined ? undefined : `Bundle.entry[${entry}].resource`;
      if (item.status === 'rejected') {
        for (const r of item.reasons ?? []) issues.push(fhirIssue('error', 'invalid', `${r.path}: ${r.expected}`, where));
      } else {
        issues.push(fhirIssue('information', 'informational', `${item.status}: ${item.key ?? item.kind}`, where));
      }
    }
    return fhirJson(200, issues);
  });

  app.post('/api/v1/attendance', { config: apiClientWith('attendance:write') }, async (request, reply) => {
    const ctx = resolveApiClient(request);
    const agency = ctx.actor.kind === 'api-client' ? ctx.actor.agencyId : '';
    if (typeof request.body !== 'string') throw new AppError(415, 'unsupported-media-type', 'Send attendance as text/csv');
    let mapped;
    try {
      mapped = mapAttendanceCsv(request.body, agency);
    } catch (error) {
      throw new AppError(400, 'invalid', (error as Error).message);
    }
    const result = mapped.events.length
      ? await ingestBatch(db, ctx, { events: mapped.events }, { clock, source: 'csv' })
      : { batchId: null, counts: { accepted: 0, duplicate: 0, rejected: 0 }, items: [] };
    // Rows the mapper refused are kept, as the event they would have been, for an operator to correct.
    const kept = await quarantineUnmapped(db, ctx, mapped.rejects.map((r) => ({ kind: 'events', index: r.row, raw: r.raw, reasons: r.reasons })), { clock, source: 'csv' });
    const rows = [
      ...result.items.map((item) => ({
        row: mapped.rows[item.index]!, status: item.status, ...(item.reasons ? { reasons: item.reasons } : {}),
        ...(item.quarantineId ? { quarantineId: item.quarantineId } : {}),
      })),
      ...mapped.rejects.map((r, i) => ({ row: r.row, status: 'rejected' as const, reasons: r.reasons, quarantineId: kept.quarantineIds[i] })),
    ].sort((a, b) => a.row - b.row);
    return reply.send({
      batchId: result.batchId,
      counts: { ...result.counts, rejected: result.counts.rejected + mapped.rejects.length },
      rows,
    });
  });

  app.get('/api/v1/quarantine', { config: admin }, async (request) => {
    const ctx = pageContext(request);
    if (!ctx) throw new AppError(401, 'unauthenticated', 'Sign in required');
    return { items: await listQuarantine(db, ctx) };
  });

  app.post('/api/v1/quarantine/:id/resubmit', { config: admin }, async (request) => {
    const ctx = pageContext(request);
    if (!ctx) throw new AppError(401, 'unauthenticated', 'Sign in required');
    const id = quarantineId.safeParse((request.params as { id: string }).id);
    if (!id.success) throw new AppError(404, 'not-found', 'Not found');
    const body = request.body as { item?: unknown } | null;
    if (!body || typeof body !== 'object' || !('item' in body)) {
      throw new AppError(400, 'invalid', 'The body must be a JSON object with the corrected item: { "item": { ... } }');
    }
    return resubmitQuarantined(db, ctx, id.data, body.item, clock);
  });

  app.get('/admin/quarantine', { config: admin }, async (request, reply) => {
    const ctx = pageContext(request);
    if (!ctx) return reply.redirect('/sign-in', 303);
    const items = await listQuarantine(db, ctx);
    return reply.render('ingest/views/quarantine-list.njk', { title: 'Rejected items', items });
  });

  const showItem = async (id: string, ctx: NonNullable<ReturnType<typeof pageContext>>, extra: Record<string, unknown> = {}) => {
    const item = await getQuarantined(db, ctx, id);
    return { title: 'Correct a rejected item', item, raw: JSON.stringify(item.raw, null, 2), ...extra };
  };

  app.get('/admin/quarantine/:id', { config: admin }, async (request, reply) => {
    const ctx = pageContext(request);
    if (!ctx) return reply.redirect('/sign-in', 303);
    const id = quarantineId.safeParse((request.params as { id: string }).id);
    if (!id.success) throw new AppError(404, 'not-found', 'Page not found');
    return reply.render('ingest/views/quarantine-item.njk', await showItem(id.data, ctx));
  });

  app.post('/admin/quarantine/:id', { config: admin }, async (request, reply) => {
    const ctx = pageContext(request);
    if (!ctx) return reply.redirect('/sign-in', 303);
    const id = quarantineId.safeParse((request.params as { id: string }).id);
    if (!id.success) throw new AppError(404, 'not-found', 'Page not found');
    const text = String((request.body as { item?: unknown } | null)?.item ?? '');
    let corrected: unknown;
    try {
      corrected = JSON.parse(text);
    } catch {
      const errors = [{ text: 'Enter the corrected item as JSON', href: '#item' }];
      return reply.status(400).render('ingest/views/quarantine-item.njk', await showItem(id.data, ctx, { errors, raw: text }));
    }
    const outcome = await resubmitQuarantined(db, ctx, id.data, corrected, clock);
    if (outcome.status === 'rejected') {
      const errors = (outcome.reasons ?? []).map((r) => ({ text: `${r.path}: ${r.expected}`, href: '#item' }));
      return reply.status(400).render('ingest/views/quarantine-item.njk', await showItem(id.data, ctx, { errors, raw: text }));
    }
    return reply.render('ingest/views/quarantine-done.njk', { title: 'Item accepted', outcome });
  });
};
