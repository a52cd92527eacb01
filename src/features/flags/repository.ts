import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { RequestContext } from '../../platform/access/context.ts';
import { auditInsertQuery } from '../../platform/audit/audit.ts';
import { attendedReadFrom, UNREAD_APPOINTMENT_STATUSES, UNREAD_EVENT_TYPES } from '../../domain/flags/reads.ts';

type Db = Kysely<DB> | Transaction<DB>;

const CHUNK = 500;
/** Larger chunks for the set-based reads of many families at once (well under the 65,535 bind parameters). */
const WIDE = 4000;
function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Current (latest, not superseded) and not retracted: what a chronology shows, and what rules see. */
const visibleEvent = sql<boolean>`not exists (select 1 from event s where s.supersedes = e.id)
  and not exists (select 1 from event_retraction r where r.event_row_id = e.id)`;

export type FlagState = 'open' | 'acknowledged' | 'closed';

/** What flags_family_read returns, as json arrays (column order as in migration 0015). */
interface FamilyReadJson {
  agencyHash: string;
  agencies: [string, string, string, string][] | null;
  families: [string, string][] | null;
  merges: [string, string][] | null;
  records: [string, string, string | null, string | null, string | null][] | null;
  relationships: [string, string, string, string | null][] | null;
  events: [number | string, string, string, string, number, string, string, string[], unknown, string[]][] | null;
  flags: [string, string, string, number, string[], string][] | null;
}

/** A stored flag as far as comparing it with a finding needs. */
export interface HeldFlag { id: string; key: string; state: FlagState; ruleVersion: number; evidence: string[]; explanation: string }

/** A chunk's histories and held flags (flagsRepository.chunkRead). */
export type ChunkRead = Omit<FamilyRead, 'agencyHash' | 'agencies' | 'families' | 'merges'>;

/** One round trip's read for a few people's families (flagsRepository.familyRead). */
export interface FamilyRead {
  agencyHash: string;
  /** The agency table, or null when it is what the caller already holds. */
  agencies: { id: string; name: string; kind: string; authority: string }[] | null;
  families: { familyId: string; personId: string }[];
  merges: { from: string; into: string }[];
  records: { personId: string; kind: string; birthDate: string | null; expectedDate: string | null; sex: string | null }[];
  relationships: { from: string; to: string; type: string; fromDate: string | null }[];
  events: {
    id: number; eventId: string; agencyId: string; type: string; at: Date; onDate: string; atPrecision: string;
    subjects: string[]; data: unknown; text: string | null; personIds: string[];
  }[];
  /** Flags held by the people read, newest first within a key. */
  flags: HeldFlag[];
}

export type RoutedToKind = 'user' | 'team' | 'front-door';

/** A live flag's new evidence or wording, with its history row and audit row (flagsRepository.writeChanges). */
export interface FlagUpdate {
  id: string; personId: string; ruleVersion: number; evidence: string[]; evidenceRows: number[]; sources: string[]; explanation: string;
  /** Acknowledged, with new evidence: open again. */
  reopen: boolean;
  history: { action: string; fromState: string; toState: string; details: Record<string, unknown> };
  audit: Record<string, unknown>;
}

/** A new flag (its id, route and the route in its history are the statement's), with its history and audit details. */
export interface FlagInsert {
  key: string; category: string; ruleId: string; ruleVersion: number; personId: string; evidence: string[]; evidenceRows: number[];
  sources: string[]; explanation: string; raisedAt: Date; reviewBy: Date; previousFlagId: string | null;
  /** 'raised', or 'raised-again' after a closed flag with the same key. */
  action: string;
  /** History details besides the route. */
  details: Record<string, unknown>;
  audit: Record<string, unknown>;
}

/** What writeChanges does, and on what condition. */
export interface FlagWrite {
  at: Date;
  ctx: RequestContext;
  actor: { kind: string; id: string };
  homeAuthority: string;
  updates: FlagUpdate[];
  inserts: FlagInsert[];
  /**
   * Write only if the flags with these keys are still exactly these (id,
   * state, rule version, evidence, explanation; newest first within a key):
   * the changes were worked out from them. Null: unconditionally.
   */
  expect: { keys: string[]; flags: HeldFlag[] } | null;
}

export interface FlagRow {
  id: string;
  key: string;
  category: string;
  ruleId: string;
  ruleVersion: number;
  personId: string;
  evidence: string[];
  evidenceRows: number[];
  sources: string[];
  explanation: string;
  raisedAt: Date;
  createdAt: Date;
  updatedAt: Date;
  reviewBy: Date;
  routedToKind: RoutedToKind;
  routedToId: string | null;
  state: FlagState;
  stateNote: string | null;
  stateChangedAt: Date | null;
  stateChangedBy: string | null;
  previousFlagId: string | null;
}

