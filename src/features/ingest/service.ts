import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { RequestContext } from '../../platform/access/context.ts';
import type { Clock } from '../../platform/clock.ts';
import { writeAudit } from '../../platform/audit/audit.ts';
import { AppError, ValidationError } from '../../platform/errors.ts';
import type { AgencyEvent } from '../../domain/events/vocabulary.ts';
import { recordsRepository, type EventInsert, type RecordsRepository, type RecordVersionRow } from '../records/repository.ts';
import { linkBirths } from '../records/linking.ts';
import { rebuildFamilies, rebuildInvolvements } from '../records/derived.ts';
import { significanceOf } from '../records/significance.ts';
import { ingestRepository } from './repository.ts';
import { linkNewRecords } from './bulk-link.ts';
import {
  batchShape, checkAgency, checkEvent, checkRecord, checkRelationship, checkRetraction, contentHash, eventTime,
  formatPath, parseRecordRef, reasonsFromZod, type ItemKind, type Rejection,
} from './validate.ts';

export type ItemStatus = 'accepted' | 'duplicate' | 'rejected';

/** What happened to one item of a batch. */
export interface ItemResult {
  kind: ItemKind;
  index: number;
  /** "agency:localId" or "agency:eventId": the sender's own identifiers, never personal data. */
  key?: string;
  status: ItemStatus;
  /** The stored version (records and events): a changed resubmission is a new version. */
  version?: number;
  reasons?: Rejection[];
  quarantineId?: string;
}

export interface IngestResult {
  batchId: string;
  counts: { accepted: number; duplicate: number; rejected: number };
  items: ItemResult[];
}

export interface IngestOptions {
  clock: Clock;
  /** Where the batch came from: json, fhir, csv, replay, bulk, resubmit. */
  source?: string;
  /** Resubmitting a quarantined item: report rejections but do not quarantine them again. */
  noQuarantine?: boolean;
  /** Events written per transaction. The bulk path sets this; a normal batch writes its events in one. */
  eventChunk?: number;
  /**
   * The bulk path: events and their chronology rows written with COPY where the
   * database allows it (PostgreSQL; PGlite keeps the INSERT), and each
   * transaction committed without waiting for its WAL flush (synchronous_commit
   * off for that transaction only: a crash can lose the last moments' commits,
   * never consistency; a reload sends them again as duplicates are recognised).
   */
  bulk?: boolean;
  /**
   * Bulk loads that run several ingest calls at once (loadCounty on
   * PostgreSQL): whatever creates, links or merges people and rebuilds what is
   * derived from them (the records group, and an events group's births,
   * involvements and families) runs holding this lock until its transaction has
   * committed, so those parts happen one at a time; only the event rows
   * themselves are written alongside.
   */
  exclusive?: ExclusiveLock;
}

/** A lock held across a transaction: `acquire` answers the function that releases it. */
export interface ExclusiveLock {
  acquire(): Promise<() => void>;
}

/** An ExclusiveLock for one process: waiters are served in the order they asked. */
export function exclusiveLock(): ExclusiveLock {
  let tail: Promise<void> = Promise.resolve();
  return {
    async acquire() {
      let release!: () => void;
      const next = new Promise<void>((resolve) => { release = resolve; });
      const previous = tail;
      tail = previous.then(() => next);
      await previous;
      return release;
    },
  };
}

type Db = Kysely<DB>;

/** The agency an API client may send for; null for users and Kinsight's own processes. */
function senderAgency(ctx: RequestContext): string | null {
  return ctx.actor.kind === 'api-client' ? ctx.actor.agencyId : null;
}

function actorId(ctx: RequestContext): string {
  return ctx.actor.kind === 'user' ? ctx.actor.userId : ctx.actor.kind === 'api-client' ? ctx.actor.clientId : ctx.actor.process;
}

function reject(kind: ItemKind, index: number, reasons: Rejection[], key?: string): ItemResult {
  return { kind, index, status: 'rejected', reasons, ...(key ? { key } : {}) };
}

function notOwnAgency(kind: ItemKind, index: number, agency: string, sender: string): Rejection {
  return { path: formatPath([kind, index, 'agency']), expected: `must be your own agency (${sender})`, value: agency };
}

/**
 * Take in one batch in the event vocabulary. Each group (agencies, records,
 * relationships, events, retractions) is written in its own transaction, with
 * its audit row, so nothing is half-written. Every item is answered: accepted,
 * duplicate (already stored: identical resubmissions are stored once) or
 * rejected with reasons (and kept in quarantine for an administrator).
 */
