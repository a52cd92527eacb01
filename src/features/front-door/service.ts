import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { requireUser, type RequestContext } from '../../platform/access/context.ts';
import { formatDate, type Clock } from '../../platform/clock.ts';
import { filterVisiblePeople, personAccess } from '../../platform/access/person-access.ts';
import { writeAudit, writeAuditMany } from '../../platform/audit/audit.ts';
import { AppError, NotFoundError } from '../../platform/errors.ts';
import { workingDayDeadline } from '../../domain/timescales/working-days.ts';
import { ingestBatch, type IngestResult } from '../ingest/service.ts';
import { matchRecord } from '../records/linking.ts';
import { overviews, type PersonOverview } from '../records/service.ts';
import { evaluateFlagsAfterBatch } from '../flags/service.ts';
import { informationSharingRepository } from '../information-sharing/repository.ts';
import { CONSENT, LAWFUL_BASES } from '../information-sharing/lawful-basis.ts';
import { frontDoorRepository, type ContactRow, type DecisionRow } from './repository.ts';

type Db = Kysely<DB>;

/**
 * The front door (MASH / advice and duty), issue 8. Contacts, referrals,
 * lateral checks and decisions are events written through ingest (the only way
 * data enters), so the chronology, the flags and the front door's 30-day access
 * all see them; front_door_* tables keep what only the front door knows.
 *
 * Learning implemented (../shared/seeds/004_*.txt, Child B):
 * - learning point 1: "decision-making ... should routinely take account of
 *   previous referrals and historical information": no decision is saved
 *   without the history panel having been drawn and the practitioner
 *   confirming it was considered; the panel's contents are kept by reference.
 * - 4.1.4: a referral about an open case was added to it and "did not trigger
 *   any further curiosity": every contact is triaged on its own; "added to
 *   open case" is not an outcome here, and the open case is shown, not used.
 * - 4.1.7: a midwife's lateral check with the front door was never recorded:
 *   lateral checks are recorded events, visible in the chronology.
 */

export const OUTCOMES = {
  nfa: 'No further action',
  universal: 'Universal services or signposting',
  'early-help': 'Early help',
  'cin-assessment': 'Social work assessment',
  'strategy-discussion': 'Strategy discussion',
} as const;
export type Outcome = keyof typeof OUTCOMES;

/** Every outcome the history panel may show (other systems' decisions use the whole vocabulary). */
export const OUTCOME_WORDS: Record<string, string> = {
  ...OUTCOMES, 'added-to-open-case': 'Added to open case', transferred: 'Transferred',
};

export const LEVELS = {
  1: 'Level 1: universal (needs met by universal services)',
  2: 'Level 2: additional needs (single agency or universal plus)',
  3: 'Level 3: complex needs (targeted early help, multi-agency)',
  4: 'Level 4: acute or specialist (social care: child in need, child protection)',
} as const;

const SERVICE_WORDS: Record<string, string> = {
  'child-protection': 'Child protection plan', 'child-in-need': 'Child in need plan', 'looked-after': 'Looked after (in care)',
  'early-help': 'Early help', tac: 'Team around the child',
};
const END_REASONS: Record<string, string> = {
  'needs-met': 'needs met', 'most-needs-met': 'most needs met', 'needs-not-reduced': 'needs not reduced',
  'non-engagement': 'family did not engage', moved: 'family moved', 'stepped-down': 'stepped down', 'stepped-up': 'stepped up', other: 'other',
};
/** Services whose open involvement makes "an open case". */
const CASE_SERVICES = new Set(['early-help', 'child-in-need', 'child-protection', 'looked-after']);
export const DECISION_TIMESCALE_WORKING_DAYS = 1;
/** The last day a decision is in time, for people: the deadline is the first instant after it. */
const dueDay = (deadline: Date) => formatDate(new Date(deadline.getTime() - 1));
export const RE_REFERRAL_MONTHS = 12;
const FRONT_DOOR_ROLES = ['front-door-practitioner', 'team-manager'];


function monthsBefore(at: Date, months: number): Date {
  const d = new Date(at);
  d.setUTCMonth(d.getUTCMonth() - months);
  return d;
}

/** The front door this user works at (front-door staff) or refers to (partners). */
export async function frontDoorOf(db: Db | Transaction<DB>, ctx: RequestContext): Promise<string> {
  const id = await frontDoorRepository(db).frontDoorFor(requireUser(ctx).agencyId);
  if (!id) throw new AppError(404, 'no-front-door', 'There is no front door registered for your area');
  return id;
}

// ---------------------------------------------------------------- the triage queue

export interface QueueItem extends ContactRow {
  deadline: Date;
  dueDay: string;
  overdue: boolean;
  people: { personId: string; name: string }[];
  hiddenPeople: number;
}

