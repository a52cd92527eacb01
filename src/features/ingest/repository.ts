import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { BlockingKeys } from '../linkage-review/repository.ts';
import type { Rejection } from './validate.ts';
import type { EventInsert } from '../records/repository.ts';
import { copyRows, copyText, copyTextArray, rawPgClient } from '../../platform/db/copy.ts';

const EVENT_COLUMNS = [
  'id', 'agency_id', 'event_id', 'version', 'supersedes', 'content_hash', 'type', 'at', 'on_date', 'at_precision', 'significant',
  'subjects', 'data', 'text', 'batch_id', 'received_at',
] as const;
const SUBJECT_COLUMNS = ['event_row_id', 'record_id', 'person_id', 'at', 'agency_id', 'type', 'significant'] as const;

type Db = Kysely<DB> | Transaction<DB>;

export interface QuarantineItem {
  id: string;
  batchId: string;
  agencyId: string | null;
  itemKind: string;
  itemIndex: number;
  raw: unknown;
  reasons: Rejection[];
  status: string;
  receivedAt: Date;
}

function toItem(r: {
  id: string; batch_id: string; agency_id: string | null; item_kind: string; item_index: number; raw: unknown;
  reasons: unknown; status: string; received_at: Date;
}): QuarantineItem {
  return {
    id: r.id, batchId: r.batch_id, agencyId: r.agency_id, itemKind: r.item_kind, itemIndex: r.item_index,
    raw: r.raw, reasons: r.reasons as Rejection[], status: r.status, receivedAt: r.received_at,
  };
}

/** The blocking keys of one record, as the linker derives them (src/features/records/linking.ts `matchRecord`). */
export type BulkBlockingKeys = BlockingKeys;

