import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { withRoles } from '../../platform/http/access-rule.ts';
import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import { requireUser, type RequestContext } from '../../platform/access/context.ts';
import { requirePersonAccess } from '../../platform/access/person-access.ts';
import { writeAudit, writeAuditMany } from '../../platform/audit/audit.ts';
import { isLeadPractitioner } from '../team-around-child/service.ts';
import { NotFoundError, PersonAccessDenied } from '../../platform/errors.ts';
import { accessReviewRepository } from './repository.ts';

/** How long break-glass access lasts before it must be asked for again. */
export const BREAK_GLASS_MINUTES = 60;

const PERSON_ID = /^p_[A-Za-z0-9]+$/;
const BREAK_GLASS_REASONS = {
  'immediate-risk': 'A child may be at immediate risk of harm',
  'urgent-enquiry': 'An urgent safeguarding enquiry or strategy discussion',
  'out-of-hours': 'Out-of-hours response where the usual team cannot be reached',
} as const;

const breakGlassForm = z.object({
  reasonKind: z.enum(Object.keys(BREAK_GLASS_REASONS) as [keyof typeof BREAK_GLASS_REASONS], {
    message: 'Select why you need to see this record',
  }),
  detail: z.string().trim().min(10, 'Explain the safeguarding reason in at least 10 characters').max(1000, 'Explain the reason in 1,000 characters or fewer'),
});
const reviewForm = z.object({ note: z.string().trim().min(3, 'Enter what you found').max(1000) });

function ctxOf(request: FastifyRequest): RequestContext {
  if (!request.requestContext) throw new NotFoundError();
  return request.requestContext;
}

const recordRoles = withRoles('practitioner', 'front-door-practitioner', 'team-manager', 'safeguarding-lead');

