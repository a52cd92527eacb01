import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import { systemContext, type RequestContext } from '../../platform/access/context.ts';
import { FLAG_CATALOGUE, type FlagFinding, type FlagRule } from '../../domain/flags/index.ts';
import { addCalendarDays, londonDate } from '../../domain/timescales/working-days.ts';
import { agencyMap, type AgencyFact } from './history.ts';
import { startRecomputeWorkers, type RecomputeWorkers } from './recompute-workers.ts';
import { evaluateChunk, evaluateGroups, notAsHeld, sameAsLive, type ChunkJob, type ChunkResult, type PersonFindings } from './chunk.ts';
import {
  flagsLinkRepository, flagsRepository, type FamilyRead, type FlagInsert, type FlagRow, type FlagUpdate, type FlagsRepository, type HeldFlag, type RoutedToKind,
} from './repository.ts';

/**
 * Evaluating concern flags against the database and keeping the flag store.
 *
 * For each person affected by a change (and everyone in their family, since
 * an adult's event informs the children's flags), build the history the pure
 * engine needs from the linked records, evaluate at the clock, and store the
 * findings: a new key raises a flag; the same key while the flag is live
 * (open or acknowledged) updates its evidence and wording; a closed flag is
 * raised again only when the finding has evidence the closed one did not.
 * Nothing is deleted; every change has a history row and an audit row.
 */

export interface EvaluateOptions {
  /** Who is evaluating (for the history and audit); Kinsight's own process by default. */
  ctx?: RequestContext;
  /** The ONS code of the partnership's authority; by default, that of the front door. */
  homeAuthority?: string;
  /** The rules to run (tests); the whole catalogue by default. */
  catalogue?: readonly FlagRule[];
}

export interface EvaluationSummary {
  /** People evaluated (present at the clock). */
  evaluated: number;
  raised: number;
  updated: number;
  raisedAgain: number;
  /** Flags moved to the person a merged-away person's records now belong to. */
  moved: number;
}

type Db = Kysely<DB>;

function instant(clock: Clock | Date): Date {
  return clock instanceof Date ? clock : clock.now();
}

async function inTransaction<T>(db: Db | Transaction<DB>, fn: (trx: Db | Transaction<DB>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : (db as Db).transaction().execute(fn);
}

/** Services in the order their worker leads for the child. */
const LEAD_SERVICES = ['child-protection', 'looked-after', 'child-in-need', 'early-help', 'tac'];

/**
 * Who a new flag goes to: the child's lead practitioner in the Team Around the
 * Child, else the team of the agency leading an open involvement for the child
 * (child protection, looked after, child in need, early help, team around the
 * child, then any other), else the front-door queue.
 */
export async function routeFor(repo: FlagsRepository, personId: string, homeAuthority: string): Promise<{ kind: RoutedToKind; id: string | null }> {
  return (await routesFor(repo, [personId], homeAuthority)).get(personId)!;
}

const actorOf = (ctx: RequestContext) => ({
  kind: ctx.actor.kind,
  id: ctx.actor.kind === 'user' ? ctx.actor.userId : ctx.actor.kind === 'api-client' ? ctx.actor.clientId : ctx.actor.process,
});

/** The flags with these keys, newest first within each key. */
function byKey<T extends HeldFlag>(rows: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const list = out.get(r.key);
    if (list) list.push(r);
    else out.set(r.key, [r]);
  }
  return out;
}



type Change =
  | { kind: 'update'; f: FlagFinding; rows: number[]; live: HeldFlag; added: string[]; reopen: boolean }
  | { kind: 'insert'; f: FlagFinding; rows: number[]; closed: HeldFlag | undefined };

/**
 * What the store must do for these findings, given the flags already held
 * with their keys: nothing for a finding equal to its live flag; an update
 * for new evidence or wording; a new flag for a new key, or for a closed
 * key with evidence the closed flag did not have. Pure.
 */
