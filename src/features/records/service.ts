import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../platform/db/schema.ts';
import type { RequestContext } from '../../platform/access/context.ts';
import type { Clock } from '../../platform/clock.ts';
import { writeAudit, writeAuditMany } from '../../platform/audit/audit.ts';
import { ValidationError } from '../../platform/errors.ts';
import { filterVisiblePeople, requirePersonAccess } from '../../platform/access/person-access.ts';
import { normaliseNhsNumber } from '../../domain/linkage/nhs-number.ts';
import { householdsOf, type Household } from '../../domain/linkage/household.ts';
import { peopleRepository, type RecordSummary } from './repository.ts';

/** A person as the pages show them: the best-known details from their linked records. */
export interface PersonOverview {
  personId: string;
  name: string;
  birthDate: string | null;
  expectedDate: string | null;
  sex: string | null;
  nhsNumber: string | null;
  postcode: string | null;
  isChild: boolean;
  agencies: string[];
}

/** How a family member stands to the person: [when the member is `from`, when the member is `to`]. */
const RELATIONSHIP_WORDS: Record<string, [string, string]> = {
  'parent-of': ['Parent', 'Child'],
  'step-parent-of': ['Step-parent', 'Step-child'],
  'partner-of': ['Partner', 'Partner'],
  'sibling-of': ['Sibling', 'Sibling'],
  'household-member-of': ['Household member', 'Household member'],
  'carer-of': ['Carer', 'Cared for'],
  'relative-of': ['Relative', 'Relative'],
};

