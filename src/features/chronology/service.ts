import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../platform/db/schema.ts';
import type { RequestContext } from '../../platform/access/context.ts';
import type { Clock } from '../../platform/clock.ts';
import { writeAuditMany, type AuditAction } from '../../platform/audit/audit.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { filterVisiblePeople, requirePersonAccess } from '../../platform/access/person-access.ts';
import { EVENT_TYPES, type AgencyEvent } from '../../domain/events/vocabulary.ts';
import { peopleRepository } from '../records/repository.ts';
import { overviews, type PersonOverview } from '../records/service.ts';
import { SIGNIFICANCE_LABELS, significanceOf } from '../records/significance.ts';
import { describeEvent, EVENT_TYPE_LABELS } from './wording.ts';

/** The most events one chronology page shows; the filters narrow it. */
export const CHRONOLOGY_LIMIT = 2000;

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
});

export interface ChronologyFilters {
  order: 'newest' | 'oldest';
  agencies: string[];
  types: string[];
  significantOnly: boolean;
  from: string | null;
  to: string | null;
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

export interface Chronology {
  scope: 'person' | 'family';
  subjectId: string;
  title: string;
  people: PersonOverview[];
  entries: ChronologyEntry[];
  truncated: boolean;
  agencies: { id: string; name: string }[];
  filters: ChronologyFilters;
}

async function build(
  db: Kysely<DB>, personIds: string[], filters: ChronologyFilters, today: Date,
): Promise<{ people: PersonOverview[]; entries: ChronologyEntry[]; truncated: boolean; agencies: { id: string; name: string }[] }> {
  const repo = peopleRepository(db);
  const people = await overviews(db, personIds, today);
  const rows = await repo.chronology(personIds, { ...filters, newestFirst: filters.order === 'newest', limit: CHRONOLOGY_LIMIT + 1 });
  const truncated = rows.length > CHRONOLOGY_LIMIT;
  const shown = rows.slice(0, CHRONOLOGY_LIMIT);
  const visible = new Set(personIds);
  const subjects = await repo.subjectsOf(shown.map((r) => r.id));
  const aboutOf = new Map<number, string[]>();
  for (const s of subjects) {
    if (!visible.has(s.personId)) continue;
    const names = aboutOf.get(s.eventRowId) ?? [];
    const name = people.get(s.personId)?.name;
    if (name && !names.includes(name)) names.push(name);
    aboutOf.set(s.eventRowId, names);
  }
  const childOf = (rowId: number) => subjects.some((s) => s.eventRowId === rowId && people.get(s.personId)?.isChild);
  const entries = shown.map((r) => {
    const data = (r.data ?? {}) as Record<string, unknown>;
    const significance = r.significant ? significanceOf({ type: r.type, data } as AgencyEvent) : null;
    return {
      rowId: r.id, eventId: r.eventId, onDate: r.onDate, at: r.at, atPrecision: r.atPrecision, agencyId: r.agencyId,
      agencyName: r.agencyName, type: r.type, typeLabel: EVENT_TYPE_LABELS[r.type] ?? r.type,
      summary: describeEvent(r.type, data, childOf(r.id)), text: r.text,
      significance: significance ? SIGNIFICANCE_LABELS[significance] : null,
      about: aboutOf.get(r.id) ?? [], corrected: r.version > 1,
    };
  });
  const agencies = await repo.agenciesOf(personIds);
  return { people: [...people.values()], entries, truncated, agencies };
}

/** One child's (or adult's) chronology after the access check; the read, print or export is audited. */
export async function personChronology(
  db: Kysely<DB>, ctx: RequestContext, personId: string, filters: ChronologyFilters, clock: Clock, action: AuditAction = 'read',
): Promise<Chronology> {
  return db.transaction().execute(async (trx) => {
    await requirePersonAccess(trx, ctx, personId);
    const result = await build(trx as unknown as Kysely<DB>, [personId], filters, clock.now());
    await writeAuditMany(trx, ctx, [{
      action, outcome: 'allowed', subjectType: 'chronology', subjectId: personId, personId,
      details: { scope: 'person', events: result.entries.length, filters: filterQuery(filters) },
    }]);
    return { scope: 'person', subjectId: personId, title: result.people[0]?.name ?? 'Person', filters, ...result };
  });
}

/**
 * A family's chronology: the children and adults of the household together,
 * only those the user may see. A family with nobody visible is "not found".
 */
export async function familyChronology(
  db: Kysely<DB>, ctx: RequestContext, familyId: string, filters: ChronologyFilters, clock: Clock, action: AuditAction = 'read',
): Promise<Chronology> {
  return db.transaction().execute(async (trx) => {
    const members = await peopleRepository(trx).familyMembers(familyId);
    const visible = [...(await filterVisiblePeople(trx, ctx, members))].sort();
    if (visible.length === 0) throw new NotFoundError();
    const result = await build(trx as unknown as Kysely<DB>, visible, filters, clock.now());
    result.people.sort((a, b) => Number(b.isChild) - Number(a.isChild) || (a.birthDate ?? '').localeCompare(b.birthDate ?? ''));
    await writeAuditMany(trx, ctx, visible.map((personId) => ({
      action, outcome: 'allowed' as const, subjectType: 'family-chronology', subjectId: familyId, personId,
      details: { scope: 'family', events: result.entries.length, filters: filterQuery(filters) },
    })));
    const children = result.people.filter((p) => p.isChild).map((p) => p.name);
    const title = `Family of ${children.length ? children.join(', ') : result.people.map((p) => p.name).join(', ')}`;
    return { scope: 'family', subjectId: familyId, title, filters, ...result };
  });
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
