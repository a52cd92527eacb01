// Test-only: replays a kinsight-scenario/1 object (already parsed from JSON) through the flag engine,
// person by person, at each event's time. Pure (the test file does the reading).
import { parseAgencyEvent, type AgencyKind } from '../events/vocabulary.ts';
import { addCalendarDays, londonDate, startOfLondonDay } from '../timescales/working-days.ts';
import type { FlagFinding, FlagRule } from './engine.ts';
import {
  deriveHousehold, eventInstant, type AgencyInfo, type HistoryEvent, type PersonFacts, type PersonHistory, type PersonLink, type Sex,
} from './history.ts';
import { evaluateFlags, FLAG_CATALOGUE } from './index.ts';

interface ScenarioRecord {
  agency: string; localId: string; kind: 'person' | 'unborn'; birthDate?: string; expectedDate?: string; sex?: Sex; truth?: string;
}
interface ScenarioRelationship { agency: string; from: string; to: string; type: PersonLink['type']; from_date?: string }
export interface Scenario {
  id: string;
  home: { authority: string };
  agencies: { id: string; name: string; kind: AgencyKind; authority: string }[];
  records: ScenarioRecord[];
  relationships: ScenarioRelationship[];
  events: unknown[];
  expect?: { category: string; about: string; by: string; why: string }[];
}

export interface Raised { finding: FlagFinding; at: Date }

export interface Replay {
  /** Person id (the representative truth key) of a truth key. */
  personOf(truth: string): string;
  /** Every finding the first time its key was seen, with the simulated time it was seen. */
  raised: Raised[];
}

/**
 * Replay a scenario. People are grouped by the records' `truth` key, which
 * only this development harness may do: the real replay links records
 * itself (NHS number, else name and birth date, and so on). An unborn
 * baby's record joins the child's at the birth event, as Kinsight does with
 * the birth link.
 */
export function replayScenario(scenario: Scenario, catalogue: readonly FlagRule[] = FLAG_CATALOGUE): Replay {
  const recordKey = (agency: string, ref: string) => (ref.includes(':') ? ref : `${agency}:${ref}`);
  const truthOf = new Map(scenario.records.map((r) => [`${r.agency}:${r.localId}`, r.truth ?? `${r.agency}:${r.localId}`]));
  const events = scenario.events.map((raw) => parseAgencyEvent(raw));

  // Birth events join the unborn record's person to the child's.
  const parent = new Map<string, string>();
  const find = (t: string): string => {
    const p = parent.get(t);
    return p === undefined || p === t ? t : find(p);
  };
  for (const e of events) {
    if (e.type !== 'birth') continue;
    const unborn = truthOf.get(recordKey(e.agency, e.data.unborn));
    const child = truthOf.get(recordKey(e.agency, e.data.child));
    if (unborn && child) parent.set(find(unborn), find(child));
  }
  const personOfRecord = (key: string) => {
    const t = truthOf.get(key);
    return t === undefined ? undefined : find(t);
  };

  const recordsOf = new Map<string, ScenarioRecord[]>();
  for (const r of scenario.records) {
    const p = personOfRecord(`${r.agency}:${r.localId}`) as string;
    recordsOf.set(p, [...(recordsOf.get(p) ?? []), r]);
  }
  const mostCommon = (values: (string | undefined)[]) => {
    const counts = new Map<string, number>();
    for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
  };

  const agencies: Record<string, AgencyInfo> = Object.fromEntries(
    scenario.agencies.map((a) => [a.id, { id: a.id, kind: a.kind, authority: a.authority, name: a.name }]),
  );
  const knownRecords = new Set<string>();
  const history: HistoryEvent[] = [];
  const raised: Raised[] = [];
  const seen = new Set<string>();

  for (const e of events) {
    const at = eventInstant(e.at);
    const keys = e.subjects.map((s) => recordKey(e.agency, s));
    for (const k of keys) knownRecords.add(k);
    const personIds = [...new Set(keys.map(personOfRecord).filter((p): p is string => p !== undefined))];
    history.push({ event: e, at, personIds, agency: agencies[e.agency] as AgencyInfo });

    const today = londonDate(at);
    for (const r of scenario.relationships) {
      if (!r.from_date || r.from_date <= today) {
        knownRecords.add(recordKey(r.agency, r.from));
        knownRecords.add(recordKey(r.agency, r.to));
      }
    }
    const people = new Map<string, PersonFacts>();
    for (const k of knownRecords) {
      const p = personOfRecord(k);
      if (!p || people.has(p)) continue;
      const recs = (recordsOf.get(p) ?? []).filter((r) => knownRecords.has(`${r.agency}:${r.localId}`));
      const born = recs.some((r) => r.kind === 'person');
      const all = recordsOf.get(p) ?? [];
      people.set(p, {
        personId: p,
        kind: born ? 'person' : 'unborn',
        ...(born ? { birthDate: mostCommon(all.map((r) => r.birthDate)) } : { expectedDate: mostCommon(all.map((r) => r.expectedDate)) }),
        sex: mostCommon(all.map((r) => r.sex)) as Sex | undefined,
      });
    }
    const links: PersonLink[] = [];
    for (const r of scenario.relationships) {
      if (r.from_date && r.from_date > today) continue;
      const from = personOfRecord(recordKey(r.agency, r.from));
      const to = personOfRecord(recordKey(r.agency, r.to));
      if (from && to && from !== to) links.push({ from, to, type: r.type });
    }

    for (const subject of [...people.values()].sort((a, b) => a.personId.localeCompare(b.personId))) {
      const household = deriveHousehold(subject.personId, links, people);
      const ids = new Set([subject.personId, ...household.map((m) => m.personId)]);
      const h: PersonHistory = {
        subject, household, homeAuthority: scenario.home.authority, agencies,
        events: history.filter((x) => x.personIds.some((p) => ids.has(p))),
      };
      for (const finding of evaluateFlags(h, at, catalogue)) {
        if (seen.has(finding.key)) continue;
        seen.add(finding.key);
        raised.push({ finding, at });
      }
    }
  }
  return { personOf: (truth) => find(truth), raised };
}

/** Whether a flag of a category about a person was raised by the end of a date (Europe/London). */
export function raisedBy(replay: Replay, category: string, truth: string, by: string): Raised | undefined {
  const person = replay.personOf(truth);
  const end = startOfLondonDay(addCalendarDays(by, 1)).getTime();
  return replay.raised.find((r) => r.finding.category === category && r.finding.personId === person && r.at.getTime() < end);
}
