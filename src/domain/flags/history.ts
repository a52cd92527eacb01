import type { AgencyEvent, AgencyKind } from '../events/vocabulary.ts';
import { londonDayStart } from './london.ts';

/**
 * What a flag rule sees: one person's history, as the database layer builds
 * it for that person. It is everything Kinsight knows about the person and
 * the people they live with, linked; rules never look anything else up.
 *
 * To build it cheaply for one person: read the person, their household
 * (deriveHousehold below does the relationship logic from person-to-person
 * links), then every event whose subjects resolve to any of those people,
 * with the recording agency. Instants are Dates in UTC.
 */

export const SEX_VALUES = ['female', 'male', 'other', 'unknown'] as const;
export type Sex = (typeof SEX_VALUES)[number];

/** Facts about one linked person. An unborn baby and the child born are one person: `kind` is as at the clock. */
export interface PersonFacts {
  personId: string;
  kind: 'person' | 'unborn';
  /** YYYY-MM-DD, when known (a born person). */
  birthDate?: string;
  /** YYYY-MM-DD, for an unborn baby. */
  expectedDate?: string;
  sex?: Sex;
}

/** How a household member relates to the subject. */
export const HOUSEHOLD_RELATIONSHIPS = [
  'parent', 'step-parent', 'carer', 'partner-of-parent', 'sibling', 'unborn-sibling', 'household-member',
] as const;
export type HouseholdRelationship = (typeof HOUSEHOLD_RELATIONSHIPS)[number];

/** Someone in the subject's family or household, with their own facts. */
export interface HouseholdMember extends PersonFacts {
  relationship: HouseholdRelationship;
}

/** An agency as the partnership knows it. `name` is the service's name (never a person's). */
export interface AgencyInfo {
  id: string;
  kind: AgencyKind;
  /** ONS local authority code of the area the agency serves. */
  authority: string;
  name?: string;
}

/** One chronology entry: the agency's event, the people it is about, who recorded it, and when. */
export interface HistoryEvent {
  event: AgencyEvent;
  /** The event's instant (a date-only `at` is the start of that day in Europe/London: see eventInstant). */
  at: Date;
  /** The linked person ids the event's subjects resolve to (unresolved records are left out). */
  personIds: string[];
  /** The agency that recorded the event. */
  agency: AgencyInfo;
}

/** Everything a rule may use about one person. */
export interface PersonHistory {
  subject: PersonFacts;
  household: HouseholdMember[];
  /** Events about the subject or any household member, in any order (the engine sorts them). */
  events: HistoryEvent[];
  /** The ONS code of the authority whose partnership runs this Kinsight instance. */
  homeAuthority: string;
  /** Agencies by id, to resolve the `to` of a contact or referral and the `with` of a lateral check. */
  agencies: Record<string, AgencyInfo>;
}

/** The instant of an event's `at`: a date-time as written, a date as the start of that day in Europe/London. */
export function eventInstant(at: string): Date {
  return at.length === 10 && /^\d{4}-\d{2}-\d{2}$/.test(at) ? londonDayStart(at) : new Date(at);
}

/** A person-to-person relationship, as linkage resolves an agency's record-to-record one. */
export interface PersonLink {
  from: string;
  to: string;
  type: 'parent-of' | 'step-parent-of' | 'partner-of' | 'sibling-of' | 'household-member-of' | 'carer-of' | 'relative-of';
}

const PRIORITY: Record<HouseholdRelationship, number> = {
  parent: 0, 'step-parent': 1, carer: 2, 'partner-of-parent': 3, sibling: 4, 'unborn-sibling': 4, 'household-member': 5,
};

/**
 * The subject's household from person links (pure, for the database layer and
 * tests): parents, step-parents and carers; their partners; children of the
 * subject's parents and carers (half-siblings included, unborn ones as
 * unborn siblings); and anyone recorded as living in the same household as
 * the subject or one of their parents. Relatives who do not live there
 * (relative-of) are not household. Links should already be limited to those
 * in force at the clock.
 */
export function deriveHousehold(subjectId: string, links: PersonLink[], people: Map<string, PersonFacts>): HouseholdMember[] {
  const found = new Map<string, HouseholdRelationship>();
  const put = (id: string, rel: HouseholdRelationship) => {
    if (id === subjectId || !people.has(id)) return;
    const prior = found.get(id);
    if (prior === undefined || PRIORITY[rel] < PRIORITY[prior]) found.set(id, rel);
  };
  const carersOf = (id: string) =>
    links.filter((l) => l.to === id && (l.type === 'parent-of' || l.type === 'step-parent-of' || l.type === 'carer-of'));
  const childOrSibling = (id: string) => (people.get(id)?.kind === 'unborn' ? 'unborn-sibling' : 'sibling');

  const parents = new Set<string>();
  for (const l of carersOf(subjectId)) {
    parents.add(l.from);
    put(l.from, l.type === 'parent-of' ? 'parent' : l.type === 'step-parent-of' ? 'step-parent' : 'carer');
  }
  for (const l of links) {
    if (l.type === 'sibling-of' && (l.from === subjectId || l.to === subjectId)) {
      const other = l.from === subjectId ? l.to : l.from;
      put(other, childOrSibling(other));
    }
  }
  for (const p of parents) {
    for (const l of links) {
      if (l.type === 'partner-of' && (l.from === p || l.to === p)) put(l.from === p ? l.to : l.from, 'partner-of-parent');
      if ((l.type === 'parent-of' || l.type === 'step-parent-of' || l.type === 'carer-of') && l.from === p) {
        put(l.to, childOrSibling(l.to));
      }
    }
  }
  // Households: X household-member-of Y puts X and Y in one household; the subject's household
  // is the one containing the subject or any of its parents.
  const anchors = new Set([subjectId, ...parents]);
  const householdOf = new Set<string>();
  for (const l of links) {
    if (l.type !== 'household-member-of') continue;
    if (anchors.has(l.from) || anchors.has(l.to)) {
      householdOf.add(l.from);
      householdOf.add(l.to);
    }
  }
  for (const l of links) {
    if (l.type === 'household-member-of' && (householdOf.has(l.to) || householdOf.has(l.from))) {
      householdOf.add(l.from);
      householdOf.add(l.to);
    }
  }
  for (const id of householdOf) put(id, 'household-member');

  return [...found.entries()]
    .map(([id, relationship]) => ({ ...(people.get(id) as PersonFacts), relationship }))
    .sort((a, b) => a.personId.localeCompare(b.personId));
}
