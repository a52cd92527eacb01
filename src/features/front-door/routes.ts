import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodError } from 'zod';
import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import { withRoles } from '../../platform/http/access-rule.ts';
import { AppError, NotFoundError } from '../../platform/errors.ts';
import { pageContext } from '../records/page-context.ts';
import { CONSENT, LAWFUL_BASES } from '../information-sharing/lawful-basis.ts';
import {
  candidatesFor, contactForm, correctDecision, correctionForm, decide, decisionForm, decisionScreen, handoffQueue, LEVELS, lateralCheckForm, managerReview,
  myReferrals, OUTCOME_WORDS, OUTCOMES, recordContact, recordLateralCheck, reviewDecision, reviewForm, triageQueue,
} from './service.ts';
import { frontDoorRepository } from './repository.ts';

const frontDoorStaff = withRoles('front-door-practitioner', 'team-manager');
const managers = withRoles('team-manager');
const recordRoles = withRoles('practitioner', 'front-door-practitioner', 'team-manager', 'safeguarding-lead');
const CONTACT_ID = /^[0-9]{1,15}$/;
const DECISION_ID = /^fdd_[0-9a-f]{32}$/;
const common = { outcomes: OUTCOMES, outcomeWords: OUTCOME_WORDS, levels: LEVELS, lawfulBases: LAWFUL_BASES, consentOptions: CONSENT };

function errorsOf(error: ZodError) {
  const errors = error.issues.map((i) => ({ text: i.message, href: `#${String(i.path[0] ?? '')}` }));
  const fieldErrors: Record<string, string> = {};
  for (const e of errors) fieldErrors[e.href.slice(1)] ??= e.text;
  return { errors, fieldErrors };
}

