import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import { signedIn } from '../../platform/http/access-rule.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { pageContext } from '../records/page-context.ts';
import { cataloguePage, changeFlagState, FLAG_ID, flagPage, flagsForPeople, worklist, type FlagView } from './lifecycle.ts';
import { flagsRepository } from './repository.ts';

export interface FlagsRoutesOptions {
  database: Database;
  clock: Clock;
}

const PERSON_ID = /^p_[0-9]{1,12}$/;
const FAMILY_ID = /^f_[0-9]{1,12}$/;

/**
 * The flags pages: the worklist (/flags), a flag with its acknowledge and close
 * forms, and the catalogue. It also gives the person page and the chronologies
 * their flags (as page locals, after the same access check), so those pages
 * show each flag and link it to its evidence.
 */
const plugin: FastifyPluginAsync<FlagsRoutesOptions> = async (app, { database, clock }) => {
  const db = database.db;

  // The person page and the chronologies show flags: load them for people the caller may see.
  app.addHook('preHandler', async (request: FastifyRequest) => {
    if (request.method !== 'GET') return;
    const url = request.routeOptions.url ?? '';
    const ctx = pageContext(request);
    if (!ctx) return;
    const params = request.params as { personId?: string; familyId?: string };
    let people: string[];
    if ((url === '/people/:personId' || url === '/people/:personId/chronology') && PERSON_ID.test(params.personId ?? '')) {
      people = [params.personId!];
    } else if (url === '/families/:familyId/chronology' && FAMILY_ID.test(params.familyId ?? '')) {
      people = (await flagsRepository(db).familyMembers([params.familyId!])).map((m) => m.personId);
    } else {
      return;
    }
    const flags = await flagsForPeople(db, ctx, people, clock);
    const byEvent: Record<string, FlagView[]> = {};
    for (const f of flags) for (const row of f.evidenceRows) (byEvent[String(row)] ??= []).push(f);
    request.pageLocals = { ...request.pageLocals, personFlags: flags, flagsByEvent: byEvent };
  });

  app.get('/flags', { config: signedIn }, async (request, reply) => {
    const ctx = pageContext(request);
    if (!ctx) return reply.redirect('/sign-in', 303);
    return reply.render('flags/views/worklist.njk', { title: 'Flags to review', ...(await worklist(db, ctx, clock)) });
  });

  app.get('/flags/catalogue', { config: signedIn }, async (request, reply) => {
    if (!pageContext(request)) return reply.redirect('/sign-in', 303);
    return reply.render('flags/views/catalogue.njk', { title: 'The flag catalogue', categories: cataloguePage() });
  });

  const show = async (request: FastifyRequest, extra: Record<string, unknown> = {}) => {
    const ctx = pageContext(request)!;
    const { flagId } = request.params as { flagId: string };
    if (!FLAG_ID.test(flagId)) throw new NotFoundError();
    const page = await flagPage(db, ctx, flagId, clock);
    return { title: `${page.flag.categoryTitle} flag`, ...page, ...extra };
  };

  app.get('/flags/:flagId', { config: signedIn }, async (request, reply) => {
    if (!pageContext(request)) return reply.redirect('/sign-in', 303);
    return reply.render('flags/views/flag.njk', await show(request));
  });

  for (const action of ['acknowledge', 'close'] as const) {
    app.post(`/flags/:flagId/${action}`, { config: signedIn }, async (request, reply) => {
      const ctx = pageContext(request);
      if (!ctx) return reply.redirect('/sign-in', 303);
      const { flagId } = request.params as { flagId: string };
      if (!FLAG_ID.test(flagId)) throw new NotFoundError();
      try {
        await changeFlagState(db, ctx, flagId, action, request.body, clock);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const errors = error.issues.map((i) => ({ text: i.message, href: `#${action}-${i.path}` }));
        const fieldErrors = Object.fromEntries(error.issues.map((i) => [`${action}-${i.path}`, i.message]));
        const body = (request.body ?? {}) as Record<string, unknown>;
        return reply.status(400).render('flags/views/flag.njk', await show(request, { errors, fieldErrors, values: body }));
      }
      return reply.redirect(`/flags/${flagId}?done=${action}`, 303);
    });
  }
};

// Not encapsulated: the hook above must also run for the person page and the chronologies.
(plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
export const flagsRoutes = plugin;
