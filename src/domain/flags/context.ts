import type { AgencyEvent, EventType } from '../events/vocabulary.ts';
import { londonDay } from './london.ts';
import type { AgencyInfo, HistoryEvent, HouseholdMember, PersonHistory } from './history.ts';

/** A history event narrowed to one event type. */
export type EventOf<T extends EventType> = HistoryEvent & { event: Extract<AgencyEvent, { type: T }> };

const DAY_MS = 86_400_000;
export const days = (n: number) => n * DAY_MS;

const ADULT_RELATIONSHIPS = new Set(['parent', 'step-parent', 'carer', 'partner-of-parent', 'household-member']);

/** Agencies whose contacts and referrals are safeguarding ones (the front door and social care). */
export const FRONT_DOOR_KINDS = new Set(['front-door', 'childrens-social-care']);

const KIND_LABELS: Record<string, string> = {
  'front-door': 'the front door', 'childrens-social-care': "children's social care", 'early-help': 'early help',
  'health-visiting': 'health visiting', midwifery: 'midwifery', maternity: 'maternity', gp: 'the GP',
  hospital: 'the hospital', 'community-health': 'community health services', camhs: 'CAMHS',
  'adult-mental-health': 'adult mental health services', 'substance-misuse': 'substance misuse services',
  'adult-social-care': 'adult social care', school: 'school', nursery: 'nursery', 'education-service': 'education services',
  police: 'the police', housing: 'housing', probation: 'probation', ambulance: 'the ambulance service',
  'voluntary-sector': 'a voluntary organisation', other: 'another agency',
};

/**
 * What a rule is given: the history cut at the clock, sorted, with the
 * helpers every rule needs. Built once per evaluation by the engine.
 */
export class RuleContext {
  readonly events: HistoryEvent[];
  readonly subjectId: string;
  private readonly members: Map<string, HouseholdMember>;
  private readonly intervals = new Map<string, Involvement[]>();
  /** The events of each type, in order (built once: rules ask for types many times). */
  private readonly byType = new Map<string, HistoryEvent[]>();
  private readonly memo = new Map<string, unknown>();
  private readonly today: [number, number, number];

  constructor(readonly history: PersonHistory, readonly asAt: Date) {
    this.subjectId = history.subject.personId;
    // A rule only ever considers what was recorded at or before the clock.
    const clock = asAt.getTime();
    const kept: { e: HistoryEvent; i: number; t: number }[] = [];
    history.events.forEach((e, i) => {
      const t = e.at.getTime();
      if (t <= clock) kept.push({ e, i, t });
    });
    this.events = kept.sort((a, b) => a.t - b.t || a.i - b.i).map(({ e }) => e);
    for (const e of this.events) {
      const list = this.byType.get(e.event.type);
      if (list) list.push(e);
      else this.byType.set(e.event.type, [e]);
    }
    this.members = new Map(history.household.map((m) => [m.personId, m]));
    this.today = londonDay(asAt).split('-').map(Number) as [number, number, number];
  }

  /** A value computed once per evaluation (the rules share a context). */
  private once<T>(key: string, make: () => T): T {
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const value = make();
    this.memo.set(key, value);
    return value;
  }

  get subject() {
    return this.history.subject;
  }

  /** Events of one type, optionally only those about certain people. */
  ofType<T extends EventType>(type: T, about?: Iterable<string>): EventOf<T>[] {
    const all = (this.byType.get(type) ?? []) as EventOf<T>[];
    if (!about) return [...all];
    const ids = about instanceof Set ? (about as Set<string>) : new Set(about);
    return all.filter((e) => e.personIds.some((p) => ids.has(p)));
  }

  /** A person's involvements (service, start event, end instant if ended), computed once per evaluation. */
  involvements(personId: string): Involvement[] {
    const cached = this.intervals.get(personId);
    if (cached) return cached;
    const out: Involvement[] = [];
    for (const e of this.events) {
      if (!e.personIds.includes(personId)) continue;
      if (e.event.type === 'involvement-start') {
        out.push({ service: e.event.data.service, start: e as EventOf<'involvement-start'> });
      }
      if (e.event.type === 'involvement-end') {
        const service = e.event.data.service;
        const open = out.filter((i) => i.service === service && !i.endAt);
        // An end closes that agency's open involvement of the service; failing that, every open one of the service.
        const own = open.filter((i) => i.start.agency.id === e.agency.id);
        for (const i of own.length > 0 ? own : open) i.endAt = e.at;
      }
    }
    this.intervals.set(personId, out);
    return out;
  }

  /** Whether an event is about the subject. */
  aboutSubject(e: HistoryEvent): boolean {
    return e.personIds.includes(this.subjectId);
  }

  member(personId: string): HouseholdMember | undefined {
    return this.members.get(personId);
  }

  /** Parents, step-parents, carers, parents' partners and adult household members and siblings. */
  adults(): HouseholdMember[] {
    return [...this.once('adults', () => this.history.household.filter(
      (m) => m.kind === 'person' && (ADULT_RELATIONSHIPS.has(m.relationship) ? !this.isUnder18(m.birthDate) : this.isAdult(m.birthDate)),
    ))];
  }

  /** Parents, step-parents and carers only. */
  parents(): HouseholdMember[] {
    return [...this.once('parents', () => this.history.household.filter((m) => ['parent', 'step-parent', 'carer'].includes(m.relationship)))];
  }

