import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import { signedIn } from '../../platform/http/access-rule.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { EVENT_TYPES } from '../../domain/events/vocabulary.ts';
import { pageContext } from '../records/page-context.ts';
import { PERSON_ID } from '../records/routes.ts';
import { chronologyCsv, familyChronology, filterQuery, parseFilters, personChronology, type Chronology } from './service.ts';
import { timelineSvg } from './timeline-svg.ts';
import { EVENT_TYPE_LABELS } from './wording.ts';

export interface ChronologyRoutesOptions {
  database: Database;
  clock: Clock;
}

const FAMILY_ID = /^f_[0-9]{1,12}$/;

/**
 * The multi-agency chronology of a child or a family: the page (with an SVG
 * timeline and its table), a print view and a CSV export. Each is audited
 * as what it is: a read, a print or an export.
 */
export const chronologyRoutes: FastifyPluginAsync<ChronologyRoutesOptions> = async (app, { database, clock }) => {
  const db = database.db;

  const page = (reply: FastifyReply, c: Chronology, base: string) => {
    const query = filterQuery(c.filters);
    // Newest first, the next page holds earlier entries; oldest first, later ones. Plain links: no JavaScript needed.
    const pageLink = (page: number) => `${base}?${query}&page=${page}`;
    const newest = c.filters.order === 'newest';
    const pagination = (c.paging.earlierPages || c.paging.laterPages) ? {
      landmarkLabel: 'Chronology pages',
      previous: c.paging.earlierPages ? { href: pageLink(c.paging.page - 1), text: newest ? 'Later entries' : 'Earlier entries' } : undefined,
      next: c.paging.laterPages ? { href: pageLink(c.paging.page + 1), text: newest ? 'Earlier entries' : 'Later entries' } : undefined,
    } : null;
    return reply.status(c.filters.errors.length ? 400 : 200).render('chronology/views/chronology.njk', {
      title: c.scope === 'family' ? `Family chronology: ${c.title}` : `Chronology: ${c.title}`,
      c, base, query, pagination,
      errors: c.filters.errors,
      oldestFirstQuery: filterQuery(c.filters, { order: 'oldest' }),
      newestFirstQuery: filterQuery(c.filters, { order: 'newest' }),
      types: EVENT_TYPES.map((t) => ({ value: t, text: EVENT_TYPE_LABELS[t] ?? t, checked: c.filters.types.includes(t) })),
      agencyItems: c.agencies.map((a) => ({ value: a.id, text: a.name, checked: c.filters.agencies.includes(a.id) })),
      svg: timelineSvg(
        c.entries.map((e) => ({ onDate: e.onDate, agencyId: e.agencyId, agencyName: e.agencyName, label: e.summary, significant: e.significance !== null })),
        { titleId: 'timeline-title', title: `Timeline of ${c.entries.length} events, one row per agency` },
      ),
    });
  };
  const print = (reply: FastifyReply, c: Chronology) =>
    reply.render('chronology/views/print.njk', { title: `Print: ${c.title}`, c });
  const csv = (reply: FastifyReply, c: Chronology) =>
    reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="chronology-${c.subjectId}.csv"`)
      .send(chronologyCsv(c));

  // The parameter is `:person`, not `:personId`: the flags routes load flags for
  // '/people/:personId/chronology' in a transaction of their own (a second access
  // check, a second audit commit); the chronology reads and audits its flags in
  // its own statement, so that hook must pass its routes by.
  const personRoute = (suffix: string, action: 'read' | 'print' | 'export', respond: (reply: FastifyReply, c: Chronology, base: string) => FastifyReply) => {
    app.get(`/people/:person/chronology${suffix}`, { config: signedIn }, async (request, reply) => {
      const ctx = pageContext(request);
      if (!ctx) return reply.redirect('/sign-in', 303);
      const { person: personId } = request.params as { person: string };
      if (!PERSON_ID.test(personId)) throw new NotFoundError();
      const c = await personChronology(db, ctx, personId, parseFilters(request.query), clock, action);
      return respond(reply, c, `/people/${personId}/chronology`);
    });
  };
  const familyRoute = (suffix: string, action: 'read' | 'print' | 'export', respond: (reply: FastifyReply, c: Chronology, base: string) => FastifyReply) => {
    app.get(`/families/:family/chronology${suffix}`, { config: signedIn }, async (request, reply) => {
      const ctx = pageContext(request);
      if (!ctx) return reply.redirect('/sign-in', 303);
      const { family: familyId } = request.params as { family: string };
      if (!FAMILY_ID.test(familyId)) throw new NotFoundError();
      const c = await familyChronology(db, ctx, familyId, parseFilters(request.query), clock, action);
      return respond(reply, c, `/families/${familyId}/chronology`);
    });
  };
  personRoute('', 'read', page);
  personRoute('/print', 'print', print);
  personRoute('.csv', 'export', csv);
  familyRoute('', 'read', page);
  familyRoute('/print', 'print', print);
  familyRoute('.csv', 'export', csv);
};
