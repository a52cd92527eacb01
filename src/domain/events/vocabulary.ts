import { z } from 'zod';

/**
 * Kinsight's event vocabulary: the one in ../shared/scenarios/FORMAT.md
 * (kinsight-scenario/1), kept as the internal model. Every way data enters
 * (the JSON events API, FHIR and CSV mappings, replay, the synthetic county)
 * produces these shapes, and flags read them. Field names follow the format.
 */

const slug = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be lower-case words joined by hyphens');
export const agencyId = slug;
const kebab = slug;
export const laCode = z.string().regex(/^[ENSW][0-9]{8}$/, 'must be an ONS local authority code such as E06000021');
export const isoDate = z.iso.date({ message: 'must be a date as YYYY-MM-DD' });
export const isoDateTime = z.iso.datetime({ offset: true, message: 'must be a date-time with its offset' });
export const dateOrDateTime = z.union([isoDate, isoDateTime], { message: 'must be a date (YYYY-MM-DD) or a date-time with its offset' });
export const level = z.number().int().min(1).max(4);
export const recordRef = z.string().regex(/^\S+$/, 'must be a localId, or agency:localId for another agency’s record');
export const eventId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits, dot, underscore or hyphen');

export const AGENCY_KINDS = [
  'front-door', 'childrens-social-care', 'early-help', 'health-visiting', 'midwifery', 'maternity', 'gp',
  'hospital', 'community-health', 'camhs', 'adult-mental-health', 'substance-misuse', 'adult-social-care',
  'school', 'nursery', 'education-service', 'police', 'housing', 'probation', 'ambulance', 'voluntary-sector',
  'other',
] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];

export const agencySchema = z.strictObject({
  id: agencyId,
  name: z.string().min(1),
  kind: z.enum(AGENCY_KINDS),
  authority: laCode,
});
export type Agency = z.infer<typeof agencySchema>;

export const nameSchema = z.strictObject({
  given: z.array(z.string().min(1)).optional(),
  family: z.string().min(1).optional(),
});

export const addressSchema = z.strictObject({
  lines: z.array(z.string().min(1)).min(1).optional(),
  town: z.string().min(1).optional(),
  postcode: z
    .string()
    .regex(/^[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}$/, 'must be a UK postcode')
    .optional(),
  from: isoDate.optional(),
});
export type Address = z.infer<typeof addressSchema>;

export const SEXES = ['female', 'male', 'other', 'unknown'] as const;

/** One agency's record of one person, as that agency holds it. */
export const personRecordSchema = z
  .strictObject({
    agency: agencyId,
    localId: z.string().regex(/^\S+$/, 'must not contain spaces'),
    kind: z.enum(['person', 'unborn']),
    name: nameSchema.optional(),
    birthDate: isoDate.optional(),
    expectedDate: isoDate.optional(),
    sex: z.enum(SEXES).optional(),
    nhsNumber: z.string().regex(/^[0-9]{10}$/, 'must be 10 digits with no spaces').optional(),
    address: addressSchema.optional(),
  })
  .superRefine((r, ctx) => {
    if (r.kind === 'unborn' && r.birthDate) {
      ctx.addIssue({ code: 'custom', path: ['birthDate'], message: 'an unborn record has expectedDate, not birthDate' });
    }
    if (r.kind === 'person' && r.expectedDate) {
      ctx.addIssue({ code: 'custom', path: ['expectedDate'], message: 'only an unborn record has expectedDate' });
    }
  });
export type PersonRecord = z.infer<typeof personRecordSchema>;

export const RELATIONSHIP_TYPES = [
  'parent-of', 'step-parent-of', 'partner-of', 'sibling-of', 'household-member-of', 'carer-of', 'relative-of',
] as const;
export type RelationshipType = (typeof RELATIONSHIP_TYPES)[number];

export const relationshipSchema = z.strictObject({
  agency: agencyId,
  from: recordRef,
  to: recordRef,
  type: z.enum(RELATIONSHIP_TYPES),
  from_date: isoDate.optional(),
});
export type Relationship = z.infer<typeof relationshipSchema>;

const contactData = z.strictObject({ to: agencyId, reason: z.string().min(1), requestedLevel: level.optional() });

export const DECISION_OUTCOMES = [
  'nfa', 'universal', 'early-help', 'cin-assessment', 'strategy-discussion', 'added-to-open-case', 'transferred',
] as const;
export const APPOINTMENT_STATUSES = [
  'attended', 'was-not-brought', 'cancelled-by-family', 'cancelled-by-service', 'did-not-attend',
] as const;
export const ATTRIBUTES = [
  'learning-disability', 'mental-health', 'substance-misuse', 'domestic-abuse-victim', 'domestic-abuse-perpetrator',
  'care-experienced', 'previous-children-removed', 'criminal-history', 'risk-to-children', 'additional-needs',
  'young-carer',
] as const;
export const CP_CATEGORIES = ['neglect', 'emotional', 'physical', 'sexual', 'multiple'] as const;
export const INVOLVEMENT_END_REASONS = [
  'needs-met', 'most-needs-met', 'needs-not-reduced', 'non-engagement', 'moved', 'stepped-down', 'stepped-up', 'other',
] as const;
export const MEETING_KINDS = ['tac', 'early-years-forum', 'strategy', 'cp-conference', 'core-group', 'cin-review', 'marac'] as const;

