import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import { withRoles } from '../../platform/http/access-rule.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/access/context.ts';
import { correctFamily, decideReview, personLinks, reviewPage, reviewQueue, splitPerson, undoLinkChange, undoPage } from './service.ts';

/** Opaque ids only in URLs. */
const PERSON_ID = /^p_[0-9]{1,12}$/;
const REVIEW_ID = /^[0-9]{1,12}$/;
const CHANGE_ID = REVIEW_ID;

/**
 * Reviewing links exposes two records' personal details, so: safeguarding
 * leads and team managers; not system administrators (they run Kinsight,
 * they do not read children's records).
 */
const reviewers = withRoles('safeguarding-lead', 'team-manager');

function ctxOf(request: FastifyRequest): RequestContext {
  const ctx = request.requestContext;
  if (!ctx || ctx.actor.kind !== 'user') throw new NotFoundError();
  return { ...ctx, correlationId: ctx.correlationId || request.id };
}

function formErrors(error: ValidationError) {
  const errors = error.issues.map((i) => ({ text: i.message, href: `#${i.path}` }));
  return { errors, fieldErrors: Object.fromEntries(error.issues.map((i) => [i.path, i.message])) };
}

/** The linkage review queue, one review, a person's links (split) and family correction. */
export const linkageReviewRoutes: FastifyPluginAsync<{ database: Database; clock: Clock }> = async (app, { database, clock }) => {
  const db = database.db;

  app.get('/linkage/reviews', { config: reviewers }, async (request, reply) => {
    const reviews = await reviewQueue(db, ctxOf(request), clock);
    return reply.render('linkage-review/views/queue.njk', { title: 'Records to review', reviews });
  });

  const showReview = async (request: FastifyRequest<{ Params: { reviewId: string } }>, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    if (!REVIEW_ID.test(request.params.reviewId)) throw new NotFoundError();
    const page = await reviewPage(db, ctxOf(request), Number(request.params.reviewId), clock);
    return reply.status(status).render('linkage-review/views/review.njk', { title: 'Are these the same person?', ...page, ...extra });
  };

  app.get<{ Params: { reviewId: string } }>('/linkage/reviews/:reviewId', { config: reviewers }, async (request, reply) => showReview(request, reply));

  app.post<{ Params: { reviewId: string } }>('/linkage/reviews/:reviewId', { config: reviewers }, async (request, reply) => {
    if (!REVIEW_ID.test(request.params.reviewId)) throw new NotFoundError();
    try {
      await decideReview(db, ctxOf(request), Number(request.params.reviewId), request.body, clock);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return showReview(request, reply, { ...formErrors(error), values: request.body }, 400);
    }
    return reply.redirect('/linkage/reviews', 303);
  });

  const showLinks = async (request: FastifyRequest<{ Params: { personId: string } }>, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    if (!PERSON_ID.test(request.params.personId)) throw new NotFoundError();
    const page = await personLinks(db, ctxOf(request), request.params.personId, clock);
    return reply.status(status).render('linkage-review/views/links.njk', { title: 'Records linked to this person', ...page, ...extra });
  };

  app.get<{ Params: { personId: string } }>('/people/:personId/links', { config: reviewers }, async (request, reply) => showLinks(request, reply));

  app.post<{ Params: { personId: string } }>('/people/:personId/split', { config: reviewers }, async (request, reply) => {
    if (!PERSON_ID.test(request.params.personId)) throw new NotFoundError();
    try {
      const created = await splitPerson(db, ctxOf(request), request.params.personId, request.body, clock);
      return reply.redirect(`/people/${created}/links`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return showLinks(request, reply, { ...formErrors(error), values: request.body }, 400);
    }
  });

  type UndoParams = { Params: { personId: string; changeId: string } };
  const showUndo = async (request: FastifyRequest<UndoParams>, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    if (!PERSON_ID.test(request.params.personId) || !CHANGE_ID.test(request.params.changeId)) throw new NotFoundError();
    const page = await undoPage(db, ctxOf(request), request.params.personId, Number(request.params.changeId), clock);
    const title = page.change.kind === 'merge' ? 'Undo this merge' : 'Undo this split';
    return reply.status(status).render('linkage-review/views/undo.njk', { title, ...page, ...extra });
  };

  app.get<UndoParams>('/people/:personId/link-changes/:changeId/undo', { config: reviewers }, async (request, reply) => showUndo(request, reply));

  app.post<UndoParams>('/people/:personId/link-changes/:changeId/undo', { config: reviewers }, async (request, reply) => {
    if (!PERSON_ID.test(request.params.personId) || !CHANGE_ID.test(request.params.changeId)) throw new NotFoundError();
    try {
      const { personId } = await undoLinkChange(db, ctxOf(request), request.params.personId, Number(request.params.changeId), request.body, clock);
      return reply.redirect(`/people/${personId}/links`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return showUndo(request, reply, { ...formErrors(error), values: request.body }, 400);
    }
  });

  app.post<{ Params: { personId: string } }>('/people/:personId/family', { config: reviewers }, async (request, reply) => {
    if (!PERSON_ID.test(request.params.personId)) throw new NotFoundError();
    try {
      await correctFamily(db, ctxOf(request), request.params.personId, request.body, clock);
      return reply.redirect(`/people/${request.params.personId}/links`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return showLinks(request, reply, { ...formErrors(error), values: request.body }, 400);
    }
  });
};
