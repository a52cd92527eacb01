import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import { evaluateFlagsFor } from '../flags/service.ts';
import { isValidNhsNumber } from '../../domain/linkage/nhs-number.ts';
import {
  decideLink, linkageModel, scoreCandidates, vocabularyFrom, explainRecords,
  type Candidate, type NameFrequencies, type PersonMatch,
} from '../../domain/linkage/incremental.ts';
import type { LinkageModel, ModelParameters } from '../../domain/linkage/model.ts';
import type { PersonRecord as LinkageRecord } from '../../domain/linkage/person-record.ts';
import type { Vocabulary } from '../../domain/linkage/prepare.ts';
import { linkageRepository, type BlockingKeys, type LinkageRepository } from '../linkage-review/repository.ts';
import type { RecordsRepository } from './repository.ts';
import { rebuildFamilies, rebuildInvolvements } from './derived.ts';

/**
 * Record linkage against the people Kinsight already knows (issue 6).
 *
 * A new record is matched incrementally: the database finds candidates by
 * blocking on indexed columns (NHS number, birth date, postcode, similar
 * names), the Fellegi-Sunter model in src/domain/linkage scores them, and
 * one of three things happens: it joins the strongest person above the link
 * threshold; it becomes a new person with a review for each person between the
 * thresholds (or held: possible twins are never linked automatically); or it
 * becomes a new person. A person decided "not the same" is never linked again.
 *
 * Links live in person_link with linked_at/unlinked_at: a merge ends links and
 * makes new ones, so it can be reversed; agency records are never changed.
 */

type Db = Kysely<DB> | Transaction<DB>;

export interface LinkOutcome {
  personId: string;
  method: 'probabilistic' | 'nhs-number' | 'new-person';
  /** People whose membership changed (for families and involvements to be rebuilt). */
  affected: string[];
  /** Reviews queued for a practitioner. */
  reviews: number;
}

/** The body of an agency record (the event vocabulary) as the linker reads it. */
interface RecordBody {
  localId?: string;
  kind?: string;
  name?: { given?: string[]; family?: string };
  birthDate?: string;
  sex?: string;
  nhsNumber?: string;
  address?: { lines?: string[]; town?: string; postcode?: string };
}

/** An agency record as the linker compares it (the record id is opaque). */
export function linkageRecordOf(recordId: number, body: unknown): LinkageRecord {
  const b = (body ?? {}) as RecordBody;
  return {
    recordId: String(recordId),
    ...(b.name?.given ? { givenNames: b.name.given } : {}),
    ...(b.name?.family ? { familyName: b.name.family } : {}),
    ...(b.birthDate ? { birthDate: b.birthDate } : {}),
    ...(b.sex && b.sex !== 'unknown' ? { sex: b.sex } : {}),
    ...(b.nhsNumber ? { nhsNumber: b.nhsNumber } : {}),
    ...(b.address?.postcode ? { postcode: b.address.postcode } : {}),
    ...(b.address?.lines ? { addressLines: b.address.lines } : {}),
    ...(b.address?.town ? { town: b.address.town } : {}),
  };
}

/** The model and name frequencies in use: the latest trained parameters, or the defaults. */
export interface ActiveModel {
  model: LinkageModel;
  vocabulary: Vocabulary;
  parametersId: number | null;
}

let cached: { id: number | null; active: ActiveModel } | null = null;

/** Load the model the linker uses now (cached until a new training run is stored). */
export async function activeModel(repo: LinkageRepository): Promise<ActiveModel> {
  const stored = await repo.latestParameters();
  const id = stored?.id ?? null;
  if (cached && cached.id === id) return cached.active;
  const active: ActiveModel = {
    model: linkageModel((stored?.parameters as ModelParameters | undefined) ?? null),
    vocabulary: vocabularyFrom((stored?.nameFrequencies as NameFrequencies | undefined) ?? null),
    parametersId: id,
  };
  cached = { id, active };
  return active;
}

function swappedDayMonth(date: string): string | null {
  const [y, m, d] = date.split('-');
  if (!y || !m || !d || m === d || Number(d) > 12) return null;
  return `${y}-${d}-${m}`;
}

function databaseOf(repo: RecordsRepository): Db | null {
  return (repo as { db?: Db }).db ?? null;
}

