import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';

/**
 * Scaling a loaded county up for the read benchmarks: copies of every
 * household's people, records, relationships, families, events and
 * involvements, each copy with its own identifiers.
 *
 * Why: the targets of issues 5, 7 and 8 are set at 300,000 children and ten
 * years (about 50 million events). Loading that many through ingest takes
 * hours on this 2-core machine (BENCHMARKS.md, ingest), longer than a working
 * session; the read paths (chronology, the front door's history panel, the
 * flags recompute) only need the volume and shape of a county that went
 * through ingest. So a county is loaded through ingest once
 * (`kinsight county load`), and `kinsight county replicate` copies it:
 *
 * - record local ids, event ids and the record references inside events
 *   (subjects, a birth's unborn and child) get the suffix `~rK` for copy K;
 * - people, families, links, relationships, events and involvements get new
 *   ids, offset by copy;
 * - a relationship's content hash gets the suffix too (an agency's relationships are unique by it);
 * - everything else (names, dates, addresses, other content hashes) is the same, so
 *   each copy is a twin county: no copy is linked to another, because the
 *   linker never saw the copies. The copies are for reading, not for linkage
 *   figures (those come from the ingested county and the FEBRL files).
 *
 * SQL only: this is a repository. The database must hold a county loaded by
 * `kinsight county load` and nothing replicated yet (the CLI checks).
 */

/** Tables whose secondary indexes are dropped while copying and built again afterwards (far faster than row by row). */
const REINDEXED = ['event', 'event_subject', 'agency_record_version', 'person_link', 'relationship', 'family_member', 'involvement'] as const;

export interface ReplicaBase {
  records: number;
  persons: number;
  links: number;
  relationships: number;
  events: number;
  involvements: number;
}

