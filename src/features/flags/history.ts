import type { AgencyEvent, AgencyKind } from '../../domain/events/vocabulary.ts';
import {
  deriveHousehold, eventInstant, type AgencyInfo, type HistoryEvent, type PersonFacts, type PersonHistory, type PersonLink, type Sex,
} from '../../domain/flags/index.ts';
import { londonDate } from '../../domain/timescales/working-days.ts';

/**
 * Turning what the database holds about a family into the flag engine's input
 * (src/domain/flags/history.ts). Pure: the service reads the rows, this builds
 * one PersonHistory per person as at a clock.
 */

export interface RecordFact { personId: string; kind: string; birthDate: string | null; expectedDate: string | null; sex: string | null }
export interface RelationshipFact { from: string; to: string; type: string; fromDate: string | null }
export interface EventFact {
  id: number; eventId: string; agencyId: string; type: string; at: Date; onDate: string; atPrecision: string;
  subjects: string[]; data: unknown; text: string | null; personIds: string[];
}
export interface AgencyFact { id: string; name: string; kind: string; authority: string }

/** Everything read about one family (or one person with no relationships). */
export interface FamilyData {
  records: RecordFact[];
  relationships: RelationshipFact[];
  events: EventFact[];
}

/** A history with, for each sender event id in it, the event rows it came from (for the store's evidence rows). */
export interface BuiltHistory {
  history: PersonHistory;
  rowsOf: Map<string, number[]>;
}

function mostCommon(values: (string | null)[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

/**
 * A person's facts as at a day (Europe/London): born if any record of them as
 * a person has a birth date on or before it (or none), unborn if only an
 * unborn baby's record is held, and absent (undefined) if every record is of
 * a birth still to come.
 */
export function factsAt(personId: string, records: RecordFact[], today: string): PersonFacts | undefined {
  const people = records.filter((r) => r.kind === 'person');
  const born = people.filter((r) => !r.birthDate || r.birthDate <= today);
  const sex = mostCommon(records.map((r) => r.sex)) as Sex | undefined;
  if (born.length > 0) {
    const birthDate = mostCommon(people.map((r) => r.birthDate));
    return { personId, kind: 'person', ...(birthDate ? { birthDate } : {}), ...(sex ? { sex } : {}) };
  }
  const unborn = records.filter((r) => r.kind === 'unborn');
  if (unborn.length > 0) {
    const expectedDate = mostCommon(unborn.map((r) => r.expectedDate));
    return { personId, kind: 'unborn', ...(expectedDate ? { expectedDate } : {}), ...(sex ? { sex } : {}) };
  }
  return undefined;
}

/** The event as the agency sent it (the vocabulary the rules read); date-only events keep their date. */
export function toAgencyEvent(e: EventFact): AgencyEvent {
  const at = e.atPrecision === 'date' ? e.onDate : e.at.toISOString();
  return { id: e.eventId, at, agency: e.agencyId, type: e.type, subjects: e.subjects, data: e.data, ...(e.text ? { text: e.text } : {}) } as AgencyEvent;
}

export function agencyMap(agencies: AgencyFact[]): Record<string, AgencyInfo> {
  return Object.fromEntries(agencies.map((a) => [a.id, { id: a.id, kind: a.kind as AgencyKind, authority: a.authority, name: a.name }]));
}

/**
 * One history per subject (those present at the clock): the subject, their
 * household from the relationships in force that day, and every event about
 * any of them. Events after the clock are left in; the engine ignores them.
 */
export function buildHistories(
  data: FamilyData, subjects: string[], asAt: Date, agencies: Record<string, AgencyInfo>, homeAuthority: string,
): BuiltHistory[] {
  const today = londonDate(asAt);
  const recordsOf = new Map<string, RecordFact[]>();
  for (const r of data.records) {
    const list = recordsOf.get(r.personId);
    if (list) list.push(r);
    else recordsOf.set(r.personId, [r]);
  }
  const people = new Map<string, PersonFacts>();
  for (const [id, recs] of [...recordsOf].sort((a, b) => a[0].localeCompare(b[0]))) {
    const facts = factsAt(id, recs, today);
    if (facts) people.set(id, facts);
  }
  const links: PersonLink[] = data.relationships
    .filter((r) => (!r.fromDate || r.fromDate <= today) && r.from !== r.to)
    .map((r) => ({ from: r.from, to: r.to, type: r.type as PersonLink['type'] }));
  const unknown: AgencyInfo = { id: 'unknown', kind: 'other', authority: homeAuthority };
  const events = data.events.map((e) => {
    const event = toAgencyEvent(e);
    // A date-only event is the start of its London day; otherwise the stored instant (what eventInstant(event.at) gives).
    const at = e.atPrecision === 'date' ? eventInstant(e.onDate) : e.at;
    return { row: e.id, h: { event, at, personIds: e.personIds, agency: agencies[e.agencyId] ?? { ...unknown, id: e.agencyId } } satisfies HistoryEvent };
  });

  const out: BuiltHistory[] = [];
  for (const id of [...new Set(subjects)].sort()) {
    const subject = people.get(id);
    if (!subject) continue;
    const household = deriveHousehold(id, links, people);
    const ids = new Set([id, ...household.map((m) => m.personId)]);
    const mine = events.filter((e) => e.h.personIds.some((p) => ids.has(p)));
    const rowsOf = new Map<string, number[]>();
    for (const e of mine) {
      const list = rowsOf.get(e.h.event.id);
      if (list) list.push(e.row);
      else rowsOf.set(e.h.event.id, [e.row]);
    }
    out.push({ history: { subject, household, events: mine.map((e) => e.h), homeAuthority, agencies }, rowsOf });
  }
  return out;
}
