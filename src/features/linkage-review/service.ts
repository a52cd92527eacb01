import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../platform/db/schema.ts';
import type { RequestContext } from '../../platform/access/context.ts';
import type { Clock } from '../../platform/clock.ts';
import { writeAudit, writeAuditMany } from '../../platform/audit/audit.ts';
import { filterVisiblePeople, requirePersonAccess } from '../../platform/access/person-access.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { WeightBreakdown } from '../../domain/linkage/model.ts';
import { weightFromProbability } from '../../domain/linkage/model.ts';
import { recordsRepository } from '../records/repository.ts';
import { activeModel, afterLinkChange, mergePeople, moveRecordsBack, splitRecords } from '../records/linking.ts';
import { linkageRepository, type LinkChangeRow } from './repository.ts';
import { waterfallSvg } from './waterfall.ts';

type Db = Kysely<DB> | Transaction<DB>;

/**
 * The linkage review queue, merges and splits, and family corrections.
 *
 * Who: safeguarding leads and team managers (the route rule). Not system
 * administrators: deciding whether two records are one child means reading
 * both records' personal details. A reviewer must also be able to see at
 * least one of the two people through the one access check; the other
 * record's identifying details (only the fields the linker compared, no
 * events) are shown because that comparison is the decision. Every view,
 * decision, merge, split and family correction is audited.
 */

function actorOf(ctx: RequestContext): string {
  return ctx.actor.kind === 'user' ? ctx.actor.userId : ctx.actor.kind === 'api-client' ? ctx.actor.clientId : ctx.actor.process;
}

interface RecordBody {
  kind?: string;
  name?: { given?: string[]; family?: string };
  birthDate?: string;
  expectedDate?: string;
  sex?: string;
  nhsNumber?: string;
  address?: { lines?: string[]; town?: string; postcode?: string };
}

/** The identifying details of a record, as the review page shows them side by side. */
export interface RecordDetails {
  recordId: number;
  personId: string | null;
  agency: string;
  name: string;
  birthDate: string;
  sex: string;
  nhsNumber: string;
  address: string;
}

function details(r: { recordId: number; personId: string | null; agencyName: string; body: unknown }): RecordDetails {
  const b = (r.body ?? {}) as RecordBody;
  const notRecorded = 'Not recorded';
  return {
    recordId: r.recordId,
    personId: r.personId,
    agency: r.agencyName,
    name: [...(b.name?.given ?? []), b.name?.family].filter(Boolean).join(' ') || notRecorded,
    birthDate: b.birthDate ?? notRecorded,
    sex: b.sex ?? notRecorded,
    nhsNumber: b.nhsNumber ? `${b.nhsNumber.slice(0, 3)} ${b.nhsNumber.slice(3, 6)} ${b.nhsNumber.slice(6)}` : notRecorded,
    address: [...(b.address?.lines ?? []), b.address?.town, b.address?.postcode].filter(Boolean).join(', ') || notRecorded,
  };
}

/** Open reviews the user may take: at least one of the two people is visible to them. */
export async function reviewQueue(db: Kysely<DB>, ctx: RequestContext, clock: Clock) {
  return db.transaction().execute(async (trx) => {
    const rows = await linkageRepository(trx).openReviews(500);
    const people = rows.flatMap((r) => [r.person_a, r.person_b]).filter((p): p is string => p !== null);
    const visible = await filterVisiblePeople(trx, ctx, people, clock);
    const shown = rows.filter((r) => (r.person_a && visible.has(r.person_a)) || (r.person_b && visible.has(r.person_b))).slice(0, 100);
    await writeAudit(trx, ctx, { action: 'read', outcome: 'allowed', subjectType: 'link-review-queue', details: { shown: shown.length } });
    return shown.map((r) => ({
      id: r.id, createdAt: r.created_at, probability: r.probability, heldBecause: r.held_because,
      sameNow: r.person_a !== null && r.person_a === r.person_b,
    }));
  });
}

async function loadReview(trx: Db, ctx: RequestContext, id: number, clock: Clock) {
  const repo = linkageRepository(trx);
  const review = await repo.review(id);
  if (!review) throw new NotFoundError();
  const records = await repo.recordsWithBodies([review.record_id, review.candidate_record_id]);
  const incoming = records.find((r) => r.recordId === review.record_id);
  const existing = records.find((r) => r.recordId === review.candidate_record_id);
  if (!incoming || !existing) throw new NotFoundError();
  const people = [incoming.personId, existing.personId].filter((p): p is string => p !== null);
  const visible = await filterVisiblePeople(trx, ctx, people, clock);
  if (!people.some((p) => visible.has(p))) {
    // Answer as not found, and record the refusal (as the person access check does).
    await requirePersonAccess(trx, ctx, people[0] ?? 'p_0', clock);
  }
  return { review, incoming, existing, people };
}