function changesFor(items: PersonFindings[], existing: Map<string, HeldFlag[]>): Change[] {
  const out: Change[] = [];
  for (const { findings, rowsOf } of items) {
    for (const f of findings) {
      const mine = existing.get(f.key) ?? [];
      const live = mine.find((x) => x.state !== 'closed');
      const rowsFor = () => [...new Set(f.evidence.flatMap((id) => rowsOf.get(id) ?? []))].sort((a, b) => a - b);
      if (live) {
        const held = new Set(live.evidence);
        const added = f.evidence.filter((id) => !held.has(id));
        if (!sameAsLive(f, live)) out.push({ kind: 'update', f, rows: rowsFor(), live, added, reopen: live.state === 'acknowledged' && added.length > 0 });
        continue;
      }
      const closed = mine.find((x) => x.state === 'closed');
      if (closed) {
        const held = new Set(closed.evidence);
        if (f.evidence.every((id) => held.has(id))) continue;
      }
      out.push({ kind: 'insert', f, rows: rowsFor(), closed });
    }
  }
  return out;
}

/** Services in the order their worker leads for the child (routeFor), as a rank. */
const leadRank = (s: string) => (LEAD_SERVICES.includes(s) ? LEAD_SERVICES.indexOf(s) : LEAD_SERVICES.length);

/** routeFor for many people at once: four queries whatever the number of people. */
async function routesFor(repo: FlagsRepository, personIds: string[], homeAuthority: string): Promise<Map<string, { kind: RoutedToKind; id: string | null }>> {
  const out = new Map<string, { kind: RoutedToKind; id: string | null }>();
  if (personIds.length === 0) return out;
  const leads = await repo.leadPractitionersOf(personIds);
  const open = await repo.openInvolvementsOf(personIds);
  const teams = await repo.teamsOfAgencies([...new Set(open.map((i) => i.agencyId))]);
  const doors = await repo.frontDoorAgencies();
  const door = doors.find((d) => d.authority === homeAuthority) ?? doors[0];
  const ofPerson = new Map<string, typeof open>();
  for (const i of open) ofPerson.set(i.personId, [...(ofPerson.get(i.personId) ?? []), i]);
  for (const p of personIds) {
    const ordered = [...(ofPerson.get(p) ?? [])].sort((a, b) => leadRank(a.service) - leadRank(b.service));
    const lead = leads.get(p);
    let route: { kind: RoutedToKind; id: string | null } | undefined = lead ? { kind: 'user', id: lead } : undefined;
    for (const inv of route ? [] : ordered) {
      if (inv.teamId) { route = { kind: 'team', id: inv.teamId }; break; }
      const team = teams.find((t) => t.agencyId === inv.agencyId);
      if (team) { route = { kind: 'team', id: team.id }; break; }
    }
    out.set(p, route ?? { kind: 'front-door', id: door?.id ?? null });
  }
  return out;
}

/**
 * The writes for these changes, as one statement (flagsRepository.writeChanges):
 * updates, then new flags in the order found (so ids are as a person-by-person
 * store gives them), their history and audit rows. With `expect`, only if the
 * flags with those keys are still the ones the changes were worked out from;
 * undefined when they are not (nothing was written).
 */
async function writeChanges(
  db: Db | Transaction<DB>, ctx: RequestContext, changes: Change[], at: Date, homeAuthority: string,
  expect: { keys: string[]; flags: HeldFlag[] } | null,
): Promise<{ raised: string[]; updated: string[]; raisedAgain: string[] } | undefined> {
  const out = { raised: [] as string[], updated: [] as string[], raisedAgain: [] as string[] };
  const updates: FlagUpdate[] = [];
  const inserts: (FlagInsert & { again: boolean })[] = [];
  for (const c of changes) {
    const { f } = c;
    if (c.kind === 'update') {
      const { live, added, reopen } = c;
      updates.push({
        id: live.id, personId: f.personId, ruleVersion: f.ruleVersion, evidence: f.evidence, evidenceRows: c.rows, sources: f.sources,
        explanation: f.explanation, reopen,
        history: { action: added.length > 0 ? 'new-evidence' : 'reworded', fromState: live.state, toState: reopen ? 'open' : live.state, details: { added, ruleVersion: f.ruleVersion } },
        audit: { added: added.length },
      });
      out.updated.push(live.id);
    } else {
      const { closed } = c;
      inserts.push({
        key: f.key, category: f.category, ruleId: f.ruleId, ruleVersion: f.ruleVersion, personId: f.personId, evidence: f.evidence,
        evidenceRows: c.rows, sources: f.sources, explanation: f.explanation, raisedAt: f.raisedAt, reviewBy: f.reviewBy,
        previousFlagId: closed?.id ?? null, action: closed ? 'raised-again' : 'raised',
        details: closed ? { previous: closed.id, added: f.evidence.filter((e) => !closed.evidence.includes(e)) } : {},
        audit: { rule: f.ruleId, category: f.category }, again: closed !== undefined,
      });
    }
  }
  if (!expect && updates.length === 0 && inserts.length === 0) return out;
  const { ok, ids } = await flagsRepository(db).writeChanges({ at, ctx, actor: actorOf(ctx), homeAuthority, updates, inserts, expect });
  if (!ok) return undefined;
  inserts.forEach((c, i) => (c.again ? out.raisedAgain : out.raised).push(ids[i]!));
  return out;
}