export async function ingestBatch(db: Db, ctx: RequestContext, batch: unknown, options: IngestOptions): Promise<IngestResult> {
  const shape = batchShape.safeParse(batch);
  if (!shape.success) {
    throw new ValidationError(
      'The batch is not in the expected shape',
      reasonsFromZod([], batch, shape.error).map((r) => ({ path: r.path || '(batch)', message: r.expected })),
    );
  }
  const sender = senderAgency(ctx);
  if (sender && !(await recordsRepository(db).agencies([sender])).has(sender)) {
    throw new AppError(403, 'unknown-agency', 'The agency this API client sends for is not registered in Kinsight');
  }
  const clock = options.clock;
  const batchId = `b_${randomUUID()}`;
  await ingestRepository(db).insertBatch({
    id: batchId, source: options.source ?? 'json', senderAgencyId: sender, actorId: actorId(ctx), receivedAt: clock.now(),
  });
  const input = shape.data;
  const items: ItemResult[] = [];
  // Held from when a group asks for it until its transaction has committed (or failed).
  let held: (() => void) | undefined;
  const hold = async () => {
    if (options.exclusive && !held) held = await options.exclusive.acquire();
  };
  const run = async (
    kind: ItemKind, list: unknown[] | undefined, write: (trx: Transaction<DB>, list: unknown[]) => Promise<ItemResult[]>, base = 0,
  ) => {
    if (!list || list.length === 0) return;
    // Everything but the events links, merges or rebuilds people: the whole group holds the lock.
    if (kind !== 'events') await hold();
    try {
      await transact(kind, list, write, base);
    } finally {
      held?.();
      held = undefined;
    }
  };
  const transact = async (
    kind: ItemKind, list: unknown[], write: (trx: Transaction<DB>, list: unknown[]) => Promise<ItemResult[]>, base: number,
  ) => {
    await db.transaction().execute(async (trx) => {
      // Every look-up of the bulk path is by key, for thousands of keys at once, into tables growing by
      // millions of rows between analyses: keep them on their indexes (a hash join over the whole of
      // `event` or `agency_record` costs more with every batch), and off parallel workers (the other core).
      if (options.bulk) {
        await sql`select set_config('synchronous_commit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true),
          set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)`.execute(trx);
      }
      const results = await write(trx, list);
      await quarantineRejected(trx, batchId, kind, list, base, results, options, clock);
      await writeAudit(trx, ctx, {
        action: 'ingest', outcome: 'succeeded', subjectType: 'ingest-batch', subjectId: batchId,
        details: { source: options.source ?? 'json', group: kind, ...countOf(results) },
      });
      items.push(...results);
    });
  };
  await run('agencies', input.agencies, (trx, list) => writeAgencies(recordsRepository(trx), sender, list));
  await run('records', input.records, (trx, list) => writeRecords(recordsRepository(trx), sender, list, batchId, clock));
  await run('relationships', input.relationships, (trx, list) => writeRelationships(recordsRepository(trx), sender, list, batchId, clock));
  if (input.events && input.events.length > 0) {
    const size = options.eventChunk ?? input.events.length;
    for (let start = 0; start < input.events.length; start += size) {
      const slice = input.events.slice(start, start + size);
      // Indexes stay those of the whole batch, so a reason's path points at the item sent.
      await run('events', slice, async (trx, list) =>
        (await writeEvents(recordsRepository(trx), sender, list, batchId, clock, options.bulk ?? false, hold)).map((r) => offset(r, start)),
      start);
    }
  }
  await run('retractions', input.retractions, (trx, list) => writeRetractions(recordsRepository(trx), sender, list, batchId, clock));
  const counts = countOf(items);
  await ingestRepository(db).setBatchCounts(batchId, counts);
  return { batchId, counts, items };
}

/** The bulk path: the same validation and mapping, events written in large batched transactions. */
export async function ingestBulk(db: Db, ctx: RequestContext, batch: unknown, options: IngestOptions): Promise<IngestResult> {
  return ingestBatch(db, ctx, batch, { source: 'bulk', eventChunk: 20_000, bulk: true, ...options });
}

function offset(r: ItemResult, start: number): ItemResult {
  if (start === 0) return r;
  const index = r.index + start;
  const reasons = r.reasons?.map((x) => ({ ...x, path: x.path.replace(/^events\[\d+\]/, `events[${index}]`) }));
  return { ...r, index, ...(reasons ? { reasons } : {}) };
}