  /** Brothers and sisters, born or unborn. */
  siblings(): HouseholdMember[] {
    return this.history.household.filter((m) => m.relationship === 'sibling' || m.relationship === 'unborn-sibling');
  }

  /** Age in whole years at an instant (default: the clock), if the birth date is known. */
  ageYears(birthDate: string | undefined = this.subject.birthDate, at: Date = this.asAt): number | undefined {
    if (!birthDate) return undefined;
    const by = Number(birthDate.slice(0, 4));
    const bm = Number(birthDate.slice(5, 7));
    const bd = Number(birthDate.slice(8, 10));
    const d = at === this.asAt ? this.today : (londonDay(at).split('-').map(Number) as [number, number, number]);
    return d[0] - by - (d[1] < bm || (d[1] === bm && d[2] < bd) ? 1 : 0);
  }

  /** Age in days at an instant, if the birth date is known. */
  ageDays(at: Date = this.asAt, birthDate: string | undefined = this.subject.birthDate): number | undefined {
    if (!birthDate) return undefined;
    return Math.floor((at.getTime() - Date.parse(`${birthDate}T00:00:00Z`)) / DAY_MS);
  }

  /**
   * Whether the subject is a child the flags are for: an unborn baby, someone
   * under 18, or (birth date unknown) someone with a parent or carer recorded.
   */
  isChildOrUnborn(): boolean {
    return this.once('isChildOrUnborn', () => {
      if (this.subject.kind === 'unborn') return true;
      const age = this.ageYears();
      if (age !== undefined) return age < 18;
      return this.parents().length > 0;
    });
  }

  /** Whether the subject is a born child (not unborn). */
  isBornChild(): boolean {
    return this.subject.kind === 'person' && this.isChildOrUnborn();
  }

  private isUnder18(birthDate: string | undefined): boolean {
    const age = this.ageYears(birthDate);
    return age !== undefined && age < 18;
  }

  private isAdult(birthDate: string | undefined): boolean {
    const age = this.ageYears(birthDate);
    return age !== undefined && age >= 18;
  }

  agency(id: string): AgencyInfo | undefined {
    return this.history.agencies[id];
  }

  /** Whether an event was recorded by an agency outside the partnership's area. */
  isElsewhere(e: HistoryEvent): boolean {
    return e.agency.authority !== this.history.homeAuthority;
  }

  /** A contact or referral made to the front door or children's social care (not a referral between health services). */
  isSafeguardingContact(e: HistoryEvent): e is EventOf<'contact'> | EventOf<'referral'> {
    if (e.event.type !== 'contact' && e.event.type !== 'referral') return false;
    const to = this.agency(e.event.data.to);
    if (to) return FRONT_DOOR_KINDS.has(to.kind);
    // Unknown recipient: a contact is by definition information to the front door; a referral is not assumed to be.
    return e.event.type === 'contact';
  }

  /** How an agency is named in an explanation: its service name, else its kind in words. */
  agencyLabel(id: string): string {
    const a = this.agency(id);
    if (a?.name) return a.name;
    return KIND_LABELS[a?.kind ?? 'other'] ?? 'another agency';
  }

  /** "A, B and C" for the agencies behind some events. */
  agencyList(events: HistoryEvent[]): string {
    return listInWords([...new Set(events.map((e) => e.agency.id))].map((id) => this.agencyLabel(id)));
  }

  /** How a household member is described: never by name. */
  describeMember(personId: string): string {
    const m = this.member(personId);
    if (!m) return personId === this.subjectId ? 'the child' : 'a person in the household';
    const word: Record<HouseholdMember['relationship'], string> = {
      parent: 'a parent', 'step-parent': 'a step-parent', carer: 'a carer', 'partner-of-parent': "a parent's partner",
      sibling: 'a brother or sister', 'unborn-sibling': 'an unborn brother or sister', 'household-member': 'another adult in the household',
    };
    return word[m.relationship];
  }
}

/** One involvement of a person with a service: when it started and, if it has, when it ended. */
export interface Involvement {
  service: string;
  start: EventOf<'involvement-start'>;
  endAt?: Date;
}

/** "a", "a and b", "a, b and c". */
export function listInWords(items: string[]): string {
  const unique = [...new Set(items)];
  if (unique.length <= 1) return unique[0] ?? '';
  return `${unique.slice(0, -1).join(', ')} and ${unique[unique.length - 1]}`;
}

/** The YYYY-MM-DD of an instant in Europe/London, for explanations that name a date. */
export function dayOf(at: Date): string {
  return londonDay(at);
}

/**
 * The start of the latest run of qualifying events in which each follows the
 * one before within `gapMs`: a stable name for an ongoing pattern, so a flag
 * keeps its key while the pattern continues and gets a new one after a gap.
 */
export function chainStart<T extends HistoryEvent>(sorted: T[], gapMs: number): T | undefined {
  let start = sorted[0];
  for (let i = 1; i < sorted.length; i += 1) {
    const prev = sorted[i - 1] as T;
    const cur = sorted[i] as T;
    if (cur.at.getTime() - prev.at.getTime() > gapMs) start = cur;
  }
  return start;
}

/** Events in the `windowMs` before the clock (inclusive). */
export function within<T extends HistoryEvent>(events: T[], asAt: Date, windowMs: number): T[] {
  const from = asAt.getTime() - windowMs;
  return events.filter((e) => e.at.getTime() >= from && e.at.getTime() <= asAt.getTime());
}
