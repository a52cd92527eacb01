import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { prepared } from '../../platform/db/prepared.ts';
import type { RecordVersionRow } from '../records/repository.ts';

type Db = Kysely<DB> | Transaction<DB>;

export interface ChronologyQuery {
  /** The access check for the people asked about (person-access.ts): one row (person_id, access) per person the caller may see. */
  access: RawBuilder<{ person_id: string; access: string }>;
  /** The audit INSERT for the read (audit.ts); it may refer to the CTEs `access`, `shown` (the events shown) and, with `withFlags`, `flags`. */
  audit: RawBuilder<unknown>;
  /** Also read the concern flags of the people allowed (the page links each entry to the flags it is evidence for). */
  withFlags: boolean;
  agencies: string[];
  types: string[];
  from: string | null;
  to: string | null;
  significantOnly: boolean;
  newestFirst: boolean;
  /** Rows to skip (earlier pages) and the most to return; one more is read to tell whether there are more. */
  offset: number;
  limit: number;
}

export interface ChronologyRow {
  id: number;
  eventId: string;
  agencyId: string;
  agencyName: string;
  type: string;
  at: string;
  onDate: string;
  atPrecision: string;
  significant: boolean;
  data: unknown;
  text: string | null;
  version: number;
}

/** A current record of someone in the chronology: the record's own name columns (as records keep them), with whose it is and which agency holds it. */
export type ChronologyRecordRow = { personId: string; agencyName: string } & Pick<
  RecordVersionRow,
  'kind' | 'givenNames' | 'familyName' | 'birthDate' | 'expectedDate' | 'sex' | 'nhsNumber' | 'postcode'
>;

/** A concern flag about someone in the chronology, as far as the page shows it. */
export interface ChronologyFlagRow {
  id: string;
  personId: string;
  category: string;
  state: 'open' | 'acknowledged' | 'closed';
  /** The event rows it rests on. */
  evidenceRows: number[];
}

export interface ChronologyResult {
  access: { personId: string; access: string }[];
  events: ChronologyRow[];
  /** [event row id, person id] for each event shown and each person allowed it is about. */
  subjects: [number, string][];
  records: ChronologyRecordRow[];
  agencies: { id: string; name: string }[];
  /** With `withFlags`: live flags first, then newest first (as the flags pages order them). */
  flags: ChronologyFlagRow[];
}

