import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import { systemContext, type RequestContext } from '../../platform/access/context.ts';
import { writeAuditMany, type AuditEntry } from '../../platform/audit/audit.ts';
import { evaluateFlags, FLAG_CATALOGUE, type FlagFinding, type FlagRule } from '../../domain/flags/index.ts';
import { addCalendarDays, londonDate } from '../../domain/timescales/working-days.ts';
import { agencyMap, buildHistories, type FamilyData } from './history.ts';
import { flagsLinkRepository, flagsRepository, type FlagRow, type FlagsRepository, type RoutedToKind } from './repository.ts';

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

/** The home authority: the one given, else the front door's, else the most common agency authority. */
async function homeAuthorityOf(repo: FlagsRepository, given: string | undefined): Promise<string> {
  if (given) return given;
  const doors = await repo.frontDoorAgencies();
  if (doors[0]) return doors[0].authority;
  const counts = new Map<string, number>();
  for (const a of await repo.agencies()) counts.set(a.authority, (counts.get(a.authority) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? '';
}

/** Services in the order their worker leads for the child. */
const LEAD_SERVICES = ['child-protection', 'looked-after', 'child-in-need', 'early-help', 'tac'];

/**
 * Who a new flag goes to: the team of the agency leading an open involvement
 * for the child (child protection, looked after, child in need, early help,
 * team around the child, then any other), else the front-door queue.
 */
export async function routeFor(repo: FlagsRepository, personId: string, homeAuthority: string): Promise<{ kind: RoutedToKind; id: string | null }> {
  const open = await repo.openInvolvements(personId);
  const rank = (s: string) => (LEAD_SERVICES.includes(s) ? LEAD_SERVICES.indexOf(s) : LEAD_SERVICES.length);
  const ordered = [...open].sort((a, b) => rank(a.service) - rank(b.service));
  const teams = await repo.teamsOfAgencies([...new Set(ordered.map((i) => i.agencyId))]);
  for (const inv of ordered) {
    if (inv.teamId) return { kind: 'team', id: inv.teamId };
    const team = teams.find((t) => t.agencyId === inv.agencyId);
    if (team) return { kind: 'team', id: team.id };
  }
  const doors = await repo.frontDoorAgencies();
  const door = doors.find((d) => d.authority === homeAuthority) ?? doors[0];
  return { kind: 'front-door', id: door?.id ?? null };
}

const actorOf = (ctx: RequestContext) => ({
  kind: ctx.actor.kind,
  id: ctx.actor.kind === 'user' ? ctx.actor.userId : ctx.actor.kind === 'api-client' ? ctx.actor.clientId : ctx.actor.process,
});

/**
 * Store one person's findings. Returns what changed. Exported for tests: the
 * store's rules (no duplicate open flag; re-raise a closed one only on new
 * evidence) live here.
 */
export async function storeFindings(
  trx: Db | Transaction<DB>, ctx: RequestContext, findings: FlagFinding[], rowsOf: Map<string, number[]>, at: Date, homeAuthority: string,
): Promise<{ raised: string[]; updated: string[]; raisedAgain: string[] }> {
  const repo = flagsRepository(trx);
  const out = { raised: [] as string[], updated: [] as string[], raisedAgain: [] as string[] };
  if (findings.length === 0) return out;
  const existing = await repo.flagsByKeys(findings.map((f) => f.key));
  const actor = actorOf(ctx);
  const audits: AuditEntry[] = [];
  let route: { kind: RoutedToKind; id: string | null } | undefined;
  for (const f of findings) {
    const mine = existing.filter((x) => x.key === f.key);
    const live = mine.find((x) => x.state !== 'closed');
    const rows = [...new Set(f.evidence.flatMap((id) => rowsOf.get(id) ?? []))].sort((a, b) => a - b);
    if (live) {
      const added = f.evidence.filter((id) => !live.evidence.includes(id));
      const same = added.length === 0 && live.evidence.length === f.evidence.length && live.explanation === f.explanation
        && live.ruleVersion === f.ruleVersion;
      if (same) continue;
      const reopen = live.state === 'acknowledged' && added.length > 0;
      await repo.updateFlagFinding(live.id, {
        ruleVersion: f.ruleVersion, evidence: f.evidence, evidenceRows: rows, sources: f.sources, explanation: f.explanation,
        updatedAt: at, ...(reopen ? { state: 'open' as const } : {}),
      });
      await repo.insertHistory({
        flagId: live.id, at, actorKind: actor.kind, actorId: actor.id, action: added.length > 0 ? 'new-evidence' : 'reworded',
        fromState: live.state, toState: reopen ? 'open' : live.state, note: null, details: { added, ruleVersion: f.ruleVersion },
      });
      audits.push({ action: 'correct', outcome: 'succeeded', subjectType: 'flag', subjectId: live.id, personId: f.personId, details: { added: added.length } });
      out.updated.push(live.id);
      continue;
    }
    const closed = mine.find((x) => x.state === 'closed');
    if (closed && f.evidence.every((id) => closed.evidence.includes(id))) continue;
    route ??= await routeFor(repo, f.personId, homeAuthority);
    const id = await repo.insertFlag({
      key: f.key, category: f.category, ruleId: f.ruleId, ruleVersion: f.ruleVersion, personId: f.personId,
      evidence: f.evidence, evidenceRows: rows, sources: f.sources, explanation: f.explanation, raisedAt: f.raisedAt,
      createdAt: at, reviewBy: f.reviewBy, routedToKind: route.kind, routedToId: route.id, previousFlagId: closed?.id ?? null,
    });
    await repo.insertHistory({
      flagId: id, at, actorKind: actor.kind, actorId: actor.id, action: closed ? 'raised-again' : 'raised', fromState: null, toState: 'open',
      note: null, details: { routedTo: route, ...(closed ? { previous: closed.id, added: f.evidence.filter((e) => !closed.evidence.includes(e)) } : {}) },
    });
    audits.push({ action: 'create', outcome: 'succeeded', subjectType: 'flag', subjectId: id, personId: f.personId, details: { rule: f.ruleId, category: f.category } });
    (closed ? out.raisedAgain : out.raised).push(id);
  }
  await writeAuditMany(trx, ctx, audits);
  return out;
}

/** Read one family's (or a lone person's) records, relationships and events. */
async function readFamily(repo: FlagsRepository, members: string[]): Promise<FamilyData> {
  const [records, relationships, events] = await Promise.all([
    repo.recordFacts(members), repo.relationshipsAmong(members), repo.eventsAbout(members),
  ]);
  return { records, relationships, events };
}

/**
 * Evaluate the flags of these people and everyone in their families, as at
 * the clock, and store what is found. Deterministic: the same database and
 * clock give the same flags. Call it after an ingest with the people the
 * ingest touched, and from the daily recompute.
 */
export async function evaluateFlagsFor(db: Db | Transaction<DB>, personIds: string[], clock: Clock | Date, options: EvaluateOptions = {}): Promise<EvaluationSummary> {
  const asAt = instant(clock);
  const ctx = options.ctx ?? systemContext('flags', `flags-${randomUUID()}`);
  const summary: EvaluationSummary = { evaluated: 0, raised: 0, updated: 0, raisedAgain: 0, moved: 0 };
  if (personIds.length === 0) return summary;
  const repo = flagsRepository(db);
  const homeAuthority = await homeAuthorityOf(repo, options.homeAuthority);
  const agencies = agencyMap(await repo.agencies());
  const catalogue = options.catalogue ?? FLAG_CATALOGUE;

  // Flags of a person merged into one of these follow the records.
  const moved = await flagsLinkRepository(db).mergedAway(personIds);
  if (moved.length > 0) {
    await inTransaction(db, async (trx) => {
      const links = flagsLinkRepository(trx);
      const hist = flagsRepository(trx);
      const actor = actorOf(ctx);
      for (const m of moved) {
        for (const id of await links.moveFlags(m.from, m.into)) {
          const flag = await hist.flag(id);
          await hist.insertHistory({
            flagId: id, at: asAt, actorKind: actor.kind, actorId: actor.id, action: 'moved', fromState: flag?.state ?? null,
            toState: flag?.state ?? 'open', note: null, details: { from: m.from, into: m.into },
          });
          summary.moved += 1;
        }
      }
    });
  }

  const families = await repo.familiesOf(personIds);
  const groups = new Map<string, Set<string>>();
  for (const p of personIds) {
    const f = families.get(p);
    if (!f) groups.set(`person:${p}`, new Set([p]));
  }
  for (const m of await repo.familyMembers([...new Set(families.values())])) {
    const set = groups.get(m.familyId) ?? new Set<string>();
    set.add(m.personId);
    groups.set(m.familyId, set);
  }
  for (const key of [...groups.keys()].sort()) {
    const members = [...groups.get(key)!].sort();
    const data = await readFamily(repo, members);
    for (const { history, rowsOf } of buildHistories(data, members, asAt, agencies, homeAuthority)) {
      summary.evaluated += 1;
      const findings = evaluateFlags(history, asAt, catalogue);
      if (findings.length === 0) continue;
      const r = await inTransaction(db, (trx) => storeFindings(trx, ctx, findings, rowsOf, asAt, homeAuthority));
      summary.raised += r.raised.length;
      summary.updated += r.updated.length;
      summary.raisedAgain += r.raisedAgain.length;
    }
  }
  return summary;
}

/**
 * Every person, as at an instant: the time-based rules (a decision or an
 * assessment overdue) need this as time passes with no new event. A
 * scheduler should run it each working day (`kinsight flags --recompute`).
 */
export async function recomputeFlags(
  db: Db, asAt: Date, options: EvaluateOptions & { batch?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<EvaluationSummary & { people: number }> {
  const repo = flagsRepository(db);
  const people = await repo.allPeople();
  const families = await repo.familiesOf(people);
  // One evaluation per family (a family's people are evaluated together), lone people in batches.
  const seen = new Set<string>();
  const seeds: string[] = [];
  for (const p of people) {
    const f = families.get(p);
    if (f) {
      if (seen.has(f)) continue;
      seen.add(f);
    }
    seeds.push(p);
  }
  const total: EvaluationSummary & { people: number } = { evaluated: 0, raised: 0, updated: 0, raisedAgain: 0, moved: 0, people: people.length };
  const size = options.batch ?? 200;
  for (let i = 0; i < seeds.length; i += size) {
    const s = await evaluateFlagsFor(db, seeds.slice(i, i + size), asAt, options);
    total.evaluated += s.evaluated;
    total.raised += s.raised;
    total.updated += s.updated;
    total.raisedAgain += s.raisedAgain;
    total.moved += s.moved;
    options.onProgress?.(Math.min(i + size, seeds.length), seeds.length);
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
