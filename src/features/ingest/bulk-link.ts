import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { isValidNhsNumber } from '../../domain/linkage/nhs-number.ts';
import { decideLink, explainRecords, scoreCandidates, type Candidate } from '../../domain/linkage/incremental.ts';
import type { PersonRecord as LinkageRecord } from '../../domain/linkage/person-record.ts';
import { linkageRepository, type ReviewInsert } from '../linkage-review/repository.ts';
import { activeModel, blockingKeysOf, linkageRecordOf } from '../records/linking.ts';
import type { RecordsRepository, RecordVersionRow } from '../records/repository.ts';
import { ingestRepository, type BulkBlockingKeys } from './repository.ts';

/**
 * Set-based linkage of the new records of one ingest batch: the same decisions
 * `linkNewRecord` (src/features/records/linking.ts) makes record by record, in
 * the order sent, with a handful of statements for the whole batch instead of
 * eight round trips a record.
 *
 * - Candidates among people linked before the batch: one blocking query for
 *   every record (ingest repository `bulkCandidates`, the linker's own blocks).
 * - Candidates among records linked earlier in the same batch: the same blocks
 *   answered in memory (equal NHS number, birth date or its day/month swap,
 *   postcode; family and given names whose pg_trgm similarity is at least 0.4,
 *   computed as pg_trgm does).
 * - Scoring and the decision are the linker's (`scoreCandidates`, `decideLink`);
 *   a record with no person kind (an unborn baby) is linked by NHS number alone.
 * - People, links and reviews are written at the end, a few statements in all.
 */

/** Pairs the SQL blocks return at most per record (linkage-review/repository.ts CANDIDATE_LIMIT). */
const CANDIDATE_LIMIT = 1000;
/** pg_trgm.similarity_threshold as the linker sets it. */
const TRIGRAM_THRESHOLD = 0.4;

export interface NewRecordToLink {
  index: number;
  recordId: number;
  at: Date;
}

interface VersionSeen {
  index: number;
  recordId: number;
  row: Omit<RecordVersionRow, 'recordId'>;
}

/** pg_trgm's trigrams: lower-cased words of letters and digits, padded with two spaces before and one after. */
export function trigrams(text: string): Set<string> {
  const out = new Set<string>();
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const w = `  ${word} `;
    for (let i = 0; i + 3 <= w.length; i++) out.add(w.slice(i, i + 3));
  }
  return out;
}

/** pg_trgm's similarity(): shared trigrams over all distinct trigrams of both. */
export function trigramSimilarity(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const t of a) if (b.has(t)) shared += 1;
  return shared / (a.size + b.size - shared);
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/**
 * Link the batch's new records (in item order) and answer the people affected.
 * `versions` are every version this batch stored, already written.
 */