/** The chronology's reads: one statement. */
export function chronologyRepository(db: Db) {
  return {
    /**
     * Everything a chronology shows, in one statement (one round trip): the
     * access check (its rows drive every other part, each by its person
     * index, so nothing is read for a person it does not allow), the visible events of the people allowed (latest
     * version, not retracted, by time, from the (person_id, at) index, one
     * row per event: for each person the index is read in the page's order
     * and stops at the rows the page needs, so a long history costs no more
     * than a short one; an event among the page's rows is among them for
     * each of its people too), which of those people each is about, their current
     * records (for names and ages, without the bodies), the agencies for the
     * filters, the concern flags (with `withFlags`), and the audit rows,
     * which commit with the read. Nothing is read or audited for a person the
     * check does not allow. Unfiltered, a prepared statement (platform/db/prepared.ts):
     * planned once per connection and text, not on every read. Its generic
     * plan cannot know how few people the check allows, so each part reads
     * per person through a lateral subquery (`offset 0` keeps it one): index
     * probes, never a hash join over a whole table.
     */
    async read(q: ChronologyQuery): Promise<ChronologyResult> {
      const dir = sql.raw(q.newestFirst ? 'desc' : 'asc');
      const filters: RawBuilder<unknown>[] = [];
      if (q.agencies.length) filters.push(sql`and s.agency_id = any(${q.agencies}::text[])`);
      if (q.types.length) filters.push(sql`and s.type = any(${q.types}::text[])`);
      if (q.significantOnly) filters.push(sql`and s.significant`);
      if (q.from) filters.push(sql`and s.at >= ${new Date(`${q.from}T00:00:00Z`)}`);
      if (q.to) filters.push(sql`and s.at < ${new Date(new Date(`${q.to}T00:00:00Z`).getTime() + 86_400_000)}`);
      const flagOrder = sql`order by case when f.state = 'closed' then 1 else 0 end, f.created_at desc, f.id desc`;
      const statement = sql<{
        access: ChronologyResult['access'] | null; events: ChronologyRow[] | null; subjects: [number, string][] | null;
        records: ChronologyRecordRow[] | null; agencies: ChronologyResult['agencies'] | null; flags: ChronologyFlagRow[] | null;
      }>`
        with access as materialized (${q.access}),
        ev as materialized (
          select e.id, e.event_id as "eventId", e.agency_id as "agencyId", a.name as "agencyName", e.type, e.at, e.on_date as "onDate",
                 e.at_precision as "atPrecision", e.significant, e.data, e.text, e.version
            from (select distinct k.event_row_id from access x cross join lateral (
                    select distinct s.at, s.event_row_id from event_subject s
                     where s.person_id = x.person_id ${sql.join(filters, sql` `)}
                       and not exists (select 1 from event n where n.supersedes = s.event_row_id)
                       and not exists (select 1 from event_retraction r where r.event_row_id = s.event_row_id)
                     order by s.at ${dir}, s.event_row_id ${dir}
                     limit ${q.offset + q.limit + 1}) k) k
            join event e on e.id = k.event_row_id
            join agency a on a.id = e.agency_id
           order by e.at ${dir}, e.id ${dir}
           offset ${q.offset} limit ${q.limit + 1}
        ),
        shown as materialized (select * from ev order by at ${dir}, id ${dir} limit ${q.limit}),
        ${q.withFlags ? sql`flags as materialized (
          select f.id, f.person_id, f.category, f.state, f.evidence_rows, f.created_at
            from access x cross join lateral (select * from flag f where f.person_id = x.person_id offset 0) f
        ),` : sql``}
        audit as (${q.audit})
        select
          (select json_agg(json_build_object('personId', person_id, 'access', access)) from access) as access,
          (select json_agg(ev order by ev.at ${dir}, ev.id ${dir}) from ev) as events,
          (select json_agg(json_build_array(s.event_row_id, s.person_id))
             from shown join event_subject s on s.event_row_id = shown.id
            where s.person_id in (select person_id from access)) as subjects,
          (select json_agg(json_build_object('personId', l.person_id, 'agencyName', a.name, 'kind', v.kind, 'givenNames', v.given_names,
                    'familyName', v.family_name, 'birthDate', v.birth_date, 'expectedDate', v.expected_date, 'sex', v.sex,
                    'nhsNumber', v.nhs_number, 'postcode', v.postcode) order by a.name, r.local_id)
             from access x
             cross join lateral (select l.person_id, l.record_id from person_link l where l.person_id = x.person_id and l.unlinked_at is null offset 0) l
             join agency_record r on r.id = l.record_id
             join agency a on a.id = r.agency_id
             cross join lateral (select * from agency_record_version v where v.record_id = r.id order by v.version desc limit 1) v) as records,
          (select json_agg(json_build_object('id', a.id, 'name', a.name) order by a.name)
             from agency a
            where a.id in (select r.agency_id from access x
                             cross join lateral (select l.record_id from person_link l where l.person_id = x.person_id and l.unlinked_at is null offset 0) l
                             join agency_record r on r.id = l.record_id
                           union
                           select s.agency_id from access x
                             cross join lateral (select s.agency_id from event_subject s where s.person_id = x.person_id offset 0) s)) as agencies,
          ${q.withFlags ? sql`(select json_agg(json_build_object('id', f.id, 'personId', f.person_id, 'category', f.category, 'state', f.state,
                    'evidenceRows', f.evidence_rows) ${flagOrder}) from flags f)` : sql`null::json`} as flags
      `;
      // Prepared only unfiltered (the page as opened; each filter makes another text, and a cached plan of
      // this statement holds about 1 MB of the server's memory on each connection): a handful of texts.
      const { rows } = await (filters.length === 0 ? prepared(statement) : statement).execute(db);
      const row = rows[0];
      return {
        access: row?.access ?? [],
        events: row?.events ?? [],
        subjects: row?.subjects ?? [],
        records: row?.records ?? [],
        agencies: row?.agencies ?? [],
        flags: (row?.flags ?? []).map((f) => ({ ...f, evidenceRows: f.evidenceRows.map(Number) })),
      };
    },
  };
}

/**
 * The audit rows for reading the flags of `flags` (a CTE of the read with
 * `withFlags`): one per person with flags, naming them, as the flags pages
 * audit a read of flags. Rows for auditInsertQuery, beside the read's own.
 */
export function flagReadAuditRows(): RawBuilder<unknown> {
  return sql`select 'read'::text as action,
         case when a.access = 'break-glass' then 'break-glass' else 'allowed' end as outcome,
         'flag'::text as subject_type, null::text as subject_id, f.person_id,
         jsonb_build_object('flags', jsonb_agg(f.id order by case when f.state = 'closed' then 1 else 0 end, f.created_at desc, f.id desc)) as details
    from flags f join access a on a.person_id = f.person_id
   group by f.person_id, a.access`;
}

/** A family's members, as a query (the access check's target for a family chronology). */
export function familyMembersQuery(familyId: string): RawBuilder<{ person_id: string }> {
  return sql`select person_id from family_member where family_id = ${familyId}`;
}