/** Every live contact with no decision, urgent first, then oldest first; each with its one-working-day deadline. */
export async function triageQueue(db: Db, ctx: RequestContext, clock: Clock): Promise<{ items: QueueItem[]; frontDoor: string }> {
  const frontDoor = await frontDoorOf(db, ctx);
  if (requireUser(ctx).agencyId !== frontDoor) throw new NotFoundError();
  const now = clock.now();
  return db.transaction().execute(async (trx) => {
    const repo = frontDoorRepository(trx);
    const rows = await repo.undecided(frontDoor);
    const subjects = await repo.subjectsOf(rows.map((r) => r.eventRowId));
    const allPeople = [...new Set(subjects.map((s) => s.personId))];
    const visible = await filterVisiblePeople(trx, ctx, allPeople, clock);
    const names = await overviews(trx as unknown as Db, [...visible], now);
    const items = rows.map((r) => {
      const mine = [...new Set(subjects.filter((s) => s.eventRowId === r.eventRowId).map((s) => s.personId))];
      const deadline = workingDayDeadline(r.at, DECISION_TIMESCALE_WORKING_DAYS);
      return {
        ...r, deadline, dueDay: dueDay(deadline), overdue: now.getTime() > deadline.getTime(),
        urgent: r.urgent || r.requestedLevel === 4,
        people: mine.filter((p) => visible.has(p)).map((p) => ({ personId: p, name: names.get(p)?.name ?? 'Name not recorded' })),
        hiddenPeople: mine.filter((p) => !visible.has(p)).length,
      };
    });
    items.sort((a, b) => Number(b.urgent) - Number(a.urgent) || a.at.getTime() - b.at.getTime());
    await writeAudit(trx, ctx, { action: 'read', outcome: 'allowed', subjectType: 'front-door-queue', subjectId: frontDoor, details: { contacts: items.length } });
    await writeAuditMany(trx, ctx, [...visible].map((personId) => ({ action: 'read' as const, outcome: 'allowed' as const, subjectType: 'front-door-queue', personId })));
    return { items, frontDoor };
  });
}

// ---------------------------------------------------------------- recording a contact

const keys = <T extends object>(o: T) => Object.keys(o) as [keyof T & string, ...(keyof T & string)[]];
const text = (max: number) => z.string().trim().max(max).optional().transform((v) => (v ? v : undefined));

export const contactForm = z
  .object({
    kind: z.enum(['contact', 'referral'], { message: 'Select whether this is a contact or a referral' }),
    referrerName: text(200),
    referrerRole: text(200),
    referrerAgency: text(100),
    referrerPhone: text(40),
    reason: z.string().trim().min(3, 'Enter what the referrer is worried about, in a few words').max(300),
    worries: z.string().trim().min(10, 'Describe the worries: what happened, what was seen or said').max(5000),
    requestedLevel: z.enum(['1', '2', '3', '4']).optional().or(z.literal('').transform(() => undefined)),
    urgent: z.enum(['yes', 'no'], { message: 'Select whether the child may be at immediate risk' }),
    childGiven: z.string().trim().min(1, 'Enter the child’s first name').max(100),
    childFamily: z.string().trim().min(1, 'Enter the child’s last name').max(100),
    childBirthDay: text(2), childBirthMonth: text(2), childBirthYear: text(4),
    childNhs: z.string().trim().transform((v) => v.replace(/\s+/g, '')).pipe(z.union([z.literal(''), z.string().regex(/^[0-9]{10}$/, 'Enter the NHS number as 10 digits')])).optional(),
    childPostcode: z.string().trim().toUpperCase().pipe(z.union([z.literal(''), z.string().regex(/^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$/, 'Enter a real postcode, like ST4 7QP')])).optional(),
    adultGiven: text(100),
    adultFamily: text(100),
    adultBirthDay: text(2), adultBirthMonth: text(2), adultBirthYear: text(4),
    consent: z.enum(keys(CONSENT), { message: 'Select what happened about consent' }),
    consentDetail: text(2000),
    lawfulBasis: z
      .union([z.enum(keys(LAWFUL_BASES)), z.array(z.enum(keys(LAWFUL_BASES)))])
      .optional()
      .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
    childMatch: text(40),
    adultMatch: text(40),
  })
  .superRefine((f, ctx) => {
    const rec = f as unknown as Record<string, string | undefined>;
    for (const [prefix, label] of [['childBirth', 'the child’s'], ['adultBirth', 'the adult’s']] as const) {
      const parts = [rec[`${prefix}Day`], rec[`${prefix}Month`], rec[`${prefix}Year`]];
      if (parts.some(Boolean) && !isoDateOf(parts)) {
        ctx.addIssue({ code: 'custom', path: [`${prefix}Day`], message: `Enter ${label} date of birth as a real date, like 27 3 2019` });
      }
    }
    if (f.consent !== 'given' && !f.consentDetail) {
      ctx.addIssue({ code: 'custom', path: ['consentDetail'], message: 'Explain why consent was not sought, or why you went ahead without it' });
    }
    if (f.lawfulBasis.length === 0) ctx.addIssue({ code: 'custom', path: ['lawfulBasis'], message: 'Select the lawful basis for recording and sharing this' });
    if ((f.adultGiven && !f.adultFamily) || (!f.adultGiven && f.adultFamily)) {
      ctx.addIssue({ code: 'custom', path: [f.adultGiven ? 'adultFamily' : 'adultGiven'], message: 'Enter the adult’s first and last name, or neither' });
    }
  });
export type ContactForm = z.infer<typeof contactForm>;

function isoDateOf(parts: (string | undefined)[]): string | null {
  const [d, m, y] = parts.map((p) => Number(p));
  if (!d || !m || !y || y < 1900 || y > 2100) return null;
  const iso = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const parsed = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== iso ? null : iso;
}

/** The outward code (district) of a postcode, written with or without its space: never the full postcode. */
export function postcodeDistrict(postcode: string | null | undefined): string | null {
  const compact = postcode?.replace(/\s+/g, '').toUpperCase();
  return compact && compact.length > 3 ? compact.slice(0, -3) : null;
}

export interface Candidate { personId: string; name: string; birthDate: string | null; postcodeDistrict: string | null; agencies: number; probability: number }

function personBody(given: string, family: string, birthDate: string | null, nhs?: string, postcode?: string) {
  return {
    kind: 'person' as const,
    name: { given: [given], family },
    ...(birthDate ? { birthDate } : {}),
    ...(nhs ? { nhsNumber: nhs } : {}),
    ...(postcode ? { address: { postcode } } : {}),
  };
}

