// Test-only: builds hand-made families as PersonHistory, the way the database layer would.
import type { AgencyEvent, AgencyKind, EventData, EventType } from '../events/vocabulary.ts';
import { deriveHousehold, eventInstant, type AgencyInfo, type PersonFacts, type PersonHistory, type PersonLink } from './history.ts';
import { evaluateFlags } from './index.ts';
import type { FlagFinding } from './engine.ts';

export const HOME = 'E06000021';
export const ELSEWHERE = 'E10000028';

const DEFAULT_AGENCIES: AgencyInfo[] = [
  { id: 'front-door', kind: 'front-door', authority: HOME, name: 'the front door' },
  { id: 'csc', kind: 'childrens-social-care', authority: HOME },
  { id: 'early-help', kind: 'early-help', authority: HOME },
  { id: 'gp', kind: 'gp', authority: HOME },
  { id: 'hospital', kind: 'hospital', authority: HOME },
  { id: 'community-health', kind: 'community-health', authority: HOME },
  { id: 'hv', kind: 'health-visiting', authority: HOME },
  { id: 'maternity', kind: 'maternity', authority: HOME },
  { id: 'school', kind: 'school', authority: HOME },
  { id: 'nursery', kind: 'nursery', authority: HOME },
  { id: 'police', kind: 'police', authority: HOME },
  { id: 'amh', kind: 'adult-mental-health', authority: HOME },
  { id: 'housing', kind: 'housing', authority: HOME },
  { id: 'away-csc', kind: 'childrens-social-care', authority: ELSEWHERE },
  { id: 'away-police', kind: 'police', authority: ELSEWHERE },
  { id: 'away-gp', kind: 'gp', authority: ELSEWHERE },
];

/** A family: people, person links and events, from which any member's history can be built. */
export class Family {
  readonly people = new Map<string, PersonFacts>();
  readonly links: PersonLink[] = [];
  readonly events: AgencyEvent[] = [];
  readonly agencies: Record<string, AgencyInfo> = Object.fromEntries(DEFAULT_AGENCIES.map((a) => [a.id, a]));
  private seq = 0;

  person(personId: string, facts: Omit<PersonFacts, 'personId' | 'kind'> & { kind?: 'person' | 'unborn' } = {}): this {
    this.people.set(personId, { personId, kind: 'person', ...facts });
    return this;
  }

  parentOf(parent: string, ...children: string[]): this {
    for (const c of children) this.links.push({ from: parent, to: c, type: 'parent-of' });
    return this;
  }

  partners(a: string, b: string): this {
    this.links.push({ from: a, to: b, type: 'partner-of' });
    return this;
  }

  agency(id: string, kind: AgencyKind, authority = HOME): this {
    this.agencies[id] = { id, kind, authority };
    return this;
  }

  /** Add an event; subjects are person ids. Returns its id. */
  add<T extends EventType>(type: T, at: string, agency: string, subjects: string[], data: EventData<T>): string {
    this.seq += 1;
    const id = `e${this.seq}`;
    this.events.push({ id, at, agency, type, subjects, data } as AgencyEvent);
    return id;
  }

  /** The history of one person as the database layer would build it. */
  historyOf(personId: string): PersonHistory {
    const subject = this.people.get(personId);
    if (!subject) throw new Error(`no person ${personId}`);
    const household = deriveHousehold(personId, this.links, this.people);
    const ids = new Set([personId, ...household.map((m) => m.personId)]);
    return {
      subject,
      household,
      homeAuthority: HOME,
      agencies: this.agencies,
      events: this.events
        .filter((e) => e.subjects.some((s) => ids.has(s)))
        .map((e) => ({ event: e, at: eventInstant(e.at), personIds: e.subjects, agency: this.agencies[e.agency] as AgencyInfo })),
    };
  }

  /** Every finding about anyone in the family, evaluating at each event's time and at `until`, first sighting of each key. */
  replay(until: string): FlagFinding[] {
    const times = [...this.events.map((e) => eventInstant(e.at)), eventInstant(until)].sort((a, b) => a.getTime() - b.getTime());
    const seen = new Map<string, FlagFinding>();
    for (const at of times) {
      for (const id of this.people.keys()) {
        for (const f of evaluateFlags(this.historyOf(id), at)) if (!seen.has(f.key)) seen.set(f.key, f);
      }
    }
    return [...seen.values()];
  }
}

/** Dates every `stepDays` from a start date: "2021-01-04", ... */
export function everyDays(start: string, stepDays: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => new Date(Date.parse(`${start}T00:00:00Z`) + i * stepDays * 86_400_000).toISOString().slice(0, 10));
}