/**
 * Items a format mapper (CSV rows, FHIR resources) could not turn into the
 * vocabulary at all: kept in quarantine with their reasons, under a batch of
 * their own, so an operator can see, correct and resubmit them.
 */
export async function quarantineUnmapped(
  db: Db, ctx: RequestContext, items: { kind: string; index: number; raw: unknown; reasons: Rejection[] }[],
  options: { clock: Clock; source: string },
): Promise<{ batchId: string; quarantineIds: string[] }> {
  const batchId = `b_${randomUUID()}`;
  const sender = senderAgency(ctx);
  const quarantineIds = items.map(() => `q_${randomUUID()}`);
  if (items.length === 0) return { batchId, quarantineIds };
  await db.transaction().execute(async (trx) => {
    const repo = ingestRepository(trx);
    await repo.insertBatch({ id: batchId, source: options.source, senderAgencyId: sender, actorId: actorId(ctx), receivedAt: options.clock.now() });
    await repo.quarantine(items.map((item, i) => ({
      id: quarantineIds[i]!, batchId, agencyId: sender, itemKind: item.kind, itemIndex: item.index, raw: item.raw,
      reasons: item.reasons, receivedAt: options.clock.now(),
    })));
    await repo.setBatchCounts(batchId, { accepted: 0, duplicate: 0, rejected: items.length });
    await writeAudit(trx, ctx, {
      action: 'ingest', outcome: 'failed', subjectType: 'ingest-batch', subjectId: batchId,
      details: { source: options.source, group: 'unmapped', rejected: items.length },
    });
  });
  return { batchId, quarantineIds };
}

function countOf(results: ItemResult[]) {
  const counts = { accepted: 0, duplicate: 0, rejected: 0 };
  for (const r of results) counts[r.status] += 1;
  return counts;
}

async function quarantineRejected(
  trx: Transaction<DB>, batchId: string, kind: ItemKind, list: unknown[], base: number, results: ItemResult[],
  options: IngestOptions, clock: Clock,
): Promise<void> {
  if (options.noQuarantine) return;
  const rejected = results.filter((r) => r.status === 'rejected');
  for (const r of rejected) r.quarantineId = `q_${randomUUID()}`;
  await ingestRepository(trx).quarantine(
    rejected.map((r) => {
      const raw = list[r.index - base];
      const agency = raw && typeof raw === 'object' && typeof (raw as { agency?: unknown }).agency === 'string'
        ? (raw as { agency: string }).agency : null;
      return {
        id: r.quarantineId!, batchId, agencyId: agency, itemKind: kind, itemIndex: r.index, raw,
        reasons: r.reasons ?? [], receivedAt: clock.now(),
      };
    }),
  );
}

async function writeAgencies(repo: RecordsRepository, sender: string | null, list: unknown[]): Promise<ItemResult[]> {
  const results: ItemResult[] = [];
  for (const [index, raw] of list.entries()) {
    const checked = checkAgency(index, raw);
    if (!checked.ok) {
      results.push(reject('agencies', index, checked.reasons));
      continue;
    }
    const a = checked.value;
    if (sender && a.id !== sender) {
      results.push(reject('agencies', index, [{ path: formatPath(['agencies', index, 'id']), expected: `must be your own agency (${sender})`, value: a.id }]));
      continue;
    }
    const existing = (await repo.agencies([a.id])).get(a.id);
    if (!existing) {
      await repo.insertAgency({ id: a.id, name: a.name, kind: a.kind, authorityCode: a.authority });
      results.push({ kind: 'agencies', index, key: a.id, status: 'accepted' });
    } else if (existing.name === a.name && existing.kind === a.kind && existing.authority_code === a.authority) {
      results.push({ kind: 'agencies', index, key: a.id, status: 'duplicate' });
    } else {
      results.push(reject('agencies', index, [{
        path: formatPath(['agencies', index, 'id']),
        expected: 'an agency already registered must be sent with the same name, kind and authority (ask an administrator to change it)',
        value: a.id,
      }], a.id));
    }
  }
  return results;
}

const normalisePostcode = (p: string | undefined) => (p ? p.replace(/\s+/g, '').toUpperCase() : null);

/**
 * Records, set-based: every decision (duplicate, new record, new version) is
 * made in memory in the order sent, as if one by one; then the new records,
 * all versions and the links are written a few statements at a time.
 */