function mostCommon<T>(values: (T | null | undefined)[]): T | null {
  const counts = new Map<T, number>();
  for (const v of values) if (v !== null && v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: T | null = null;
  let n = 0;
  for (const [v, c] of counts) if (c > n) [best, n] = [v, c];
  return best;
}

function ageOn(birthDate: string, today: Date): number {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  let age = today.getUTCFullYear() - y;
  if (today.getUTCMonth() + 1 < m || (today.getUTCMonth() + 1 === m && today.getUTCDate() < d)) age -= 1;
  return age;
}

/** Summarise a person from their records: the details most agencies agree on. */
export function overview(personId: string, records: RecordSummary[], today: Date): PersonOverview {
  const named = records.filter((r) => r.familyName || r.givenNames);
  const name = mostCommon(named.map((r) => [r.givenNames, r.familyName].filter(Boolean).join(' '))) ?? 'Name not recorded';
  const birthDate = mostCommon(records.map((r) => r.birthDate));
  const expectedDate = mostCommon(records.map((r) => r.expectedDate));
  const unbornOnly = records.length > 0 && records.every((r) => r.kind === 'unborn');
  return {
    personId,
    name,
    birthDate,
    expectedDate: unbornOnly ? expectedDate : null,
    sex: mostCommon(records.map((r) => r.sex)),
    nhsNumber: mostCommon(records.map((r) => r.nhsNumber)),
    postcode: mostCommon(records.map((r) => r.postcode)),
    isChild: unbornOnly || (birthDate !== null && ageOn(birthDate, today) < 18),
    agencies: [...new Set(records.map((r) => r.agencyName))],
  };
}

/** Overviews of several people at once, keyed by person. */
export async function overviews(db: Kysely<DB>, personIds: string[], today: Date): Promise<Map<string, PersonOverview>> {
  const records = await peopleRepository(db).currentRecords(personIds);
  return new Map(personIds.map((id) => [id, overview(id, records.filter((r) => r.personId === id), today)]));
}

const optionalText = z.string().trim().max(100).transform((v) => (v === '' ? null : v));
export const searchForm = z.object({
  name: optionalText.optional().default(''),
  'birthDate-day': optionalText.optional().default(''),
  'birthDate-month': optionalText.optional().default(''),
  'birthDate-year': optionalText.optional().default(''),
  nhsNumber: optionalText.optional().default(''),
  postcode: optionalText.optional().default(''),
});
export type SearchForm = z.input<typeof searchForm>;

/** Turn the search form into criteria, or say which fields need correcting (GOV.UK error messages). */
export function searchCriteria(form: unknown) {
  const f = searchForm.parse(form ?? {});
  const errors: { path: string; message: string }[] = [];
  const nameTokens = (f.name ?? '').toLowerCase().split(/[^a-z'’-]+/i).filter((t) => t.length >= 2);
  let birthDate: string | null = null;
  const [d, m, y] = [f['birthDate-day'], f['birthDate-month'], f['birthDate-year']];
  if (d || m || y) {
    const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
    if (!d || !m || !y || !/^\d{4}$/.test(y) || Number.isNaN(date.getTime()) || date.getUTCDate() !== Number(d) || date.getUTCMonth() !== Number(m) - 1) {
      errors.push({ path: 'birthDate-day', message: 'Date of birth must be a real date, for example 27 3 2017' });
    } else {
      birthDate = date.toISOString().slice(0, 10);
    }
  }
  let nhsNumber: string | null = null;
  if (f.nhsNumber) {
    nhsNumber = normaliseNhsNumber(f.nhsNumber);
    if (!nhsNumber) errors.push({ path: 'nhsNumber', message: 'NHS number must be 10 digits, like 485 777 3456' });
  }
  let postcode: string | null = null;
  if (f.postcode) {
    postcode = f.postcode.replace(/\s+/g, '').toUpperCase();
    if (!/^[A-Z]{1,2}[0-9][A-Z0-9]?([0-9][A-Z]{2})?$/.test(postcode)) {
      errors.push({ path: 'postcode', message: 'Enter a full postcode, like ST4 7QP, or the first part, like ST4' });
    }
  }
  if (errors.length === 0 && nameTokens.length === 0 && !birthDate && !nhsNumber && !postcode) {
    errors.push({ path: 'name', message: 'Enter a name, date of birth, NHS number or postcode' });
  }
  return { values: f, criteria: { nameTokens, birthDate, nhsNumber, postcode }, errors };
}

/**
 * Search for people. Only people the user may see are returned (the one access
 * check); the search itself is audited with which fields were used and how many
 * people were shown, never what was typed.
 */
export async function searchPeople(db: Kysely<DB>, ctx: RequestContext, form: unknown, clock: Clock) {
  const { values, criteria, errors } = searchCriteria(form);
  if (errors.length > 0) throw new ValidationError('Check the search', errors);
  return db.transaction().execute(async (trx) => {
    const matches = await peopleRepository(trx).search(criteria);
    const visible = await filterVisiblePeople(trx, ctx, matches.map((m) => m.personId));
    const shown = matches.filter((m) => visible.has(m.personId)).slice(0, 20).map((m) => m.personId);
    const people = await overviews(trx as unknown as Kysely<DB>, shown, clock.now());
    await writeAudit(trx, ctx, {
      action: 'search', outcome: 'allowed', subjectType: 'person',
      details: {
        fields: Object.entries({ name: criteria.nameTokens.length > 0, birthDate: criteria.birthDate, nhsNumber: criteria.nhsNumber, postcode: criteria.postcode })
          .filter(([, v]) => Boolean(v)).map(([k]) => k),
        shown: shown.length, personIds: shown,
      },
    });
    return { values, results: shown.map((id) => people.get(id)!) };
  });
}

/** Everything the person page shows, after the access check; the read is audited. */
export async function personPage(db: Kysely<DB>, ctx: RequestContext, personId: string, clock: Clock) {
  return db.transaction().execute(async (trx) => {
    await requirePersonAccess(trx, ctx, personId);
    const repo = peopleRepository(trx);
    const records = await repo.currentRecords([personId]);
    const today = clock.now();
    const person = overview(personId, records, today);
    const family = await repo.familyOf(personId);
    const others = (family?.members ?? []).filter((p) => p !== personId);
    const visible = await filterVisiblePeople(trx, ctx, others);
    const members = [...visible];
    const memberOverviews = await overviews(trx as unknown as Kysely<DB>, members, today);
    const relationships = await repo.relationshipsAmong([personId, ...members]);
    const family_ = members
      .map((id) => {
        const o = memberOverviews.get(id)!;
        const how = relationships
          .filter((r) => (r.fromPerson === personId && r.toPerson === id) || (r.toPerson === personId && r.fromPerson === id))
          .map((r) => {
            const words = RELATIONSHIP_WORDS[r.type] ?? [r.type, r.type];
            return `${r.toPerson === personId ? words[0] : words[1]} (${r.agencyName})`;
          });
        return { ...o, relationships: [...new Set(how)] };
      })
      .sort((a, b) => Number(b.isChild) - Number(a.isChild) || (a.birthDate ?? '').localeCompare(b.birthDate ?? ''));
    const involvements = await repo.involvements([personId]);
    const { view: households } = await householdsView(trx, ctx, personId, today, clock);
    await writeAudit(trx, ctx, { action: 'read', outcome: 'allowed', subjectType: 'person', subjectId: personId, personId });
    return {
      person,
      records,
      familyId: family?.familyId ?? null,
      family: family_,
      current: involvements.filter((i) => i.endedOn === null),
      past: involvements.filter((i) => i.endedOn !== null),
      household: households.find((h) => h.personResident) ?? null,
      otherAddresses: Math.max(0, households.filter((h) => h.personResident).length - 1),
      canCorrect: canCorrectHouseholds(ctx),
    };
  });
}

/** Roles that may correct a household or a family (as they may merge and split: linkage-review's reviewers). */
export const HOUSEHOLD_CORRECTORS = ['safeguarding-lead', 'team-manager'] as const;

export function canCorrectHouseholds(ctx: RequestContext): boolean {
  return ctx.actor.kind === 'user' && ctx.actor.roles.some((r) => (HOUSEHOLD_CORRECTORS as readonly string[]).includes(r));
}

/** The value of a household in the correction form: its postcode and address key (a form field, never a URL). */
const householdValue = (h: Household): string => `${h.postcode}|${h.addressKey}`;

/**
 * A person's households as the pages show them: derived now from the
 * addresses of everyone's current records (one query), with corrections
 * applied; only the people this user may see are named.
 */
async function householdsView(trx: Transaction<DB>, ctx: RequestContext, personId: string, today: Date, clock: Clock) {
  const { rows, corrections } = await peopleRepository(trx).residences(personId);
  const households = householdsOf(personId, rows, corrections);
  const others = [...new Set(households.flatMap((h) => [...h.members.map((m) => m.personId), ...h.correctedOut.map((c) => c.personId)]))];
  const visible = await filterVisiblePeople(trx, ctx, others, clock);
  const people = await overviews(trx as unknown as Kysely<DB>, [...visible], today);
  return {
    households,
    view: households.map((h) => ({
      value: householdValue(h),
      label: h.label,
      lastRecordedAt: h.lastRecordedAt,
      personResident: h.personResident,
      personCorrection: h.personCorrection && { reason: h.personCorrection.reason, at: h.personCorrection.correctedAt },
      members: h.members.filter((m) => visible.has(m.personId)).map((m) => ({
        ...people.get(m.personId)!, agencies: m.agencies, lastRecordedAt: m.lastRecordedAt,
        addedBy: m.addedBy && { reason: m.addedBy.reason, at: m.addedBy.correctedAt },
      })),
      correctedOut: h.correctedOut.filter((c) => visible.has(c.personId)).map((c) => ({
        ...people.get(c.personId)!, reason: c.correction.reason, at: c.correction.correctedAt,
      })),
    })),
  };
}

/** The household page: every address of the person's current records, who else lives there, and the corrections. Audited. */
export async function householdPage(db: Kysely<DB>, ctx: RequestContext, personId: string, clock: Clock) {
  return db.transaction().execute(async (trx) => {
    await requirePersonAccess(trx, ctx, personId, clock);
    const today = clock.now();
    const person = overview(personId, await peopleRepository(trx).currentRecords([personId]), today);
    const { view } = await householdsView(trx, ctx, personId, today, clock);
    await writeAudit(trx, ctx, { action: 'read', outcome: 'allowed', subjectType: 'household', subjectId: personId, personId });
    return { person, households: view, canCorrect: canCorrectHouseholds(ctx) };
  });
}

export const householdForm = z.object({
  household: z.string({ message: 'Select the address' }).min(1, 'Select the address').max(2000),
  person: z.string({ message: 'Enter a person reference like p_12' }).trim().regex(/^p_[0-9]{1,12}$/, 'Enter a person reference like p_12'),
  resident: z.enum(['no', 'yes'], { message: 'Select whether they live at this address' }),
  reason: z.string({ message: 'Explain the correction in at least 10 characters' }).trim()
    .min(10, 'Explain the correction in at least 10 characters').max(1000, 'Explain the correction in 1,000 characters or fewer'),
});

/**
 * Correct a household: this person does not live at the address (an agency's
 * old address, a relative's address given for post), or does (a partner no
 * agency records there). A new household_correction row, never a change to
 * one; the latest for a person and address wins, so a correction is reversed
 * by another. Audited for both people; the reason is kept in the row, not in
 * the audit.
 */
export async function correctHousehold(db: Kysely<DB>, ctx: RequestContext, personId: string, form: unknown, clock: Clock): Promise<void> {
  const parsed = householdForm.safeParse(form ?? {});
  if (!parsed.success) throw new ValidationError('Check the correction', parsed.error.issues.map((i) => ({ path: String(i.path[0]), message: i.message })));
  const { household, person, resident, reason } = parsed.data;
  await db.transaction().execute(async (trx) => {
    await requirePersonAccess(trx, ctx, personId, clock);
    const { rows, corrections } = await peopleRepository(trx).residences(personId);
    const h = householdsOf(personId, rows, corrections).find((x) => householdValue(x) === household);
    if (!h) throw new ValidationError('Check the correction', [{ path: 'household', message: 'Select one of this person’s addresses' }]);
    if (person !== personId && !(await filterVisiblePeople(trx, ctx, [person], clock)).has(person)) {
      throw new ValidationError('Check the correction', [{ path: 'person', message: 'There is no person with that reference that you can see' }]);
    }
    const living = new Set(h.members.map((m) => m.personId));
    if (h.personResident) living.add(personId);
    if (resident === 'no' && !living.has(person)) throw new ValidationError('Check the correction', [{ path: 'person', message: 'That person is not in this household' }]);
    if (resident === 'yes' && living.has(person)) throw new ValidationError('Check the correction', [{ path: 'person', message: 'That person is already in this household' }]);
    await peopleRepository(trx).insertHouseholdCorrection({
      personId: person, postcode: h.postcode, addressKey: h.addressKey, resident: resident === 'yes', reason,
      by: ctx.actor.kind === 'user' ? ctx.actor.userId : 'system', at: clock.now(),
    });
    await writeAuditMany(trx, ctx, [...new Set([personId, person])].map((p) => ({
      action: 'correct' as const, outcome: 'succeeded' as const, subjectType: 'household', subjectId: personId, personId: p,
      details: { person, resident: resident === 'yes' },
    })));
  });
}
