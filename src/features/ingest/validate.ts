import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  agencyId,
  agencySchema,
  eventId,
  parseAgencyEvent,
  personRecordSchema,
  relationshipSchema,
  type Agency,
  type AgencyEvent,
  type PersonRecord,
  type Relationship,
} from '../../domain/events/vocabulary.ts';

/**
 * Pure validation for ingest: the batch's shape, each item against the event
 * vocabulary, and zod issues turned into precise reasons (field path, what was
 * expected, and the value only where it cannot be personal data).
 */

export const ITEM_KINDS = ['agencies', 'records', 'relationships', 'events', 'retractions'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

/** A batch: every group optional, each item checked on its own so one bad item does not sink the rest. */
export const batchShape = z.strictObject({
  agencies: z.array(z.unknown()).optional(),
  records: z.array(z.unknown()).optional(),
  relationships: z.array(z.unknown()).optional(),
  events: z.array(z.unknown()).optional(),
  retractions: z.array(z.unknown()).optional(),
});
export type BatchShape = z.infer<typeof batchShape>;

/** Withdraw an event already sent: hidden from the chronology, kept in the store with the reason. */
export const retractionSchema = z.strictObject({
  agency: agencyId,
  eventId,
  reason: z.string().min(1).max(500),
});
export type Retraction = z.infer<typeof retractionSchema>;

/** Why an item was rejected. `value` is present only for fields that cannot hold personal data. */
export interface Rejection {
  path: string;
  expected: string;
  value?: string | number | boolean;
}

/**
 * Fields whose values are codes, never personal data, so a reason may echo them.
 * Anything else (names, dates of birth, NHS numbers, addresses, free text) is withheld.
 */
const ECHOABLE = new Set([
  'agency', 'kind', 'type', 'status', 'setting', 'service', 'category', 'outcome', 'level', 'requestedLevel',
  'attribute', 'severity', 'to', 'with', 'authority', 'fromAuthority', 'sex', 'reason', 'eventId', 'id',
  'localId', 'from', 'subjects', 'on', 'unborn', 'child', 'babies', 'possible', 'attended', 'resourceType',
]);
/** Keys where the value is free text or a date even though the key name is echoable elsewhere. */
const NEVER_ECHO_UNDER = new Set(['name', 'address', 'text', 'data.reason', 'data.from']);

export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out ? `.${String(s)}` : String(s);
  }
  return out;
}

function valueAt(input: unknown, segments: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const s of segments) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[s as string];
  }
  return cur;
}

function echoable(segments: readonly PropertyKey[], value: unknown): value is string | number | boolean {
  if (!(typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) return false;
  if (typeof value === 'string' && value.length > 64) return false;
  const keys = segments.filter((s): s is string => typeof s === 'string');
  if (keys.some((k) => NEVER_ECHO_UNDER.has(k))) return false;
  const joined = keys.join('.');
  if ([...NEVER_ECHO_UNDER].some((k) => k.includes('.') && joined.includes(k))) return false;
  const last = keys[keys.length - 1];
  return last !== undefined && ECHOABLE.has(last);
}

function expectedFor(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return issue.input === undefined ? `is required (${issue.expected})` : `must be ${issue.expected}`;
  if (issue.code === 'invalid_value') return `must be one of: ${issue.values.map((v) => String(v)).join(', ')}`;
  if (issue.code === 'unrecognized_keys') return `has fields that are not in the vocabulary: ${issue.keys.join(', ')}`;
  return issue.message;
}

/** Turn a zod error into reasons, each path prefixed with the item's place in the batch. */
export function reasonsFromZod(prefix: readonly PropertyKey[], input: unknown, error: z.ZodError): Rejection[] {
  const reasons: Rejection[] = [];
  for (const issue of error.issues) {
    // A discriminated union with an unknown type: say which types there are.
    if (issue.code === 'invalid_union' && issue.path.length === 0 && 'note' in issue && issue.note === 'No matching discriminator') {
      const v = valueAt(input, ['type']);
      reasons.push({ path: formatPath([...prefix, 'type']), expected: 'must be an event type in the vocabulary', ...(echoable(['type'], v) ? { value: v } : {}) });
      continue;
    }
    const v = valueAt(input, issue.path);
    const reason: Rejection = { path: formatPath([...prefix, ...issue.path]), expected: expectedFor(issue) };
    if (issue.code !== 'unrecognized_keys' && echoable(issue.path, v)) reason.value = v;
    reasons.push(reason);
  }
  return reasons;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; reasons: Rejection[] };

function check<T>(prefix: readonly PropertyKey[], input: unknown, parse: (x: unknown) => T): Checked<T> {
  try {
    return { ok: true, value: parse(input) };
  } catch (error) {
    if (error instanceof z.ZodError) return { ok: false, reasons: reasonsFromZod(prefix, input, error) };
    throw error;
  }
}

export const checkAgency = (i: number, x: unknown): Checked<Agency> => check(['agencies', i], x, (v) => agencySchema.parse(v));
export const checkRecord = (i: number, x: unknown): Checked<PersonRecord> => check(['records', i], x, (v) => personRecordSchema.parse(v));
export const checkRelationship = (i: number, x: unknown): Checked<Relationship> =>
  check(['relationships', i], x, (v) => relationshipSchema.parse(v));
export const checkEvent = (i: number, x: unknown): Checked<AgencyEvent> => check(['events', i], x, parseAgencyEvent);
export const checkRetraction = (i: number, x: unknown): Checked<Retraction> =>
  check(['retractions', i], x, (v) => retractionSchema.parse(v));

/** JSON with object keys sorted, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The content hash that tells an identical resubmission from a changed one. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url');
}

/** A reference to a record: a localId within the sender's agency, or "agency:localId". */
export function parseRecordRef(ref: string, defaultAgency: string): { agency: string; localId: string } {
  const colon = ref.indexOf(':');
  if (colon > 0 && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(ref.slice(0, colon))) {
    return { agency: ref.slice(0, colon), localId: ref.slice(colon + 1) };
  }
  return { agency: defaultAgency, localId: ref };
}

const londonDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });

/** When an event happened: the instant (UTC), its Europe/London calendar date, and whether only a date was sent. */
export function eventTime(at: string): { at: Date; onDate: string; precision: 'date' | 'instant' } {
  if (/^\d{4}-\d{2}-\d{2}$/.test(at)) return { at: new Date(`${at}T00:00:00Z`), onDate: at, precision: 'date' };
  const instant = new Date(at);
  return { at: instant, onDate: londonDate.format(instant), precision: 'instant' };
}
