import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { evaluateFlags, FLAG_CATALOGUE, type AgencyInfo, type FlagFinding, type FlagRule } from '../../domain/flags/index.ts';
import { agencyMap, buildHistories, type AgencyFact, type FamilyData } from './history.ts';
import { flagsRepository, type FlagRow, type HeldFlag } from './repository.ts';

/**
 * Evaluating chunks of families without writing (service.ts stores the
 * results): split what was read into families, run the pure engine for every
 * member, keep the findings that differ from the flags held. Kept apart from
 * the service so a recompute worker thread loads only this, the engine and
 * the repository.
 */

type Db = Kysely<DB> | Transaction<DB>;

/** What the engine needs besides a history: the clock, the agencies, the home authority and the rules. */
export interface EngineSetting { asAt: Date; agencies: Record<string, AgencyInfo>; homeAuthority: string; catalogue: readonly FlagRule[] }

/** One person's findings, with the event rows behind each sender event id. */
export interface PersonFindings { findings: FlagFinding[]; rowsOf: Map<string, number[]> }

/** Whether a finding says exactly what its live flag says (same evidence, wording and rule version): nothing to write. */
export function sameAsLive(f: FlagFinding, live: Pick<FlagRow, 'evidence' | 'explanation' | 'ruleVersion'>): boolean {
  if (live.evidence.length !== f.evidence.length || live.explanation !== f.explanation || live.ruleVersion !== f.ruleVersion) return false;
  const held = new Set(live.evidence);
  return f.evidence.every((id) => held.has(id));
}

/** Split what was read for many families into each family's share (the rows a per-family read would give, in the same order). */
function splitByGroup(groups: string[][], data: FamilyData): FamilyData[] {
  const groupOf = new Map<string, number>();
  groups.forEach((g, i) => { for (const p of g) groupOf.set(p, i); });
  const out: FamilyData[] = groups.map(() => ({ records: [], relationships: [], events: [] }));
  for (const r of data.records) {
    const g = groupOf.get(r.personId);
    if (g !== undefined) out[g]!.records.push(r);
  }
  for (const r of data.relationships) {
    const g = groupOf.get(r.from);
    if (g !== undefined && groupOf.get(r.to) === g) out[g]!.relationships.push(r);
  }
  const seen: number[] = [];
  for (const e of data.events) {
    seen.length = 0;
    for (const p of e.personIds) {
      const g = groupOf.get(p);
      if (g === undefined || seen.includes(g)) continue;
      seen.push(g);
      out[g]!.events.push(e);
    }
  }
  return out;
}

/** Evaluate the pure engine for every member of every group. */
export function evaluateGroups(groups: string[][], data: FamilyData, s: EngineSetting): { items: PersonFindings[]; evaluated: number } {
  const items: PersonFindings[] = [];
  let evaluated = 0;
  splitByGroup(groups, data).forEach((share, i) => {
    for (const { history, rowsOf } of buildHistories(share, groups[i]!, s.asAt, s.agencies, s.homeAuthority)) {
      evaluated += 1;
      const findings = evaluateFlags(history, s.asAt, s.catalogue);
      if (findings.length > 0) items.push({ findings, rowsOf });
    }
  });
  return { items, evaluated };
}

/** A chunk of families to evaluate, as sent to a recompute worker (plain data). */
export interface ChunkJob { groups: string[][]; asAt: Date; agencies: AgencyFact[]; homeAuthority: string }

/** A chunk's evaluation: the people evaluated and only the findings that differ from the flags held. */
export interface ChunkResult { items: PersonFindings[]; evaluated: number }

/**
 * Read a chunk of families (histories and the flags they hold), run the
 * engine for every member, and keep the findings that differ from the live
 * flags held. Reads only: in a recompute worker or on the main thread.
 */
export async function evaluateChunk(db: Db | Transaction<DB>, job: ChunkJob, catalogue: readonly FlagRule[] = FLAG_CATALOGUE): Promise<ChunkResult> {
  // Only the events a rule can read as at the clock (domain/flags/reads.ts): the histories are evaluated at that clock only.
  const data = await flagsRepository(db).chunkRead(job.groups.flat(), job.asAt);
  const { items, evaluated } = evaluateGroups(job.groups, data, {
    asAt: job.asAt, agencies: agencyMap(job.agencies), homeAuthority: job.homeAuthority, catalogue,
  });
  // Flags are moved before the first read, and a chunk's writes touch only its own people's flags: what was read is current.
  return { items: notAsHeld(items, data.flags), evaluated };
}

/**
 * The findings that differ from the live flags held by the people read
 * (what flags_family_read returns): a finding equal to its live flag would
 * change nothing in the store, so only the others go on to the full
 * comparison (storeFindingsMany reads every flag with their keys, whoever
 * holds it now). Order is kept, so new flags take the same ids.
 */
export function notAsHeld(items: PersonFindings[], held: HeldFlag[]): PersonFindings[] {
  const live = new Map(held.filter((f) => f.state !== 'closed').map((f) => [f.key, f]));
  const out: PersonFindings[] = [];
  for (const item of items) {
    const findings = item.findings.filter((f) => {
      const flag = live.get(f.key);
      return flag === undefined || !sameAsLive(f, flag);
    });
    if (findings.length > 0) out.push({ findings, rowsOf: item.rowsOf });
  }
  return out;
}
