import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { withRoles } from '../../platform/http/access-rule.ts';
import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import { auditOutcomeFor, requirePersonAccess } from '../../platform/access/person-access.ts';
import { writeAudit } from '../../platform/audit/audit.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { CONSENT, LAWFUL_BASES, REASONS_NOT_SHARED } from './lawful-basis.ts';
import { informationShareForm } from './schemas.ts';
import { informationSharingRepository } from './repository.ts';

const PERSON_ID = /^p_[A-Za-z0-9]+$/;
const recordRoles = withRoles('practitioner', 'front-door-practitioner', 'team-manager', 'safeguarding-lead');
const options = { lawfulBases: LAWFUL_BASES, consentOptions: CONSENT, reasonsNotShared: REASONS_NOT_SHARED };

/** Record a decision to share, or not to share, information about a person, with its reasons and lawful basis. */
export const informationSharingRoutes: FastifyPluginAsync<{ database: Database; clock: Clock }> = async (app, { database, clock }) => {
  app.get<{ Params: { personId: string } }>('/people/:personId/information-sharing', { config: recordRoles }, async (request, reply) => {
    const ctx = request.requestContext;
    const { personId } = request.params;
    if (!ctx || !PERSON_ID.test(personId)) throw new NotFoundError();
    const shares = await database.db.transaction().execute(async (trx) => {
      const access = await requirePersonAccess(trx, ctx, personId, clock);
      await writeAudit(trx, ctx, { action: 'read', outcome: auditOutcomeFor(access), subjectType: 'information-sharing', subjectId: personId, personId });
      return informationSharingRepository(trx).forPerson(personId);
    });
    return reply.render('information-sharing/views/list.njk', { title: 'Information sharing decisions', personId, shares, ...options });
  });

  app.get<{ Params: { personId: string } }>('/people/:personId/information-sharing/new', { config: recordRoles }, async (request, reply) => {
    const ctx = request.requestContext;
    const { personId } = request.params;
    if (!ctx || !PERSON_ID.test(personId)) throw new NotFoundError();
    await requirePersonAccess(database.db, ctx, personId, clock);
    return reply.render('information-sharing/views/form.njk', { title: 'Record an information sharing decision', personId, values: {}, ...options });
  });

  app.post<{ Params: { personId: string } }>('/people/:personId/information-sharing/new', { config: recordRoles }, async (request, reply) => {
    const ctx = request.requestContext;
    const { personId } = request.params;
    if (!ctx || ctx.actor.kind !== 'user' || !PERSON_ID.test(personId)) throw new NotFoundError();
    const userId = ctx.actor.userId;
    const parsed = informationShareForm.safeParse(request.body ?? {});
    if (!parsed.success) {
      await requirePersonAccess(database.db, ctx, personId, clock);
      const errors = parsed.error.issues.map((i) => ({ text: i.message, href: `#${String(i.path[0])}` }));
      return reply.status(400).render('information-sharing/views/form.njk', {
        title: 'Record an information sharing decision', personId, errors, values: request.body ?? {},
        fieldErrors: Object.fromEntries(errors.map((e) => [e.href.slice(1), e.text])), ...options,
      });
    }
    const f = parsed.data;
    await database.db.transaction().execute(async (trx) => {
      const access = await requirePersonAccess(trx, ctx, personId, clock);
      const id = `is_${randomUUID().replaceAll('-', '')}`;
      await informationSharingRepository(trx).add({
        id, personId, recordedBy: userId, recordedAt: clock.now(), decision: f.decision,
        sharedWith: f.decision === 'shared' ? f.sharedWith ?? null : null,
        whatShared: f.decision === 'shared' ? f.whatShared ?? null : null,
        purpose: f.purpose, lawfulBasis: f.lawfulBasis, consent: f.consent, consentDetail: f.consentDetail ?? null,
        reasonNotShared: f.decision === 'not-shared' ? f.reasonNotShared ?? null : null,
      });
      await writeAudit(trx, ctx, {
        action: 'share', outcome: auditOutcomeFor(access), subjectType: 'information-sharing', subjectId: id, personId,
        details: { decision: f.decision, lawfulBasis: f.lawfulBasis, consent: f.consent },
      });
    });
    return reply.redirect(`/people/${personId}/information-sharing`, 303);
  });
};