/**
 * The people the linker thinks these typed details might be: the front door
 * matches before it creates, so a known child is not made a stranger. Only
 * what identifies (name, birth date, postcode district, how many agencies know
 * them) is shown; the look-up is audited as a search.
 */
export async function candidatesFor(db: Db, ctx: RequestContext, f: ContactForm, clock: Clock): Promise<{ child: Candidate[]; adult: Candidate[] }> {
  const now = clock.now();
  const find = async (body: ReturnType<typeof personBody>): Promise<Candidate[]> => {
    const { matches } = await matchRecord(db, -1, body);
    const top = matches.filter((m) => m.probability >= 0.2).slice(0, 5);
    const o = await overviews(db, top.map((m) => m.personId), now);
    return top.map((m) => {
      const p = o.get(m.personId)!;
      return { personId: m.personId, name: p.name, birthDate: p.birthDate, postcodeDistrict: postcodeDistrict(p.postcode), agencies: p.agencies.length, probability: m.probability };
    });
  };
  const child = await find(personBody(f.childGiven, f.childFamily, isoDateOf([f.childBirthDay, f.childBirthMonth, f.childBirthYear]), f.childNhs || undefined, f.childPostcode || undefined));
  const adult = f.adultGiven && f.adultFamily
    ? await find(personBody(f.adultGiven, f.adultFamily, isoDateOf([f.adultBirthDay, f.adultBirthMonth, f.adultBirthYear]), undefined, f.childPostcode || undefined))
    : [];
  await writeAudit(db, ctx, { action: 'search', outcome: 'allowed', subjectType: 'front-door-match', details: { candidates: child.length + adult.length } });
  return { child, adult };
}

function rejectedReasons(result: IngestResult): string {
  return result.items.filter((i) => i.status === 'rejected').flatMap((i) => i.reasons ?? []).map((r) => `${r.path}: ${r.expected}`).join('; ');
}

/**
 * Record a contact or referral: the typed people become the recording agency's
 * records (or the chosen existing people are referred to), the contact an
 * event addressed to the front door, all through ingest; then what only the
 * front door keeps (referrer, consent, lawful basis, urgency).
 */
export async function recordContact(db: Db, ctx: RequestContext, f: ContactForm, clock: Clock): Promise<number> {
  const actor = requireUser(ctx);
  const frontDoor = await frontDoorOf(db, ctx);
  const repo = frontDoorRepository(db);
  const at = clock.now();
  const stamp = randomUUID().replaceAll('-', '').slice(0, 12);
  const records: Record<string, unknown>[] = [];
  const subjects: string[] = [];
  const chosen = [f.childMatch, f.adultMatch].filter((m): m is string => Boolean(m && m !== 'new'));
  const refs = await repo.recordRefs(chosen);
  const add = (match: string | undefined, localId: string, body: ReturnType<typeof personBody>) => {
    const ref = match && match !== 'new' ? refs.get(match) : undefined;
    if (match && match !== 'new' && !ref) throw new AppError(400, 'bad-match', 'The person chosen as a match could not be found');
    if (ref) subjects.push(ref);
    else { records.push({ agency: actor.agencyId, localId, ...body }); subjects.push(localId); }
  };
  add(f.childMatch, `FD-${stamp}-C`, personBody(f.childGiven, f.childFamily, isoDateOf([f.childBirthDay, f.childBirthMonth, f.childBirthYear]), f.childNhs || undefined, f.childPostcode || undefined));
  if (f.adultGiven && f.adultFamily) {
    add(f.adultMatch, `FD-${stamp}-A`, personBody(f.adultGiven, f.adultFamily, isoDateOf([f.adultBirthDay, f.adultBirthMonth, f.adultBirthYear]), undefined, f.childPostcode || undefined));
  }
  const relationships = records.length === 2
    ? [{ agency: actor.agencyId, from: `FD-${stamp}-A`, to: `FD-${stamp}-C`, type: 'parent-of' }] : [];
  const eventId = `fd-${stamp}`;
  // The contact's event (through ingest: chronology, linkage) and its place in the triage queue are one
  // transaction: a referral is never in a child's chronology without being in the queue, nor the reverse.
  const { batchId, eventRowId } = await db.transaction().execute(async (trx) => {
    const result = await ingestBatch(joining(trx), ctx, {
      records, relationships,
      events: [{
        id: eventId, at: at.toISOString(), agency: actor.agencyId, type: f.kind, subjects,
        data: { to: frontDoor, reason: f.reason, ...(f.requestedLevel ? { requestedLevel: Number(f.requestedLevel) } : {}) },
        text: f.worries,
      }],
    }, { clock, source: 'front-door' });
    if (result.counts.rejected > 0) throw new AppError(400, 'contact-rejected', `The contact could not be recorded: ${rejectedReasons(result)}`);
    const eventRowId = await frontDoorRepository(trx).eventRowId(actor.agencyId, eventId);
    if (!eventRowId) throw new AppError(500, 'contact-missing', 'The contact was not stored');
    await frontDoorRepository(trx).insertContact({
      eventRowId, frontDoorAgencyId: frontDoor, recordedBy: actor.userId, recordedAt: at,
      referrerName: f.referrerName ?? (actor.agencyId === frontDoor ? null : actor.displayName),
      referrerRole: f.referrerRole ?? null,
      referrerAgencyId: f.referrerAgency ?? (actor.agencyId === frontDoor ? null : actor.agencyId),
      referrerPhone: f.referrerPhone ?? null, urgent: f.urgent === 'yes',
      consent: f.consent, consentDetail: f.consentDetail ?? null, lawfulBasis: f.lawfulBasis,
    });
    const people = (await frontDoorRepository(trx).subjectsOf([eventRowId])).map((s) => s.personId);
    await writeAuditMany(trx, ctx, [...new Set(people)].map((personId) => ({
      action: 'create' as const, outcome: 'succeeded' as const, subjectType: 'front-door-contact', subjectId: String(eventRowId), personId,
      details: { kind: f.kind, urgent: f.urgent === 'yes', matchedExisting: chosen.length },
    })));
    return { batchId: result.batchId, eventRowId };
  });
  await evaluateFlagsAfterBatch(db, batchId, clock);
  return eventRowId;
}