export interface FlagHistoryRow {
  id: number;
  flagId: string;
  at: Date;
  actorKind: string;
  actorId: string;
  action: string;
  fromState: string | null;
  toState: string;
  note: string | null;
  details: unknown;
}

const flagColumns = [
  'f.id', 'f.key', 'f.category', 'f.rule_id as ruleId', 'f.rule_version as ruleVersion', 'f.person_id as personId',
  'f.evidence', 'f.evidence_rows as evidenceRows', 'f.sources', 'f.explanation', 'f.raised_at as raisedAt',
  'f.created_at as createdAt', 'f.updated_at as updatedAt', 'f.review_by as reviewBy', 'f.routed_to_kind as routedToKind',
  'f.routed_to_id as routedToId', 'f.state', 'f.state_note as stateNote', 'f.state_changed_at as stateChangedAt',
  'f.state_changed_by as stateChangedBy', 'f.previous_flag_id as previousFlagId',
] as const;

type RawFlag = Omit<FlagRow, 'evidenceRows' | 'state' | 'routedToKind'> & { evidenceRows: (number | string)[]; state: string; routedToKind: string };
const toFlag = (r: RawFlag): FlagRow => ({
  ...r,
  evidenceRows: r.evidenceRows.map(Number),
  state: r.state as FlagState,
  routedToKind: r.routedToKind as RoutedToKind,
});

export interface NewFlag {
  key: string;
  category: string;
  ruleId: string;
  ruleVersion: number;
  personId: string;
  evidence: string[];
  evidenceRows: number[];
  sources: string[];
  explanation: string;
  raisedAt: Date;
  createdAt: Date;
  reviewBy: Date;
  routedToKind: RoutedToKind;
  routedToId: string | null;
  previousFlagId: string | null;
}