export async function linkNewRecords(
  db: Kysely<DB> | Transaction<DB>,
  repo: RecordsRepository,
  options: { batchId: string; toLink: NewRecordToLink[]; versions: VersionSeen[]; existingPersons: Map<number, string> },
): Promise<Set<string>> {
  const affected = new Set<string>();
  if (options.toLink.length === 0) return affected;
  const ingest = ingestRepository(db);
  const linkage = linkageRepository(db);
  const active = await activeModel(linkage);

  // The latest version of each record this batch wrote (what `recordsWithBodies` would read).
  const latest = new Map<number, VersionSeen>();
  const versionsOf = new Map<number, VersionSeen[]>();
  for (const v of options.versions) {
    const seen = latest.get(v.recordId);
    if (!seen || seen.row.version < v.row.version) latest.set(v.recordId, v);
    push(versionsOf, v.recordId, v);
  }
  const people = options.toLink.map((l) => ({ ...l, version: latest.get(l.recordId)! }));
  const persons = people.filter((p) => p.version.row.kind === 'person');
  const keys = persons.map((p) => blockingKeysOf(p.recordId, p.version.row.body));
  const before = await ingest.bulkCandidates(keys, CANDIDATE_LIMIT);
  const notSame = await ingest.notSamePairsOf(persons.map((p) => p.recordId));
  const keysByRecord = new Map(persons.map((p, i) => [p.recordId, { keys: keys[i]!, before: before.get(i) ?? [] }]));

  // Records linked so far in this batch, indexed by the blocks.
  const linkedNow = new Map<number, string>(options.existingPersons);
  const byNhs = new Map<string, number[]>();
  const byBirth = new Map<string, number[]>();
  const byPostcode = new Map<string, number[]>();
  const byFamilyTrigram = new Map<string, number[]>();
  const nameRows: { recordId: number; family: Set<string>; given: Set<string> }[] = [];
  const indexLinked = (recordId: number) => {
    for (const v of versionsOf.get(recordId) ?? []) {
      if (v.row.nhsNumber) push(byNhs, v.row.nhsNumber, recordId);
      if (v.row.birthDate) push(byBirth, v.row.birthDate, recordId);
      if (v.row.postcode) push(byPostcode, v.row.postcode, recordId);
      if (v.row.familyName !== null && v.row.givenNames !== null) {
        const row = { recordId, family: trigrams(v.row.familyName), given: trigrams(v.row.givenNames) };
        nameRows.push(row);
        for (const t of row.family) push(byFamilyTrigram, t, nameRows.length - 1);
      }
    }
  };
  const inBatchCandidates = (k: BulkBlockingKeys): Set<number> => {
    const found = new Set<number>();
    const add = (ids: number[] | undefined) => {
      for (const id of ids ?? []) found.add(id);
    };
    if (k.nhsNumber) add(byNhs.get(k.nhsNumber));
    for (const d of k.birthDates) add(byBirth.get(d));
    if (k.postcode) add(byPostcode.get(k.postcode));
    if (k.familyName && k.givenName) {
      const family = trigrams(k.familyName);
      const given = trigrams(k.givenName);
      const shared = new Map<number, number>();
      for (const t of family) for (const row of byFamilyTrigram.get(t) ?? []) shared.set(row, (shared.get(row) ?? 0) + 1);
      for (const [row, n] of shared) {
        const r = nameRows[row]!;
        if (n / (r.family.size + family.size - n) >= TRIGRAM_THRESHOLD && trigramSimilarity(r.given, given) >= TRIGRAM_THRESHOLD) found.add(r.recordId);
      }
    }
    found.delete(k.recordId);
    return found;
  };

  // NHS-number holders before this batch (for records that are not people: unborn babies).
  const unbornNumbers = people.filter((p) => p.version.row.kind !== 'person' && p.version.row.nhsNumber).map((p) => p.version.row.nhsNumber!);
  const holdersBefore = new Map<string, Map<number, string>>();
  for (const h of unbornNumbers.length ? await repo.nhsNumberHolders(unbornNumbers, options.batchId) : []) {
    const m = holdersBefore.get(h.nhsNumber) ?? new Map<number, string>();
    m.set(h.recordId, h.personId);
    holdersBefore.set(h.nhsNumber, m);
  }
  const batchVersionsByNhs = new Map<string, VersionSeen[]>();
  for (const v of [...options.versions].sort((a, b) => a.index - b.index)) if (v.row.nhsNumber) push(batchVersionsByNhs, v.row.nhsNumber, v);

  let pool: string[] = [];
  let remaining = options.toLink.length;
  const newPeople: { id: string; at: Date }[] = [];
  const links: { personId: string; recordId: number; method: string; at: Date }[] = [];
  const reviews: ReviewInsert[] = [];
  const newPerson = async (at: Date) => {
    if (pool.length === 0) {
      pool = await repo.allocatePersonIds(Math.min(Math.max(remaining, 1), 5000));
      pool.reverse();
    }
    const id = pool.pop()!;
    newPeople.push({ id, at });
    return id;
  };
  const link = (personId: string, recordId: number, method: string, at: Date) => {
    links.push({ personId, recordId, method, at });
    linkedNow.set(recordId, personId);
    affected.add(personId);
  };

  for (const p of people) {
    remaining -= 1;
    if (linkedNow.has(p.recordId)) continue;
    const row = p.version.row;
    if (row.kind === 'person') {
      const { keys: k, before: stored } = keysByRecord.get(p.recordId)!;
      const rows = new Map<number, { personId: string; body: unknown }>();
      for (const c of stored) rows.set(c.recordId, { personId: c.personId, body: c.body });
      for (const recordId of inBatchCandidates(k)) {
        if (rows.size >= CANDIDATE_LIMIT) break;
        const personId = linkedNow.get(recordId);
        const body = latest.get(recordId);
        if (personId && body && body.row.kind === 'person' && !rows.has(recordId)) rows.set(recordId, { personId, body: body.row.body });
      }
      const refused = notSame.get(p.recordId) ?? new Set<number>();
      const refusedPeople = new Set([...rows].filter(([id]) => refused.has(id)).map(([, r]) => r.personId));
      const candidates: Candidate[] = [...rows]
        .filter(([, r]) => !refusedPeople.has(r.personId))
        .map(([recordId, r]) => ({ recordId, personId: r.personId, record: linkageRecordOf(recordId, r.body) }));
      const record: LinkageRecord = linkageRecordOf(p.recordId, row.body);
      const decision = decideLink(scoreCandidates(active.model, active.vocabulary, record, candidates));
      if (decision.linkTo) link(decision.linkTo.personId, p.recordId, 'probabilistic', p.at);
      else link(await newPerson(p.at), p.recordId, 'new-person', p.at);
      for (const m of decision.review) {
        reviews.push({
          recordId: p.recordId, candidateRecordId: m.recordId, probability: m.probability, matchWeight: m.weight, heldBecause: m.heldBecause,
          breakdown: explainRecords(active.model, active.vocabulary, linkageRecordOf(m.recordId, rows.get(m.recordId)?.body), record),
          createdAt: p.at,
        });
      }
      indexLinked(p.recordId);
      continue;
    }
    // Not a person record: the NHS number alone, as `linkNewRecord` does without a match.
    let personId: string | undefined;
    const nhs = row.nhsNumber;
    if (nhs && isValidNhsNumber(nhs)) {
      const holders = new Set<string>();
      for (const [recordId, person] of holdersBefore.get(nhs) ?? []) if (recordId !== p.recordId) holders.add(person);
      for (const v of batchVersionsByNhs.get(nhs) ?? []) {
        if (v.index >= p.index) break;
        const person = linkedNow.get(v.recordId);
        if (v.recordId !== p.recordId && person) holders.add(person);
      }
      personId = [...holders].sort()[0];
    }
    if (personId) link(personId, p.recordId, 'nhs-number', p.at);
    else link(await newPerson(p.at), p.recordId, 'new-person', p.at);
    indexLinked(p.recordId);
  }
  await repo.insertPersons(newPeople);
  await repo.insertLinks(links);
  await linkage.insertReviews(reviews);
  return affected;
}