/** One review: both records side by side, the per-field weights, the waterfall. The read is audited for both people. */
export async function reviewPage(db: Kysely<DB>, ctx: RequestContext, id: number, clock: Clock) {
  return db.transaction().execute(async (trx) => {
    const { review, incoming, existing, people } = await loadReview(trx, ctx, id, clock);
    const { model } = await activeModel(linkageRepository(trx));
    const breakdown = review.breakdown as WeightBreakdown;
    const linkWeight = weightFromProbability(model.thresholds.link);
    const reviewWeight = weightFromProbability(model.thresholds.review);
    const svg = waterfallSvg({
      priorWeight: breakdown.priorWeight,
      steps: breakdown.fields.map((f) => ({ label: f.label, level: f.level, weight: f.weight })),
      matchWeight: breakdown.matchWeight,
      linkWeight, reviewWeight,
      titleId: 'waterfall-title',
    });
    await writeAuditMany(trx, ctx, people.map((personId) => ({
      action: 'read' as const, outcome: 'allowed' as const, subjectType: 'link-review', subjectId: String(id), personId,
    })));
    return {
      review: {
        id: review.id, status: review.status, probability: review.probability, matchWeight: review.match_weight,
        heldBecause: review.held_because, createdAt: review.created_at, decidedAt: review.decided_at, decisionReason: review.decision_reason,
      },
      incoming: details(incoming),
      existing: details(existing),
      breakdown,
      thresholds: { link: model.thresholds.link, review: model.thresholds.review, linkWeight, reviewWeight },
      svg,
    };
  });
}

export const decisionForm = z.object({
  decision: z.enum(['link', 'not-same-person'], { message: 'Select whether these records are the same person' }),
  reason: z.string({ message: 'Explain your decision in at least 10 characters' }).trim().min(10, 'Explain your decision in at least 10 characters').max(1000, 'Explain your decision in 1,000 characters or fewer'),
});

/**
 * Record a decision. "Link" merges the incoming record's person into the
 * existing one (reversible: the links are ended, not deleted); "not the same
 * person" is remembered, so the linker never links the two again.
 */
export async function decideReview(db: Kysely<DB>, ctx: RequestContext, id: number, form: unknown, clock: Clock): Promise<{ personId: string | null }> {
  const parsed = decisionForm.safeParse(form ?? {});
  if (!parsed.success) throw new ValidationError('Check the decision', parsed.error.issues.map((i) => ({ path: String(i.path[0]), message: i.message })));
  const { decision, reason } = parsed.data;
  return db.transaction().execute(async (trx) => {
    const { review, incoming, existing } = await loadReview(trx, ctx, id, clock);
    const at = clock.now();
    const status = decision === 'link' ? 'linked' : 'not-same-person';
    if (!(await linkageRepository(trx).decide(review.id, status, actorOf(ctx), reason, at))) throw new ValidationError('This review has already been decided', [{ path: 'decision', message: 'This review has already been decided' }]);
    await writeAudit(trx, ctx, {
      action: 'decide', outcome: 'succeeded', subjectType: 'link-review', subjectId: String(id),
      ...(existing.personId ? { personId: existing.personId } : {}),
      details: { decision, probability: review.probability, heldBecause: review.held_because },
    });
    if (decision !== 'link' || !incoming.personId || !existing.personId || incoming.personId === existing.personId) {
      return { personId: existing.personId };
    }
    const repo = recordsRepository(trx);
    const moving = await repo.recordsOfPerson(incoming.personId);
    const affected = await mergePeople(repo, incoming.personId, existing.personId, 'review', at);
    // What moved, so the merge can be undone in one step.
    const change = await linkageRepository(trx).insertLinkChange({
      kind: 'merge', from: incoming.personId, to: existing.personId, recordIds: moving, reason, undoes: null, by: actorOf(ctx), at,
    });
    await writeAudit(trx, ctx, {
      action: 'merge', outcome: 'succeeded', subjectType: 'person', subjectId: existing.personId, personId: existing.personId,
      details: { merged: incoming.personId, review: id, change },
    });
    await linkageRepository(trx).supersedeResolved(at);
    await afterLinkChange(repo, affected, clock);
    return { personId: existing.personId };
  });
}

