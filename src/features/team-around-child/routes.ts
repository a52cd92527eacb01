import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import { withRoles } from '../../platform/http/access-rule.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { errorSummary, fieldErrorsOf, type FieldError } from '../../platform/http/form-errors.ts';
import type { RequestContext } from '../../platform/access/context.ts';
import { PERSON_ID } from '../records/routes.ts';
import { tacRepository } from './repository.ts';
import { addMember, endMember, memberForm, teamAroundChild } from './service.ts';

const recordRoles = withRoles('practitioner', 'front-door-practitioner', 'team-manager', 'safeguarding-lead');
const MEMBER_ID = /^tac_[0-9a-f]{32}$/;

/** The Team Around the Child page: who is working with the child, the lead practitioner, and changes to the team. */
export const teamAroundChildRoutes: FastifyPluginAsync<{ database: Database; clock: Clock }> = async (app, { database, clock }) => {
  const db = database.db;

  async function page(reply: FastifyReply, ctx: RequestContext, personId: string, values: Record<string, unknown> = {}, errors?: FieldError[]) {
    const team = await teamAroundChild(db, ctx, personId, clock);
    return reply.status(errors ? 400 : 200).render('team-around-child/views/team.njk', {
      title: 'Team Around the Child', personId, ...team, agencies: await tacRepository(db).agencies(), values,
      ...errorSummary(errors),
    });
  }

  app.get<{ Params: { personId: string } }>('/people/:personId/team-around-child', { config: recordRoles }, async (request, reply) => {
    if (!request.requestContext || !PERSON_ID.test(request.params.personId)) throw new NotFoundError();
    return page(reply, request.requestContext, request.params.personId);
  });

  app.post<{ Params: { personId: string } }>('/people/:personId/team-around-child', { config: recordRoles }, async (request, reply) => {
    const ctx = request.requestContext;
    const { personId } = request.params;
    if (!ctx || !PERSON_ID.test(personId)) throw new NotFoundError();
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = memberForm.safeParse(body);
    if (!parsed.success) return page(reply, ctx, personId, body, fieldErrorsOf(parsed.error));
    const outcome = await addMember(db, ctx, personId, parsed.data, clock);
    if (outcome.kind === 'invalid') return page(reply, ctx, personId, body, outcome.errors);
    return reply.redirect(`/people/${personId}/team-around-child`, 303);
  });

  app.post<{ Params: { personId: string; memberId: string } }>('/people/:personId/team-around-child/:memberId/end', { config: recordRoles }, async (request, reply) => {
    const ctx = request.requestContext;
    const { personId, memberId } = request.params;
    if (!ctx || !PERSON_ID.test(personId) || !MEMBER_ID.test(memberId)) throw new NotFoundError();
    await endMember(db, ctx, personId, memberId, clock);
    return reply.redirect(`/people/${personId}/team-around-child`, 303);
  });
};