async function writeRecords(repo: RecordsRepository, sender: string | null, list: unknown[], batchId: string, clock: Clock): Promise<ItemResult[]> {
  const results: ItemResult[] = [];
  const checked = list.map((raw, index) => ({ index, c: checkRecord(index, raw) }));
  const valid = checked.flatMap((x) => (x.c.ok ? [x.c.value] : []));
  const agencies = await repo.agencies([...new Set(valid.map((r) => r.agency))]);
  const ids = await repo.recordIds(valid.map((r) => ({ agency: r.agency, localId: r.localId })));
  const stored = await repo.latestVersions([...ids.values()]);
  const latest = new Map<string, { version: number; contentHash: string }>();
  for (const [key, id] of ids) {
    const v = stored.get(id);
    if (v) latest.set(key, v);
  }
  const newRecords = new Map<string, { agencyId: string; localId: string; at: Date }>();
  const versions: { key: string; index: number; row: Omit<RecordVersionRow, 'recordId'> }[] = [];
  const toLink: { key: string; index: number; nhsNumber: string | null; at: Date }[] = [];
  for (const { index, c } of checked) {
    if (!c.ok) {
      results.push(reject('records', index, c.reasons));
      continue;
    }
    const r = c.value;
    const key = `${r.agency}:${r.localId}`;
    if (sender && r.agency !== sender) {
      results.push(reject('records', index, [notOwnAgency('records', index, r.agency, sender)], key));
      continue;
    }
    if (!agencies.has(r.agency)) {
      results.push(reject('records', index, [{ path: formatPath(['records', index, 'agency']), expected: 'must be an agency Kinsight knows (declare it under agencies first)', value: r.agency }], key));
      continue;
    }
    const hash = contentHash(r);
    const previous = latest.get(key);
    if (previous && previous.contentHash === hash) {
      results.push({ kind: 'records', index, key, status: 'duplicate', version: previous.version });
      continue;
    }
    const now = clock.now();
    if (!ids.has(key) && !newRecords.has(key)) {
      newRecords.set(key, { agencyId: r.agency, localId: r.localId, at: now });
      // A new version keeps its link; relinking on changed details is the linker's job (issue 6).
      toLink.push({ key, index, nhsNumber: r.nhsNumber ?? null, at: now });
    }
    const version = previous ? previous.version + 1 : 1;
    latest.set(key, { version, contentHash: hash });
    versions.push({
      key, index,
      row: {
        version, contentHash: hash, kind: r.kind,
        givenNames: r.name?.given?.join(' ') ?? null, familyName: r.name?.family ?? null,
        birthDate: r.birthDate ?? null, expectedDate: r.expectedDate ?? null, sex: r.sex ?? null,
        nhsNumber: r.nhsNumber ?? null, postcode: normalisePostcode(r.address?.postcode),
        body: r, batchId, receivedAt: now,
      },
    });
    results.push({ kind: 'records', index, key, status: 'accepted', version });
  }
  if (versions.length === 0) return results;
  for (const [key, id] of await repo.insertRecords([...newRecords.values()])) ids.set(key, id);
  await repo.insertRecordVersions(versions.map((v) => ({ ...v.row, recordId: ids.get(v.key)! })));

  const affected = await linkNewRecords(repo.db, repo, {
    batchId,
    toLink: toLink.map((l) => ({ index: l.index, recordId: ids.get(l.key)!, at: l.at })),
    versions: versions.map((v) => ({ index: v.index, recordId: ids.get(v.key)!, row: v.row })),
    existingPersons: toLink.length ? await repo.currentPersons([...new Set(versions.filter((v) => !newRecords.has(v.key)).map((v) => ids.get(v.key)!))]) : new Map(),
  });
  await rebuildFamilies(repo, affected);
  return results;
}

const unknownRecord = 'must be a record already received (send the record before anything that refers to it)';