/** What the linker blocks on for a record's body: the same keys for one record (matchRecord) and for a batch (ingest's bulk linking). */
export function blockingKeysOf(recordId: number, body: unknown): BlockingKeys {
  const b = (body ?? {}) as RecordBody;
  return {
    recordId,
    nhsNumber: b.nhsNumber && isValidNhsNumber(b.nhsNumber) ? b.nhsNumber : null,
    birthDates: b.birthDate ? [b.birthDate, swappedDayMonth(b.birthDate)].filter((d): d is string => d !== null) : [],
    postcode: b.address?.postcode ? b.address.postcode.replace(/\s+/g, '').toUpperCase() : null,
    familyName: b.name?.family ? b.name.family.toLowerCase() : null,
    givenName: b.name?.given?.[0] ? b.name.given[0].toLowerCase() : null,
  };
}

/** Match one record against the people it might be (no writes). */
export async function matchRecord(db: Db, recordId: number, body: unknown): Promise<{ matches: PersonMatch[]; active: ActiveModel; record: LinkageRecord }> {
  const repo = linkageRepository(db);
  const active = await activeModel(repo);
  const record = linkageRecordOf(recordId, body);
  const rows = await repo.candidates(blockingKeysOf(recordId, body));
  const refused = new Set<number>();
  for (const pair of await repo.notSamePairs([recordId])) refused.add(pair.recordId === recordId ? pair.candidateRecordId : pair.recordId);
  const refusedPeople = new Set(rows.filter((r) => refused.has(r.recordId)).map((r) => r.personId));
  const candidates: Candidate[] = rows
    .filter((r) => !refusedPeople.has(r.personId))
    .map((r) => ({ recordId: r.recordId, personId: r.personId, record: linkageRecordOf(r.recordId, r.body) }));
  return { matches: scoreCandidates(active.model, active.vocabulary, record, candidates), active, record };
}

/** Queue reviews of a record against people, with the per-field breakdown the review page draws. */
async function queueReviews(db: Db, recordId: number, record: LinkageRecord, matches: readonly PersonMatch[], active: ActiveModel, at: Date): Promise<number> {
  if (matches.length === 0) return 0;
  const repo = linkageRepository(db);
  const bodies = new Map((await repo.recordsWithBodies(matches.map((m) => m.recordId))).map((r) => [r.recordId, r.body]));
  await repo.insertReviews(matches.map((m) => ({
    recordId, candidateRecordId: m.recordId, probability: m.probability, matchWeight: m.weight, heldBecause: m.heldBecause,
    breakdown: explainRecords(active.model, active.vocabulary, linkageRecordOf(m.recordId, bodies.get(m.recordId)), record),
    createdAt: at,
  })));
  return matches.length;
}

/**
 * Link a record received for the first time. Unborn babies' records become
 * people of their own (the birth event joins them to the child, `linkBirths`).
 */
export async function linkNewRecord(
  repo: RecordsRepository,
  record: { recordId: number; nhsNumber: string | null },
  at: Date,
): Promise<LinkOutcome> {
  // A repository call first: a buffering repository (ingest's link buffer) writes what it holds,
  // so the candidate queries below see the links made earlier in the same batch.
  const already = (await repo.currentPersons([record.recordId])).get(record.recordId);
  if (already) return { personId: already, method: 'probabilistic', affected: [], reviews: 0 };
  const db = databaseOf(repo);
  const stored = db ? (await linkageRepository(db).recordsWithBodies([record.recordId]))[0] : undefined;
  if (db && stored && stored.kind === 'person') {
    const { matches, active, record: linkageRecord } = await matchRecord(db, record.recordId, stored.body);
    const decision = decideLink(matches);
    let personId = decision.linkTo?.personId;
    let method: LinkOutcome['method'] = 'probabilistic';
    if (personId) {
      await repo.link(personId, record.recordId, 'probabilistic', at);
    } else {
      personId = await repo.newPerson(at);
      method = 'new-person';
      await repo.link(personId, record.recordId, 'new-person', at);
    }
    const reviews = await queueReviews(db, record.recordId, linkageRecord, decision.review, active, at);
    return { personId, method, affected: [personId], reviews };
  }
  // Without the linker's database (a bare repository) or for an unborn baby: the NHS number alone.
  if (record.nhsNumber && isValidNhsNumber(record.nhsNumber)) {
    const holders = await repo.personsWithNhsNumber(record.nhsNumber, record.recordId);
    const personId = holders[0];
    if (personId) {
      await repo.link(personId, record.recordId, 'nhs-number', at);
      return { personId, method: 'nhs-number', affected: [personId], reviews: 0 };
    }
  }
  const personId = await repo.newPerson(at);
  await repo.link(personId, record.recordId, 'new-person', at);
  return { personId, method: 'new-person', affected: [personId], reviews: 0 };
}

