import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import { signedIn, withRoles } from '../../platform/http/access-rule.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { pageContext } from './page-context.ts';
import { correctHousehold, householdPage, HOUSEHOLD_CORRECTORS, personPage, searchCriteria, searchPeople } from './service.ts';

export interface RecordsRoutesOptions {
  database: Database;
  clock: Clock;
}

/** Opaque person ids only: nothing personal ever appears in a URL. */
export const PERSON_ID = /^p_[0-9]{1,12}$/;

/** Finding a person and seeing who they are. The search is a POST so that what was typed never enters a URL or a log. */
export const recordsRoutes: FastifyPluginAsync<RecordsRoutesOptions> = async (app, { database, clock }) => {
  const db = database.db;

  app.get('/people/search', { config: signedIn }, async (request, reply) => {
    if (!pageContext(request)) return reply.redirect('/sign-in', 303);
    return reply.render('records/views/search.njk', { title: 'Search for a person', values: {} });
  });

  app.post('/people/search', { config: signedIn }, async (request, reply) => {
    const ctx = pageContext(request);
    if (!ctx) return reply.redirect('/sign-in', 303);
    try {
      const { values, results } = await searchPeople(db, ctx, request.body, clock);
      return reply.render('records/views/search.njk', { title: 'Search results', values, results, searched: true });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const { values } = searchCriteria(request.body);
      const errors = error.issues.map((i) => ({ text: i.message, href: `#${i.path}` }));
      const fieldErrors = Object.fromEntries(error.issues.map((i) => [i.path, i.message]));
      return reply.status(400).render('records/views/search.njk', { title: 'Search for a person', values, errors, fieldErrors });
    }
  });

  app.get('/people/:personId', { config: signedIn }, async (request, reply) => {
    const ctx = pageContext(request);
    if (!ctx) return reply.redirect('/sign-in', 303);
    const { personId } = request.params as { personId: string };
    if (!PERSON_ID.test(personId)) throw new NotFoundError();
    const page = await personPage(db, ctx, personId, clock);
    return reply.render('records/views/person.njk', { title: page.person.name, ...page });
  });

  const showHousehold = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    const ctx = pageContext(request);
    if (!ctx) return reply.redirect('/sign-in', 303);
    const { personId } = request.params as { personId: string };
    if (!PERSON_ID.test(personId)) throw new NotFoundError();
    const page = await householdPage(db, ctx, personId, clock);
    return reply.status(status).render('records/views/household.njk', { title: `Household of ${page.person.name}`, ...page, ...extra });
  };

  // Households are derived when read; anyone who may see the person sees who they live with (as far as they may see them).
  app.get('/people/:personId/household', { config: signedIn }, async (request, reply) => showHousehold(request, reply));

  // Correcting one changes what every agency sees: the roles that merge and split records.
  app.post('/people/:personId/household', { config: withRoles(...HOUSEHOLD_CORRECTORS) }, async (request, reply) => {
    const ctx = pageContext(request);
    if (!ctx) return reply.redirect('/sign-in', 303);
    const { personId } = request.params as { personId: string };
    if (!PERSON_ID.test(personId)) throw new NotFoundError();
    try {
      await correctHousehold(db, ctx, personId, request.body, clock);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const errors = error.issues.map((i) => ({ text: i.message, href: `#${i.path}` }));
      const fieldErrors = Object.fromEntries(error.issues.map((i) => [i.path, i.message]));
      return showHousehold(request, reply, { errors, fieldErrors, values: request.body }, 400);
    }
    return reply.redirect(`/people/${personId}/household`, 303);
  });
};
