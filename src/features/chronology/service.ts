import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../platform/db/schema.ts';
import type { RequestContext } from '../../platform/access/context.ts';
import type { Clock } from '../../platform/clock.ts';
import { auditInsertQuery, type AuditAction } from '../../platform/audit/audit.ts';
import { NotFoundError, PersonAccessDenied } from '../../platform/errors.ts';
import { personAccessQuery } from '../../platform/access/person-access.ts';
import { EVENT_TYPES, type AgencyEvent } from '../../domain/events/vocabulary.ts';
import type { RecordSummary } from '../records/repository.ts';
import { overview, type PersonOverview } from '../records/service.ts';
import { SIGNIFICANCE_LABELS, significanceOf } from '../records/significance.ts';
import { describeEvent, EVENT_TYPE_LABELS } from './wording.ts';
import { cataloguePage } from '../flags/lifecycle.ts';
import { chronologyRepository, familyMembersQuery, flagReadAuditRows } from './repository.ts';

/** The most events a print or export shows; the filters narrow it. */
export const CHRONOLOGY_LIMIT = 2000;
/** The entries one chronology page shows, newest (or oldest) first; "earlier entries" links page through the rest. */
export const CHRONOLOGY_PAGE_SIZE = 100;

const list = z.union([z.string(), z.array(z.string())]).optional().transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));
const dayPart = z.string().trim().optional();

/** Filters come from the query string; they hold codes and dates, never personal data. */
export const filterSchema = z.object({
  order: z.enum(['newest', 'oldest']).optional().default('newest'),
  agency: list,
  type: list,
  significant: z.enum(['only', 'all']).optional().default('all'),
  'from-day': dayPart, 'from-month': dayPart, 'from-year': dayPart,
  'to-day': dayPart, 'to-month': dayPart, 'to-year': dayPart,
  page: z.coerce.number().int().min(1).max(1000).optional().catch(undefined),
});

export interface ChronologyFilters {
  order: 'newest' | 'oldest';
  agencies: string[];
  types: string[];
  significantOnly: boolean;
  from: string | null;
  to: string | null;
  /** Which page of the chronology (from 1). */
  page: number;
  /** What the form shows back. */
  raw: Record<string, unknown>;
  errors: { text: string; href: string }[];
}