/**
 * Move every record of one person into another (a merge). The old links are
 * ended with the reason, not deleted; chronology rows follow the records.
 */
export async function mergePeople(repo: RecordsRepository, from: string, into: string, reason: string, at: Date): Promise<string[]> {
  if (from === into) return [into];
  const records = await repo.recordsOfPerson(from);
  for (const recordId of records) {
    await repo.unlink(recordId, at, reason);
    await repo.link(into, recordId, reason, at);
  }
  await repo.moveEventSubjects(records, into);
  return [from, into];
}

/**
 * Split records out of a person into a new person (the reverse of a merge, or
 * a correction). The old links are ended with the reason; returns the new person.
 */
export async function splitRecords(repo: RecordsRepository, from: string, recordIds: number[], reason: string, at: Date): Promise<string> {
  const held = new Set(await repo.recordsOfPerson(from));
  const moving = recordIds.filter((id) => held.has(id));
  if (moving.length === 0 || moving.length === held.size) throw new RangeError('a split moves some, not all, of the person’s records');
  const personId = await repo.newPerson(at);
  for (const recordId of moving) {
    await repo.unlink(recordId, at, reason);
    await repo.link(personId, recordId, reason, at);
  }
  await repo.moveEventSubjects(moving, personId);
  return personId;
}

/**
 * Move records back from one person to another: undoing a merge (the merged
 * person's records go back to them) or a split (the split records go back).
 * Every record must still be linked to `from`, or nothing moves (RangeError):
 * a later change has moved them, and that change is the one to undo first.
 * The ended links are kept; chronology rows follow the records.
 */
export async function moveRecordsBack(repo: RecordsRepository, from: string, to: string, recordIds: number[], reason: string, at: Date): Promise<void> {
  const held = new Set(await repo.recordsOfPerson(from));
  if (recordIds.length === 0 || !recordIds.every((id) => held.has(id))) throw new RangeError('the records have moved since');
  for (const recordId of recordIds) {
    await repo.unlink(recordId, at, reason);
    await repo.link(to, recordId, reason, at);
  }
  await repo.moveEventSubjects(recordIds, to);
}

/**
 * A birth joins the unborn baby's records to the child's: the same human,
 * before and after. The unborn person's records move to the child's person
 * (links ended and made with the reason `birth`). For the births of an ingest
 * batch, in the order given (a person merged away by an earlier birth is
 * followed to the person it went to), written in a few statements.
 * Answers every person a birth merged from or into.
 */
export async function linkBirths(repo: RecordsRepository, births: { unborn: number; child: number }[], at: Date): Promise<string[]> {
  if (births.length === 0) return [];
  const persons = await repo.currentPersons(births.flatMap((b) => [b.unborn, b.child]));
  const wentTo = new Map<string, string>();
  const follow = (p: string): string => {
    let q = p;
    while (wentTo.has(q)) q = wentTo.get(q)!;
    return q;
  };
  const merges: { from: string; into: string }[] = [];
  for (const b of births) {
    const unborn = persons.get(b.unborn);
    const child = persons.get(b.child);
    if (!unborn || !child) continue;
    const from = follow(unborn);
    const into = follow(child);
    if (from === into) continue;
    wentTo.set(from, into);
    merges.push({ from, into });
  }
  if (merges.length === 0) return [];
  const held = await repo.recordsOfPersons(merges.map((m) => m.from));
  const moves: { recordId: number; personId: string }[] = [];
  for (const [person, records] of held) for (const recordId of records) moves.push({ recordId, personId: follow(person) });
  await repo.relinkRecords(moves, 'birth', at);
  return [...new Set(merges.flatMap((m) => [m.from, m.into]))];
}

/**
 * After a merge or a split: rebuild what is derived from the people whose
 * records moved (families, with corrections applied again; involvements), and
 * re-evaluate their flags with the flags engine's `evaluateFlagsFor(db,
 * personIds, clock)` (src/features/flags/service.ts).
 */
export async function afterLinkChange(repo: RecordsRepository, personIds: string[], clock: Clock): Promise<void> {
  const people = [...new Set(personIds)];
  await rebuildInvolvements(repo, people);
  // Family corrections are applied again by the rebuild itself.
  await rebuildFamilies(repo, people);
  const db = databaseOf(repo);
  if (!db) return;
  await reevaluateFlagsHook(db, people, clock);
}

/** Re-evaluate these people's flags (and their families') after their records moved: the flags feature's own entry point. */
async function reevaluateFlagsHook(db: Db, personIds: string[], clock: Clock): Promise<void> {
  await evaluateFlagsFor(db, personIds, clock);
}