/** A person's links, current and ended, for the links page (with the split form). */
export async function personLinks(db: Kysely<DB>, ctx: RequestContext, personId: string, clock: Clock) {
  return db.transaction().execute(async (trx) => {
    await requirePersonAccess(trx, ctx, personId, clock);
    const repo = linkageRepository(trx);
    const history = await repo.linkHistory([personId]);
    const current = history.filter((l) => l.unlinked_at === null);
    const bodies = await repo.recordsWithBodies(current.map((l) => l.record_id));
    const familyId = await repo.familyOf(personId);
    const corrections = await repo.familyCorrections([personId]);
    const changes = await repo.linkChanges([personId]);
    await writeAudit(trx, ctx, { action: 'read', outcome: 'allowed', subjectType: 'person-links', subjectId: personId, personId });
    return {
      personId,
      familyId,
      current: bodies.map(details),
      history: history.map((l) => ({
        recordId: l.record_id, agency: l.agency_name, method: l.method, linkedAt: l.linked_at, unlinkedAt: l.unlinked_at, reason: l.unlink_reason,
      })),
      corrections: corrections.map((c) => ({ from: c.from_family_id, to: c.to_family_id, reason: c.reason, at: c.corrected_at })),
      changes: changes.map(changeView),
    };
  });
}

export const splitForm = z.object({
  records: z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]).map(Number)).pipe(z.array(z.number().int().positive()).min(1)),
  reason: z.string({ message: 'Explain why these records are someone else in at least 10 characters' }).trim().min(10, 'Explain why these records are someone else in at least 10 characters').max(1000),
}, { message: 'Select the records that are someone else' });

/** Split records out of a person into a new person; audited, and undone in one step (`undoLinkChange`). */
export async function splitPerson(db: Kysely<DB>, ctx: RequestContext, personId: string, form: unknown, clock: Clock): Promise<string> {
  const parsed = splitForm.safeParse(form ?? {});
  if (!parsed.success) {
    throw new ValidationError('Check the split', parsed.error.issues.map((i) => ({ path: String(i.path[0] ?? 'records'), message: i.path[0] === 'records' || i.path.length === 0 ? 'Select the records that are someone else' : i.message })));
  }
  return db.transaction().execute(async (trx) => {
    await requirePersonAccess(trx, ctx, personId, clock);
    const repo = recordsRepository(trx);
    const held = new Set(await repo.recordsOfPerson(personId));
    const moving = [...new Set(parsed.data.records)].filter((r) => held.has(r));
    const at = clock.now();
    let created: string;
    try {
      created = await splitRecords(repo, personId, moving, `split: ${parsed.data.reason}`, at);
    } catch (error) {
      if (error instanceof RangeError) throw new ValidationError('Check the split', [{ path: 'records', message: 'Select some, but not all, of this person’s records' }]);
      throw error;
    }
    const change = await linkageRepository(trx).insertLinkChange({
      kind: 'split', from: personId, to: created, recordIds: moving, reason: parsed.data.reason, undoes: null, by: actorOf(ctx), at,
    });
    await writeAudit(trx, ctx, {
      action: 'split', outcome: 'succeeded', subjectType: 'person', subjectId: personId, personId,
      details: { newPerson: created, records: moving.length, change },
    });
    await afterLinkChange(repo, [personId, created], clock);
    return created;
  });
}

export const familyForm = z.object({
  toFamily: z.string({ message: 'Enter a family reference like f_12, or new' }).trim().regex(/^(new|f_[0-9]{1,12})$/, 'Enter a family reference like f_12, or choose a new family'),
  reason: z.string({ message: 'Explain the correction in at least 10 characters' }).trim().min(10, 'Explain the correction in at least 10 characters').max(1000),
});

/** Move a person to another family (or a family of their own). Append-only: who moved whom, when and why. */
export async function correctFamily(db: Kysely<DB>, ctx: RequestContext, personId: string, form: unknown, clock: Clock): Promise<string> {
  const parsed = familyForm.safeParse(form ?? {});
  if (!parsed.success) throw new ValidationError('Check the correction', parsed.error.issues.map((i) => ({ path: String(i.path[0]), message: i.message })));
  return db.transaction().execute(async (trx) => {
    await requirePersonAccess(trx, ctx, personId, clock);
    const repo = linkageRepository(trx);
    const from = await repo.familyOf(personId);
    const to = parsed.data.toFamily === 'new' ? `f_${personId.replace(/^p_/, '')}x` : parsed.data.toFamily;
    if (parsed.data.toFamily !== 'new' && (await repo.familyMembers(to)).length === 0) {
      throw new ValidationError('Check the correction', [{ path: 'toFamily', message: 'There is no family with that reference' }]);
    }
    await repo.correctFamily({ personId, fromFamilyId: from, toFamilyId: to, reason: parsed.data.reason, by: actorOf(ctx), at: clock.now() });
    await writeAudit(trx, ctx, {
      action: 'correct', outcome: 'succeeded', subjectType: 'family', subjectId: to, personId, details: { from, to },
    });
    return to;
  });
}

