import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** What the linker blocks on for one new record (all optional; nothing recorded → no candidates from that rule). */
export interface BlockingKeys {
  recordId: number;
  nhsNumber: string | null;
  /** YYYY-MM-DD, and the same date with day and month swapped when that is a date too. */
  birthDates: string[];
  postcode: string | null;
  familyName: string | null;
  givenName: string | null;
}

export interface CandidateRow {
  recordId: number;
  personId: string;
  body: unknown;
}

export interface ReviewInsert {
  recordId: number;
  candidateRecordId: number;
  probability: number;
  matchWeight: number;
  heldBecause: string | null;
  breakdown: unknown;
  createdAt: Date;
}

export type LinkChangeKind = 'merge' | 'split' | 'undo';

/** A merge, split or undo as stored in link_change: records moved from one person to another. */
export interface LinkChangeRow {
  id: number;
  kind: LinkChangeKind;
  from: string;
  to: string;
  recordIds: number[];
  reason: string;
  undoes: number | null;
  changedAt: Date;
  /** The undo that reversed this change, if one has. */
  undoneBy: number | null;
  undoneAt: Date | null;
}

/** Rows a candidate query returns at most: a block that large says little about who this is. */
const CANDIDATE_LIMIT = 1000;

/** All SQL of record linkage: parameters, blocking look-ups, the review queue, family corrections. */
export function linkageRepository(db: Db) {
  return {
    async latestParameters(): Promise<{ id: number; parameters: unknown; nameFrequencies: unknown; trainedAt: Date } | undefined> {
      const row = await db
        .selectFrom('linkage_parameters')
        .select(['id', 'parameters', 'name_frequencies', 'trained_at'])
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row && { id: row.id, parameters: row.parameters, nameFrequencies: row.name_frequencies, trainedAt: row.trained_at };
    },

    async insertParameters(p: { trainedAt: Date; source: string; parameters: unknown; nameFrequencies: unknown; records: number; candidatePairs: number; iterations: number }): Promise<number> {
      const row = await db
        .insertInto('linkage_parameters')
        .values({
          trained_at: p.trainedAt, source: p.source, parameters: JSON.stringify(p.parameters), name_frequencies: JSON.stringify(p.nameFrequencies),
          records: p.records, candidate_pairs: p.candidatePairs, iterations: p.iterations,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },

    /** The latest version of records, with their kind and the person each is linked to now. */
    async recordsWithBodies(recordIds: number[]): Promise<{ recordId: number; kind: string; body: unknown; personId: string | null; agencyId: string; agencyName: string }[]> {
      if (recordIds.length === 0) return [];
      const rows = await db
        .selectFrom('agency_record as r')
        .innerJoin('agency', 'agency.id', 'r.agency_id')
        .innerJoinLateral(
          (eb) => eb.selectFrom('agency_record_version as v').select(['v.kind', 'v.body']).whereRef('v.record_id', '=', 'r.id').orderBy('v.version', 'desc').limit(1).as('v'),
          (j) => j.onTrue(),
        )
        .leftJoin('person_link as l', (j) => j.onRef('l.record_id', '=', 'r.id').on('l.unlinked_at', 'is', null))
        .select(['r.id', 'r.agency_id', 'agency.name', 'v.kind', 'v.body', 'l.person_id'])
        .where('r.id', 'in', recordIds)
        .execute();
      return rows.map((r) => ({ recordId: r.id, kind: r.kind, body: r.body, personId: r.person_id, agencyId: r.agency_id, agencyName: r.name }));
    },

    /**
     * Blocking in the database: records (of people, not unborn babies) that share
     * an NHS number, a birth date (or its day-month swap), a postcode, or whose
     * family and given names are both similar (trigram indexes), each with the
     * person it is linked to now and its latest version.
     */
    async candidates(keys: BlockingKeys): Promise<CandidateRow[]> {
      await sql`select set_config('pg_trgm.similarity_threshold', '0.4', true)`.execute(db);
      const blocks = [];
      if (keys.nhsNumber) blocks.push(sql`select record_id from agency_record_version where nhs_number = ${keys.nhsNumber}`);
      if (keys.birthDates.length > 0) blocks.push(sql`select record_id from agency_record_version where birth_date in (${sql.join(keys.birthDates)})`);
      if (keys.postcode) blocks.push(sql`select record_id from agency_record_version where postcode = ${keys.postcode}`);
      if (keys.familyName && keys.givenName) {
        blocks.push(sql`(select record_id from agency_record_version where lower(family_name) % ${keys.familyName} and lower(given_names) % ${keys.givenName} limit ${CANDIDATE_LIMIT})`);
      }
      if (blocks.length === 0) return [];
      const { rows } = await sql<{ record_id: string | number; person_id: string; body: unknown }>`
        select c.record_id, l.person_id, v.body
        from (${sql.join(blocks, sql` union `)}) c
        join person_link l on l.record_id = c.record_id and l.unlinked_at is null
        join lateral (
          select body, kind from agency_record_version v where v.record_id = c.record_id order by version desc limit 1
        ) v on v.kind = 'person'
        where c.record_id <> ${keys.recordId}
        limit ${CANDIDATE_LIMIT}`.execute(db);
      return rows.map((r) => ({ recordId: Number(r.record_id), personId: r.person_id, body: r.body }));
    },

    /** Every person record's latest version (training), in record order, a page at a time. */
    async personRecordsPage(afterRecordId: number, limit: number): Promise<{ recordId: number; body: unknown }[]> {
      const { rows } = await sql<{ record_id: string | number; body: unknown }>`
        select distinct on (record_id) record_id, body from agency_record_version
        where record_id > ${afterRecordId} and kind = 'person'
        order by record_id, version desc
        limit ${limit}`.execute(db);
      return rows.map((r) => ({ recordId: Number(r.record_id), body: r.body }));
    },

    async insertReviews(rows: ReviewInsert[]): Promise<void> {
      if (rows.length === 0) return;
      await db
        .insertInto('link_review')
        .values(rows.map((r) => ({
          record_id: r.recordId, candidate_record_id: r.candidateRecordId, probability: r.probability, match_weight: r.matchWeight,
          held_because: r.heldBecause, breakdown: JSON.stringify(r.breakdown), created_at: r.createdAt,
        })))
        .execute();
    },

    /** Pairs already decided "not the same person" that involve any of these records. */
    async notSamePairs(recordIds: number[]): Promise<{ recordId: number; candidateRecordId: number }[]> {
      if (recordIds.length === 0) return [];
      const rows = await db
        .selectFrom('link_review')
        .select(['record_id', 'candidate_record_id'])
        .where('status', '=', 'not-same-person')
        .where((eb) => eb.or([eb('record_id', 'in', recordIds), eb('candidate_record_id', 'in', recordIds)]))
        .execute();
      return rows.map((r) => ({ recordId: r.record_id, candidateRecordId: r.candidate_record_id }));
    },

    /** Open reviews, oldest first, with the people each record is linked to now. */
    async openReviews(limit: number) {
      return db
        .selectFrom('link_review as q')
        .leftJoin('person_link as la', (j) => j.onRef('la.record_id', '=', 'q.record_id').on('la.unlinked_at', 'is', null))
        .leftJoin('person_link as lb', (j) => j.onRef('lb.record_id', '=', 'q.candidate_record_id').on('lb.unlinked_at', 'is', null))
        .select(['q.id', 'q.probability', 'q.held_because', 'q.created_at', 'la.person_id as person_a', 'lb.person_id as person_b'])
        .where('q.status', '=', 'open')
        .orderBy('q.created_at')
        .orderBy('q.id')
        .limit(limit)
        .execute();
    },

    async review(id: number) {
      return db.selectFrom('link_review').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** Record a decision on an open review; false when it was no longer open. */
    async decide(id: number, status: 'linked' | 'not-same-person' | 'superseded', by: string, reason: string, at: Date): Promise<boolean> {
      const result = await db
        .updateTable('link_review')
        .set({ status, decided_by: by, decision_reason: reason, decided_at: at })
        .where('id', '=', id)
        .where('status', '=', 'open')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /** Close open reviews whose two records are now one person (a link made another way). */
    async supersedeResolved(at: Date): Promise<number> {
      const result = await sql`
        update link_review q set status = 'superseded', decided_at = ${at}, decided_by = 'linker', decision_reason = 'already one person'
        where q.status = 'open' and exists (
          select 1 from person_link a join person_link b on b.person_id = a.person_id and b.unlinked_at is null
          where a.record_id = q.record_id and a.unlinked_at is null and b.record_id = q.candidate_record_id)`.execute(db);
      return Number(result.numAffectedRows ?? 0);
    },

    /** Links of a person, current and ended (for a split, and the person's link history). */
    async linkHistory(personIds: string[]) {
      if (personIds.length === 0) return [];
      return db
        .selectFrom('person_link as l')
        .innerJoin('agency_record as r', 'r.id', 'l.record_id')
        .innerJoin('agency', 'agency.id', 'r.agency_id')
        .select(['l.id', 'l.person_id', 'l.record_id', 'l.method', 'l.linked_at', 'l.unlinked_at', 'l.unlink_reason', 'agency.name as agency_name'])
        .where('l.person_id', 'in', personIds)
        .orderBy('l.linked_at')
        .orderBy('l.id')
        .execute();
    },

    async personExists(personId: string): Promise<boolean> {
      return (await db.selectFrom('person').select('id').where('id', '=', personId).executeTakeFirst()) !== undefined;
    },

    async familyOf(personId: string): Promise<string | null> {
      const row = await db.selectFrom('family_member').select('family_id').where('person_id', '=', personId).executeTakeFirst();
      return row?.family_id ?? null;
    },

    async familyMembers(familyId: string): Promise<string[]> {
      const rows = await db.selectFrom('family_member').select('person_id').where('family_id', '=', familyId).orderBy('person_id').execute();
      return rows.map((r) => r.person_id);
    },

    /** Move a person to another family (the correction row is the record of it). */
    async correctFamily(c: { personId: string; fromFamilyId: string | null; toFamilyId: string; reason: string; by: string; at: Date }): Promise<void> {
      await db
        .insertInto('family_correction')
        .values({ person_id: c.personId, from_family_id: c.fromFamilyId, to_family_id: c.toFamilyId, reason: c.reason, corrected_by: c.by, corrected_at: c.at })
        .execute();
      await db.deleteFrom('family_member').where('person_id', '=', c.personId).execute();
      await db.insertInto('family_member').values({ person_id: c.personId, family_id: c.toFamilyId }).execute();
    },

    async familyCorrections(personIds: string[]) {
      if (personIds.length === 0) return [];
      return db.selectFrom('family_correction').selectAll().where('person_id', 'in', personIds).orderBy('corrected_at', 'desc').orderBy('id', 'desc').execute();
    },

    /** Record a merge, a split or an undoing of one (append-only); answers its id. */
    async insertLinkChange(c: { kind: LinkChangeKind; from: string; to: string; recordIds: number[]; reason: string; undoes: number | null; by: string; at: Date }): Promise<number> {
      const { rows } = await sql<{ id: string | number }>`
        insert into link_change (kind, from_person_id, to_person_id, record_ids, reason, undoes, changed_by, changed_at)
        values (${c.kind}, ${c.from}, ${c.to}, ${c.recordIds}::bigint[], ${c.reason}, ${c.undoes}, ${c.by}, ${c.at})
        returning id`.execute(db);
      return Number(rows[0]!.id);
    },

    /** Merges, splits and undos that moved records from or to any of these people, newest first, each with the undo that reversed it. */
    async linkChanges(personIds: string[], id?: number): Promise<LinkChangeRow[]> {
      if (personIds.length === 0) return [];
      const { rows } = await sql<{
        id: string | number; kind: LinkChangeKind; from_person_id: string; to_person_id: string; record_ids: (string | number)[];
        reason: string; undoes: string | number | null; changed_at: Date; undone_by: string | number | null; undone_at: Date | null;
      }>`
        select c.id, c.kind, c.from_person_id, c.to_person_id, c.record_ids, c.reason, c.undoes, c.changed_at, u.id as undone_by, u.changed_at as undone_at
        from link_change c
        left join link_change u on u.undoes = c.id
        where (c.from_person_id in (${sql.join(personIds)}) or c.to_person_id in (${sql.join(personIds)}))
          ${id === undefined ? sql`` : sql`and c.id = ${id}`}
        order by c.changed_at desc, c.id desc`.execute(db);
      return rows.map((r) => ({
        id: Number(r.id), kind: r.kind, from: r.from_person_id, to: r.to_person_id, recordIds: r.record_ids.map(Number), reason: r.reason,
        undoes: r.undoes === null ? null : Number(r.undoes), changedAt: new Date(r.changed_at),
        undoneBy: r.undone_by === null ? null : Number(r.undone_by), undoneAt: r.undone_at === null ? null : new Date(r.undone_at),
      }));
    },
  };
}

export type LinkageRepository = ReturnType<typeof linkageRepository>;
