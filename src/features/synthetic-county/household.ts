import type { Address, AgencyEvent, EventData, EventType, PersonRecord, Relationship, RelationshipType } from '../../domain/events/vocabulary.ts';
import { isoDay, isoDayTime, MINUTES_PER_DAY } from './calendar.ts';
import { NICKNAMES } from './names.ts';
import { OTHER_SURNAME_SHARE, RECORDING, type GrowingNeedsPattern, type RecordingProfile } from './rates.ts';
import type { Rng } from './rng.ts';
import { syntheticNhsNumber } from './nhs-number.ts';

export type FamilyGroup = 'ordinary' | 'growing-needs';
export type Role = 'mother' | 'father' | 'partner' | 'grandparent' | 'child' | 'other-adult';

/** The ground truth about one person: never shown to Kinsight. */
export interface Person {
  index: number;
  key: string;
  sex: 'female' | 'male';
  given: string[];
  family: string;
  /** Another surname agencies may use: a child's other parent's, a woman's previous one. */
  otherFamily?: string;
  birth: number;
  nhs: string;
  role: Role;
  /** When the person joined the household (birth, a partner moving in); -Infinity when there from the start. */
  joined: number;
  /** When the person left the household (separation); Infinity when they stay. */
  left: number;
}

export interface Place {
  address: Address & { lines: string[]; town: string; postcode: string };
  authority: string;
  from: number;
}

/** One row of the truth output: which person and household an agency record belongs to. */
export interface TruthRow {
  agency: string;
  localId: string;
  personKey: string;
  householdKey: string;
  group: FamilyGroup;
  pattern?: GrowingNeedsPattern;
}

/** What the summary needs from a household that is not in its events. */
export interface HouseholdStats {
  group: FamilyGroup;
  pattern?: GrowingNeedsPattern;
  people: number;
  /** Children (under 18) in the household when it first appears in the county. */
  childrenAtStart: number;
  births: number;
  /** Child-days on each statutory status per 31 March census date: keyed by ISO date. */
  census: Record<string, { children: number; cin: number; cp: number; cla: number; earlyHelp: number }>;
}

/** A household-sized piece of the county: what Kinsight ingests, plus the truth kept apart. */
export interface CountyChunk {
  householdKey: string;
  records: PersonRecord[];
  relationships: Relationship[];
  events: AgencyEvent[];
  truth: TruthRow[];
  stats: HouseholdStats;
}

export type RecordingKind = keyof typeof RECORDING;

export interface AgencyInfo {
  id: string;
  prefix: string;
  recording: RecordingKind;
  /** Whether the agency records family relationships between its records. */
  relationships: boolean;
  authority: string;
}

/** County-wide counters: localIds per agency and NHS number serials. */
export class CountyCounters {
  private readonly perAgency = new Map<string, number>();
  private nhsSerial = 0;
  constructor(private readonly salt: number) {}

  localId(agency: AgencyInfo): string {
    const n = this.perAgency.get(agency.id) ?? 0;
    this.perAgency.set(agency.id, n + 1);
    // An affine permutation of 0..10^7-1: unique, and not in family order.
    const scrambled = (n * 7_654_321 + (this.salt % 10_000_000)) % 10_000_000;
    return `${agency.prefix}${String(scrambled).padStart(7, '0')}`;
  }

  nhsNumber(): string {
    return syntheticNhsNumber(this.nhsSerial++, this.salt % 100_000_000);
  }
}

interface RecState {
  agency: AgencyInfo;
  localId: string;
  person: Person;
  created: number;
  kind: 'person' | 'unborn';
  expected?: number;
  placeholder?: string;
  contact: boolean;
}

interface PendingEvent {
  t: number;
  seq: number;
  event: AgencyEvent;
}

const TIMED_DEFAULT_MINUTE = 9 * 60;

/** Builds one household's records, relationships and events, then hands them over as a chunk. */
export class HouseholdBuilder {
  readonly people: Person[] = [];
  readonly places: Place[] = [];
  readonly relations: { from: number; to: number; type: RelationshipType; since?: number }[] = [];
  private readonly records = new Map<string, RecState>();
  private readonly recordOrder: RecState[] = [];
  private readonly events: PendingEvent[] = [];
  private eventSeq = 0;
  readonly stats: HouseholdStats;