/** A merge, split or undo as the links page lists it. */
function changeView(c: LinkChangeRow) {
  return {
    id: c.id, kind: c.kind, from: c.from, to: c.to, records: c.recordIds.length, reason: c.reason, at: c.changedAt,
    undoes: c.undoes, undoneAt: c.undoneAt, undoable: c.kind !== 'undo' && c.undoneBy === null,
  };
}

/** A change of this person's records that may still be undone, or not found. */
async function undoableChange(trx: Db, ctx: RequestContext, personId: string, changeId: number, clock: Clock): Promise<LinkChangeRow> {
  await requirePersonAccess(trx, ctx, personId, clock);
  const change = (await linkageRepository(trx).linkChanges([personId], changeId))[0];
  if (!change || change.kind === 'undo') throw new NotFoundError();
  return change;
}

/** The "undo this merge or split" page: what it moved, and whether it can still be undone. */
export async function undoPage(db: Kysely<DB>, ctx: RequestContext, personId: string, changeId: number, clock: Clock) {
  return db.transaction().execute(async (trx) => {
    const change = await undoableChange(trx, ctx, personId, changeId, clock);
    const records = await linkageRepository(trx).recordsWithBodies(change.recordIds);
    await writeAudit(trx, ctx, { action: 'read', outcome: 'allowed', subjectType: 'link-change', subjectId: String(change.id), personId });
    return { personId, change: changeView(change), records: records.map(details) };
  });
}

export const undoForm = z.object({
  reason: z.string({ message: 'Explain why this should be undone in at least 10 characters' }).trim()
    .min(10, 'Explain why this should be undone in at least 10 characters').max(1000, 'Explain why in 1,000 characters or fewer'),
});

/**
 * Undo a merge or a split in one step: the records it moved go back to the
 * person they came from (a merged person gets their own records back; split
 * records rejoin the person they were split from). Refused when a later change
 * has moved any of them, or when it was undone already. The undo is a change
 * of its own (link_change, kind undo), audited as the merge or split it
 * amounts to, and the people's involvements, families and flags are worked
 * out again as after any merge or split.
 */
export async function undoLinkChange(db: Kysely<DB>, ctx: RequestContext, personId: string, changeId: number, form: unknown, clock: Clock): Promise<{ personId: string }> {
  const parsed = undoForm.safeParse(form ?? {});
  if (!parsed.success) throw new ValidationError('Check the reason', parsed.error.issues.map((i) => ({ path: String(i.path[0] ?? 'reason'), message: i.message })));
  return db.transaction().execute(async (trx) => {
    const change = await undoableChange(trx, ctx, personId, changeId, clock);
    if (change.undoneBy !== null) throw new ValidationError('Already undone', [{ path: 'reason', message: 'This change has already been undone' }]);
    const repo = recordsRepository(trx);
    const at = clock.now();
    try {
      await moveRecordsBack(repo, change.to, change.from, change.recordIds, `undo: ${parsed.data.reason}`, at);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw new ValidationError('Cannot undo', [{ path: 'reason', message: 'Some of these records have been moved since. Undo the later change first' }]);
    }
    const undo = await linkageRepository(trx).insertLinkChange({
      kind: 'undo', from: change.to, to: change.from, recordIds: change.recordIds, reason: parsed.data.reason, undoes: change.id, by: actorOf(ctx), at,
    });
    // Undoing a merge separates two people again; undoing a split joins them again.
    await writeAuditMany(trx, ctx, [...new Set([change.from, change.to])].map((p) => ({
      action: change.kind === 'merge' ? 'split' as const : 'merge' as const, outcome: 'succeeded' as const, subjectType: 'person', subjectId: p, personId: p,
      details: { undoes: change.id, change: undo, from: change.to, into: change.from, records: change.recordIds.length },
    })));
    await linkageRepository(trx).supersedeResolved(at);
    await afterLinkChange(repo, [change.from, change.to], clock);
    return { personId: change.from };
  });
}