/**
 * Store the findings of many people: one read of the flags with their keys,
 * the differences worked out in memory, and only those written, in one
 * statement (new flags take their ids in the order found, so the result is
 * the same as storing person by person). Nothing is written when every
 * finding equals what is stored.
 */
export async function storeFindingsMany(
  db: Db | Transaction<DB>, ctx: RequestContext, items: PersonFindings[], at: Date, homeAuthority: string,
): Promise<{ raised: string[]; updated: string[]; raisedAgain: string[] }> {
  const out = { raised: [] as string[], updated: [] as string[], raisedAgain: [] as string[] };
  const keys = items.flatMap((i) => i.findings.map((f) => f.key));
  if (keys.length === 0) return out;
  const changes = changesFor(items, byKey(await flagsRepository(db).flagsByKeys(keys)));
  if (changes.length === 0) return out;
  return (await writeChanges(db, ctx, changes, at, homeAuthority, null))!;
}

/**
 * storeFindingsMany for findings whose keys' flags were read with the family
 * (flags_family_read returns those the family's people hold): the changes are
 * worked out from those and written in one statement on condition that the
 * flags with the keys are still exactly those (a flag with the key could be
 * held by someone else after a merge, or changed since the read); if not,
 * nothing was written and the store reads them afresh (storeFindingsMany).
 * One round trip instead of a read and a transaction of six to ten statements.
 */
async function storeFindingsAsRead(
  db: Db | Transaction<DB>, ctx: RequestContext, items: PersonFindings[], held: HeldFlag[], at: Date, homeAuthority: string,
): Promise<{ raised: string[]; updated: string[]; raisedAgain: string[] }> {
  const keys = new Set(items.flatMap((i) => i.findings.map((f) => f.key)));
  if (keys.size === 0) return { raised: [], updated: [], raisedAgain: [] };
  const mine = held.filter((f) => keys.has(f.key));
  const written = await writeChanges(db, ctx, changesFor(items, byKey(mine)), at, homeAuthority, { keys: [...keys], flags: mine });
  return written ?? storeFindingsMany(db, ctx, items, at, homeAuthority);
}

/**
 * Store one person's findings. Returns what changed. Exported for tests: the
 * store's rules (no duplicate open flag; re-raise a closed one only on new
 * evidence) live here (storeFindingsMany, for one person).
 */
export async function storeFindings(
  trx: Db | Transaction<DB>, ctx: RequestContext, findings: FlagFinding[], rowsOf: Map<string, number[]>, at: Date, homeAuthority: string,
): Promise<{ raised: string[]; updated: string[]; raisedAgain: string[] }> {
  return storeFindingsMany(trx, ctx, [{ findings, rowsOf }], at, homeAuthority);
}

/** What evaluating is given once per call: the clock, who, the home authority, the agencies and the rules. */
interface Setting {
  asAt: Date;
  ctx: RequestContext;
  homeAuthority: string;
  agencies: ReturnType<typeof agencyMap>;
  catalogue: readonly FlagRule[];
}

async function settingOf(repo: FlagsRepository, clock: Clock | Date, options: EvaluateOptions, ctx?: RequestContext): Promise<Setting> {
  return settingFrom(await repo.agencies(), clock, options, ctx);
}

/** The setting from the agency table's rows (read, or cached by content). */
function settingFrom(agencyRows: AgencyFact[], clock: Clock | Date, options: EvaluateOptions, ctx?: RequestContext): Setting {
  let homeAuthority = options.homeAuthority;
  if (!homeAuthority) {
    // As homeAuthorityOf, from the one read: the front door's authority, else the most common.
    const door = agencyRows.find((a) => a.kind === 'front-door');
    if (door) homeAuthority = door.authority;
    else {
      const counts = new Map<string, number>();
      for (const a of agencyRows) counts.set(a.authority, (counts.get(a.authority) ?? 0) + 1);
      homeAuthority = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? '';
    }
  }
  return {
    asAt: instant(clock),
    ctx: ctx ?? options.ctx ?? systemContext('flags', `flags-${randomUUID()}`),
    homeAuthority,
    agencies: agencyMap(agencyRows),
    catalogue: options.catalogue ?? FLAG_CATALOGUE,
  };
}