export function replicaRepository(db: Kysely<DB>) {
  const exec = (q: ReturnType<typeof sql>) => q.execute(db);
  return {
    /** The largest id of each copied table: copy K offsets every id by K times these. */
    async base(): Promise<ReplicaBase> {
      const { rows } = await sql<{ [K in keyof ReplicaBase]: string | number | null }>`
        select (select max(id) from agency_record) as records,
          (select max(substr(id, 3)::bigint) from person) as persons,
          (select max(id) from person_link) as links,
          (select max(id) from relationship) as relationships,
          (select max(id) from event) as events,
          (select max(id) from involvement) as involvements`.execute(db);
      const r = rows[0]!;
      return {
        records: Number(r.records ?? 0), persons: Number(r.persons ?? 0), links: Number(r.links ?? 0),
        relationships: Number(r.relationships ?? 0), events: Number(r.events ?? 0), involvements: Number(r.involvements ?? 0),
      };
    },

    /** Drop the copied tables' secondary indexes (not those behind a constraint); answers their definitions to build again. */
    async dropSecondaryIndexes(): Promise<string[]> {
      const { rows } = await sql<{ indexname: string; indexdef: string }>`
        select i.indexname, i.indexdef from pg_indexes i
        where i.schemaname = 'public' and i.tablename = any(${[...REINDEXED]}::text[])
          and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`.execute(db);
      for (const r of rows) await exec(sql`drop index ${sql.id(r.indexname)}`);
      return rows.map((r) => r.indexdef);
    },

    async createIndexes(definitions: string[]): Promise<void> {
      await exec(sql`set maintenance_work_mem = '2GB'`);
      for (const d of definitions) await exec(sql.raw(d));
    },

    /** Write copy `k` of the base county, in one transaction. */
    async copy(k: number, base: ReplicaBase, batchId: string): Promise<void> {
      const suffix = `~r${k}`;
      const record = base.records * k;
      const person = base.persons * k;
      const pid = (col: string) => sql.raw(`'p_' || (substr(${col}, 3)::bigint + ${person})`);
      await db.transaction().execute(async (trx) => {
        const run = (q: ReturnType<typeof sql>) => q.execute(trx);
        await run(sql`select set_config('synchronous_commit', 'off', true)`);
        await run(sql`
          insert into agency_record (id, agency_id, local_id, first_received_at) overriding system value
          select id + ${record}, agency_id, local_id || ${suffix}, first_received_at from agency_record where id <= ${base.records}`);
        await run(sql`
          insert into agency_record_version (record_id, version, content_hash, kind, given_names, family_name, birth_date, expected_date,
            sex, nhs_number, postcode, body, batch_id, received_at)
          select record_id + ${record}, version, content_hash, kind, given_names, family_name, birth_date, expected_date,
            sex, nhs_number, postcode, jsonb_set(body, '{localId}', to_jsonb(body->>'localId' || ${suffix})), ${batchId}, received_at
          from agency_record_version where record_id <= ${base.records}`);
        await run(sql`
          insert into person (id, restricted, created_at)
          select ${pid('id')}, restricted, created_at from person where substr(id, 3)::bigint <= ${base.persons}`);
        await run(sql`
          insert into person_link (id, person_id, record_id, method, linked_at, unlinked_at, unlink_reason) overriding system value
          select id + ${base.links * k}, ${pid('person_id')}, record_id + ${record}, method, linked_at, unlinked_at, unlink_reason
          from person_link where id <= ${base.links}`);
        await run(sql`
          insert into relationship (id, agency_id, from_record_id, to_record_id, type, from_date, content_hash, batch_id, received_at) overriding system value
          select id + ${base.relationships * k}, agency_id, from_record_id + ${record}, to_record_id + ${record}, type, from_date,
            content_hash || ${suffix}, ${batchId}, received_at
          from relationship where id <= ${base.relationships}`);
        await run(sql`
          insert into family_member (family_id, person_id)
          select 'f_' || (substr(family_id, 3)::bigint + ${person}), ${pid('person_id')}
          from family_member where substr(person_id, 3)::bigint <= ${base.persons}`);
        await run(sql`
          insert into event (id, agency_id, event_id, version, supersedes, content_hash, type, at, on_date, at_precision, significant,
            subjects, data, text, batch_id, received_at) overriding system value
          select id + ${base.events * k}, agency_id, event_id || ${suffix}, version, supersedes + ${base.events * k}, content_hash, type,
            at, on_date, at_precision, significant,
            array(select s || ${suffix} from unnest(subjects) s),
            case when type = 'birth' then data || jsonb_build_object('unborn', (data->>'unborn') || ${suffix}, 'child', (data->>'child') || ${suffix})
              else data end,
            text, ${batchId}, received_at
          from event where id <= ${base.events}`);
        await run(sql`
          insert into event_subject (event_row_id, record_id, person_id, at, agency_id, type, significant)
          select event_row_id + ${base.events * k}, record_id + ${record}, ${pid('person_id')}, at, agency_id, type, significant
          from event_subject where event_row_id <= ${base.events}`);
        await run(sql`
          insert into involvement (id, person_id, agency_id, team_id, service, category, level, started_on, ended_on, end_reason,
            start_event_row_id, end_event_row_id) overriding system value
          select id + ${base.involvements * k}, ${pid('person_id')}, agency_id, team_id, service, category, level, started_on, ended_on,
            end_reason, start_event_row_id + ${base.events * k}, end_event_row_id + ${base.events * k}
          from involvement where id <= ${base.involvements}`);
      });
    },

    /** Move every sequence past the ids the copies took, so what is ingested next gets fresh ones. */
    async advanceSequences(copies: number, base: ReplicaBase): Promise<void> {
      const next = (table: string, max: number) =>
        exec(sql`select setval(pg_get_serial_sequence(${table}, 'id'), ${max * copies})`);
      await next('agency_record', base.records);
      await next('person_link', base.links);
      await next('relationship', base.relationships);
      await next('event', base.events);
      await next('involvement', base.involvements);
      await exec(sql`select setval('person_seq', ${base.persons * copies})`);
    },

    async insertBatch(id: string, at: Date): Promise<void> {
      await exec(sql`insert into ingest_batch (id, source, sender_agency_id, actor_id, received_at, counts)
        values (${id}, 'replica', null, 'county-replicate', ${at}, '{}')`);
    },

    async analyze(): Promise<void> {
      await exec(sql`analyze`);
    },
  };
}