  constructor(
    readonly key: string,
    readonly rng: Rng,
    readonly counters: CountyCounters,
    readonly group: FamilyGroup,
    readonly pattern: GrowingNeedsPattern | undefined,
  ) {
    this.stats = { group, ...(pattern ? { pattern } : {}), people: 0, childrenAtStart: 0, births: 0, census: {} };
  }

  addPerson(p: Omit<Person, 'index' | 'key' | 'nhs'>): Person {
    const person: Person = { ...p, index: this.people.length, key: `${this.key}-P${this.people.length + 1}`, nhs: this.counters.nhsNumber() };
    this.people.push(person);
    return person;
  }

  relate(from: Person, to: Person, type: RelationshipType, since?: number): void {
    this.relations.push({ from: from.index, to: to.index, type, ...(since !== undefined ? { since } : {}) });
  }

  placeOn(day: number): Place {
    let found = this.places[0] as Place;
    for (const p of this.places) if (p.from <= day) found = p;
    return found;
  }

  /** The agency's localId for a person, creating its record the first time the agency meets them. */
  ref(agency: AgencyInfo, person: Person, day: number, contact = false): string {
    const k = `${agency.id}\u0000${person.index}`;
    const existing = this.records.get(k);
    if (existing) return existing.localId;
    const rec: RecState = { agency, localId: this.counters.localId(agency), person, created: day, kind: 'person', contact };
    this.records.set(k, rec);
    this.recordOrder.push(rec);
    return rec.localId;
  }

  /** A record of an unborn baby (the person it will become), by the agency that knows of the pregnancy. */
  unbornRef(agency: AgencyInfo, baby: Person, expected: number, day: number, placeholder?: string): string {
    const k = `${agency.id}\u0000unborn\u0000${baby.index}`;
    const existing = this.records.get(k);
    if (existing) return existing.localId;
    const rec: RecState = {
      agency, localId: this.counters.localId(agency), person: baby, created: day, kind: 'unborn', expected, contact: false,
      ...(placeholder ? { placeholder } : {}),
    };
    this.records.set(k, rec);
    this.recordOrder.push(rec);
    return rec.localId;
  }

  /** A maternity-style record of a newborn ("Baby" and the mother's surname). */
  newbornRef(agency: AgencyInfo, baby: Person, motherFamily: string, day: number): string {
    const k = `${agency.id}\u0000${baby.index}`;
    const existing = this.records.get(k);
    if (existing) return existing.localId;
    const rec: RecState = {
      agency, localId: this.counters.localId(agency), person: baby, created: day, kind: 'person', contact: false,
      placeholder: motherFamily,
    };
    this.records.set(k, rec);
    this.recordOrder.push(rec);
    return rec.localId;
  }

  hasRecord(agency: AgencyInfo, person: Person): boolean {
    return this.records.has(`${agency.id}\u0000${person.index}`);
  }

  /**
   * Record an event. `minute` gives a date-time (UTC); without it the event is
   * dated only and sorts at 09:00 on its day, after earlier events of that day.
   */
  emit<T extends EventType>(
    day: number,
    minute: number | null,
    agency: AgencyInfo,
    type: T,
    subjects: string[],
    data: EventData<T>,
    text?: string,
  ): string {
    const id = `${this.key}-${++this.eventSeq}`;
    const event = {
      id,
      at: minute === null ? isoDay(day) : isoDayTime(day, minute),
      agency: agency.id,
      type,
      subjects: subjects.length > 1 ? [...new Set(subjects)] : subjects,
      data,
      ...(text ? { text } : {}),
    } as AgencyEvent;
    this.events.push({ t: day * MINUTES_PER_DAY + (minute ?? TIMED_DEFAULT_MINUTE), seq: this.eventSeq, event });
    return id;
  }

