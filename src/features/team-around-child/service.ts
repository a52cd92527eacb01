import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { requireUser, type RequestContext } from '../../platform/access/context.ts';
import type { Clock } from '../../platform/clock.ts';
import { auditOutcomeFor, requirePersonAccess } from '../../platform/access/person-access.ts';
import { writeAudit } from '../../platform/audit/audit.ts';
import type { FieldError } from '../../platform/http/form-errors.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { londonDate } from '../../domain/timescales/working-days.ts';
import { tacRepository, type TacMember } from './repository.ts';

export const memberForm = z.object({
  agencyId: z.string().min(1, 'Select the agency joining the team'),
  username: z.string().trim().toLowerCase().optional().transform((v) => (v ? v : null)),
  role: z.enum(['lead-practitioner', 'member'], { message: 'Select whether they are the lead practitioner or a member' }),
});
export type MemberForm = z.infer<typeof memberForm>;

export type AddOutcome = { kind: 'added' } | { kind: 'invalid'; errors: FieldError[] };

/** The child's Team Around the Child, current and past, after the access check; the read is audited. */
export async function teamAroundChild(db: Kysely<DB>, ctx: RequestContext, personId: string, clock: Clock): Promise<{ current: TacMember[]; past: TacMember[] }> {
  return db.transaction().execute(async (trx) => {
    const access = await requirePersonAccess(trx, ctx, personId, clock);
    const members = await tacRepository(trx).members(personId);
    await writeAudit(trx, ctx, { action: 'read', outcome: auditOutcomeFor(access), subjectType: 'team-around-child', subjectId: personId, personId });
    return { current: members.filter((m) => !m.leftOn), past: members.filter((m) => m.leftOn) };
  });
}

/**
 * Add an agency (and, when named, one of its practitioners) to the team. The
 * lead practitioner is one person at a time: a new lead needs the old one's
 * place ended first, so the change is a decision someone made and recorded.
 */
export async function addMember(db: Kysely<DB>, ctx: RequestContext, personId: string, form: MemberForm, clock: Clock): Promise<AddOutcome> {
  const actor = requireUser(ctx);
  return db.transaction().execute(async (trx) => {
    const access = await requirePersonAccess(trx, ctx, personId, clock);
    const repo = tacRepository(trx);
    const errors: FieldError[] = [];
    if (!(await repo.agencies()).some((a) => a.id === form.agencyId)) errors.push({ field: 'agencyId', text: 'Select the agency joining the team' });
    let userId: string | null = null;
    if (form.username) {
      const u = await repo.userByUsername(form.username);
      if (!u || !u.active || u.agencyId !== form.agencyId) errors.push({ field: 'username', text: 'Enter the username of an active practitioner in that agency, or leave it blank' });
      else userId = u.id;
    }
    const current = (await repo.members(personId)).filter((m) => !m.leftOn);
    if (form.role === 'lead-practitioner') {
      if (!userId) errors.push({ field: 'username', text: 'Name the lead practitioner: enter their username' });
      if (current.some((m) => m.role === 'lead-practitioner')) errors.push({ field: 'role', text: 'The child already has a lead practitioner: end their place first' });
    }
    if (current.some((m) => m.agencyId === form.agencyId && m.userId === userId && m.role === form.role)) {
      errors.push({ field: 'agencyId', text: 'They are already in the team' });
    }
    if (errors.length) return { kind: 'invalid', errors };
    const id = `tac_${randomUUID().replaceAll('-', '')}`;
    const now = clock.now();
    await repo.add({ id, childPersonId: personId, agencyId: form.agencyId, userId, role: form.role, joinedOn: londonDate(now), addedBy: actor.userId, addedAt: now });
    await writeAudit(trx, ctx, {
      action: 'create', outcome: auditOutcomeFor(access), subjectType: 'team-around-child-member', subjectId: id, personId,
      details: { agencyId: form.agencyId, role: form.role, named: userId !== null },
    });
    return { kind: 'added' };
  });
}

/** End a membership (it stays on record; access lasts 12 months more, as for an ended involvement). */
export async function endMember(db: Kysely<DB>, ctx: RequestContext, personId: string, memberId: string, clock: Clock): Promise<void> {
  const actor = requireUser(ctx);
  await db.transaction().execute(async (trx) => {
    const access = await requirePersonAccess(trx, ctx, personId, clock);
    const now = clock.now();
    if (!(await tacRepository(trx).end(memberId, personId, londonDate(now), actor.userId, now))) throw new NotFoundError();
    await writeAudit(trx, ctx, { action: 'close', outcome: auditOutcomeFor(access), subjectType: 'team-around-child-member', subjectId: memberId, personId });
  });
}

/** Whether this user is the child's current lead practitioner (who may see who has looked at the record). */
export function isLeadPractitioner(db: Kysely<DB>, userId: string, personId: string): Promise<boolean> {
  return tacRepository(db).isLeadPractitioner(userId, personId);
}
