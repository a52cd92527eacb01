import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import { withRoles } from '../../platform/http/access-rule.ts';
import { writeAudit } from '../../platform/audit/audit.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { errorSummary, fieldErrorsOf, type FieldError } from '../../platform/http/form-errors.ts';
import { userAdminRepository } from './repository.ts';
import { newUserForm, ROLE_NAMES, userAdminService, type AccountChange, type Handover } from './service.ts';

const administrators = withRoles('system-administrator');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CHANGES: readonly AccountChange[] = ['deactivate', 'reactivate', 'unlock', 'reset'];

/**
 * The system administrator's staff accounts: list, create, deactivate,
 * reactivate, unlock, reset. Administrators manage accounts, not records:
 * nothing here shows a child's or family's data.
 */
export const userAdminRoutes: FastifyPluginAsync<{ database: Database; clock: Clock }> = async (app, { database, clock }) => {
  const service = userAdminService(database, clock);
  const roleItems = Object.entries(ROLE_NAMES).map(([value, text]) => ({ value, text }));

  async function formPage(reply: FastifyReply, values: Record<string, unknown>, errors?: FieldError[]) {
    const repo = userAdminRepository(database.db);
    return reply.status(errors ? 400 : 200).render('user-admin/views/new.njk', {
      title: 'Create a staff account', values, roleItems, agencies: await repo.agencies(), teams: await repo.teams(),
      ...errorSummary(errors),
    });
  }

  function handoverPage(reply: FastifyReply, handover: Handover, heading: string) {
    // Shown once: never cached, never in a URL.
    return reply.header('cache-control', 'no-store').render('user-admin/views/handover.njk', { title: heading, heading, handover });
  }

  app.get('/admin/users', { config: administrators }, async (request, reply) => {
    const users = await userAdminRepository(database.db).list();
    await writeAudit(database.db, request.requestContext!, { action: 'read', outcome: 'allowed', subjectType: 'user-list', details: { count: users.length } });
    return reply.render('user-admin/views/users.njk', { title: 'Staff accounts', users, roleNames: ROLE_NAMES, now: clock.now() });
  });

  app.get('/admin/users/new', { config: administrators }, async (_request, reply) => formPage(reply, {}));

  app.post('/admin/users/new', { config: administrators }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = newUserForm.safeParse(body);
    if (!parsed.success) return formPage(reply, body, fieldErrorsOf(parsed.error));
    const outcome = await service.create(request.requestContext!, parsed.data);
    if (outcome.kind === 'invalid') return formPage(reply, body, outcome.errors);
    return handoverPage(reply, outcome.handover, 'Account created');
  });

  app.get<{ Params: { userId: string } }>('/admin/users/:userId', { config: administrators }, async (request, reply) => {
    if (!UUID.test(request.params.userId)) throw new NotFoundError();
    const user = await userAdminRepository(database.db).find(request.params.userId);
    if (!user) throw new NotFoundError();
    await writeAudit(database.db, request.requestContext!, { action: 'read', outcome: 'allowed', subjectType: 'user', subjectId: user.id });
    const actor = request.requestContext!.actor;
    return reply.render('user-admin/views/user.njk', {
      title: user.displayName, user, roleNames: ROLE_NAMES, now: clock.now(),
      isSelf: actor.kind === 'user' && actor.userId === user.id,
    });
  });

  app.post<{ Params: { userId: string; change: string } }>('/admin/users/:userId/:change', { config: administrators }, async (request, reply) => {
    const change = request.params.change as AccountChange;
    if (!UUID.test(request.params.userId) || !CHANGES.includes(change)) throw new NotFoundError();
    const result = await service.change(request.requestContext!, request.params.userId, change);
    if (result === null) throw new NotFoundError();
    if (result === 'own-account') {
      const user = await userAdminRepository(database.db).find(request.params.userId);
      return reply.status(400).render('user-admin/views/user.njk', {
        title: user!.displayName, user, roleNames: ROLE_NAMES, now: clock.now(), isSelf: true,
        errors: [{ text: 'You cannot deactivate your own account: ask another administrator', href: '#actions' }],
      });
    }
    if (result.handover) return handoverPage(reply, result.handover, 'New sign-in details');
    return reply.redirect(`/admin/users/${request.params.userId}`, 303);
  });
};