/** The front door's pages: the triage queue, recording a contact, the decision screen, hand-offs, referrers' outcomes, manager review. */
export const frontDoorRoutes: FastifyPluginAsync<{ database: Database; clock: Clock }> = async (app, { database, clock }) => {
  const db = database.db;
  const ctxOf = (request: FastifyRequest) => {
    const ctx = pageContext(request);
    if (!ctx) throw new NotFoundError();
    return ctx;
  };

  app.get('/front-door', { config: frontDoorStaff }, async (request, reply) => {
    const ctx = ctxOf(request);
    const { items } = await triageQueue(db, ctx, clock);
    return reply.render('front-door/views/queue.njk', { title: 'Front door: contacts to decide', items, now: clock.now(), ...common });
  });

  const agencies = () => frontDoorRepository(db).allAgencies();
  const showForm = async (reply: FastifyReply, extra: Record<string, unknown>, status = 200) =>
    reply.status(status).render('front-door/views/contact-form.njk', { title: 'Record a contact or referral', agencies: await agencies(), values: {}, ...common, ...extra });

  app.get('/front-door/contacts/new', { config: recordRoles }, async (request, reply) => {
    ctxOf(request);
    return showForm(reply, {});
  });

  app.post('/front-door/contacts/new', { config: recordRoles }, async (request, reply) => {
    const ctx = ctxOf(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = contactForm.safeParse(body);
    if (!parsed.success) return showForm(reply, { values: body, ...errorsOf(parsed.error) }, 400);
    const f = parsed.data;
    // Match before creating: show the linker's candidates once, then record with the practitioner's choice.
    if (!f.childMatch) {
      const candidates = await candidatesFor(db, ctx, f, clock);
      if (candidates.child.length > 0 || candidates.adult.length > 0) {
        return showForm(reply, { values: body, candidates, matching: true });
      }
    }
    const eventRowId = await recordContact(db, ctx, f, clock);
    const staff = ctx.actor.kind === 'user' && ctx.actor.roles.some((r) => r === 'front-door-practitioner' || r === 'team-manager');
    const onRoll = staff && (await frontDoorRepository(db).contact(eventRowId))?.to === (ctx.actor.kind === 'user' ? ctx.actor.agencyId : '');
    return reply.redirect(onRoll ? `/front-door/contacts/${eventRowId}` : '/front-door/referrals?sent=1', 303);
  });

  const showDecision = async (
    request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200, correcting = false,
  ) => {
    const ctx = ctxOf(request);
    if (!CONTACT_ID.test(request.params.id)) throw new NotFoundError();
    const { panel, historyViewId } = await decisionScreen(db, ctx, Number(request.params.id), clock);
    // Every version of the decision (the screen has just checked access to the contact and audited the read).
    const versions = panel.decisions.length ? await frontDoorRepository(db).decisionVersions(panel.contact.eventRowId) : [];
    const current = panel.decisions[0];
    if (correcting && !current) return reply.redirect(`/front-door/contacts/${request.params.id}`, 303);
    const values = correcting && current
      ? { level: String(current.level), outcome: current.outcome, rationale: current.rationale, correctsDecisionId: current.id }
      : {};
    return reply.status(status).render('front-door/views/decision.njk', {
      title: correcting ? 'Correct a front door decision' : panel.decisions.length ? 'A front door decision' : 'Decide on a contact',
      panel, historyViewId, versions, correcting, values, agencies: await agencies(), now: clock.now(), ...common, ...extra,
    });
  };

  app.get<{ Params: { id: string }; Querystring: { corrected?: string } }>('/front-door/contacts/:id', { config: frontDoorStaff }, async (request, reply) =>
    showDecision(request, reply, { corrected: request.query.corrected === '1' }));

  app.post<{ Params: { id: string } }>('/front-door/contacts/:id/decision', { config: frontDoorStaff }, async (request, reply) => {
    const ctx = ctxOf(request);
    if (!CONTACT_ID.test(request.params.id)) throw new NotFoundError();
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = decisionForm.safeParse(body);
    if (!parsed.success) return showDecision(request, reply, { values: body, ...errorsOf(parsed.error) }, 400);
    try {
      await decide(db, ctx, Number(request.params.id), parsed.data, clock);
    } catch (error) {
      if (error instanceof AppError && (error.code === 'history-not-seen' || error.code === 'already-decided')) {
        return showDecision(request, reply, { values: body, errors: [{ text: error.message, href: '#confirmHistory' }], fieldErrors: {} }, error.status);
      }
      throw error;
    }
    return reply.redirect(`/front-door?decided=${request.params.id}`, 303);
  });

  app.get<{ Params: { id: string } }>('/front-door/contacts/:id/correction', { config: frontDoorStaff }, async (request, reply) =>
    showDecision(request, reply, {}, 200, true));

  app.post<{ Params: { id: string } }>('/front-door/contacts/:id/correction', { config: frontDoorStaff }, async (request, reply) => {
    const ctx = ctxOf(request);
    if (!CONTACT_ID.test(request.params.id)) throw new NotFoundError();
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = correctionForm.safeParse(body);
    if (!parsed.success) return showDecision(request, reply, { values: body, ...errorsOf(parsed.error) }, 400, true);
    try {
      await correctDecision(db, ctx, Number(request.params.id), parsed.data, clock);
    } catch (error) {
      if (error instanceof AppError && ['history-not-seen', 'decision-changed', 'not-decided'].includes(error.code)) {
        return showDecision(request, reply, { values: body, errors: [{ text: error.message, href: '#confirmHistory' }], fieldErrors: {} }, error.status, true);
      }
      throw error;
    }
    return reply.redirect(`/front-door/contacts/${request.params.id}?corrected=1#decision`, 303);
  });

  app.post<{ Params: { id: string } }>('/front-door/contacts/:id/lateral-checks', { config: frontDoorStaff }, async (request, reply) => {
    const ctx = ctxOf(request);
    if (!CONTACT_ID.test(request.params.id)) throw new NotFoundError();
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = lateralCheckForm.safeParse(body);
    if (!parsed.success) {
      const e = errorsOf(parsed.error);
      return showDecision(request, reply, { lateralValues: body, errors: e.errors.map((x) => ({ ...x, href: `#lateral-${x.href.slice(1)}` })), lateralErrors: e.fieldErrors }, 400);
    }
    await recordLateralCheck(db, ctx, Number(request.params.id), parsed.data, clock);
    return reply.redirect(`/front-door/contacts/${request.params.id}#lateral-checks`, 303);
  });

  app.get<{ Querystring: { sent?: string } }>('/front-door/referrals', { config: recordRoles }, async (request, reply) => {
    const ctx = ctxOf(request);
    const referrals = await myReferrals(db, ctx, clock);
    return reply.render('front-door/views/referrals.njk', { title: 'Your referrals and what happened', referrals, sent: request.query.sent === '1', ...common });
  });

  app.get('/front-door/handoffs', { config: recordRoles }, async (request, reply) => {
    const ctx = ctxOf(request);
    const handoffs = await handoffQueue(db, ctx, clock);
    return reply.render('front-door/views/handoffs.njk', { title: 'Handed over by the front door', handoffs, ...common });
  });

  app.get('/front-door/review', { config: managers }, async (request, reply) => {
    const ctx = ctxOf(request);
    return reply.render('front-door/views/review.njk', { title: 'Review front door decisions', ...(await managerReview(db, ctx, clock)), ...common });
  });

  app.post<{ Params: { id: string } }>('/front-door/review/:id', { config: managers }, async (request, reply) => {
    const ctx = ctxOf(request);
    if (!DECISION_ID.test(request.params.id)) throw new NotFoundError();
    const parsed = reviewForm.safeParse(request.body ?? {});
    if (!parsed.success) {
      return reply.status(400).render('front-door/views/review.njk', {
        title: 'Review front door decisions', ...(await managerReview(db, ctx, clock)), ...common,
        errors: errorsOf(parsed.error).errors.map((e) => ({ ...e, href: `#review-${request.params.id}` })),
      });
    }
    await reviewDecision(db, ctx, request.params.id, parsed.data, clock);
    return reply.redirect('/front-door/review', 303);
  });
};