/** The data each event type carries, by type. */
export const eventDataSchemas = {
  contact: contactData,
  referral: contactData,
  decision: z.strictObject({
    on: eventId,
    level,
    outcome: z.enum(DECISION_OUTCOMES),
    rationale: z.string().min(1).optional(),
  }),
  'lateral-check': z.strictObject({ with: agencyId, answer: z.string().min(1) }),
  appointment: z.strictObject({ service: kebab, status: z.enum(APPOINTMENT_STATUSES) }),
  'unscheduled-care': z.strictObject({
    setting: z.enum(['ed', 'miu', 'ucc', '111', 'out-of-hours', 'ambulance']),
    reason: z.enum(['injury', 'ingestion', 'illness', 'other']),
    injury: z.strictObject({ type: z.string().min(1), site: z.string().min(1) }).optional(),
  }),
  admission: z.strictObject({ reason: z.string().min(1), days: z.number().int().min(0).optional() }),
  attendance: z.strictObject({
    setting: z.enum(['school', 'nursery']),
    from: isoDate,
    to: isoDate,
    possible: z.number().int().min(0),
    attended: z.number().int().min(0),
  }),
  'education-status': z.strictObject({
    status: z.enum(['on-roll', 'not-on-roll', 'place-offered', 'elective-home-education', 'missing-education']),
  }),
  'police-incident': z.strictObject({
    category: z.enum(['domestic-abuse', 'violence', 'concern-for-welfare', 'criminal-exploitation', 'sexual-offence', 'other']),
    childrenPresent: z.union([z.boolean(), z.number().int().min(0)]).optional(),
  }),
  pregnancy: z.strictObject({
    expectedDate: isoDate,
    gestationWeeks: z.number().min(0).max(45).optional(),
    babies: z.number().int().min(1),
  }),
  birth: z.strictObject({ unborn: recordRef, child: recordRef }),
  move: z.strictObject({ address: addressSchema, authority: laCode, fromAuthority: laCode.optional() }),
  'involvement-start': z
    .strictObject({ service: kebab, category: z.enum(CP_CATEGORIES).optional(), level: level.optional() })
    .superRefine((d, ctx) => {
      if (d.service === 'child-protection' && !d.category) {
        ctx.addIssue({ code: 'custom', path: ['category'], message: 'a child protection involvement needs its category' });
      }
      if (d.service !== 'child-protection' && d.category) {
        ctx.addIssue({ code: 'custom', path: ['category'], message: 'only a child protection involvement has a category' });
      }
    }),
  'involvement-end': z.strictObject({ service: kebab, reason: z.enum(INVOLVEMENT_END_REASONS) }),
  assessment: z.strictObject({ kind: kebab, summary: z.string().min(1).optional() }),
  attribute: z.strictObject({
    attribute: z.enum(ATTRIBUTES),
    detail: z.string().min(1).optional(),
    count: z.number().int().min(0).optional(),
  }),
  voice: z.strictObject({
    said: z.string().min(1).optional(),
    observed: z
      .strictObject({
        behaviour: z.string().min(1).optional(),
        sleep: z.string().min(1).optional(),
        eating: z.string().min(1).optional(),
        play: z.string().min(1).optional(),
        continence: z.string().min(1).optional(),
      })
      .optional(),
  }),
  meeting: z.strictObject({
    kind: z.enum(MEETING_KINDS),
    attendees: z.array(agencyId).optional(),
    absent: z.array(agencyId).optional(),
  }),
  concern: z.strictObject({ detail: z.string().min(1), severity: z.enum(['low', 'medium', 'high']) }),
  note: z.strictObject({}),
} as const;

export type EventType = keyof typeof eventDataSchemas;
export const EVENT_TYPES = Object.keys(eventDataSchemas) as EventType[];
export type EventData<T extends EventType> = z.infer<(typeof eventDataSchemas)[T]>;

const eventBase = {
  id: eventId,
  at: dateOrDateTime,
  agency: agencyId,
  subjects: z.array(recordRef).min(1, 'an event is about at least one record'),
  text: z.string().optional(),
};

function eventVariant<T extends EventType>(type: T) {
  const data = eventDataSchemas[type];
  return z.strictObject({
    ...eventBase,
    type: z.literal(type),
    data: type === 'note' ? (data as z.ZodType).optional() : data,
  });
}

/** An event as an agency recorded it, validated by its type. */
export const agencyEventSchema = z
  .discriminatedUnion('type', EVENT_TYPES.map((t) => eventVariant(t)) as unknown as [
    ReturnType<typeof eventVariant<EventType>>,
    ...ReturnType<typeof eventVariant<EventType>>[],
  ])
  .superRefine((e, ctx) => {
    if (new Set(e.subjects).size !== e.subjects.length) {
      ctx.addIssue({ code: 'custom', path: ['subjects'], message: 'subjects must not repeat' });
    }
    if (e.type === 'note' && !e.text) {
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'a note needs its text' });
    }
  });

/** A typed event: `data` narrows with `type`. */
export type AgencyEvent = {
  [T in EventType]: {
    id: string;
    at: string;
    agency: string;
    type: T;
    subjects: string[];
    data: EventData<T>;
    text?: string;
  };
}[EventType];

/** Parse an event, giving the typed form; throws a ZodError with field paths otherwise. */
export function parseAgencyEvent(input: unknown): AgencyEvent {
  const parsed = agencyEventSchema.parse(input) as AgencyEvent;
  if (parsed.type === 'note' && parsed.data === undefined) return { ...parsed, data: {} };
  return parsed;
}
