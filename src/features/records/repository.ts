import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { HouseholdCorrection, ResidenceRow } from '../../domain/linkage/household.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** Rows go to the database in chunks this size (PostgreSQL allows 65,535 parameters a statement). */
const CHUNK = 500;
function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface RecordVersionRow {
  recordId: number;
  version: number;
  contentHash: string;
  kind: string;
  givenNames: string | null;
  familyName: string | null;
  birthDate: string | null;
  expectedDate: string | null;
  sex: string | null;
  nhsNumber: string | null;
  postcode: string | null;
  body: unknown;
  batchId: string;
  receivedAt: Date;
}

export interface EventInsert {
  agencyId: string;
  eventId: string;
  version: number;
  supersedes: number | null;
  contentHash: string;
  type: string;
  at: Date;
  onDate: string;
  atPrecision: string;
  significant: boolean;
  subjects: string[];
  data: unknown;
  text: string | null;
  batchId: string;
  receivedAt: Date;
  /** Resolved subject records and the person each is linked to now. */
  subjectRecords: { recordId: number; personId: string }[];
}

/** Current (latest, not superseded) and not retracted: what a chronology shows. */
const visibleEvent = sql<boolean>`not exists (select 1 from event s where s.supersedes = e.id)
  and not exists (select 1 from event_retraction r where r.event_row_id = e.id)`;

/**
 * The record store: agency records as received, people and their links,
 * relationships, families, events and involvements. All SQL for them lives here.
 */