async function writeRelationships(repo: RecordsRepository, sender: string | null, list: unknown[], batchId: string, clock: Clock): Promise<ItemResult[]> {
  const results: ItemResult[] = [];
  const checked = list.map((raw, index) => ({ index, c: checkRelationship(index, raw) }));
  const refs = checked.flatMap((x) => (x.c.ok ? [parseRecordRef(x.c.value.from, x.c.value.agency), parseRecordRef(x.c.value.to, x.c.value.agency)] : []));
  const ids = await repo.recordIds(refs);
  // Decided in order, written together: the first of two identical relationships is the one stored.
  const candidates = new Map<string, Parameters<RecordsRepository['insertRelationshipsIfAbsent']>[0][number]>();
  const pending: { result: ItemResult; key: string; first: boolean }[] = [];
  for (const { index, c } of checked) {
    if (!c.ok) {
      results.push(reject('relationships', index, c.reasons));
      continue;
    }
    const rel = c.value;
    if (sender && rel.agency !== sender) {
      results.push(reject('relationships', index, [notOwnAgency('relationships', index, rel.agency, sender)]));
      continue;
    }
    const from = parseRecordRef(rel.from, rel.agency);
    const to = parseRecordRef(rel.to, rel.agency);
    const fromId = ids.get(`${from.agency}:${from.localId}`);
    const toId = ids.get(`${to.agency}:${to.localId}`);
    const reasons: Rejection[] = [];
    if (fromId === undefined) reasons.push({ path: formatPath(['relationships', index, 'from']), expected: unknownRecord, value: rel.from });
    if (toId === undefined) reasons.push({ path: formatPath(['relationships', index, 'to']), expected: unknownRecord, value: rel.to });
    if (fromId === undefined || toId === undefined) {
      results.push(reject('relationships', index, reasons));
      continue;
    }
    const hash = contentHash(rel);
    const key = `${rel.agency}:${hash}`;
    const first = !candidates.has(key);
    if (first) {
      candidates.set(key, {
        agencyId: rel.agency, fromRecordId: fromId, toRecordId: toId, type: rel.type, fromDate: rel.from_date ?? null,
        contentHash: hash, batchId, receivedAt: clock.now(),
      });
    }
    const result: ItemResult = { kind: 'relationships', index, status: 'duplicate' };
    pending.push({ result, key, first });
    results.push(result);
  }
  const added = await repo.insertRelationshipsIfAbsent([...candidates.values()]);
  const touched: number[] = [];
  for (const p of pending) {
    if (!p.first || !added.has(p.key)) continue;
    p.result.status = 'accepted';
    const row = candidates.get(p.key)!;
    touched.push(row.fromRecordId, row.toRecordId);
  }
  await rebuildFamilies(repo, new Set((await repo.currentPersons(touched)).values()));
  return results;
}

/** Records an event refers to: its subjects, and for a birth the unborn and child records. */
function referencedRecords(e: AgencyEvent): { path: (string | number)[]; ref: string }[] {
  const refs: { path: (string | number)[]; ref: string }[] = e.subjects.map((ref, i) => ({ path: ['subjects', i], ref }));
  if (e.type === 'birth') refs.push({ path: ['data', 'unborn'], ref: e.data.unborn }, { path: ['data', 'child'], ref: e.data.child });
  return refs;
}