/** A lateral check (a call to another agency about the child) recorded against the contact, as an event. */
export const lateralCheckForm = z.object({
  with: z.string().trim().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'Select the agency you checked with'),
  answer: z.string().trim().min(3, 'Enter what the agency told you').max(3000),
});

export async function recordLateralCheck(db: Db, ctx: RequestContext, eventRowId: number, f: z.infer<typeof lateralCheckForm>, clock: Clock): Promise<void> {
  const actor = requireUser(ctx);
  const { contact, subjects } = await contactInScope(db, ctx, eventRowId, clock);
  const id = `fdlc-${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const result = await ingestBatch(db, ctx, {
    events: [{ id, at: clock.now().toISOString(), agency: actor.agencyId, type: 'lateral-check', subjects: [...new Set(subjects.map((s) => s.ref))], data: { with: f.with, answer: f.answer }, text: `Lateral check for contact ${contact.eventId}.` }],
  }, { clock, source: 'front-door' });
  if (result.counts.rejected > 0) throw new AppError(400, 'lateral-check-rejected', `The lateral check could not be recorded: ${rejectedReasons(result)}`);
  await evaluateFlagsAfterBatch(db, result.batchId, clock);
}

/** A contact the caller's front door may work on, with its subjects; the caller must be able to see at least one of them. */
async function contactInScope(db: Db | Transaction<DB>, ctx: RequestContext, eventRowId: number, clock: Clock) {
  const actor = requireUser(ctx);
  const repo = frontDoorRepository(db);
  const contact = await repo.contact(eventRowId);
  if (!contact || contact.to !== actor.agencyId) throw new NotFoundError();
  const subjects = await repo.subjectsOf([eventRowId]);
  const access = await personAccess(db, ctx, subjects.map((s) => s.personId), clock);
  if (access.size === 0) throw new NotFoundError();
  return { contact, subjects, access };
}

// ---------------------------------------------------------------- the history panel

export interface HistoryPanel {
  contact: ContactRow;
  deadline: Date;
  dueDay: string;
  overdue: boolean;
  subjects: PersonOverview[];
  familyIds: string[];
  children: (PersonOverview & { subject: boolean })[];
  adults: (PersonOverview & { subject: boolean; known: { at: Date; agencyName: string; what: string }[] })[];
  hiddenMembers: number;
  earlier: { eventRowId: number; type: string; at: Date; agencyName: string; toName: string | null; reason: string; about: string[]; outcome: string | null; level: number | null; rationale: string | null; decidedAt: Date | null; withinTwelveMonths: boolean }[];
  involvements: { id: number; personName: string; agencyName: string; otherAuthority: boolean; authorityCode: string; service: string; category: string | null; level: number | null; startedOn: string; endedOn: string | null; endReason: string | null; open: boolean }[];
  openCases: HistoryPanel['involvements'];
  flags: { id: string; personName: string; category: string; explanation: string; raisedAt: Date; state: string }[];
  /** Lateral checks about the family: those made since this contact arrived first (004, 4.1.7). */
  lateralChecks: { eventRowId: number; at: Date; agencyName: string; withName: string | null; answer: string; about: string[]; sinceThisContact: boolean }[];
  reReferral: boolean;
  openCase: boolean;
  frontDoorAuthority: string;
  decisions: DecisionRow[];
}

function knownWords(type: string, data: Record<string, unknown>): string {
  if (type === 'attribute') {
    const detail = typeof data.detail === 'string' ? `: ${data.detail}` : '';
    const count = typeof data.count === 'number' ? ` (${data.count})` : '';
    return `${String(data.attribute).replaceAll('-', ' ')}${count}${detail}`;
  }
  return `Police incident: ${String(data.category ?? 'other').replaceAll('-', ' ')}${data.childrenPresent ? ', children present' : ''}`;
}

/**
 * Everything the decision screen shows about the contact's children and their
 * family, for the people the caller may see. Pure reads: the caller writes the
 * view record and the audit (see `decisionScreen`).
 */
export async function buildHistoryPanel(db: Db | Transaction<DB>, ctx: RequestContext, eventRowId: number, clock: Clock): Promise<HistoryPanel> {
  const now = clock.now();
  const { contact, subjects } = await contactInScope(db, ctx, eventRowId, clock);
  const repo = frontDoorRepository(db);
  const subjectIds = [...new Set(subjects.map((s) => s.personId))];
  const circle = await repo.familyCircle(subjectIds);
  const visible = await filterVisiblePeople(db, ctx, circle.members, clock);
  const members = circle.members.filter((p) => visible.has(p));
  const [people, earlierRows, involvementRows, knownRows, flagRows, fd, decisions, lateralRows] = await Promise.all([
    overviews(db as Db, members, now),
    repo.contactsAbout(members, eventRowId),
    repo.involvements(members),
    repo.knownAbout(members),
    repo.liveFlags(members),
    repo.agency(contact.to),
    repo.decisions({ contactEventRowIds: [eventRowId] }),
    repo.lateralChecksAbout(members),
  ]);
  const nameOf = (p: string) => people.get(p)?.name ?? 'Name not recorded';
  const twelveMonthsBefore = monthsBefore(contact.at, RE_REFERRAL_MONTHS);
  const subjectSet = new Set(subjectIds);
  const earlier = earlierRows
    .filter((r) => r.at.getTime() <= contact.at.getTime())
    .map((r) => ({
      eventRowId: r.eventRowId, type: r.type, at: r.at, agencyName: r.agencyName, toName: r.toName, reason: r.reason,
      about: r.personIds.filter((p) => visible.has(p)).map(nameOf), outcome: r.outcome, level: r.level, rationale: r.rationale,
      decidedAt: r.decidedAt, withinTwelveMonths: r.at.getTime() >= twelveMonthsBefore.getTime(),
    }));
  // A re-referral: a contact or referral to this front door about one of the same children in the previous 12 months.
  const reReferral = earlierRows.some((r) => r.to === contact.to && r.at.getTime() >= twelveMonthsBefore.getTime()
    && r.at.getTime() <= contact.at.getTime() && r.personIds.some((p) => subjectSet.has(p) && people.get(p)?.isChild !== false));
  const authority = fd?.authorityCode ?? '';
  const involvements = involvementRows.map((i) => ({
    id: i.id, personName: nameOf(i.personId), agencyName: i.agencyName, otherAuthority: i.authorityCode !== authority, authorityCode: i.authorityCode,
    service: SERVICE_WORDS[i.service] ?? i.service.replaceAll('-', ' '), category: i.category, level: i.level, startedOn: i.startedOn,
    endedOn: i.endedOn, endReason: i.endReason ? END_REASONS[i.endReason] ?? i.endReason : null, open: i.endedOn === null,
    caseService: CASE_SERVICES.has(i.service),
  }));
  const openCases = involvements.filter((i) => i.open && i.caseService);
  const deadline = workingDayDeadline(contact.at, DECISION_TIMESCALE_WORKING_DAYS);
  const all = members.map((p) => ({ ...people.get(p)!, subject: subjectSet.has(p) }));
  return {
    contact, deadline, dueDay: dueDay(deadline), overdue: now.getTime() > deadline.getTime(),
    subjects: subjectIds.filter((p) => visible.has(p)).map((p) => people.get(p)!),
    familyIds: circle.familyIds,
    children: all.filter((p) => p.isChild),
    adults: all.filter((p) => !p.isChild).map((p) => ({
      ...p, known: knownRows.filter((k) => k.personId === p.personId).map((k) => ({ at: k.at, agencyName: k.agencyName, what: knownWords(k.type, k.data) })),
    })),
    hiddenMembers: circle.members.length - members.length,
    earlier, involvements, openCases,
    flags: flagRows.map((f) => ({ id: f.id, personName: nameOf(f.personId), category: f.category, explanation: f.explanation, raisedAt: f.raisedAt, state: f.state })),
    lateralChecks: lateralRows.map((l) => ({
      eventRowId: l.eventRowId, at: l.at, agencyName: l.agencyName, withName: l.withName, answer: l.answer,
      about: l.personIds.filter((p) => visible.has(p)).map(nameOf), sinceThisContact: l.at.getTime() >= contact.at.getTime(),
    })),
    reReferral, openCase: openCases.length > 0, frontDoorAuthority: authority, decisions,
  };
}

/** What the panel showed, by reference: kept with each drawing and cited by the decision. */
export function panelContents(p: HistoryPanel) {
  return {
    people: [...p.children, ...p.adults].map((x) => x.personId),
    hiddenMembers: p.hiddenMembers,
    earlierContacts: p.earlier.map((e) => e.eventRowId),
    involvements: p.involvements.map((i) => i.id),
    flags: p.flags.map((f) => f.id),
    lateralChecks: p.lateralChecks.map((l) => l.eventRowId),
    reReferral: p.reReferral,
    openCase: p.openCase,
  };
}

/** The decision screen: the panel, recorded as seen (front_door_history_view) and audited. */
export async function decisionScreen(db: Db, ctx: RequestContext, eventRowId: number, clock: Clock): Promise<{ panel: HistoryPanel; historyViewId: string }> {
  const actor = requireUser(ctx);
  if (!actor.roles.some((r) => FRONT_DOOR_ROLES.includes(r))) throw new NotFoundError();
  return db.transaction().execute(async (trx) => {
    const panel = await buildHistoryPanel(trx, ctx, eventRowId, clock);
    const historyViewId = `hv_${randomUUID().replaceAll('-', '')}`;
    const contents = panelContents(panel);
    await frontDoorRepository(trx).insertHistoryView({ id: historyViewId, contactEventRowId: eventRowId, viewedBy: actor.userId, viewedAt: clock.now(), contents });
    await writeAuditMany(trx, ctx, contents.people.map((personId) => ({
      action: 'read' as const, outcome: 'allowed' as const, subjectType: 'front-door-history', subjectId: historyViewId, personId,
      details: { contact: eventRowId, flags: contents.flags.length, earlierContacts: contents.earlierContacts.length, involvements: contents.involvements.length },
    })));
    return { panel, historyViewId };
  });
}

// ---------------------------------------------------------------- the decision

/**
 * The caller's transaction, for code that opens its own (ingest runs each
 * group of a batch in `db.transaction()`): there, `transaction()` joins this
 * one instead, so what it writes commits or rolls back with the rest of the
 * decision. Kysely has no nested transactions; this is the one place that
 * needs them.
 */
function joining(trx: Transaction<DB>): Db {
  return new Proxy(trx, {
    get(target, prop) {
      if (prop === 'transaction') return () => ({ execute: <T>(fn: (t: Transaction<DB>) => Promise<T>) => fn(target) });
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  }) as unknown as Db;
}

const decisionFields = {
  historyViewId: z.string().regex(/^hv_[0-9a-f]{32}$/, 'Open the decision screen again: the history you saw was not recorded'),
  confirmHistory: z.literal('yes', { message: 'Confirm that you have considered the history before deciding' }),
  level: z.enum(['1', '2', '3', '4'], { message: 'Select the level of need' }),
  outcome: z.enum(keys(OUTCOMES), { message: 'Select the outcome' }),
  rationale: z.string({ message: 'Explain the decision' }).trim().min(20, 'Explain the decision: what in the history and the contact led to it (at least 20 characters)').max(5000),
  shared: z.enum(['yes', 'no'], { message: 'Select whether you shared information as part of this decision' }),
  sharedWith: text(300),
  whatShared: text(2000),
  shareLawfulBasis: z
    .union([z.enum(keys(LAWFUL_BASES)), z.array(z.enum(keys(LAWFUL_BASES)))])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
};

function sharingComplete(f: { shared: 'yes' | 'no'; sharedWith?: string; whatShared?: string; shareLawfulBasis: string[] }, ctx: z.RefinementCtx) {
  if (f.shared === 'yes') {
    if (!f.sharedWith) ctx.addIssue({ code: 'custom', path: ['sharedWith'], message: 'Enter who you shared information with' });
    if (!f.whatShared) ctx.addIssue({ code: 'custom', path: ['whatShared'], message: 'Enter what you shared' });
    if (f.shareLawfulBasis.length === 0) ctx.addIssue({ code: 'custom', path: ['shareLawfulBasis'], message: 'Select the lawful basis for sharing' });
  }
}

export const decisionForm = z.object(decisionFields).superRefine(sharingComplete);
export type DecisionForm = z.infer<typeof decisionForm>;

/** A correction: the whole decision again, the version it corrects, and why. */
export const correctionForm = z
  .object({
    ...decisionFields,
    correctsDecisionId: z.string().regex(/^fdd_[0-9a-f]{32}$/, 'Open the correction screen again: the decision being corrected was not given'),
    correctionReason: z.string({ message: 'Explain why the decision is being corrected' }).trim().min(10, 'Explain why the decision is being corrected (at least 10 characters)').max(3000),
  })
  .superRefine(sharingComplete);
export type CorrectionForm = z.infer<typeof correctionForm>;

/** Where a decision is handed off: early help to the early help service, social work outcomes to children's social care. */
const HANDOFF_KIND: Partial<Record<Outcome, string>> = {
  'early-help': 'early-help', 'cin-assessment': 'childrens-social-care', 'strategy-discussion': 'childrens-social-care',
};

/**
 * Save a decision. It cannot be saved unless this user drew the history panel
 * for this contact (the view id) and confirmed they considered it. In one
 * transaction: the information-sharing record, the decision as a `decision`
 * event (through ingest, so the chronology, the flags and other agencies see
 * it), the decision with its hand-off (the receiving service's queue) and the
 * audit rows. Either all of them are written or none.
 */
export async function decide(db: Db, ctx: RequestContext, eventRowId: number, f: DecisionForm, clock: Clock): Promise<string> {
  return saveDecision(db, ctx, eventRowId, f, clock, null);
}

/**
 * Correct a decision: a new version of it (who, when, the whole decision again
 * and why), made on a fresh drawing of the history like the first; the old
 * version is kept. The decision event is sent again with the same id, so the
 * chronology shows the corrected outcome as a corrected entry. Refused when
 * the version being corrected is no longer the current one (someone else
 * corrected it meanwhile).
 */
export async function correctDecision(db: Db, ctx: RequestContext, eventRowId: number, f: CorrectionForm, clock: Clock): Promise<string> {
  return saveDecision(db, ctx, eventRowId, f, clock, { correctsDecisionId: f.correctsDecisionId, reason: f.correctionReason });
}

async function saveDecision(
  db: Db, ctx: RequestContext, eventRowId: number, f: DecisionForm, clock: Clock, correcting: { correctsDecisionId: string; reason: string } | null,
): Promise<string> {
  const actor = requireUser(ctx);
  if (!actor.roles.some((r) => FRONT_DOOR_ROLES.includes(r))) throw new NotFoundError();
  const at = clock.now();
  const decisionId = `fdd_${randomUUID().replaceAll('-', '')}`;
  const saved = await db.transaction().execute(async (trx) => {
    const repo = frontDoorRepository(trx);
    const view = await repo.historyView(f.historyViewId);
    if (!view || Number(view.contact_event_row_id) !== eventRowId || view.viewed_by !== actor.userId) {
      throw new AppError(400, 'history-not-seen', 'Open the decision screen again: a decision needs the history you saw');
    }
    const [current] = await repo.decisions({ contactEventRowIds: [eventRowId] });
    if (!correcting && current) throw new AppError(409, 'already-decided', 'This contact already has a decision');
    if (correcting && !current) throw new AppError(409, 'not-decided', 'This contact has no decision to correct');
    if (correcting && current!.id !== correcting.correctsDecisionId) {
      throw new AppError(409, 'decision-changed', 'The decision was corrected by someone else while you were working: open it again');
    }
    const { contact, subjects, access } = await contactInScope(trx, ctx, eventRowId, clock);
    const contents = view.contents as ReturnType<typeof panelContents>;
    const fd = await repo.agency(contact.to);
    const kind = HANDOFF_KIND[f.outcome];
    const handoff = kind && fd ? await repo.handoffTarget(fd.authorityCode, kind) : null;
    const seen = [...new Set(subjects.map((s) => s.personId))].filter((p) => access.has(p));
    const version = correcting ? current!.version + 1 : 1;

    // 1. The information shared, one record per child seen.
    let shareId: string | null = null;
    if (f.shared === 'yes') {
      for (const personId of seen) {
        const id = `is_${randomUUID().replaceAll('-', '')}`;
        shareId ??= id;
        await informationSharingRepository(trx).add({
          id, personId, recordedBy: actor.userId, recordedAt: at, decision: 'shared', sharedWith: f.sharedWith ?? null,
          whatShared: f.whatShared ?? null,
          purpose: `Front door decision on contact ${contact.eventId}${correcting ? ` (correction, version ${version})` : ''}: ${OUTCOMES[f.outcome]}`,
          lawfulBasis: f.shareLawfulBasis, consent: contact.consent ?? 'not-sought', consentDetail: contact.consentDetail ?? (contact.consent ? null : 'Consent was not recorded with the contact'),
          reasonNotShared: null,
        });
      }
    }

    // 2. The decision event, through ingest, in this transaction. A correction re-sends the
    //    first version's event with the corrected content: the event store keeps both versions.
    const first = correcting && current!.decisionEventRowId ? await repo.eventOf(current!.decisionEventRowId) : undefined;
    const eventId = first?.eventId ?? `fdd-${decisionId.slice(4, 16)}`;
    const eventAt = first?.at ?? at;
    const result = await ingestBatch(joining(trx), ctx, {
      events: [{
        id: eventId, at: eventAt.toISOString(), agency: contact.to, type: 'decision', subjects: [...new Set(subjects.map((s) => s.ref))],
        data: { on: contact.eventId, level: Number(f.level), outcome: f.outcome, rationale: f.rationale },
        ...(correcting ? { text: `Corrected (version ${version}) on ${formatDate(at)} by ${actor.displayName}: ${correcting.reason}` } : {}),
      }],
    }, { clock, source: 'front-door' });
    if (result.counts.rejected > 0) throw new AppError(400, 'decision-rejected', `The decision could not be recorded: ${rejectedReasons(result)}`);
    const decisionEventRowId = await repo.eventRowId(contact.to, eventId);
    if (!decisionEventRowId) throw new AppError(500, 'decision-event-missing', 'The decision was not stored');

    // 3. The decision, with its hand-off (the receiving service's queue reads it).
    await repo.insertDecision({
      id: decisionId, contactEventRowId: eventRowId, frontDoorAgencyId: contact.to, decidedBy: actor.userId, decidedAt: at,
      level: Number(f.level), outcome: f.outcome, rationale: f.rationale, historyViewId: f.historyViewId,
      reReferral: Boolean(contents.reReferral), openCase: Boolean(contents.openCase), informationShareId: shareId,
      decisionEventRowId, handoffAgencyId: handoff?.agencyId ?? null, handoffTeamId: handoff?.teamId ?? null,
      ...(correcting ? { correction: { version, correctsDecisionId: correcting.correctsDecisionId, reason: correcting.reason } } : {}),
    });

    // 4. The audit: what was on screen (the view) for each child the decision is about.
    await writeAuditMany(trx, ctx, seen.map((personId) => ({
      action: 'decide' as const, outcome: 'succeeded' as const, subjectType: 'front-door-decision', subjectId: decisionId, personId,
      details: {
        contact: eventRowId, historyView: f.historyViewId, historyConfirmed: true, outcome: f.outcome, level: Number(f.level), shared: f.shared === 'yes',
        ...(correcting ? { corrects: correcting.correctsDecisionId, version } : {}),
      },
    })));
    return { batchId: result.batchId };
  });
  // Flags are derived: evaluated after the decision commits (a failure here leaves the decision whole; the next evaluation catches up).
  await evaluateFlagsAfterBatch(db, saved.batchId, clock);
  return decisionId;
}

// ---------------------------------------------------------------- after the decision

/** The referrer's view: what happened to the contacts they (or their agency) sent. Outcome and level; rationale only where they may see the child. */
export async function myReferrals(db: Db, ctx: RequestContext, clock: Clock) {
  const actor = requireUser(ctx);
  return db.transaction().execute(async (trx) => {
    const repo = frontDoorRepository(trx);
    const sent = await repo.sentBy(actor.userId, actor.agencyId);
    const decisions = await repo.decisions({ contactEventRowIds: sent.map((s) => s.eventRowId) });
    // Decisions the front door's own system sent as events (no front_door_decision row) count too.
    const byEvent = await repo.decisionEventsOn(sent.filter((s) => !decisions.some((d) => d.contactEventRowId === s.eventRowId)));
    const subjects = await repo.subjectsOf(sent.map((s) => s.eventRowId));
    const visible = await filterVisiblePeople(trx, ctx, subjects.map((s) => s.personId), clock);
    const names = await overviews(trx as unknown as Db, [...visible], clock.now());
    await writeAudit(trx, ctx, { action: 'read', outcome: 'allowed', subjectType: 'front-door-referrals', details: { contacts: sent.length } });
    return sent.map((s) => {
      const d = decisions.find((x) => x.contactEventRowId === s.eventRowId);
      const e = d ? undefined : byEvent.find((x) => x.agencyId === s.to && x.on === s.eventId);
      const mine = subjects.filter((x) => x.eventRowId === s.eventRowId);
      const canSee = mine.some((x) => visible.has(x.personId));
      return {
        ...s, people: mine.filter((x) => visible.has(x.personId)).map((x) => names.get(x.personId)?.name ?? 'Name not recorded'),
        decision: d
          ? { outcome: OUTCOME_WORDS[d.outcome] ?? d.outcome, level: d.level, decidedAt: d.decidedAt, rationale: canSee ? d.rationale : null, handoff: d.handoffAgencyName, corrected: d.version > 1 }
          : e ? { outcome: OUTCOME_WORDS[e.outcome] ?? e.outcome, level: e.level, decidedAt: e.decidedAt, rationale: canSee ? e.rationale : null, handoff: null, corrected: false } : null,
        dueDay: dueDay(workingDayDeadline(s.at, DECISION_TIMESCALE_WORKING_DAYS)),
      };
    });
  });
}

/** The receiving service's queue: decisions handed off to the caller's agency. */
export async function handoffQueue(db: Db, ctx: RequestContext, clock: Clock) {
  const actor = requireUser(ctx);
  return db.transaction().execute(async (trx) => {
    const repo = frontDoorRepository(trx);
    const decisions = await repo.decisions({ handoffAgencyId: actor.agencyId });
    const subjects = await repo.subjectsOf(decisions.map((d) => d.contactEventRowId));
    const visible = await filterVisiblePeople(trx, ctx, subjects.map((s) => s.personId), clock);
    const names = await overviews(trx as unknown as Db, [...visible], clock.now());
    await writeAudit(trx, ctx, { action: 'read', outcome: 'allowed', subjectType: 'front-door-handoffs', details: { decisions: decisions.length } });
    return decisions.map((d) => ({
      ...d, outcomeText: OUTCOME_WORDS[d.outcome] ?? d.outcome,
      people: subjects.filter((s) => s.eventRowId === d.contactEventRowId && visible.has(s.personId)).map((s) => ({ personId: s.personId, name: names.get(s.personId)?.name ?? 'Name not recorded' })),
      hiddenPeople: subjects.filter((s) => s.eventRowId === d.contactEventRowId && !visible.has(s.personId)).length,
    }));
  });
}

/** Families with this many or more "no further action" or signposting decisions within 12 months are a pattern to review. */
export const REPEATED_NFA = 2;

/** A manager's review: recent decisions, their reviews, and families with repeated no-further-action. */
export async function managerReview(db: Db, ctx: RequestContext, clock: Clock) {
  const actor = requireUser(ctx);
  if (!actor.roles.includes('team-manager')) throw new NotFoundError();
  const frontDoor = await frontDoorOf(db, ctx);
  if (frontDoor !== actor.agencyId) throw new NotFoundError();
  return db.transaction().execute(async (trx) => {
    const repo = frontDoorRepository(trx);
    const since = monthsBefore(clock.now(), RE_REFERRAL_MONTHS);
    const decisions = await repo.decisions({ frontDoorAgencyId: frontDoor, since });
    const reviews = await repo.reviews(decisions.map((d) => d.id));
    const subjects = await repo.subjectsOf(decisions.map((d) => d.contactEventRowId));
    // The pattern is read from the front door's decision events: those made here and those its own
    // system sent before (a family's earlier no-further-action decisions count wherever they were recorded).
    const events = (await repo.decisionEventsBy(frontDoor, since)).filter((e) => e.outcome === 'nfa' || e.outcome === 'universal');
    const everyone = [...new Set([...subjects.map((s) => s.personId), ...events.flatMap((e) => e.personIds)])];
    const families = await repo.families(everyone);
    const visible = await filterVisiblePeople(trx, ctx, everyone, clock);
    const names = await overviews(trx as unknown as Db, [...visible], clock.now());
    const byFamily = new Map<string, typeof events>();
    for (const e of events) {
      for (const fam of new Set(e.personIds.map((p) => families.get(p) ?? `person:${p}`))) {
        (byFamily.get(fam) ?? byFamily.set(fam, []).get(fam)!).push(e);
      }
    }
    const patterns = [...byFamily].filter(([, list]) => list.length >= REPEATED_NFA).map(([family, list]) => ({
      family: family.startsWith('person:') ? null : family,
      decisions: list.map((e) => ({ decidedAt: e.at, outcomeText: OUTCOME_WORDS[e.outcome] ?? e.outcome, level: e.level })),
      people: [...new Set(list.flatMap((e) => e.personIds).filter((p) => visible.has(p)).map((p) => names.get(p)?.name ?? 'Name not recorded'))],
    }));
    await writeAudit(trx, ctx, { action: 'read', outcome: 'allowed', subjectType: 'front-door-review', subjectId: frontDoor, details: { decisions: decisions.length, patterns: patterns.length } });
    return {
      decisions: decisions.map((d) => ({
        ...d, outcomeText: OUTCOME_WORDS[d.outcome] ?? d.outcome, reviews: reviews.filter((r) => r.decisionId === d.id),
        people: subjects.filter((s) => s.eventRowId === d.contactEventRowId && visible.has(s.personId)).map((s) => names.get(s.personId)?.name ?? 'Name not recorded'),
      })),
      patterns,
    };
  });
}

export const reviewForm = z.object({
  agrees: z.enum(['yes', 'no'], { message: 'Select whether you agree with the decision' }),
  note: z.string().trim().min(5, 'Enter your review note').max(3000),
});

export async function reviewDecision(db: Db, ctx: RequestContext, decisionId: string, f: z.infer<typeof reviewForm>, clock: Clock): Promise<void> {
  const actor = requireUser(ctx);
  if (!actor.roles.includes('team-manager')) throw new NotFoundError();
  await db.transaction().execute(async (trx) => {
    const repo = frontDoorRepository(trx);
    const [d] = await repo.decisions({ ids: [decisionId], frontDoorAgencyId: actor.agencyId });
    if (!d) throw new NotFoundError();
    await repo.insertReview({ decisionId, reviewedBy: actor.userId, reviewedAt: clock.now(), agrees: f.agrees === 'yes', note: f.note });
    const people = (await repo.subjectsOf([d.contactEventRowId])).map((s) => s.personId);
    await writeAuditMany(trx, ctx, [...new Set(people)].map((personId) => ({
      action: 'decide' as const, outcome: 'succeeded' as const, subjectType: 'front-door-decision-review', subjectId: decisionId, personId, details: { agrees: f.agrees === 'yes' },
    })));
  });
}