/** Ingest batches and the quarantine of rejected items. */
export function ingestRepository(db: Db) {
  return {
    /**
     * Bulk linkage: for many new records at once, the candidates the linker's
     * own blocking query (linkage-review/repository.ts `candidates`) would find
     * among the records linked now. The blocks are the same (NHS number, birth
     * date or day and month swapped, postcode, similar family and given names;
     * at most `limit` rows per key) but asked set-wise: the name block once per
     * distinct pair of names (the agencies of one family send the same names
     * many times), the exact blocks per key, then the current person and latest
     * body of every record found, once each.
     */
    async bulkCandidates(keys: BulkBlockingKeys[], limit: number): Promise<Map<number, { recordId: number; personId: string; body: unknown }[]>> {
      const out = new Map<number, { recordId: number; personId: string; body: unknown }[]>();
      if (keys.length === 0) return out;
      const found = keys.map(() => new Set<number>());
      // The trigram block is far dearer on a sequential scan than the planner's cost model says (it compares
      // every row's trigrams, for every key): keep to the indexes here, then put the setting back.
      await sql`select set_config('pg_trgm.similarity_threshold', '0.4', true), set_config('enable_seqscan', 'off', true)`.execute(db);
      try {
        const pairKey = (fam: string, giv: string) => `${fam}\u0000${giv}`;
        const pairs = new Map<string, { fam: string; giv: string }>();
        for (const k of keys) if (k.familyName && k.givenName) pairs.set(pairKey(k.familyName, k.givenName), { fam: k.familyName, giv: k.givenName });
        const similar = new Map<string, number[]>();
        const pairList = [...pairs.values()];
        for (let start = 0; start < pairList.length; start += 1000) {
          const part = pairList.slice(start, start + 1000);
          const { rows } = await sql<{ fam: string; giv: string; record_id: string | number }>`
            select p.fam, p.giv, t.record_id
            from unnest(${part.map((p) => p.fam)}::text[], ${part.map((p) => p.giv)}::text[]) as p (fam, giv)
            cross join lateral (
              select record_id from agency_record_version where lower(family_name) % p.fam and lower(given_names) % p.giv limit ${limit}
            ) t`.execute(db);
          for (const r of rows) {
            const key = pairKey(r.fam, r.giv);
            const list = similar.get(key) ?? [];
            list.push(Number(r.record_id));
            similar.set(key, list);
          }
        }
        keys.forEach((k, i) => {
          if (k.familyName && k.givenName) for (const id of similar.get(pairKey(k.familyName, k.givenName)) ?? []) found[i]!.add(id);
        });
        for (let start = 0; start < keys.length; start += 1000) {
          const part = keys.slice(start, start + 1000);
          const col = <T>(f: (k: BulkBlockingKeys) => T) => part.map(f);
          const { rows } = await sql<{ n: number; record_id: string | number }>`
            select k.n, c.record_id
            from unnest(${col((k) => k.nhsNumber)}::text[], ${col((k) => k.birthDates[0] ?? null)}::date[],
              ${col((k) => k.birthDates[1] ?? null)}::date[], ${col((k) => k.postcode)}::text[]) with ordinality as k (nhs, bd1, bd2, pc, n)
            cross join lateral (
              select record_id from agency_record_version where nhs_number = k.nhs
              union select record_id from agency_record_version where birth_date = k.bd1
              union select record_id from agency_record_version where birth_date = k.bd2
              union select record_id from agency_record_version where postcode = k.pc
            ) c`.execute(db);
          for (const r of rows) found[start + Number(r.n) - 1]!.add(Number(r.record_id));
        }
      } finally {
        await sql`select set_config('enable_seqscan', 'on', true)`.execute(db);
      }
      // Of the records found, those linked now whose latest version is a person, with that body.
      const all = [...new Set(found.flatMap((s) => [...s]))];
      const linked = new Map<number, { personId: string; body: unknown }>();
      for (let start = 0; start < all.length; start += 5000) {
        const part = all.slice(start, start + 5000);
        const { rows } = await sql<{ record_id: string | number; person_id: string; body: unknown }>`
          select l.record_id, l.person_id, v.body
          from person_link l
          join lateral (
            select body, kind from agency_record_version v where v.record_id = l.record_id order by version desc limit 1
          ) v on v.kind = 'person'
          where l.record_id = any(${part}::bigint[]) and l.unlinked_at is null`.execute(db);
        for (const r of rows) linked.set(Number(r.record_id), { personId: r.person_id, body: r.body });
      }
      keys.forEach((k, i) => {
        const list: { recordId: number; personId: string; body: unknown }[] = [];
        for (const id of found[i]!) {
          if (list.length >= limit) break;
          const l = linked.get(id);
          if (l && id !== k.recordId) list.push({ recordId: id, ...l });
        }
        if (list.length) out.set(i, list);
      });
      return out;
    },

    /**
     * The bulk path's event store on PostgreSQL: the same rows `insertEvents`
     * (records repository) writes, by COPY instead of INSERT (no per-row
     * parameter arrays to build and parse): row ids are taken from the event
     * sequence first, in the order sent, so the ids are those an INSERT would
     * have given. Undefined when COPY is not available (PGlite): nothing written.
     */
    async copyEvents(events: EventInsert[]): Promise<number[] | undefined> {
      const client = await rawPgClient(db);
      if (!client) return undefined;
      if (events.length === 0) return [];
      const { rows } = await sql<{ id: string | number }>`
        select nextval(pg_get_serial_sequence('event', 'id')) as id from generate_series(1, ${events.length}::int)`.execute(db);
      const ids = rows.map((r) => Number(r.id)).sort((a, b) => a - b);
      const lines: string[] = [];
      const subjects: string[] = [];
      events.forEach((e, i) => {
        const id = String(ids[i]!);
        const at = e.at.toISOString();
        const sig = e.significant ? 't' : 'f';
        lines.push(`${id}\t${copyText(e.agencyId)}\t${copyText(e.eventId)}\t${e.version}\t${copyText(e.supersedes)}\t${copyText(e.contentHash)}\t${copyText(e.type)}\t${at}\t${e.onDate}\t${copyText(e.atPrecision)}\t${sig}\t${copyTextArray(e.subjects)}\t${copyText(JSON.stringify(e.data))}\t${copyText(e.text)}\t${copyText(e.batchId)}\t${e.receivedAt.toISOString()}\n`);
        for (const s of e.subjectRecords) {
          subjects.push(`${id}\t${s.recordId}\t${copyText(s.personId)}\t${at}\t${copyText(e.agencyId)}\t${copyText(e.type)}\t${sig}\n`);
        }
      });
      await copyRows(client, 'event', EVENT_COLUMNS, lines);
      await copyRows(client, 'event_subject', SUBJECT_COLUMNS, subjects);
      return ids;
    },

    /** Pairs decided "not the same person" that involve any of these records, both ways round. */
    async notSamePairsOf(recordIds: number[]): Promise<Map<number, Set<number>>> {
      const out = new Map<number, Set<number>>();
      const add = (a: number, b: number) => {
        const s = out.get(a) ?? new Set<number>();
        s.add(b);
        out.set(a, s);
      };
      for (let start = 0; start < recordIds.length; start += 10_000) {
        const part = recordIds.slice(start, start + 10_000);
        const { rows } = await sql<{ record_id: string | number; candidate_record_id: string | number }>`
          select record_id, candidate_record_id from link_review
          where status = 'not-same-person' and (record_id = any(${part}::bigint[]) or candidate_record_id = any(${part}::bigint[]))`.execute(db);
        for (const r of rows) {
          add(Number(r.record_id), Number(r.candidate_record_id));
          add(Number(r.candidate_record_id), Number(r.record_id));
        }
      }
      return out;
    },

    /**
     * The latest stored version of each (agency, eventId), with whether it is
     * retracted: what the records repository's `latestEvents` answers, asked as
     * one index probe per key (a lateral look-up, newest version first). The
     * bulk path asks for 20,000 keys at a time while `event` grows by millions
     * of rows; a join left to the planner turned into a hash join over the whole
     * table once its statistics lagged, growing with every batch.
     */
    async latestEvents(keys: { agency: string; eventId: string }[]): Promise<Map<string, { id: number; version: number; contentHash: string; retracted: boolean; type: string }>> {
      const out = new Map<string, { id: number; version: number; contentHash: string; retracted: boolean; type: string }>();
      const unique = new Map<string, { agency: string; eventId: string }>();
      for (const k of keys) unique.set(`${k.agency}:${k.eventId}`, k);
      const all = [...unique.values()];
      for (let start = 0; start < all.length; start += 10_000) {
        const part = all.slice(start, start + 10_000);
        const { rows } = await sql<{ id: string | number; agency_id: string; event_id: string; version: number; content_hash: string; type: string; retracted: boolean }>`
          select k.agency_id, k.event_id, e.id, e.version, e.content_hash, e.type,
            exists (select 1 from event_retraction r where r.event_row_id = e.id) as retracted
          from unnest(${part.map((k) => k.agency)}::text[], ${part.map((k) => k.eventId)}::text[]) as k (agency_id, event_id)
          cross join lateral (
            select e.id, e.version, e.content_hash, e.type from event e
            where e.agency_id = k.agency_id and e.event_id = k.event_id order by e.version desc limit 1
          ) e`.execute(db);
        for (const r of rows) {
          out.set(`${r.agency_id}:${r.event_id}`, { id: Number(r.id), version: r.version, contentHash: r.content_hash, retracted: r.retracted, type: r.type });
        }
      }
      return out;
    },

    /** Whether any event is stored (a county load refuses a database that already holds one). */
    async holdsEvents(): Promise<boolean> {
      const { rows } = await sql<{ any: boolean }>`select exists (select 1 from event) as any`.execute(db);
      return Boolean(rows[0]?.any);
    },

    /** The size of the current database on disk, in bytes (PostgreSQL). */
    async databaseBytes(): Promise<number> {
      const { rows } = await sql<{ bytes: string | number }>`select pg_database_size(current_database()) as bytes`.execute(db);
      return Number(rows[0]?.bytes ?? 0);
    },

    async insertBatch(b: { id: string; source: string; senderAgencyId: string | null; actorId: string; receivedAt: Date }): Promise<void> {
      await db
        .insertInto('ingest_batch')
        .values({ id: b.id, source: b.source, sender_agency_id: b.senderAgencyId, actor_id: b.actorId, received_at: b.receivedAt, counts: '{}' })
        .execute();
    },

    async setBatchCounts(id: string, counts: Record<string, number>): Promise<void> {
      await db.updateTable('ingest_batch').set({ counts: JSON.stringify(counts) }).where('id', '=', id).execute();
    },

    async quarantine(items: Omit<QuarantineItem, 'status'>[]): Promise<void> {
      if (items.length === 0) return;
      await db
        .insertInto('quarantine')
        .values(
          items.map((q) => ({
            id: q.id, batch_id: q.batchId, agency_id: q.agencyId, item_kind: q.itemKind, item_index: q.itemIndex,
            raw: JSON.stringify(q.raw ?? null), reasons: JSON.stringify(q.reasons), received_at: q.receivedAt,
          })),
        )
        .execute();
    },

    async list(status: string, limit: number): Promise<QuarantineItem[]> {
      const rows = await db
        .selectFrom('quarantine')
        .select(['id', 'batch_id', 'agency_id', 'item_kind', 'item_index', 'raw', 'reasons', 'status', 'received_at'])
        .where('status', '=', status)
        .orderBy('received_at', 'desc')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(toItem);
    },

    async get(id: string): Promise<QuarantineItem | undefined> {
      const row = await db
        .selectFrom('quarantine')
        .select(['id', 'batch_id', 'agency_id', 'item_kind', 'item_index', 'raw', 'reasons', 'status', 'received_at'])
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toItem(row);
    },

    async resolve(id: string, r: { status: string; by: string; at: Date; batchId: string | null }): Promise<void> {
      await db
        .updateTable('quarantine')
        .set({ status: r.status, resolved_by: r.by, resolved_at: r.at, resolved_batch_id: r.batchId })
        .where('id', '=', id)
        .execute();
    },
  };
}