/** Reads the flag engine needs (people, families, links, events) and the flag store. All flag SQL lives here. */
export function flagsRepository(db: Db) {
  return {
    // ---- Building a person's history -------------------------------------------------

    /** The family each of these people belongs to (people with no relationships have none). */
    async familiesOf(personIds: string[]): Promise<Map<string, string>> {
      const out = new Map<string, string>();
      for (const part of chunks([...new Set(personIds)])) {
        const rows = await db.selectFrom('family_member').select(['family_id', 'person_id']).where('person_id', 'in', part).execute();
        for (const r of rows) out.set(r.person_id, r.family_id);
      }
      return out;
    },

    async familyMembers(familyIds: string[]): Promise<{ familyId: string; personId: string }[]> {
      const out: { familyId: string; personId: string }[] = [];
      for (const part of chunks([...new Set(familyIds)])) {
        const rows = await db.selectFrom('family_member').select(['family_id', 'person_id']).where('family_id', 'in', part).execute();
        out.push(...rows.map((r) => ({ familyId: r.family_id, personId: r.person_id })));
      }
      return out;
    },

    /**
     * Everyone in the families of these people, in one query: family id and
     * person for each member (people with no family are absent).
     */
    async familyGroups(personIds: string[]): Promise<{ familyId: string; personId: string }[]> {
      const out: { familyId: string; personId: string }[] = [];
      for (const part of chunks([...new Set(personIds)], WIDE)) {
        const rows = await db.selectFrom('family_member as m')
          .innerJoin('family_member as o', 'o.family_id', 'm.family_id')
          .select(['o.family_id as familyId', 'o.person_id as personId'])
          .where('m.person_id', 'in', part)
          .execute();
        out.push(...rows);
      }
      return out;
    },

    /**
     * A chunk of families for the full recompute (many people: thousands),
     * as familyRead returns it but in four queries run side by side (on
     * PostgreSQL, four connections: the reads use both cores where one
     * function call uses one). Arrays are sent as one parameter each (a
     * list of thousands of parameters costs tens of milliseconds to plan);
     * events come one row per subject person found by the index scan (no
     * sort or aggregate in PostgreSQL: rows with the same event are merged
     * here); no free text. With `asAt`, only the events a rule can read in
     * a history evaluated then (domain/flags/reads.ts: no type no rule
     * reads, no appointment cancelled by the service, no appointment
     * attended more than a year before): most of a long history is
     * appointments attended. Relationships are those from one of these
     * people (the caller keeps those within a family).
     */
    async chunkRead(personIds: string[], asAt?: Date): Promise<ChunkRead> {
      const ids = [...new Set(personIds)];
      const people = sql`${ids}::text[]`;
      const readable = asAt
        ? sql`and e.type <> all(${UNREAD_EVENT_TYPES}::text[])
            and not (e.type = 'appointment' and (e.data ->> 'status' = any(${UNREAD_APPOINTMENT_STATUSES}::text[])
              or (e.data ->> 'status' = 'attended' and e.at < ${attendedReadFrom(asAt)}::timestamptz)))`
        : sql``;
      const [records, relationships, events, flags] = await Promise.all([
        sql<{ personId: string; kind: string; birthDate: string | null; expectedDate: string | null; sex: string | null }>`
          select l.person_id as "personId", v.kind, v.birth_date as "birthDate", v.expected_date as "expectedDate", v.sex
          from person_link l
          join lateral (select v.kind, v.birth_date, v.expected_date, v.sex from agency_record_version v
            where v.record_id = l.record_id order by v.version desc limit 1) v on true
          where l.person_id = any(${people}) and l.unlinked_at is null
          order by l.record_id`.execute(db),
        sql<{ from: string; to: string; type: string; fromDate: string | null }>`
          select lf.person_id as "from", lt.person_id as "to", r.type, r.from_date as "fromDate"
          from person_link lf
          join relationship r on r.from_record_id = lf.record_id
          join person_link lt on lt.record_id = r.to_record_id and lt.unlinked_at is null
          where lf.person_id = any(${people}) and lf.unlinked_at is null
          order by r.id`.execute(db),
        sql<{ id: number; eventId: string; agencyId: string; type: string; atMs: number; onDate: string; atPrecision: string; subjectList: string; data: unknown; personId: string }>`
          select e.id, e.event_id as "eventId", e.agency_id as "agencyId", e.type, (extract(epoch from e.at) * 1000)::float8 as "atMs",
            e.on_date as "onDate", e.at_precision as "atPrecision", array_to_string(e.subjects, chr(31)) as "subjectList", e.data,
            s.person_id as "personId"
          from event_subject s
          join event e on e.id = s.event_row_id
          where s.person_id = any(${people}) ${readable}
            and not exists (select 1 from event x where x.supersedes = e.id)
            and not exists (select 1 from event_retraction r where r.event_row_id = e.id)`.execute(db),
        sql<{ id: string; key: string; state: string; ruleVersion: number; evidence: string[]; explanation: string }>`
          select f.id, f.key, f.state, f.rule_version as "ruleVersion", f.evidence, f.explanation
          from flag f where f.person_id = any(${people})
          order by f.key, f.created_at desc, f.id desc`.execute(db),
      ]);
      const split = (x: string | null) => (x === null || x === '' ? [] : x.split('\u001f'));
      // One row per (event, subject person): merge them, people distinct and sorted (as string_agg(distinct) gave).
      const byId = new Map<number, FamilyRead['events'][number]>();
      for (const r of events.rows) {
        const id = Number(r.id);
        const seen = byId.get(id);
        if (seen) {
          if (!seen.personIds.includes(r.personId)) seen.personIds.push(r.personId);
          continue;
        }
        byId.set(id, {
          id, eventId: r.eventId, agencyId: r.agencyId, type: r.type, at: new Date(Number(r.atMs)), onDate: r.onDate,
          atPrecision: r.atPrecision, subjects: split(r.subjectList), data: r.data, text: null, personIds: [r.personId],
        });
      }
      const merged = [...byId.values()];
      for (const e of merged) if (e.personIds.length > 1) e.personIds.sort();
      return {
        records: records.rows,
        relationships: relationships.rows,
        events: merged.sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id),
        flags: flags.rows.map((f) => ({ ...f, state: f.state as FlagState })),
      };
    },

    /**
     * Everything one evaluation of a few people reads, in one round trip:
     * flags_family_read (migration 0015; a PL/pgSQL function, so its plans are
     * kept per connection rather than made per call). The agencies come back
     * only when their content differs from `knownAgencies` (an md5 the caller
     * got with its cached copy). Events carry the people read that each is
     * about (sorted), and no free text (no rule reads it).
     */
    async familyRead(personIds: string[], knownAgencies: string | null): Promise<FamilyRead> {
      const ids = [...new Set(personIds)];
      const { rows } = await sql<{ r: FamilyReadJson | string }>`select flags_family_read(${ids}::text[], ${knownAgencies}::text) as r`.execute(db);
      const raw = rows[0]!.r;
      const r: FamilyReadJson = typeof raw === 'string' ? JSON.parse(raw) as FamilyReadJson : raw;
      return {
        agencyHash: r.agencyHash,
        agencies: r.agencies?.map(([id, name, kind, authority]) => ({ id, name, kind, authority })) ?? null,
        families: (r.families ?? []).map(([familyId, personId]) => ({ familyId, personId })),
        merges: (r.merges ?? []).map(([from, into]) => ({ from, into })),
        records: (r.records ?? []).map(([personId, kind, birthDate, expectedDate, sex]) => ({ personId, kind, birthDate, expectedDate, sex })),
        relationships: (r.relationships ?? []).map(([from, to, type, fromDate]) => ({ from, to, type, fromDate })),
        events: (r.events ?? []).map(([id, eventId, agencyId, type, atMs, onDate, atPrecision, subjects, data, people]) => ({
          id: Number(id), eventId, agencyId, type, at: new Date(atMs), onDate, atPrecision, subjects, data, text: null,
          personIds: people.sort(),
        })).sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id),
        flags: (r.flags ?? []).map(([id, key, state, ruleVersion, evidence, explanation]) => ({ id, key, state: state as FlagState, ruleVersion, evidence, explanation })),
      };
    },

    async agencies() {
      return db.selectFrom('agency').select(['id', 'name', 'kind', 'authority_code as authority']).orderBy('id').execute();
    },

    /** People an ingest touched: the subjects of these events ("agency:eventId"). */
    async peopleOfEvents(keys: { agency: string; eventId: string }[]): Promise<string[]> {
      const out = new Set<string>();
      for (const part of chunks(keys, 200)) {
        if (part.length === 0) continue;
        const rows = await db
          .selectFrom('event as e')
          .innerJoin('event_subject as s', 's.event_row_id', 'e.id')
          .select('s.person_id')
          .where((eb) => eb.or(part.map((k) => eb.and([eb('e.agency_id', '=', k.agency), eb('e.event_id', '=', k.eventId)]))))
          .execute();
        for (const r of rows) out.add(r.person_id);
      }
      return [...out].sort();
    },

    /** Subjects of visible events of these types recorded on or after a day: the people a time-based rule can still fire for. */
    async peopleWithRecentEvents(types: string[], since: string): Promise<string[]> {
      if (types.length === 0) return [];
      const rows = await db.selectFrom('event as e').innerJoin('event_subject as s', 's.event_row_id', 'e.id')
        .select('s.person_id').distinct().where('e.type', 'in', types).where('e.on_date', '>=', since).where(visibleEvent).execute();
      return rows.map((r) => r.person_id).sort();
    },

    /** Every person holding a linked record, for a full recompute. */
    async allPeople(): Promise<string[]> {
      const rows = await db.selectFrom('person_link').select('person_id').distinct().where('unlinked_at', 'is', null).execute();
      return rows.map((r) => r.person_id).sort();
    },

    // ---- Routing ----------------------------------------------------------------------

    /** A person's open involvements, the allocated team (or the agency's teams) and the agency kind. */
    async openInvolvements(personId: string) {
      return db
        .selectFrom('involvement as i')
        .innerJoin('agency as a', 'a.id', 'i.agency_id')
        .select(['i.id', 'i.agency_id as agencyId', 'a.kind as agencyKind', 'i.team_id as teamId', 'i.service', 'i.started_on as startedOn'])
        .where('i.person_id', '=', personId)
        .where('i.ended_on', 'is', null)
        .orderBy('i.started_on', 'desc')
        .orderBy('i.id', 'desc')
        .execute();
    },

    /** Open involvements of many people at once (for routing many new flags), newest first within a person. */
    async openInvolvementsOf(personIds: string[]) {
      const out: { personId: string; agencyId: string; teamId: string | null; service: string }[] = [];
      for (const part of chunks([...new Set(personIds)], WIDE)) {
        const rows = await db.selectFrom('involvement as i')
          .select(['i.person_id as personId', 'i.agency_id as agencyId', 'i.team_id as teamId', 'i.service'])
          .where('i.person_id', 'in', part)
          .where('i.ended_on', 'is', null)
          .orderBy('i.person_id').orderBy('i.started_on', 'desc').orderBy('i.id', 'desc')
          .execute();
        out.push(...rows);
      }
      return out;
    },

    /** The current, named lead practitioner in each of these children's Team Around the Child. */
    async leadPractitionersOf(personIds: string[]): Promise<Map<string, string>> {
      const out = new Map<string, string>();
      for (const part of chunks([...new Set(personIds)], WIDE)) {
        const rows = await db.selectFrom('team_around_child_member')
          .select(['child_person_id as personId', 'user_id as userId'])
          .where('child_person_id', 'in', part).where('role', '=', 'lead-practitioner').where('left_on', 'is', null)
          .where('user_id', 'is not', null)
          .execute();
        for (const r of rows) out.set(r.personId, r.userId!);
      }
      return out;
    },

    async teamsOfAgencies(agencyIds: string[]) {
      if (agencyIds.length === 0) return [];
      return db.selectFrom('team').select(['id', 'agency_id as agencyId', 'name', 'kind']).where('agency_id', 'in', agencyIds).orderBy('id').execute();
    },

    async frontDoorAgencies() {
      return db.selectFrom('agency').select(['id', 'authority_code as authority']).where('kind', '=', 'front-door').orderBy('id').execute();
    },

    // ---- The flag store -----------------------------------------------------------------

    /** The flags (any state) with these keys, newest first within a key. */
    async flagsByKeys(keys: string[]): Promise<FlagRow[]> {
      const out: FlagRow[] = [];
      for (const part of chunks([...new Set(keys)], WIDE)) {
        // One array parameter: a list of parameters is planned afresh for every length.
        const rows = await db.selectFrom('flag as f').select(flagColumns).where(sql<boolean>`f.key = any(${part}::text[])`)
          .orderBy('f.key').orderBy('f.created_at', 'desc').orderBy('f.id', 'desc').execute();
        out.push(...rows.map(toFlag));
      }
      return out;
    },

    /**
     * Every write of a store in one statement (one round trip, atomic): the
     * updates of live flags, the new flags (ids from flag_seq in the order
     * given; each routed as routesFor in service.ts does: the child's lead
     * practitioner, else the team of the open involvement whose service
     * leads, else the front door of the home authority), their history rows
     * (updates first, then new flags, each in the order given) and audit
     * rows. With `expect`, nothing is written (and no id taken) unless the
     * flags with those keys are as expected; `ok` says whether it wrote.
     * The ids of the new flags come back in the order given.
     */
    async writeChanges(w: FlagWrite): Promise<{ ok: boolean; ids: string[] }> {
      const updates = JSON.stringify(w.updates.map((u, i) => ({
        ord: i, id: u.id, person_id: u.personId, rule_version: u.ruleVersion, evidence: u.evidence, evidence_rows: u.evidenceRows,
        sources: u.sources, explanation: u.explanation, reopen: u.reopen, action: u.history.action, from_state: u.history.fromState,
        to_state: u.history.toState, details: u.history.details, audit: u.audit,
      })));
      const inserts = JSON.stringify(w.inserts.map((f, i) => ({
        ord: i + 1, key: f.key, category: f.category, rule_id: f.ruleId, rule_version: f.ruleVersion, person_id: f.personId,
        evidence: f.evidence, evidence_rows: f.evidenceRows, sources: f.sources, explanation: f.explanation,
        raised_at: f.raisedAt.toISOString(), review_by: f.reviewBy.toISOString(), previous_flag_id: f.previousFlagId,
        action: f.action, details: f.details, audit: f.audit,
      })));
      const expected = w.expect
        ? JSON.stringify(w.expect.flags.map((f) => [f.id, f.state, f.ruleVersion, f.evidence, f.explanation]))
        : null;
      const keys = w.expect ? [...new Set(w.expect.keys)] : [];
      const audit = auditInsertQuery(w.ctx, sql<{
        action: 'correct' | 'create'; outcome: 'succeeded'; subject_type: string | null; subject_id: string | null; person_id: string | null; details: unknown;
      }>`select a.action, 'succeeded' as outcome, 'flag' as subject_type, a.id as subject_id, a.person_id, a.audit as details from (
          select 0 as part, u.ord, 'correct' as action, u.id, u.person_id, u.audit from u where (select ok from guard)
          union all select 1, r.ord, 'create', r.id, r.person_id, r.audit from routed r
        ) a order by a.part, a.ord`);
      const { rows } = await sql<{ ok: boolean; ids: string[] | null }>`
        with guard as (
          select ${expected}::jsonb is null or coalesce((
            select jsonb_agg(jsonb_build_array(f.id, f.state, f.rule_version, f.evidence, f.explanation) order by f.key, f.created_at desc, f.id desc)
            from flag f where f.key = any(${keys}::text[])), '[]'::jsonb) = ${expected}::jsonb as ok
        ),
        u as (
          select * from json_to_recordset(${updates}::json) as x(ord int, id text, person_id text, rule_version int, evidence text[],
            evidence_rows bigint[], sources text[], explanation text, reopen boolean, action text, from_state text, to_state text,
            details jsonb, audit jsonb)
        ),
        upd as (
          update flag f set rule_version = u.rule_version, evidence = u.evidence, evidence_rows = u.evidence_rows, sources = u.sources,
            explanation = u.explanation, updated_at = ${w.at}, state = case when u.reopen then 'open' else f.state end
          from u where f.id = u.id and (select ok from guard)
          returning f.id
        ),
        n as (
          select * from json_to_recordset(${inserts}::json) as x(ord int, key text, category text, rule_id text, rule_version int,
            person_id text, evidence text[], evidence_rows bigint[], sources text[], explanation text, raised_at timestamptz,
            review_by timestamptz, previous_flag_id text, action text, details jsonb, audit jsonb)
        ),
        seq as (
          select row_number() over (order by v) as ord, 'fl_' || v as id
          from (select nextval('flag_seq') as v from generate_series(1, (select count(*) from n)::int) where (select ok from guard)) s
        ),
        routed as (
          select n.*, seq.id, r.route ->> 0 as routed_to_kind, r.route ->> 1 as routed_to_id
          from n join seq on seq.ord = n.ord
          cross join lateral (select coalesce(
            (select jsonb_build_array('user', m.user_id::text) from team_around_child_member m
              where m.child_person_id = n.person_id and m.role = 'lead-practitioner' and m.left_on is null and m.user_id is not null limit 1),
            (select jsonb_build_array('team', coalesce(i.team_id, t.id)) from involvement i
              left join lateral (select t.id from team t where t.agency_id = i.agency_id order by t.id limit 1) t on true
              where i.person_id = n.person_id and i.ended_on is null and (i.team_id is not null or t.id is not null)
              order by case i.service when 'child-protection' then 0 when 'looked-after' then 1 when 'child-in-need' then 2
                when 'early-help' then 3 when 'tac' then 4 else 5 end, i.started_on desc, i.id desc
              limit 1),
            jsonb_build_array('front-door', (select d.id from agency d where d.kind = 'front-door'
              order by d.authority_code = ${w.homeAuthority} desc, d.id limit 1))) as route) r
        ),
        ins as (
          insert into flag (id, key, category, rule_id, rule_version, person_id, evidence, evidence_rows, sources, explanation,
            raised_at, created_at, updated_at, review_by, routed_to_kind, routed_to_id, previous_flag_id)
          select r.id, r.key, r.category, r.rule_id, r.rule_version, r.person_id, r.evidence, r.evidence_rows, r.sources, r.explanation,
            r.raised_at, ${w.at}, ${w.at}, r.review_by, r.routed_to_kind, r.routed_to_id, r.previous_flag_id
          from routed r order by r.ord
          returning id
        ),
        hist as (
          insert into flag_history (flag_id, at, actor_kind, actor_id, action, from_state, to_state, note, details)
          select h.id, ${w.at}, ${w.actor.kind}, ${w.actor.id}, h.action, h.from_state, h.to_state, null, h.details from (
            select 0 as part, u.ord, u.id, u.action, u.from_state, u.to_state, u.details from u where (select ok from guard)
            union all
            select 1, r.ord, r.id, r.action, null, 'open',
              jsonb_build_object('routedTo', jsonb_build_object('kind', r.routed_to_kind, 'id', r.routed_to_id)) || r.details
            from routed r
          ) h order by h.part, h.ord
        ),
        aud as (${audit})
        select (select ok from guard) as ok, (select array_agg(r.id order by r.ord) from routed r) as ids`.execute(db);
      const row = rows[0]!;
      return { ok: row.ok, ids: row.ids ?? [] };
    },

    async insertFlag(f: NewFlag): Promise<string> {
      const { rows } = await sql<{ id: string }>`select 'fl_' || nextval('flag_seq') as id`.execute(db);
      const id = rows[0]!.id;
      await db.insertInto('flag').values({
        id, key: f.key, category: f.category, rule_id: f.ruleId, rule_version: f.ruleVersion, person_id: f.personId,
        evidence: f.evidence, evidence_rows: f.evidenceRows, sources: f.sources, explanation: f.explanation,
        raised_at: f.raisedAt, created_at: f.createdAt, updated_at: f.createdAt, review_by: f.reviewBy,
        routed_to_kind: f.routedToKind, routed_to_id: f.routedToId, previous_flag_id: f.previousFlagId,
      }).execute();
      return id;
    },

    /** Many new flags in one statement; ids are taken from flag_seq in the order given. */
    async insertFlags(flags: NewFlag[]): Promise<string[]> {
      if (flags.length === 0) return [];
      const { rows } = await sql<{ n: string }>`select nextval('flag_seq')::text as n from generate_series(1, ${flags.length}::int)`.execute(db);
      const ids = rows.map((r) => BigInt(r.n)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((n) => `fl_${n}`);
      for (const [part, offset] of chunks(flags.map((f, i) => [f, i] as const), 1000).map((p) => [p, p[0]![1]] as const)) {
        await db.insertInto('flag').values(part.map(([f], j) => ({
          id: ids[offset + j]!, key: f.key, category: f.category, rule_id: f.ruleId, rule_version: f.ruleVersion, person_id: f.personId,
          evidence: f.evidence, evidence_rows: f.evidenceRows, sources: f.sources, explanation: f.explanation,
          raised_at: f.raisedAt, created_at: f.createdAt, updated_at: f.createdAt, review_by: f.reviewBy,
          routed_to_kind: f.routedToKind, routed_to_id: f.routedToId, previous_flag_id: f.previousFlagId,
        }))).execute();
      }
      return ids;
    },

    /** Many history rows in one statement. */
    async insertHistories(rows: (Omit<FlagHistoryRow, 'id' | 'details'> & { details?: Record<string, unknown> })[]): Promise<void> {
      for (const part of chunks(rows, 1000)) {
        if (part.length === 0) continue;
        await db.insertInto('flag_history').values(part.map((h) => ({
          flag_id: h.flagId, at: h.at, actor_kind: h.actorKind, actor_id: h.actorId, action: h.action,
          from_state: h.fromState, to_state: h.toState, note: h.note, details: JSON.stringify(h.details ?? {}),
        }))).execute();
      }
    },

    /** New evidence or wording for a live flag (open or acknowledged). */
    async updateFlagFinding(id: string, f: {
      ruleVersion: number; evidence: string[]; evidenceRows: number[]; sources: string[]; explanation: string; updatedAt: Date; state?: FlagState;
    }): Promise<void> {
      await db.updateTable('flag').set({
        rule_version: f.ruleVersion, evidence: f.evidence, evidence_rows: f.evidenceRows, sources: f.sources,
        explanation: f.explanation, updated_at: f.updatedAt, ...(f.state ? { state: f.state } : {}),
      }).where('id', '=', id).execute();
    },

    async setState(id: string, s: { state: FlagState; note: string | null; at: Date; by: string }): Promise<void> {
      await db.updateTable('flag').set({
        state: s.state, state_note: s.note, state_changed_at: s.at, state_changed_by: s.by, updated_at: s.at,
      }).where('id', '=', id).execute();
    },

    async insertHistory(h: Omit<FlagHistoryRow, 'id' | 'details'> & { details?: Record<string, unknown> }): Promise<void> {
      await db.insertInto('flag_history').values({
        flag_id: h.flagId, at: h.at, actor_kind: h.actorKind, actor_id: h.actorId, action: h.action,
        from_state: h.fromState, to_state: h.toState, note: h.note, details: JSON.stringify(h.details ?? {}),
      }).execute();
    },

    async history(flagId: string): Promise<FlagHistoryRow[]> {
      return db.selectFrom('flag_history').selectAll().where('flag_id', '=', flagId).orderBy('id').execute()
        .then((rows) => rows.map((r) => ({
          id: r.id, flagId: r.flag_id, at: r.at, actorKind: r.actor_kind, actorId: r.actor_id, action: r.action,
          fromState: r.from_state, toState: r.to_state, note: r.note, details: r.details,
        })));
    },

    async flag(id: string): Promise<FlagRow | undefined> {
      const row = await db.selectFrom('flag as f').select(flagColumns).where('f.id', '=', id).executeTakeFirst();
      return row && toFlag(row);
    },

    /** Flags about these people, live ones first, newest first. */
    async flagsOfPeople(personIds: string[]): Promise<FlagRow[]> {
      if (personIds.length === 0) return [];
      const rows = await db.selectFrom('flag as f').select(flagColumns).where('f.person_id', 'in', [...new Set(personIds)])
        .orderBy(sql`case when f.state = 'closed' then 1 else 0 end`).orderBy('f.created_at', 'desc').orderBy('f.id', 'desc').execute();
      return rows.map(toFlag);
    },

    /** Every flag, oldest first (replay's output). */
    async allFlags(): Promise<FlagRow[]> {
      const rows = await db.selectFrom('flag as f').select(flagColumns)
        .orderBy('f.created_at').orderBy(sql`length(f.id)`).orderBy('f.id').execute();
      return rows.map(toFlag);
    },

    /** Live flags routed to these destinations, the soonest review first. */
    async worklist(routes: { kind: RoutedToKind; id: string | null }[], limit = 200): Promise<FlagRow[]> {
      if (routes.length === 0) return [];
      const rows = await db.selectFrom('flag as f').select(flagColumns)
        .where('f.state', '!=', 'closed')
        .where((eb) => eb.or(routes.map((r) => eb.and([
          eb('f.routed_to_kind', '=', r.kind),
          r.id === null ? eb('f.routed_to_id', 'is', null) : eb('f.routed_to_id', '=', r.id),
        ]))))
        .orderBy('f.review_by').orderBy('f.id').limit(limit).execute();
      return rows.map(toFlag);
    },

    /** Event row ids and sender ids of a person's visible events (for linking flags to chronology entries). */
    async eventRows(rowIds: number[]) {
      if (rowIds.length === 0) return [];
      return db.selectFrom('event as e').innerJoin('agency as a', 'a.id', 'e.agency_id')
        .select(['e.id', 'e.event_id as eventId', 'e.agency_id as agencyId', 'a.name as agencyName', 'e.type', 'e.at', 'e.on_date as onDate', 'e.text'])
        .where('e.id', 'in', [...new Set(rowIds)]).orderBy('e.at').orderBy('e.id').execute();
    },

    async teamNames(ids: string[]): Promise<Map<string, string>> {
      if (ids.length === 0) return new Map();
      const rows = await db.selectFrom('team as t').innerJoin('agency as a', 'a.id', 't.agency_id')
        .select(['t.id', 't.name', 'a.name as agencyName']).where('t.id', 'in', [...new Set(ids)]).execute();
      return new Map(rows.map((r) => [r.id, `${r.name}, ${r.agencyName}`]));
    },

    async userNames(ids: string[]): Promise<Map<string, string>> {
      if (ids.length === 0) return new Map();
      const rows = await db.selectFrom('app_user').select(['id', 'display_name']).where('id', 'in', [...new Set(ids)]).execute();
      return new Map(rows.map((r) => [r.id, r.display_name]));
    },

    async agencyKind(id: string): Promise<string | undefined> {
      const row = await db.selectFrom('agency').select('kind').where('id', '=', id).executeTakeFirst();
      return row?.kind;
    },
  };
}