/** Move the flags of people merged into one of these to the person now holding their records. */
async function followMerges(db: Db | Transaction<DB>, personIds: string[], s: Pick<Setting, 'asAt' | 'ctx'>): Promise<number> {
  const merged = await flagsLinkRepository(db).mergedAway(personIds);
  if (merged.length === 0) return 0;
  // Only people who hold flags have any to move.
  const holding = await flagsLinkRepository(db).peopleWithFlags(merged.map((m) => m.from));
  const moved = merged.filter((m) => holding.has(m.from));
  if (moved.length === 0) return 0;
  let n = 0;
  await inTransaction(db, async (trx) => {
    const links = flagsLinkRepository(trx);
    const hist = flagsRepository(trx);
    const actor = actorOf(s.ctx);
    for (const m of moved) {
      for (const id of await links.moveFlags(m.from, m.into)) {
        const flag = await hist.flag(id);
        await hist.insertHistory({
          flagId: id, at: s.asAt, actorKind: actor.kind, actorId: actor.id, action: 'moved', fromState: flag?.state ?? null,
          toState: flag?.state ?? 'open', note: null, details: { from: m.from, into: m.into },
        });
        n += 1;
      }
    }
  });
  return n;
}

/** The families of these people (and lone people), each a sorted member list, in key order: one query. */
async function groupsOf(repo: FlagsRepository, personIds: string[]): Promise<string[][]> {
  return groupsFrom(personIds, await repo.familyGroups(personIds));
}

/** groupsOf from the family rows already read. */
function groupsFrom(personIds: string[], rows: { familyId: string; personId: string }[]): string[][] {
  const groups = new Map<string, Set<string>>();
  const inFamily = new Set(rows.map((r) => r.personId));
  for (const p of personIds) if (!inFamily.has(p)) groups.set(`person:${p}`, new Set([p]));
  for (const m of rows) {
    const set = groups.get(m.familyId) ?? new Set<string>();
    set.add(m.personId);
    groups.set(m.familyId, set);
  }
  return [...groups.keys()].sort().map((k) => [...groups.get(k)!].sort());
}



function addTo(summary: EvaluationSummary, r: { raised: string[]; updated: string[]; raisedAgain: string[] }): void {
  summary.raised += r.raised.length;
  summary.updated += r.updated.length;
  summary.raisedAgain += r.raisedAgain.length;
}

/** Families per chunk when many are evaluated (a recompute, a large batch). */
const CHUNK_FAMILIES = 1000;
/** Below this many families a recompute runs on the main thread: starting worker threads costs more than they save. */
const WORKERS_FROM_FAMILIES = 20_000;
/** At most this many people asked about: read their families' histories in the same round trip as the families. */
const FEW = 200;

/**
 * Evaluate and store groups in chunks: per chunk, one read of the chunk's
 * histories and held flags (chunkRead, four queries side by side; two chunks read ahead while
 * the engine works on the current one: the database works while the engine
 * does; chunks hold different people, so a chunk's writes change nothing
 * another chunk read), the engine in memory, then the findings that differ
 * from the live flags held compared in bulk and the differences written, in
 * chunk order. A chunk whose findings all equal their flags sends nothing more.
 */