/** Break-glass access, its review, and who has looked at a record. */
export const accessReviewRoutes: FastifyPluginAsync<{ database: Database; clock: Clock }> = async (app, { database, clock }) => {
  const db = database.db;

  // The form is shown for any id, so it reveals nothing about whether a record exists.
  app.get<{ Params: { personId: string } }>('/people/:personId/break-glass', { config: recordRoles }, async (request, reply) => {
    if (!PERSON_ID.test(request.params.personId)) throw new NotFoundError();
    return reply.render('access-review/views/break-glass.njk', {
      title: 'Use break-glass access', personId: request.params.personId, reasons: BREAK_GLASS_REASONS, minutes: BREAK_GLASS_MINUTES,
    });
  });

  app.post<{ Params: { personId: string } }>('/people/:personId/break-glass', { config: recordRoles }, async (request, reply) => {
    const { personId } = request.params;
    if (!PERSON_ID.test(personId)) throw new NotFoundError();
    const ctx = ctxOf(request);
    const user = requireUser(ctx);
    const parsed = breakGlassForm.safeParse(request.body ?? {});
    if (!parsed.success) {
      const errors = parsed.error.issues.map((i) => ({ text: i.message, href: `#${String(i.path[0])}` }));
      return reply.status(400).render('access-review/views/break-glass.njk', {
        title: 'Use break-glass access', personId, reasons: BREAK_GLASS_REASONS, minutes: BREAK_GLASS_MINUTES, errors,
        fieldErrors: Object.fromEntries(errors.map((e) => [e.href.slice(1), e.text])),
        values: request.body,
      });
    }
    const now = clock.now();
    await db.transaction().execute(async (trx) => {
      const repo = accessReviewRepository(trx);
      if (!(await repo.personExists(personId))) return; // nothing to open; the person page will say not found
      const id = `bg_${randomUUID().replaceAll('-', '')}`;
      await repo.addBreakGlass({
        id, userId: user.userId, personId, grantedAt: now, expiresAt: new Date(now.getTime() + BREAK_GLASS_MINUTES * 60_000),
        reason: `${BREAK_GLASS_REASONS[parsed.data.reasonKind]}: ${parsed.data.detail}`,
      });
      await writeAudit(trx, { ...ctx, breakGlassId: id, purpose: parsed.data.reasonKind }, {
        action: 'break-glass', outcome: 'break-glass', subjectType: 'person', subjectId: personId, personId,
      });
    });
    return reply.redirect(`/people/${personId}`, 303);
  });

  const leads = withRoles('safeguarding-lead');

  app.get('/access/break-glass', { config: leads }, async (request, reply) => {
    const user = requireUser(ctxOf(request));
    const grants = await accessReviewRepository(db).unreviewedBreakGlass(user.agencyId);
    return reply.render('access-review/views/break-glass-review.njk', { title: 'Break-glass access to review', grants });
  });

  app.post<{ Params: { grantId: string } }>('/access/break-glass/:grantId/review', { config: leads }, async (request, reply) => {
    const ctx = ctxOf(request);
    const user = requireUser(ctx);
    const parsed = reviewForm.safeParse(request.body ?? {});
    if (!parsed.success) {
      const grants = await accessReviewRepository(db).unreviewedBreakGlass(user.agencyId);
      return reply.status(400).render('access-review/views/break-glass-review.njk', {
        title: 'Break-glass access to review', grants,
        errors: [{ text: parsed.error.issues[0]!.message, href: `#note-${request.params.grantId}` }],
      });
    }
    await db.transaction().execute(async (trx) => {
      const done = await accessReviewRepository(trx).reviewBreakGlass(request.params.grantId, user.userId, clock.now(), parsed.data.note, user.agencyId);
      if (!done) throw new NotFoundError();
      await writeAudit(trx, ctx, { action: 'administer', outcome: 'succeeded', subjectType: 'break-glass', subjectId: request.params.grantId });
    });
    return reply.redirect('/access/break-glass', 303);
  });

  // Who has looked at this child's record: for safeguarding leads and for the
  // child's lead practitioner in the Team Around the Child.
  app.get<{ Params: { personId: string } }>('/people/:personId/access-log', { config: recordRoles }, async (request, reply) => {
    const ctx = ctxOf(request);
    const { personId } = request.params;
    if (!PERSON_ID.test(personId)) throw new NotFoundError();
    const lead = requireUser(ctx);
    // Anyone else is refused as if the record were not there, and the refusal audited.
    if (!lead.roles.includes('safeguarding-lead') && !(await isLeadPractitioner(db, lead.userId, personId))) throw new PersonAccessDenied(personId, ctx);
    const entries = await db.transaction().execute(async (trx) => {
      const repo = accessReviewRepository(trx);
      // A lead reviewing their own staff's break-glass may see that record's access log.
      if (!(await repo.agencyBrokeGlassOn(personId, lead.agencyId))) await requirePersonAccess(trx, ctx, personId, clock);
      const rows = await repo.accessToPerson(personId, 500);
      await writeAudit(trx, ctx, { action: 'read', outcome: 'allowed', subjectType: 'access-log', subjectId: personId, personId });
      return rows;
    });
    return reply.render('access-review/views/access-log.njk', { title: 'Who has looked at this record', personId, entries });
  });

  const managers = withRoles('team-manager', 'safeguarding-lead');

  app.get('/access/users', { config: managers }, async (request, reply) => {
    const user = requireUser(ctxOf(request));
    const users = await accessReviewRepository(db).usersOfAgency(user.agencyId);
    return reply.render('access-review/views/users.njk', { title: 'Staff activity', users });
  });

  // A user's activity, for managers in the same agency.
  app.get<{ Params: { userId: string } }>('/access/users/:userId', { config: managers }, async (request, reply) => {
    const ctx = ctxOf(request);
    const manager = requireUser(ctx);
    const repo = accessReviewRepository(db);
    const subject = await repo.findUser(request.params.userId);
    if (!subject || subject.agencyId !== manager.agencyId) throw new NotFoundError();
    const activity = await repo.activityOf(subject.id, 500);
    await writeAuditMany(db, ctx, [{ action: 'read', outcome: 'allowed', subjectType: 'user-activity', subjectId: subject.id }]);
    return reply.render('access-review/views/user-activity.njk', { title: `Activity of ${subject.displayName}`, subject, activity });
  });
};