function dateFrom(day?: string, month?: string, year?: string, end = false): string | null | 'invalid' {
  if (!day && !month && !year) return null;
  if (!year || !/^\d{4}$/.test(year)) return 'invalid';
  const m = month ? Number(month) : end ? 12 : 1;
  const lastDay = new Date(Date.UTC(Number(year), m, 0)).getUTCDate();
  const d = day ? Number(day) : end ? lastDay : 1;
  if (!Number.isInteger(m) || m < 1 || m > 12 || !Number.isInteger(d) || d < 1 || d > lastDay) return 'invalid';
  return `${year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Read the filters from a query string; unknown values are dropped, bad dates reported. */
export function parseFilters(query: unknown): ChronologyFilters {
  const parsed = filterSchema.safeParse(query ?? {});
  const q = parsed.success ? parsed.data : filterSchema.parse({});
  const errors: { text: string; href: string }[] = [];
  let from = dateFrom(q['from-day'], q['from-month'], q['from-year']);
  let to = dateFrom(q['to-day'], q['to-month'], q['to-year'], true);
  if (from === 'invalid') {
    errors.push({ text: 'The start of the period must be a real date, for example 1 5 2019, or just a year', href: '#from-day' });
    from = null;
  }
  if (to === 'invalid') {
    errors.push({ text: 'The end of the period must be a real date, for example 31 12 2020, or just a year', href: '#to-day' });
    to = null;
  }
  return {
    order: q.order,
    agencies: q.agency.filter((a) => /^[a-z0-9-]{1,64}$/.test(a)),
    types: q.type.filter((t) => (EVENT_TYPES as string[]).includes(t)),
    significantOnly: q.significant === 'only',
    from,
    to,
    page: q.page ?? 1,
    raw: q,
    errors,
  };
}

/** The query string that reproduces these filters (for print, CSV and sort links). */
export function filterQuery(f: ChronologyFilters, overrides: { order?: string } = {}): string {
  const p = new URLSearchParams();
  p.set('order', overrides.order ?? f.order);
  for (const a of f.agencies) p.append('agency', a);
  for (const t of f.types) p.append('type', t);
  if (f.significantOnly) p.set('significant', 'only');
  for (const k of ['from-day', 'from-month', 'from-year', 'to-day', 'to-month', 'to-year']) {
    const v = f.raw[k];
    if (typeof v === 'string' && v) p.set(k, v);
  }
  return p.toString();
}

export interface ChronologyEntry {
  rowId: number;
  eventId: string;
  onDate: string;
  at: Date;
  atPrecision: string;
  agencyId: string;
  agencyName: string;
  type: string;
  typeLabel: string;
  summary: string;
  text: string | null;
  significance: string | null;
  about: string[];
  corrected: boolean;
}

/** A concern flag an entry of the page is evidence for (the flags pages have the rest). */
export interface ChronologyFlag {
  id: string;
  personId: string;
  categoryTitle: string;
  state: 'open' | 'acknowledged' | 'closed';
}

const CATEGORY_TITLES = new Map(cataloguePage().map((c) => [c.category, c.title]));

export interface Chronology {
  scope: 'person' | 'family';
  subjectId: string;
  title: string;
  people: PersonOverview[];
  entries: ChronologyEntry[];
  /** A print or export that stopped at CHRONOLOGY_LIMIT. */
  truncated: boolean;
  /** Which page a read shows: its number, the position of its first entry, and whether pages come before or after it. */
  paging: { page: number; first: number; earlierPages: boolean; laterPages: boolean };
  agencies: { id: string; name: string }[];
  /**
   * A page read (not print or export) also reads the flags of the people it
   * shows, audited as a read of those flags: by event row id, the flags each
   * entry is evidence for, live first, newest first.
   */
  flagsByEvent: Record<string, ChronologyFlag[]>;
  filters: ChronologyFilters;
}

/** Read one chronology (the access check, the events and who they are about, names, agencies, the audit rows) in one statement. */
async function build(
  db: Kysely<DB>, ctx: RequestContext, target: { kind: 'person'; personId: string } | { kind: 'family'; familyId: string },
  filters: ChronologyFilters, clock: Clock, action: AuditAction,
) {
  const paged = action === 'read';
  const limit = paged ? CHRONOLOGY_PAGE_SIZE : CHRONOLOGY_LIMIT;
  const offset = paged ? (filters.page - 1) * CHRONOLOGY_PAGE_SIZE : 0;
  const now = clock.now();
  const access = target.kind === 'person'
    ? personAccessQuery(ctx, [target.personId], clock)
    : personAccessQuery(ctx, familyMembersQuery(target.familyId), clock);
  const details = { scope: target.kind, filters: filterQuery(filters), ...(paged ? { page: filters.page } : {}) };
  // One audit row per person allowed: a read, print or export; break-glass access is audited as such.
  // A page also shows flags: one more row per person with flags, naming them.
  const audit = auditInsertQuery(ctx, sql`
    select ${action}::text as action,
           case when a.access = 'break-glass' then 'break-glass' else 'allowed' end as outcome,
           ${target.kind === 'person' ? 'chronology' : 'family-chronology'}::text as subject_type,
           ${target.kind === 'person' ? target.personId : target.familyId}::text as subject_id,
           a.person_id,
           ${JSON.stringify(details)}::jsonb || jsonb_build_object('events', (select count(*) from shown)) as details
      from access a
    ${paged ? sql`union all ${flagReadAuditRows()}` : sql``}`);
  const read = await chronologyRepository(db).read({
    access, audit, withFlags: paged, agencies: filters.agencies, types: filters.types, from: filters.from, to: filters.to,
    significantOnly: filters.significantOnly, newestFirst: filters.order === 'newest', offset, limit,
  });
  const visible = read.access.map((a) => a.personId).sort();
  const byPerson = new Map<string, RecordSummary[]>();
  for (const r of read.records) {
    const list = byPerson.get(r.personId) ?? [];
    list.push(r as unknown as RecordSummary);
    byPerson.set(r.personId, list);
  }
  const people = new Map(visible.map((id) => [id, overview(id, byPerson.get(id) ?? [], now)]));
  const more = read.events.length > limit;
  const shown = read.events.slice(0, limit);
  const aboutOf = new Map<number, string[]>();
  const childEvents = new Set<number>();
  for (const [eventRowId, personId] of read.subjects) {
    const person = people.get(personId);
    if (!person) continue;
    const names = aboutOf.get(eventRowId) ?? [];
    if (!names.includes(person.name)) names.push(person.name);
    aboutOf.set(eventRowId, names);
    if (person.isChild) childEvents.add(eventRowId);
  }
  const entries: ChronologyEntry[] = shown.map((r) => {
    const data = (r.data ?? {}) as Record<string, unknown>;
    const significance = r.significant ? significanceOf({ type: r.type, data } as AgencyEvent) : null;
    return {
      rowId: r.id, eventId: r.eventId, onDate: r.onDate, at: new Date(r.at), atPrecision: r.atPrecision, agencyId: r.agencyId,
      agencyName: r.agencyName, type: r.type, typeLabel: EVENT_TYPE_LABELS[r.type] ?? r.type,
      summary: describeEvent(r.type, data, childEvents.has(r.id)), text: r.text,
      significance: significance ? SIGNIFICANCE_LABELS[significance] : null,
      about: aboutOf.get(r.id) ?? [], corrected: r.version > 1,
    };
  });
  const flagsByEvent: Record<string, ChronologyFlag[]> = {};
  for (const f of read.flags) {
    const flag = { id: f.id, personId: f.personId, categoryTitle: CATEGORY_TITLES.get(f.category) ?? f.category, state: f.state };
    for (const row of f.evidenceRows) (flagsByEvent[String(row)] ??= []).push(flag);
  }
  return {
    visible,
    people: [...people.values()],
    flagsByEvent,
    entries,
    truncated: !paged && more,
    paging: { page: paged ? filters.page : 1, first: offset + 1, earlierPages: paged && filters.page > 1, laterPages: paged && more },
    agencies: read.agencies,
  };
}

/**
 * One child's (or adult's) chronology after the access check; the read, print
 * or export is audited. A read shows one page (CHRONOLOGY_PAGE_SIZE entries,
 * filters.page); print and export show everything up to CHRONOLOGY_LIMIT. The
 * check, the read and the audit rows are one statement, so they commit together.
 */
export async function personChronology(
  db: Kysely<DB>, ctx: RequestContext, personId: string, filters: ChronologyFilters, clock: Clock, action: AuditAction = 'read',
): Promise<Chronology> {
  const { visible, ...result } = await build(db, ctx, { kind: 'person', personId }, filters, clock, action);
  if (!visible.includes(personId)) throw new PersonAccessDenied(personId, ctx);
  return { scope: 'person', subjectId: personId, title: result.people[0]?.name ?? 'Person', filters, ...result };
}

/**
 * A family's chronology: the children and adults of the household together,
 * only those the user may see. A family with nobody visible is "not found".
 */
export async function familyChronology(
  db: Kysely<DB>, ctx: RequestContext, familyId: string, filters: ChronologyFilters, clock: Clock, action: AuditAction = 'read',
): Promise<Chronology> {
  const { visible, ...result } = await build(db, ctx, { kind: 'family', familyId }, filters, clock, action);
  if (visible.length === 0) throw new NotFoundError();
  result.people.sort((a, b) => Number(b.isChild) - Number(a.isChild) || (a.birthDate ?? '').localeCompare(b.birthDate ?? ''));
  const children = result.people.filter((p) => p.isChild).map((p) => p.name);
  const title = `Family of ${children.length ? children.join(', ') : result.people.map((p) => p.name).join(', ')}`;
  return { scope: 'family', subjectId: familyId, title, filters, ...result };
}

/** The chronology as CSV: one row per event, cells protected against spreadsheet formula injection. */
export function chronologyCsv(c: Chronology): string {
  const cell = (v: string) => {
    const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const header = ['Date', 'Agency', 'Event', 'Significant', 'About', 'Summary', 'Text', 'Corrected'];
  const lines = [header.join(',')];
  for (const e of c.entries) {
    lines.push([e.onDate, e.agencyName, e.typeLabel, e.significance ?? '', e.about.join('; '), e.summary, e.text ?? '', e.corrected ? 'yes' : '']
      .map((v) => cell(String(v))).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