async function writeEvents(
  repo: RecordsRepository, sender: string | null, list: unknown[], batchId: string, clock: Clock, bulk: boolean,
  beforePeople: () => Promise<void>,
): Promise<ItemResult[]> {
  const results: ItemResult[] = [];
  const checked = list.map((raw, index) => ({ index, c: checkEvent(index, raw) }));
  const valid = checked.flatMap((x) => (x.c.ok ? [x.c.value] : []));
  const recordIds = await repo.recordIds(valid.flatMap((e) => referencedRecords(e).map((r) => parseRecordRef(r.ref, e.agency))));
  const persons = await repo.currentPersons([...recordIds.values()]);
  const keys = valid.map((e) => ({ agency: e.agency, eventId: e.id }));
  const latest = bulk ? await ingestRepository(repo.db).latestEvents(keys) : await repo.latestEvents(keys);
  const agencies = await repo.agencies([...new Set(valid.map((e) => e.agency))]);

  let pending: { event: AgencyEvent; insert: EventInsert }[] = [];
  const pendingKeys = new Set<string>();
  const affected = new Set<string>();
  const births: { unborn: number; child: number }[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const rows = pending.map((p) => p.insert);
    const ids = (bulk ? await ingestRepository(repo.db).copyEvents(rows) : undefined) ?? await repo.insertEvents(rows);
    pending.forEach((p, i) => {
      latest.set(`${p.event.agency}:${p.event.id}`, { id: ids[i]!, version: p.insert.version, contentHash: p.insert.contentHash, retracted: false, type: p.event.type });
    });
    pending = [];
    pendingKeys.clear();
  };

  for (const { index, c } of checked) {
    if (!c.ok) {
      results.push(reject('events', index, c.reasons));
      continue;
    }
    const e = c.value;
    const key = `${e.agency}:${e.id}`;
    if (sender && e.agency !== sender) {
      results.push(reject('events', index, [notOwnAgency('events', index, e.agency, sender)], key));
      continue;
    }
    if (!agencies.has(e.agency)) {
      results.push(reject('events', index, [{ path: formatPath(['events', index, 'agency']), expected: 'must be an agency Kinsight knows (declare it under agencies first)', value: e.agency }], key));
      continue;
    }
    const reasons: Rejection[] = [];
    const resolved = new Map<string, number>();
    for (const { path, ref } of referencedRecords(e)) {
      const target = parseRecordRef(ref, e.agency);
      const id = recordIds.get(`${target.agency}:${target.localId}`);
      if (id === undefined) reasons.push({ path: formatPath(['events', index, ...path]), expected: unknownRecord, value: ref });
      else resolved.set(ref, id);
    }
    if (reasons.length > 0) {
      results.push(reject('events', index, reasons, key));
      continue;
    }
    // The same event twice in one batch: write the first before judging the second.
    if (pendingKeys.has(key)) await flush();
    const hash = contentHash(e);
    const previous = latest.get(key);
    if (previous && previous.contentHash === hash) {
      results.push({ kind: 'events', index, key, status: 'duplicate', version: previous.version });
      continue;
    }
    const time = eventTime(e.at);
    const significant = significanceOf(e) !== null;
    const subjectRecords = e.subjects.map((ref) => {
      const recordId = resolved.get(ref)!;
      return { recordId, personId: persons.get(recordId)! };
    });
    const version = previous ? previous.version + 1 : 1;
    pendingKeys.add(key);
    pending.push({
      event: e,
      insert: {
        agencyId: e.agency, eventId: e.id, version, supersedes: previous?.id ?? null, contentHash: hash, type: e.type,
        at: time.at, onDate: time.onDate, atPrecision: time.precision, significant, subjects: e.subjects,
        data: e.data, text: e.text ?? null, batchId, receivedAt: clock.now(), subjectRecords,
      },
    });
    if (e.type === 'involvement-start' || e.type === 'involvement-end' || previous?.type.startsWith('involvement-')) {
      for (const s of subjectRecords) affected.add(s.personId);
    }
    if (e.type === 'birth') births.push({ unborn: resolved.get(e.data.unborn)!, child: resolved.get(e.data.child)! });
    results.push({ kind: 'events', index, key, status: 'accepted', version });
  }
  await flush();
  // Births merge people; involvements and families are rebuilt from them: one loader at a time (options.exclusive).
  if (births.length > 0 || affected.size > 0) await beforePeople();
  const merged = new Set<string>();
  for (const p of await linkBirths(repo, births, clock.now())) merged.add(p);
  await rebuildInvolvements(repo, [...affected, ...merged]);
  await rebuildFamilies(repo, merged);
  return results;
}

async function writeRetractions(repo: RecordsRepository, sender: string | null, list: unknown[], batchId: string, clock: Clock): Promise<ItemResult[]> {
  const results: ItemResult[] = [];
  const affected = new Set<string>();
  for (const [index, raw] of list.entries()) {
    const c = checkRetraction(index, raw);
    if (!c.ok) {
      results.push(reject('retractions', index, c.reasons));
      continue;
    }
    const r = c.value;
    const key = `${r.agency}:${r.eventId}`;
    if (sender && r.agency !== sender) {
      results.push(reject('retractions', index, [notOwnAgency('retractions', index, r.agency, sender)], key));
      continue;
    }
    const target = (await repo.latestEvents([{ agency: r.agency, eventId: r.eventId }])).get(key);
    if (!target) {
      results.push(reject('retractions', index, [{ path: formatPath(['retractions', index, 'eventId']), expected: 'must be an event already received from that agency', value: r.eventId }], key));
      continue;
    }
    if (target.retracted) {
      results.push({ kind: 'retractions', index, key, status: 'duplicate', version: target.version });
      continue;
    }
    await repo.insertRetraction(target.id, r.reason, batchId, clock.now());
    if (target.type.startsWith('involvement-')) for (const p of await repo.personsOfEvent(target.id)) affected.add(p);
    results.push({ kind: 'retractions', index, key, status: 'accepted', version: target.version });
  }
  await rebuildInvolvements(repo, affected);
  return results;
}