async function evaluateInChunks(
  db: Db | Transaction<DB>, groups: string[][], s: Setting, summary: EvaluationSummary,
  options: { size?: number; onProgress?: (done: number, total: number) => void; workers?: RecomputeWorkers | undefined } = {},
): Promise<void> {
  const size = options.size ?? CHUNK_FAMILIES;
  const chunks: string[][][] = [];
  for (let i = 0; i < groups.length; i += size) chunks.push(groups.slice(i, i + size));
  // Worker threads only run the whole catalogue (rules are functions: they do not cross threads).
  const workers = s.catalogue === FLAG_CATALOGUE ? options.workers : undefined;
  const agencies = Object.values(s.agencies).map((a) => ({ id: a.id, name: a.name ?? '', kind: a.kind, authority: a.authority }));
  const jobOf = (i: number): ChunkJob => ({ groups: chunks[i]!, asAt: s.asAt, agencies, homeAuthority: s.homeAuthority });
  const ahead = workers ? workers.capacity : 2;
  const results = new Map<number, Promise<ChunkResult>>();
  const start = (i: number) => {
    if (i >= chunks.length || results.has(i)) return;
    const p = workers ? workers.run(jobOf(i)) : evaluateChunk(db, jobOf(i), s.catalogue);
    p.catch(() => undefined); // awaited below; a failure is reported there
    results.set(i, p);
  };
  for (let i = 0; i < ahead; i += 1) start(i);
  for (let i = 0; i < chunks.length; i += 1) {
    const { items, evaluated } = await results.get(i)!;
    results.delete(i);
    start(i + ahead);
    summary.evaluated += evaluated;
    addTo(summary, await storeFindingsMany(db, s.ctx, items, s.asAt, s.homeAuthority));
    options.onProgress?.(Math.min((i + 1) * size, groups.length), groups.length);
  }
}



/**
 * The agency table by the md5 of its content, as flags_family_read reports it:
 * an evaluation sends the hash it holds and gets the table back only when
 * the content differs (an agency added or changed, by any process, or another
 * database). Keyed by content, so a hit is always exact.
 */
const agencyCache = new Map<string, AgencyFact[]>();
let lastAgencyHash: string | null = null;

function agenciesOf(read: FamilyRead): AgencyFact[] {
  if (read.agencies) {
    if (agencyCache.size >= 8) agencyCache.clear();
    agencyCache.set(read.agencyHash, read.agencies);
  }
  lastAgencyHash = read.agencyHash;
  return read.agencies ?? agencyCache.get(read.agencyHash)!;
}

/** The hash of the agency content held, if it is still in the cache. */
const knownAgencies = () => (lastAgencyHash && agencyCache.has(lastAgencyHash) ? lastAgencyHash : null);

/**
 * A few people (an event, a small batch): one round trip reads the agencies
 * (unless unchanged), merges, families, records, relationships, events and
 * the flags the families hold; the engine runs; and when every finding equals
 * its live flag nothing more is sent. Otherwise the flags with the findings'
 * keys are read in full and the differences written (storeFindingsMany), as
 * for many people.
 */
async function evaluateFew(db: Db | Transaction<DB>, ids: string[], clock: Clock | Date, options: EvaluateOptions): Promise<EvaluationSummary> {
  const summary: EvaluationSummary = { evaluated: 0, raised: 0, updated: 0, raisedAgain: 0, moved: 0 };
  const asAt = instant(clock);
  const ctx = options.ctx ?? systemContext('flags', `flags-${randomUUID()}`);
  const read = await flagsRepository(db).familyRead(ids, knownAgencies());
  const s = settingFrom(agenciesOf(read), asAt, options, ctx);
  if (read.merges.length > 0) summary.moved = await followMerges(db, ids, s);
  const groups = groupsFrom(ids, read.families);
  const { items, evaluated } = evaluateGroups(groups, read, s);
  summary.evaluated = evaluated;
  // Flags moved just now are not in what was read: compare everything in full.
  if (summary.moved > 0) addTo(summary, await storeFindingsMany(db, s.ctx, items, s.asAt, s.homeAuthority));
  else {
    const changed = notAsHeld(items, read.flags);
    if (changed.length > 0) addTo(summary, await storeFindingsAsRead(db, s.ctx, changed, read.flags, s.asAt, s.homeAuthority));
  }
  return summary;
}


/**
 * Evaluate the flags of these people and everyone in their families, as at
 * the clock, and store what is found. Deterministic: the same database and
 * clock give the same flags. Call it once per ingest batch with the distinct
 * people the batch touched (not once per event), and from the recompute.
 * Set-based: for a few people, one round of parallel reads (agencies,
 * merges, families, and the families' records, relationships and events),
 * the engine in memory, one read of the stored flags, and writes only where
 * a finding differs from what is stored; for many, the same in chunks.
 */