  /** Hand the household over: records (as each agency holds them), relationships, events in time order, truth. */
  finish(end: number): CountyChunk {
    const rng = this.rng;
    const records: PersonRecord[] = [];
    const truth: TruthRow[] = [];
    for (const rec of this.recordOrder) {
      records.push(this.render(rec, end, rng));
      truth.push({
        agency: rec.agency.id, localId: rec.localId, personKey: rec.person.key, householdKey: this.key, group: this.group,
        ...(this.pattern ? { pattern: this.pattern } : {}),
      });
    }
    const relationships: Relationship[] = [];
    for (const rel of this.relations) {
      const from = this.people[rel.from] as Person;
      const to = this.people[rel.to] as Person;
      for (const rec of this.recordOrder) {
        if (!rec.agency.relationships || rec.kind !== 'person' || rec.person !== from || rec.placeholder) continue;
        const other = this.records.get(`${rec.agency.id}\u0000${to.index}`);
        if (!other || other.placeholder) continue;
        relationships.push({
          agency: rec.agency.id, from: rec.localId, to: other.localId, type: rel.type,
          ...(rel.since !== undefined && Number.isFinite(rel.since) ? { from_date: isoDay(Math.max(rel.since, from.birth, to.birth)) } : {}),
        });
      }
    }
    this.events.sort((a, b) => a.t - b.t || a.seq - b.seq);
    this.stats.people = this.people.length;
    return { householdKey: this.key, records, relationships, events: this.events.map((e) => e.event), truth, stats: this.stats };
  }

  private render(rec: RecState, end: number, rng: Rng): PersonRecord {
    const p = rec.person;
    const profile: RecordingProfile = RECORDING[rec.contact ? 'educationContact' : rec.agency.recording];
    const out: PersonRecord = { agency: rec.agency.id, localId: rec.localId, kind: rec.kind };
    if (rec.kind === 'unborn') {
      if (rec.placeholder) out.name = { given: ['Unborn'], family: rec.placeholder };
      out.expectedDate = isoDay(rec.expected ?? p.birth);
      return out;
    }
    if (rec.placeholder) {
      out.name = { given: ['Baby'], family: rec.placeholder };
    } else {
      out.name = this.recordedName(p, profile, rng);
    }
    if (rng.chance(profile.birthDate)) out.birthDate = isoDay(rng.chance(profile.birthDateSlip) ? slipBirthDay(p.birth, rng) : p.birth);
    if (rng.chance(profile.sex)) out.sex = p.sex;
    if (rng.chance(profile.nhsNumber)) out.nhsNumber = p.nhs;
    if (rng.chance(profile.address)) {
      const asOf = rng.chance(profile.updatesAddress) ? Math.min(end, p.left) : rec.created;
      const place = this.placeOn(asOf);
      const address: Address = { lines: place.address.lines, town: place.address.town, postcode: place.address.postcode };
      if (rng.chance(0.7)) address.from = isoDay(Math.max(place.from, p.birth));
      out.address = address;
    }
    return out;
  }

  private recordedName(p: Person, profile: RecordingProfile, rng: Rng): { given: string[]; family: string } {
    let first = p.given[0] as string;
    const nick = NICKNAMES[first];
    if (nick && rng.chance(profile.nickname)) first = rng.pick(nick);
    const given = rng.chance(profile.middleNames) ? [first, ...p.given.slice(1)] : [first];
    let family = p.otherFamily && rng.chance(OTHER_SURNAME_SHARE) ? p.otherFamily : p.family;
    if (rng.chance(profile.typo)) {
      if (rng.chance(0.6)) family = typo(family, rng);
      else given[0] = typo(first, rng);
    }
    return { given, family };
  }
}

/** A one-character slip: a transposition, a dropped or doubled letter, or a vowel swapped. */
export function typo(name: string, rng: Rng): string {
  if (name.length < 3) return name;
  const i = rng.int(1, name.length - 2);
  const kind = rng.int(0, 3);
  const chars = [...name];
  if (kind === 0) {
    const a = chars[i] as string;
    chars[i] = chars[i + 1] as string;
    chars[i + 1] = a;
  } else if (kind === 1) {
    chars.splice(i, 1);
  } else if (kind === 2) {
    chars.splice(i, 0, chars[i] as string);
  } else {
    const vowels = 'aeiou';
    const at = chars.findIndex((c, j) => j > 0 && vowels.includes(c));
    if (at > 0) chars[at] = vowels[(vowels.indexOf(chars[at] as string) + rng.int(1, 4)) % 5] as string;
    else chars.splice(i, 1);
  }
  const out = chars.join('');
  return out.length ? out : name;
}

function slipBirthDay(birth: number, rng: Rng): number {
  const d = new Date(birth * 86_400_000);
  const day = d.getUTCDate();
  const month = d.getUTCMonth() + 1;
  if (day <= 12 && day !== month && rng.chance(0.5)) {
    return Math.round(Date.UTC(d.getUTCFullYear(), day - 1, month) / 86_400_000);
  }
  return birth + (rng.chance(0.5) ? 1 : -1) * (rng.chance(0.8) ? 1 : 365);
}

