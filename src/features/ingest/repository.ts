import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { Rejection } from './validate.ts';

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

/** Ingest batches and the quarantine of rejected items. */
export function ingestRepository(db: Db) {
  return {
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