export function recordsRepository(db: Db) {
  return {
    /** The handle these queries run on: the linker (features/linkage-review) runs its own queries in the same transaction. */
    db,

    async agencies(ids: string[]): Promise<Map<string, { id: string; name: string; kind: string; authority_code: string }>> {
      if (ids.length === 0) return new Map();
      const rows = await db.selectFrom('agency').select(['id', 'name', 'kind', 'authority_code']).where('id', 'in', ids).execute();
      return new Map(rows.map((r) => [r.id, r]));
    },

    async allAgencies() {
      return db.selectFrom('agency').select(['id', 'name', 'kind']).orderBy('name').execute();
    },

    async insertAgency(a: { id: string; name: string; kind: string; authorityCode: string }): Promise<void> {
      await db.insertInto('agency').values({ id: a.id, name: a.name, kind: a.kind, authority_code: a.authorityCode }).execute();
    },

    /** Record ids for (agency, localId) pairs; the key is "agency:localId". Uses the (agency_id, local_id) index, one statement per 5,000 pairs. */
    async recordIds(refs: { agency: string; localId: string }[]): Promise<Map<string, number>> {
      const found = new Map<string, number>();
      const keys = new Map<string, { agency: string; localId: string }>();
      for (const r of refs) keys.set(`${r.agency}:${r.localId}`, r);
      for (const part of chunks([...keys.values()], 5000)) {
        const { rows } = await sql<{ id: number; agency_id: string; local_id: string }>`
          select r.id, r.agency_id, r.local_id
          from unnest(${part.map((p) => p.agency)}::text[], ${part.map((p) => p.localId)}::text[]) as k (agency_id, local_id)
          join agency_record r on r.agency_id = k.agency_id and r.local_id = k.local_id`.execute(db);
        for (const r of rows) found.set(`${r.agency_id}:${r.local_id}`, Number(r.id));
      }
      return found;
    },

    async insertRecord(agencyId: string, localId: string, at: Date): Promise<number> {
      const row = await db
        .insertInto('agency_record')
        .values({ agency_id: agencyId, local_id: localId, first_received_at: at })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },

    async latestVersion(recordId: number): Promise<{ version: number; contentHash: string } | undefined> {
      const row = await db
        .selectFrom('agency_record_version')
        .select(['version', 'content_hash'])
        .where('record_id', '=', recordId)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row && { version: row.version, contentHash: row.content_hash };
    },

    async insertRecordVersion(v: RecordVersionRow): Promise<void> {
      await db
        .insertInto('agency_record_version')
        .values({
          record_id: v.recordId, version: v.version, content_hash: v.contentHash, kind: v.kind,
          given_names: v.givenNames, family_name: v.familyName, birth_date: v.birthDate,
          expected_date: v.expectedDate, sex: v.sex, nhs_number: v.nhsNumber, postcode: v.postcode,
          body: JSON.stringify(v.body), batch_id: v.batchId, received_at: v.receivedAt,
        })
        .execute();
    },

    /** New agency records, many at once (bulk ingest); the key of the answer is "agency:localId". */
    async insertRecords(rows: { agencyId: string; localId: string; at: Date }[]): Promise<Map<string, number>> {
      const out = new Map<string, number>();
      for (const part of chunks(rows, 5000)) {
        const { rows: inserted } = await sql<{ id: number; agency_id: string; local_id: string }>`
          insert into agency_record (agency_id, local_id, first_received_at)
          select a, l, t from unnest(${part.map((r) => r.agencyId)}::text[], ${part.map((r) => r.localId)}::text[],
            ${part.map((r) => r.at.toISOString())}::timestamptz[]) with ordinality as x (a, l, t, n)
          order by n
          returning id, agency_id, local_id`.execute(db);
        for (const r of inserted) out.set(`${r.agency_id}:${r.local_id}`, Number(r.id));
      }
      return out;
    },

    /** The latest stored version of each of these records. */
    async latestVersions(recordIds: number[]): Promise<Map<number, { version: number; contentHash: string }>> {
      const out = new Map<number, { version: number; contentHash: string }>();
      for (const part of chunks([...new Set(recordIds)], 5000)) {
        const { rows } = await sql<{ record_id: number; version: number; content_hash: string }>`
          select distinct on (record_id) record_id, version, content_hash
          from agency_record_version where record_id = any(${part}::bigint[])
          order by record_id, version desc`.execute(db);
        for (const r of rows) out.set(Number(r.record_id), { version: r.version, contentHash: r.content_hash });
      }
      return out;
    },

    /** Record versions, many at once (bulk ingest). */
    async insertRecordVersions(rows: RecordVersionRow[]): Promise<void> {
      for (const part of chunks(rows, 2000)) {
        const col = <T>(f: (v: RecordVersionRow) => T) => part.map(f);
        await sql`
          insert into agency_record_version (record_id, version, content_hash, kind, given_names, family_name, birth_date,
            expected_date, sex, nhs_number, postcode, body, batch_id, received_at)
          select * from unnest(${col((v) => v.recordId)}::bigint[], ${col((v) => v.version)}::int[], ${col((v) => v.contentHash)}::text[],
            ${col((v) => v.kind)}::text[], ${col((v) => v.givenNames)}::text[], ${col((v) => v.familyName)}::text[],
            ${col((v) => v.birthDate)}::date[], ${col((v) => v.expectedDate)}::date[], ${col((v) => v.sex)}::text[],
            ${col((v) => v.nhsNumber)}::text[], ${col((v) => v.postcode)}::text[], ${col((v) => JSON.stringify(v.body))}::jsonb[],
            ${col((v) => v.batchId)}::text[], ${col((v) => v.receivedAt.toISOString())}::timestamptz[])`.execute(db);
      }
    },

    /** Fresh person ids from the sequence, without creating the people (see insertPersons). */
    async allocatePersonIds(count: number): Promise<string[]> {
      if (count <= 0) return [];
      const { rows } = await sql<{ id: string }>`select 'p_' || nextval('person_seq') as id from generate_series(1, ${count}::int)`.execute(db);
      return rows.map((r) => r.id);
    },

    async insertPersons(rows: { id: string; at: Date }[]): Promise<void> {
      for (const part of chunks(rows, 5000)) {
        await sql`insert into person (id, created_at)
          select * from unnest(${part.map((r) => r.id)}::text[], ${part.map((r) => r.at.toISOString())}::timestamptz[])`.execute(db);
      }
    },

    async insertLinks(rows: { personId: string; recordId: number; method: string; at: Date }[]): Promise<void> {
      for (const part of chunks(rows, 5000)) {
        await sql`insert into person_link (person_id, record_id, method, linked_at)
          select p, r, m, t from unnest(${part.map((l) => l.personId)}::text[], ${part.map((l) => l.recordId)}::bigint[],
            ${part.map((l) => l.method)}::text[], ${part.map((l) => l.at.toISOString())}::timestamptz[]) with ordinality as x (p, r, m, t, n)
          order by n`.execute(db);
      }
    },

    /**
     * For these NHS numbers, every currently linked record holding one (in any
     * version) and its person, leaving out versions from one batch (bulk ingest
     * answers those itself, in the order the batch sent them).
     */
    async nhsNumberHolders(nhsNumbers: string[], exceptBatchId: string): Promise<{ nhsNumber: string; recordId: number; personId: string }[]> {
      const out: { nhsNumber: string; recordId: number; personId: string }[] = [];
      for (const part of chunks([...new Set(nhsNumbers)], 5000)) {
        const { rows } = await sql<{ nhs_number: string; record_id: number; person_id: string }>`
          select distinct v.nhs_number, v.record_id, l.person_id
          from agency_record_version v
          join person_link l on l.record_id = v.record_id and l.unlinked_at is null
          where v.nhs_number = any(${part}::text[]) and v.batch_id <> ${exceptBatchId}`.execute(db);
        for (const r of rows) out.push({ nhsNumber: r.nhs_number, recordId: Number(r.record_id), personId: r.person_id });
      }
      return out;
    },

    async newPerson(at: Date): Promise<string> {
      const { rows } = await sql<{ id: string }>`select 'p_' || nextval('person_seq') as id`.execute(db);
      const id = rows[0]!.id;
      await db.insertInto('person').values({ id, created_at: at }).execute();
      return id;
    },

    /** The person a record is linked to now. */
    async currentPersons(recordIds: number[]): Promise<Map<number, string>> {
      const out = new Map<number, string>();
      for (const part of chunks([...new Set(recordIds)])) {
        const rows = await db
          .selectFrom('person_link')
          .select(['record_id', 'person_id'])
          .where('record_id', 'in', part)
          .where('unlinked_at', 'is', null)
          .execute();
        for (const r of rows) out.set(r.record_id, r.person_id);
      }
      return out;
    },

    /** People holding a currently linked record (any version) with this NHS number. */
    async personsWithNhsNumber(nhsNumber: string, exceptRecordId: number): Promise<string[]> {
      const rows = await db
        .selectFrom('agency_record_version as v')
        .innerJoin('person_link as l', (j) => j.onRef('l.record_id', '=', 'v.record_id').on('l.unlinked_at', 'is', null))
        .select('l.person_id')
        .distinct()
        .where('v.nhs_number', '=', nhsNumber)
        .where('v.record_id', '!=', exceptRecordId)
        .orderBy('l.person_id')
        .execute();
      return rows.map((r) => r.person_id);
    },

    async link(personId: string, recordId: number, method: string, at: Date): Promise<void> {
      await db.insertInto('person_link').values({ person_id: personId, record_id: recordId, method, linked_at: at }).execute();
    },

    /** End a record's current link (the link row is kept, so the change can be reversed). */
    async unlink(recordId: number, at: Date, reason: string): Promise<void> {
      await db
        .updateTable('person_link')
        .set({ unlinked_at: at, unlink_reason: reason })
        .where('record_id', '=', recordId)
        .where('unlinked_at', 'is', null)
        .execute();
    },

    /** Which of these people still hold at least one linked record. */
    async currentPersonsHoldingRecords(personIds: string[]): Promise<Set<string>> {
      const out = new Set<string>();
      for (const part of chunks([...new Set(personIds)])) {
        const rows = await db
          .selectFrom('person_link')
          .select('person_id')
          .distinct()
          .where('person_id', 'in', part)
          .where('unlinked_at', 'is', null)
          .execute();
        for (const r of rows) out.add(r.person_id);
      }
      return out;
    },

    async recordsOfPerson(personId: string): Promise<number[]> {
      const rows = await db
        .selectFrom('person_link')
        .select('record_id')
        .where('person_id', '=', personId)
        .where('unlinked_at', 'is', null)
        .execute();
      return rows.map((r) => r.record_id);
    },

    /** The records each of these people holds now. */
    async recordsOfPersons(personIds: string[]): Promise<Map<string, number[]>> {
      const out = new Map<string, number[]>();
      for (const part of chunks([...new Set(personIds)])) {
        const rows = await db
          .selectFrom('person_link')
          .select(['person_id', 'record_id'])
          .where('person_id', 'in', part)
          .where('unlinked_at', 'is', null)
          .orderBy('record_id')
          .execute();
        for (const r of rows) {
          const list = out.get(r.person_id) ?? [];
          list.push(r.record_id);
          out.set(r.person_id, list);
        }
      }
      return out;
    },

    /**
     * Move each record to a person, all in three statements: its current link
     * ended with the reason (kept, so the change can be reversed), a new link
     * made by `method`, and its chronology entries pointed at the person.
     */
    async relinkRecords(moves: { recordId: number; personId: string }[], reason: string, at: Date): Promise<void> {
      for (const part of chunks(moves, 5000)) {
        const records = part.map((m) => m.recordId);
        const persons = part.map((m) => m.personId);
        await sql`update person_link set unlinked_at = ${at}, unlink_reason = ${reason}
          where record_id = any(${records}::bigint[]) and unlinked_at is null`.execute(db);
        await sql`insert into person_link (person_id, record_id, method, linked_at)
          select p, r, ${reason}, ${at} from unnest(${persons}::text[], ${records}::bigint[]) with ordinality as x (p, r, n) order by n`.execute(db);
        await sql`update event_subject s set person_id = m.p
          from unnest(${persons}::text[], ${records}::bigint[]) as m (p, r) where s.record_id = m.r`.execute(db);
      }
    },

    /** Point a record's chronology entries at the person it is now linked to. */
    async moveEventSubjects(recordIds: number[], personId: string): Promise<void> {
      if (recordIds.length === 0) return;
      await db.updateTable('event_subject').set({ person_id: personId }).where('record_id', 'in', recordIds).execute();
    },

    async insertRelationshipIfAbsent(r: {
      agencyId: string; fromRecordId: number; toRecordId: number; type: string; fromDate: string | null;
      contentHash: string; batchId: string; receivedAt: Date;
    }): Promise<boolean> {
      const result = await db
        .insertInto('relationship')
        .values({
          agency_id: r.agencyId, from_record_id: r.fromRecordId, to_record_id: r.toRecordId, type: r.type,
          from_date: r.fromDate, content_hash: r.contentHash, batch_id: r.batchId, received_at: r.receivedAt,
        })
        .onConflict((oc) => oc.columns(['agency_id', 'content_hash']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    /** Relationships not stored yet, many at once; answers which (agency, content hash) were added. */
    async insertRelationshipsIfAbsent(rows: {
      agencyId: string; fromRecordId: number; toRecordId: number; type: string; fromDate: string | null;
      contentHash: string; batchId: string; receivedAt: Date;
    }[]): Promise<Set<string>> {
      const added = new Set<string>();
      for (const part of chunks(rows, 5000)) {
        const col = <T>(f: (v: (typeof rows)[number]) => T) => part.map(f);
        const { rows: inserted } = await sql<{ agency_id: string; content_hash: string }>`
          insert into relationship (agency_id, from_record_id, to_record_id, type, from_date, content_hash, batch_id, received_at)
          select a, f, t, ty, fd, h, b, r from unnest(${col((r) => r.agencyId)}::text[], ${col((r) => r.fromRecordId)}::bigint[],
            ${col((r) => r.toRecordId)}::bigint[], ${col((r) => r.type)}::text[], ${col((r) => r.fromDate)}::date[],
            ${col((r) => r.contentHash)}::text[], ${col((r) => r.batchId)}::text[], ${col((r) => r.receivedAt.toISOString())}::timestamptz[])
            with ordinality as x (a, f, t, ty, fd, h, b, r, n)
          order by n
          on conflict (agency_id, content_hash) do nothing
          returning agency_id, content_hash`.execute(db);
        for (const r of inserted) added.add(`${r.agency_id}:${r.content_hash}`);
      }
      return added;
    },

    /** Person-to-person edges from relationships touching any of these people. */
    async relationshipEdges(personIds: string[]): Promise<{ from: string; to: string }[]> {
      if (personIds.length === 0) return [];
      const out: { from: string; to: string }[] = [];
      // Each side on its own index (person_link_current_person, then relationship_from/_to): an OR would scan.
      for (const part of chunks([...new Set(personIds)], 5000)) {
        const { rows } = await sql<{ from: string; to: string }>`
          select lf.person_id as "from", lt.person_id as "to"
          from person_link lf
          join relationship r on r.from_record_id = lf.record_id
          join person_link lt on lt.record_id = r.to_record_id and lt.unlinked_at is null
          where lf.unlinked_at is null and lf.person_id = any(${part}::text[])
          union all
          select lf.person_id, lt.person_id
          from person_link lt
          join relationship r on r.to_record_id = lt.record_id
          join person_link lf on lf.record_id = r.from_record_id and lf.unlinked_at is null
          where lt.unlinked_at is null and lt.person_id = any(${part}::text[]) and not (lf.person_id = any(${part}::text[]))`.execute(db);
        out.push(...rows);
      }
      return out;
    },

    async familiesOf(personIds: string[]): Promise<string[]> {
      if (personIds.length === 0) return [];
      const rows = await db.selectFrom('family_member').select('family_id').distinct().where('person_id', 'in', personIds).execute();
      return rows.map((r) => r.family_id);
    },

    async familyMembers(familyIds: string[]): Promise<{ familyId: string; personId: string }[]> {
      if (familyIds.length === 0) return [];
      const rows = await db.selectFrom('family_member').select(['family_id', 'person_id']).where('family_id', 'in', familyIds).execute();
      return rows.map((r) => ({ familyId: r.family_id, personId: r.person_id }));
    },

    async replaceFamilies(personIds: string[], members: { familyId: string; personId: string }[]): Promise<void> {
      for (const part of chunks(personIds)) await db.deleteFrom('family_member').where('person_id', 'in', part).execute();
      for (const part of chunks(members)) {
        await db.insertInto('family_member').values(part.map((m) => ({ family_id: m.familyId, person_id: m.personId }))).execute();
      }
    },

    /** The latest stored version of each (agency, eventId), with whether it is retracted. */
    async latestEvents(keys: { agency: string; eventId: string }[]): Promise<Map<string, { id: number; version: number; contentHash: string; retracted: boolean; type: string }>> {
      const out = new Map<string, { id: number; version: number; contentHash: string; retracted: boolean; type: string }>();
      const unique = new Map<string, { agency: string; eventId: string }>();
      for (const k of keys) unique.set(`${k.agency}:${k.eventId}`, k);
      for (const part of chunks([...unique.values()], 5000)) {
        const { rows } = await sql<{ id: number; agency_id: string; event_id: string; version: number; content_hash: string; type: string; retracted: number | null }>`
          select distinct on (e.agency_id, e.event_id) e.id, e.agency_id, e.event_id, e.version, e.content_hash, e.type, r.event_row_id as retracted
          from unnest(${part.map((k) => k.agency)}::text[], ${part.map((k) => k.eventId)}::text[]) as k (agency_id, event_id)
          join event e on e.agency_id = k.agency_id and e.event_id = k.event_id
          left join event_retraction r on r.event_row_id = e.id
          order by e.agency_id, e.event_id, e.version desc`.execute(db);
        for (const r of rows) {
          out.set(`${r.agency_id}:${r.event_id}`, { id: Number(r.id), version: r.version, contentHash: r.content_hash, retracted: r.retracted !== null, type: r.type });
        }
      }
      return out;
    },

    /**
     * Insert events and their chronology rows, a few thousand rows a statement
     * (column arrays through unnest: 15 parameters whatever the size, so no
     * per-row parameter binding or query building); returns the new row ids in order.
     */
    async insertEvents(events: EventInsert[]): Promise<number[]> {
      const ids: number[] = [];
      for (const part of chunks(events, 5000)) {
        const col = <T>(f: (e: EventInsert) => T) => part.map(f);
        const { rows } = await sql<{ id: number; agency_id: string; event_id: string; version: number }>`
          insert into event (agency_id, event_id, version, supersedes, content_hash, type, at, on_date, at_precision, significant,
            subjects, data, text, batch_id, received_at)
          select a, ev, v, sup, h, ty, at, od, ap, sig, array(select jsonb_array_elements_text(subj)), d, tx, b, r
          from unnest(${col((e) => e.agencyId)}::text[], ${col((e) => e.eventId)}::text[], ${col((e) => e.version)}::int[],
            ${col((e) => e.supersedes)}::bigint[], ${col((e) => e.contentHash)}::text[], ${col((e) => e.type)}::text[],
            ${col((e) => e.at.toISOString())}::timestamptz[], ${col((e) => e.onDate)}::date[], ${col((e) => e.atPrecision)}::text[],
            ${col((e) => e.significant)}::boolean[], ${col((e) => JSON.stringify(e.subjects))}::jsonb[],
            ${col((e) => JSON.stringify(e.data))}::jsonb[], ${col((e) => e.text)}::text[], ${col((e) => e.batchId)}::text[],
            ${col((e) => e.receivedAt.toISOString())}::timestamptz[])
            with ordinality as x (a, ev, v, sup, h, ty, at, od, ap, sig, subj, d, tx, b, r, n)
          order by n
          returning id, agency_id, event_id, version`.execute(db);
        // (agency, eventId, version) is unique: map the ids back rather than trust RETURNING's order.
        const byKey = new Map(rows.map((r) => [`${r.agency_id}\u0000${r.event_id}\u0000${r.version}`, Number(r.id)]));
        for (const e of part) ids.push(byKey.get(`${e.agencyId}\u0000${e.eventId}\u0000${e.version}`)!);
      }
      const subjects: { eventRowId: number; recordId: number; personId: string; at: string; agencyId: string; type: string; significant: boolean }[] = [];
      events.forEach((e, i) => {
        const at = e.at.toISOString();
        for (const s of e.subjectRecords) {
          subjects.push({ eventRowId: ids[i]!, recordId: s.recordId, personId: s.personId, at, agencyId: e.agencyId, type: e.type, significant: e.significant });
        }
      });
      for (const part of chunks(subjects, 10_000)) {
        const col = <T>(f: (s: (typeof subjects)[number]) => T) => part.map(f);
        await sql`
          insert into event_subject (event_row_id, record_id, person_id, at, agency_id, type, significant)
          select * from unnest(${col((s) => s.eventRowId)}::bigint[], ${col((s) => s.recordId)}::bigint[], ${col((s) => s.personId)}::text[],
            ${col((s) => s.at)}::timestamptz[], ${col((s) => s.agencyId)}::text[], ${col((s) => s.type)}::text[],
            ${col((s) => s.significant)}::boolean[])`.execute(db);
      }
      return ids;
    },

    async insertRetraction(eventRowId: number, reason: string, batchId: string, at: Date): Promise<void> {
      await db.insertInto('event_retraction').values({ event_row_id: eventRowId, reason, batch_id: batchId, retracted_at: at }).execute();
    },

    async personsOfEvent(eventRowId: number): Promise<string[]> {
      const rows = await db.selectFrom('event_subject').select('person_id').where('event_row_id', '=', eventRowId).execute();
      return rows.map((r) => r.person_id);
    },

    /** Visible involvement-start/end events of these people, oldest first, for rebuilding involvements. */
    async involvementEvents(personIds: string[]) {
      if (personIds.length === 0) return [];
      return db
        .selectFrom('event_subject as s')
        .innerJoin('event as e', 'e.id', 's.event_row_id')
        .select(['s.person_id', 'e.id', 'e.agency_id', 'e.type', 'e.on_date', 'e.data'])
        .where('s.person_id', 'in', personIds)
        .where('s.type', 'in', ['involvement-start', 'involvement-end'])
        .where(visibleEvent)
        .orderBy('s.person_id')
        .orderBy('e.at')
        .orderBy('e.id')
        .execute();
    },

    async replaceInvolvements(
      personIds: string[],
      rows: {
        personId: string; agencyId: string; service: string; category: string | null; level: number | null;
        startedOn: string; endedOn: string | null; endReason: string | null; startEventRowId: number; endEventRowId: number | null;
      }[],
    ): Promise<void> {
      for (const part of chunks(personIds)) await db.deleteFrom('involvement').where('person_id', 'in', part).execute();
      for (const part of chunks(rows)) {
        await db
          .insertInto('involvement')
          .values(
            part.map((r) => ({
              person_id: r.personId, agency_id: r.agencyId, team_id: null, service: r.service, category: r.category,
              level: r.level, started_on: r.startedOn, ended_on: r.endedOn, end_reason: r.endReason,
              start_event_row_id: r.startEventRowId, end_event_row_id: r.endEventRowId,
            })),
          )
          .execute();
      }
    },

    /**
     * The latest family correction of each of these people (family_correction,
     * linkage review), so a rebuild keeps it. Corrections are rare: while there
     * are none (a bulk load) this is one trivial statement, and the people's ids
     * are not even sent (25,000 of them cost about 100 ms on PGlite).
     */
    async latestFamilyCorrections(personIds: string[]): Promise<Map<string, string>> {
      const out = new Map<string, string>();
      if (personIds.length === 0) return out;
      const { rows: any } = await sql<{ one: number }>`select 1 as one from family_correction limit 1`.execute(db);
      if (any.length === 0) return out;
      const { rows } = await sql<{ person_id: string; to_family_id: string }>`
        select distinct on (person_id) person_id, to_family_id from family_correction
        where person_id = any(${[...new Set(personIds)]}::text[])
        order by person_id, corrected_at desc, id desc`.execute(db);
      for (const r of rows) out.set(r.person_id, r.to_family_id);
      return out;
    },

    /** Every person and the records linked to them now (replay's summary). */
    async allCurrentLinks(): Promise<{ personId: string; agencyId: string; localId: string }[]> {
      const rows = await db
        .selectFrom('person_link as l')
        .innerJoin('agency_record as r', 'r.id', 'l.record_id')
        .select(['l.person_id', 'r.agency_id', 'r.local_id', 'l.id'])
        .where('l.unlinked_at', 'is', null)
        .orderBy('l.id')
        .execute();
      return rows.map((r) => ({ personId: r.person_id, agencyId: r.agency_id, localId: r.local_id }));
    },
  };
}

export type RecordsRepository = ReturnType<typeof recordsRepository>;

export interface SearchCriteria {
  nameTokens: string[];
  birthDate: string | null;
  nhsNumber: string | null;
  postcode: string | null;
}

export interface RecordSummary {
  recordId: number;
  personId: string;
  agencyId: string;
  agencyName: string;
  localId: string;
  version: number;
  kind: string;
  givenNames: string | null;
  familyName: string | null;
  birthDate: string | null;
  expectedDate: string | null;
  sex: string | null;
  nhsNumber: string | null;
  postcode: string | null;
  body: unknown;
  linkedAt: Date;
  method: string;
}

/** Reads for the person pages and the chronology: search, records of people, families, involvements, events. */
export function peopleRepository(db: Db) {
  return {
    /**
     * Records matching every criterion given (names by trigram word similarity,
     * so misspellings and partial names match), best first, with their person.
     */
    async search(c: SearchCriteria, limit = 60): Promise<{ personId: string; score: number }[]> {
      // Agencies misspell names ("Whitfeild"): a looser threshold than pg_trgm's 0.6, for this transaction only.
      await sql`select set_config('pg_trgm.word_similarity_threshold', '0.45', true)`.execute(db);
      let q = db
        .selectFrom('agency_record_version as v')
        .innerJoin('person_link as l', (j) => j.onRef('l.record_id', '=', 'v.record_id').on('l.unlinked_at', 'is', null))
        .select(['l.person_id']);
      const scores = [sql<number>`0`];
      for (const t of c.nameTokens) {
        q = q.where(sql<boolean>`(${t} <% lower(v.family_name) or ${t} <% lower(v.given_names))`);
        scores.push(sql<number>`greatest(word_similarity(${t}, lower(coalesce(v.family_name, ''))), word_similarity(${t}, lower(coalesce(v.given_names, ''))))`);
      }
      if (c.birthDate) {
        const [y, m, d] = c.birthDate.split('-');
        // Day and month swapped is a common slip; both are accepted, the exact date scores higher.
        const swapped = Number(d) <= 12 ? `${y}-${d}-${m}` : c.birthDate;
        q = q.where((eb) => eb.or([eb('v.birth_date', '=', c.birthDate), eb('v.birth_date', '=', swapped)]));
        scores.push(sql<number>`case when v.birth_date = ${c.birthDate} then 1 else 0.5 end`);
      }
      if (c.nhsNumber) {
        q = q.where('v.nhs_number', '=', c.nhsNumber);
        scores.push(sql<number>`2`);
      }
      if (c.postcode) {
        const full = c.postcode.length >= 5;
        q = full ? q.where('v.postcode', '=', c.postcode) : q.where('v.postcode', 'like', `${c.postcode}%`);
        scores.push(sql<number>`1`);
      }
      const score = sql.join(scores, sql` + `);
      const rows = await q
        .select(sql<number>`max(${score})`.as('score'))
        .groupBy('l.person_id')
        .orderBy('score', 'desc')
        .orderBy('l.person_id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ personId: r.person_id, score: Number(r.score) }));
    },

    async persons(ids: string[]): Promise<{ id: string; restricted: boolean }[]> {
      if (ids.length === 0) return [];
      return db.selectFrom('person').select(['id', 'restricted']).where('id', 'in', ids).execute();
    },

    /** The latest version of every record currently linked to these people. */
    async currentRecords(personIds: string[]): Promise<RecordSummary[]> {
      if (personIds.length === 0) return [];
      const rows = await db
        .selectFrom('person_link as l')
        .innerJoin('agency_record as r', 'r.id', 'l.record_id')
        .innerJoin('agency as a', 'a.id', 'r.agency_id')
        .innerJoin('agency_record_version as v', (j) =>
          j.onRef('v.record_id', '=', 'r.id').on('v.version', '=', (eb) =>
            eb.selectFrom('agency_record_version as v2').select((e) => e.fn.max('v2.version').as('m')).whereRef('v2.record_id', '=', 'r.id'),
          ),
        )
        .select([
          'r.id as recordId', 'l.person_id as personId', 'r.agency_id as agencyId', 'a.name as agencyName', 'r.local_id as localId',
          'v.version', 'v.kind', 'v.given_names as givenNames', 'v.family_name as familyName', 'v.birth_date as birthDate',
          'v.expected_date as expectedDate', 'v.sex', 'v.nhs_number as nhsNumber', 'v.postcode', 'v.body',
          'l.linked_at as linkedAt', 'l.method',
        ])
        .where('l.person_id', 'in', personIds)
        .where('l.unlinked_at', 'is', null)
        .orderBy('a.name')
        .orderBy('r.local_id')
        .execute();
      return rows;
    },

    async familyOf(personId: string): Promise<{ familyId: string; members: string[] } | null> {
      const row = await db.selectFrom('family_member').select('family_id').where('person_id', '=', personId).executeTakeFirst();
      if (!row) return null;
      const members = await db.selectFrom('family_member').select('person_id').where('family_id', '=', row.family_id).execute();
      return { familyId: row.family_id, members: members.map((m) => m.person_id) };
    },

    async familyMembers(familyId: string): Promise<string[]> {
      const rows = await db.selectFrom('family_member').select('person_id').where('family_id', '=', familyId).execute();
      return rows.map((r) => r.person_id);
    },

    /**
     * Households (read time, one statement): the current version of every
     * currently linked record at the postcodes of this person's current records
     * (or of a household correction about them), with its person and address,
     * and the household corrections at those postcodes. At most `limit`
     * records (a postcode is about fifteen addresses; a hostel may be more).
     */
    async residences(personId: string, limit = 2000): Promise<{ rows: ResidenceRow[]; corrections: HouseholdCorrection[] }> {
      const { rows } = await sql<{
        source: 'record' | 'correction'; person_id: string; record_id: string | number | null; agency_name: string | null;
        address: unknown; at: Date; id: string | number | null; postcode: string; address_key: string | null; resident: boolean | null; reason: string | null;
      }>`
        with mine as (
          select v.postcode from person_link l
          join agency_record_version v on v.record_id = l.record_id
          where l.person_id = ${personId} and l.unlinked_at is null and v.postcode is not null
            and not exists (select 1 from agency_record_version n where n.record_id = v.record_id and n.version > v.version)
          union
          select postcode from household_correction where person_id = ${personId}
        )
        (select 'record' as source, l.person_id, v.record_id, a.name as agency_name, v.body -> 'address' as address, v.received_at as at,
           null::bigint as id, v.postcode, null::text as address_key, null::boolean as resident, null::text as reason
         from agency_record_version v
         join person_link l on l.record_id = v.record_id and l.unlinked_at is null
         join agency_record r on r.id = v.record_id
         join agency a on a.id = r.agency_id
         where v.postcode in (select postcode from mine)
           and not exists (select 1 from agency_record_version n where n.record_id = v.record_id and n.version > v.version)
         order by v.received_at desc
         limit ${limit})
        union all
        select 'correction', c.person_id, null, null, null, c.corrected_at, c.id, c.postcode, c.address_key, c.resident, c.reason
        from household_correction c
        where c.postcode in (select postcode from mine)`.execute(db);
      const records: ResidenceRow[] = [];
      const corrections: HouseholdCorrection[] = [];
      for (const r of rows) {
        if (r.source === 'record') {
          records.push({ personId: r.person_id, recordId: Number(r.record_id), agencyName: r.agency_name ?? '', address: r.address, receivedAt: new Date(r.at) });
        } else {
          corrections.push({
            id: Number(r.id), personId: r.person_id, postcode: r.postcode, addressKey: r.address_key ?? '', resident: r.resident === true,
            reason: r.reason ?? '', correctedAt: new Date(r.at),
          });
        }
      }
      return { rows: records, corrections };
    },

    /** A household correction: a new row, never a change to one. */
    async insertHouseholdCorrection(c: { personId: string; postcode: string; addressKey: string; resident: boolean; reason: string; by: string; at: Date }): Promise<void> {
      await sql`
        insert into household_correction (person_id, postcode, address_key, resident, reason, corrected_by, corrected_at)
        values (${c.personId}, ${c.postcode}, ${c.addressKey}, ${c.resident}, ${c.reason}, ${c.by}, ${c.at})`.execute(db);
    },

    /** Relationships recorded between records of these people, as each agency recorded them. */
    async relationshipsAmong(personIds: string[]) {
      if (personIds.length === 0) return [];
      return db
        .selectFrom('relationship as r')
        .innerJoin('person_link as lf', (j) => j.onRef('lf.record_id', '=', 'r.from_record_id').on('lf.unlinked_at', 'is', null))
        .innerJoin('person_link as lt', (j) => j.onRef('lt.record_id', '=', 'r.to_record_id').on('lt.unlinked_at', 'is', null))
        .innerJoin('agency as a', 'a.id', 'r.agency_id')
        .select(['lf.person_id as fromPerson', 'lt.person_id as toPerson', 'r.type', 'r.from_date as fromDate', 'a.name as agencyName'])
        .where('lf.person_id', 'in', personIds)
        .where('lt.person_id', 'in', personIds)
        .orderBy('r.from_date')
        .execute();
    },

    async involvements(personIds: string[]) {
      if (personIds.length === 0) return [];
      return db
        .selectFrom('involvement as i')
        .innerJoin('agency as a', 'a.id', 'i.agency_id')
        .select([
          'i.id', 'i.person_id as personId', 'i.agency_id as agencyId', 'a.name as agencyName', 'a.kind as agencyKind',
          'a.authority_code as authorityCode', 'i.service', 'i.category', 'i.level',
          'i.started_on as startedOn', 'i.ended_on as endedOn', 'i.end_reason as endReason',
        ])
        .where('i.person_id', 'in', personIds)
        .orderBy('i.started_on', 'desc')
        .execute();
    },

    /**
     * The chronology of these people: visible events (latest version, not
     * retracted), by time, from the (person_id, at) index. One row per event
     * even when it is about several of them.
     */
    async chronology(
      personIds: string[],
      f: { agencies: string[]; types: string[]; from: string | null; to: string | null; significantOnly: boolean; newestFirst: boolean; limit: number },
    ) {
      if (personIds.length === 0) return [];
      let q = db
        .selectFrom('event as e')
        .innerJoin('agency as a', 'a.id', 'e.agency_id')
        .select([
          'e.id', 'e.event_id as eventId', 'e.agency_id as agencyId', 'a.name as agencyName', 'e.type', 'e.at', 'e.on_date as onDate',
          'e.at_precision as atPrecision', 'e.significant', 'e.data', 'e.text', 'e.version',
        ])
        .where('e.id', 'in', (eb) => {
          let s = eb.selectFrom('event_subject as s').select('s.event_row_id').where('s.person_id', 'in', personIds);
          if (f.agencies.length) s = s.where('s.agency_id', 'in', f.agencies);
          if (f.types.length) s = s.where('s.type', 'in', f.types);
          if (f.significantOnly) s = s.where('s.significant', '=', true);
          if (f.from) s = s.where('s.at', '>=', new Date(`${f.from}T00:00:00Z`));
          if (f.to) s = s.where('s.at', '<', new Date(new Date(`${f.to}T00:00:00Z`).getTime() + 86_400_000));
          return s;
        })
        .where(visibleEvent);
      q = f.newestFirst ? q.orderBy('e.at', 'desc').orderBy('e.id', 'desc') : q.orderBy('e.at').orderBy('e.id');
      return q.limit(f.limit).execute();
    },

    /** Agencies that hold a record of, or recorded an event about, these people (for the chronology's filters). */
    async agenciesOf(personIds: string[]): Promise<{ id: string; name: string }[]> {
      if (personIds.length === 0) return [];
      return db
        .selectFrom('agency as a')
        .select(['a.id', 'a.name'])
        .where((eb) =>
          eb.or([
            eb('a.id', 'in', eb.selectFrom('person_agency').select('agency_id').where('person_id', 'in', personIds)),
            eb('a.id', 'in', eb.selectFrom('event_subject').select('agency_id').where('person_id', 'in', personIds)),
          ]),
        )
        .orderBy('a.name')
        .execute();
    },

    /** Which of these people each event is about (for the family chronology's "about" column). */
    async subjectsOf(eventRowIds: number[]): Promise<{ eventRowId: number; personId: string }[]> {
      const out: { eventRowId: number; personId: string }[] = [];
      for (const part of chunks(eventRowIds)) {
        const rows = await db.selectFrom('event_subject').select(['event_row_id', 'person_id']).where('event_row_id', 'in', part).execute();
        out.push(...rows.map((r) => ({ eventRowId: r.event_row_id, personId: r.person_id })));
      }
      return out;
    },
  };
}