export async function evaluateFlagsFor(db: Db | Transaction<DB>, personIds: string[], clock: Clock | Date, options: EvaluateOptions = {}): Promise<EvaluationSummary> {
  const summary: EvaluationSummary = { evaluated: 0, raised: 0, updated: 0, raisedAgain: 0, moved: 0 };
  const ids = [...new Set(personIds)];
  if (ids.length === 0) return summary;
  if (ids.length <= FEW) return evaluateFew(db, ids, clock, options);
  const repo = flagsRepository(db);
  const who = { asAt: instant(clock), ctx: options.ctx ?? systemContext('flags', `flags-${randomUUID()}`) };
  // Independent reads together (on PostgreSQL, separate connections).
  const [s, moved, groups] = await Promise.all([settingOf(repo, who.asAt, options, who.ctx), followMerges(db, ids, who), groupsOf(repo, ids)]);
  summary.moved = moved;
  await evaluateInChunks(db, groups, s, summary);
  return summary;
}

/**
 * Every person, as at an instant: the time-based rules (a decision or an
 * assessment overdue) need this as time passes with no new event. A
 * scheduler should run it each working day (`kinsight flags --recompute`).
 * Streams the county in chunks of families (1,000 by default) through the
 * same set-based path; writes stay in chunk order, so flag ids come out as a
 * family-by-family pass would give them.
 */
export async function recomputeFlags(
  db: Db, asAt: Date,
  options: EvaluateOptions & {
    batch?: number; onProgress?: (done: number, total: number) => void;
    /** Worker threads that read and evaluate chunks (PostgreSQL), used from `minFamilies` families (default 20,000): each costs 1-2 s of CPU to start. */
    workers?: { count: number; url: string; minFamilies?: number };
  } = {},
): Promise<EvaluationSummary & { people: number }> {
  const repo = flagsRepository(db);
  const s = await settingOf(repo, asAt, options);
  const people = await repo.allPeople();
  const total: EvaluationSummary & { people: number } = { evaluated: 0, raised: 0, updated: 0, raisedAgain: 0, moved: 0, people: people.length };
  total.moved = await followMerges(db, people, s);
  // Families (and lone people) in key order, as evaluateFlagsFor would take them.
  const groups = await groupsOf(repo, people);
  const w = options.workers;
  const workers = w && w.count > 0 && groups.length >= (w.minFamilies ?? WORKERS_FROM_FAMILIES)
    ? await startRecomputeWorkers(w.count, { kind: 'postgres', url: w.url }) : undefined;
  try {
    await evaluateInChunks(db, groups, s, total, {
      ...(options.batch ? { size: options.batch } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}), workers,
    });
  } finally {
    await workers?.close();
  }
  return total;
}

/** The rules that can fire with no new event, as time passes: the timescales (decision-overdue). */
export const TIME_BASED_RULES: readonly FlagRule[] = FLAG_CATALOGUE.filter((r) => r.category === 'decision-overdue');

/**
 * Events that start a timescale, and how far back one can still be running: a
 * referral decision (1 working day) or an assessment (45 working days, about
 * 65 calendar days; 120 leaves room for bank holidays and late records).
 */
const TIMESCALE_EVENTS = ['contact', 'referral', 'decision'];
const TIMESCALE_LOOKBACK_DAYS = 120;

/**
 * The scheduled pass: the time-based rules only, for the people with an event
 * that starts a timescale in the last 120 days (and their families), as at
 * the instant. Cheap enough to run every hour; `recomputeFlags` is the full pass.
 */
export async function evaluateTimeBasedFlags(db: Db, asAt: Date, options: EvaluateOptions = {}): Promise<EvaluationSummary & { people: number }> {
  const since = addCalendarDays(londonDate(asAt), -TIMESCALE_LOOKBACK_DAYS);
  const people = await flagsRepository(db).peopleWithRecentEvents(TIMESCALE_EVENTS, since);
  const summary = await evaluateFlagsFor(db, people, asAt, { catalogue: TIME_BASED_RULES, ...options });
  return { ...summary, people: people.length };
}

/** Evaluate the people an ingest batch touched (the ingest routes call this after a successful batch). */
export async function evaluateFlagsAfterBatch(db: Db, batchId: string | null | undefined, clock: Clock, options: EvaluateOptions = {}): Promise<EvaluationSummary | undefined> {
  if (!batchId) return undefined;
  const people = await flagsLinkRepository(db).peopleOfBatch(batchId);
  return evaluateFlagsFor(db, people, clock, options);
}

export type { FlagRow };
export type { PersonFindings };