export type FlagsRepository = ReturnType<typeof flagsRepository>;

/** Reads for following people through merges and for finding who an ingest batch touched. */
export function flagsLinkRepository(db: Db) {
  return {
    /** People who formerly held a record now linked to one of these people and hold no record now (merged away). */
    async mergedAway(personIds: string[]): Promise<{ from: string; into: string }[]> {
      const out: { from: string; into: string }[] = [];
      for (const part of chunks([...new Set(personIds)], WIDE)) {
        if (part.length === 0) continue;
        out.push(...await this.mergedAwayChunk(part));
      }
      return out;
    },

    async mergedAwayChunk(personIds: string[]): Promise<{ from: string; into: string }[]> {
      const rows = await db
        .selectFrom('person_link as cur')
        .innerJoin('person_link as old', (j) => j.onRef('old.record_id', '=', 'cur.record_id').on('old.unlinked_at', 'is not', null))
        .select(['old.person_id as from', 'cur.person_id as into'])
        .distinct()
        .where('cur.person_id', 'in', [...new Set(personIds)])
        .where('cur.unlinked_at', 'is', null)
        .whereRef('old.person_id', '!=', 'cur.person_id')
        .where((eb) => eb.not(eb.exists(eb.selectFrom('person_link as h').select('h.id').whereRef('h.person_id', '=', 'old.person_id').where('h.unlinked_at', 'is', null))))
        .execute();
      return rows;
    },

    /** Which of these people hold any flag (so a merge only touches flags that exist). */
    async peopleWithFlags(personIds: string[]): Promise<Set<string>> {
      const out = new Set<string>();
      for (const part of chunks([...new Set(personIds)], WIDE)) {
        if (part.length === 0) continue;
        const rows = await db.selectFrom('flag').select('person_id').distinct().where('person_id', 'in', part).execute();
        for (const r of rows) out.add(r.person_id);
      }
      return out;
    },

    async moveFlags(from: string, into: string): Promise<string[]> {
      const rows = await db.updateTable('flag').set({ person_id: into }).where('person_id', '=', from).returning('id').execute();
      return rows.map((r) => r.id);
    },

    /** The people an ingest batch touched: the subjects of its events and the people of its records. */
    async peopleOfBatch(batchId: string): Promise<string[]> {
      const fromEvents = await db.selectFrom('event as e').innerJoin('event_subject as s', 's.event_row_id', 'e.id')
        .select('s.person_id').distinct().where('e.batch_id', '=', batchId).execute();
      const fromRecords = await db.selectFrom('agency_record_version as v')
        .innerJoin('person_link as l', (j) => j.onRef('l.record_id', '=', 'v.record_id').on('l.unlinked_at', 'is', null))
        .select('l.person_id').distinct().where('v.batch_id', '=', batchId).execute();
      return [...new Set([...fromEvents, ...fromRecords].map((r) => r.person_id))].sort();
    },
  };
}
