import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { publicRoute, signedIn } from '../../platform/http/access-rule.ts';
import { CHANGE_PASSWORD_PATH, SESSION_COOKIE } from '../../platform/http/authentication.ts';
import { writeAudit } from '../../platform/audit/audit.ts';
import type { Database } from '../../platform/db/database.ts';
import type { RequestContext } from '../../platform/access/context.ts';
import { ABSOLUTE_TIMEOUT_HOURS, LOCKOUT_MINUTES, type SignInService } from './service.ts';
import type { UserRow } from './repository.ts';
import { MIN_PASSWORD_LENGTH } from './passwords.ts';

const credentials = z.object({
  username: z.string().trim().min(1, 'Enter your username'),
  password: z.string().min(1, 'Enter your password'),
});
const codeForm = z.object({
  code: z.string().trim().regex(/^\d{6}$/, 'Enter the 6-digit code from your authenticator app'),
});

const passwordForm = z.object({
  current: z.string().min(1, 'Enter your current password'),
  next: z.string().min(MIN_PASSWORD_LENGTH, `Enter a new password of at least ${MIN_PASSWORD_LENGTH} characters`),
  confirm: z.string().min(1, 'Enter your new password again'),
}).refine((f) => f.next === f.confirm, { message: 'The new passwords do not match', path: ['confirm'] });

const PENDING_COOKIE = 'kinsight_pending';

/** Sign in with a password and a one-time code; sign out. Every attempt is audited. */
export const signInRoutes: FastifyPluginAsync<{ service: SignInService; database: Database; production: boolean }> = async (
  app,
  { service, database, production },
) => {
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure: production, path: '/' };

  function setSession(reply: FastifyReply, token: string) {
    reply.clearCookie(PENDING_COOKIE, { path: '/' });
    reply.setCookie(SESSION_COOKIE, token, { ...cookieOptions, maxAge: ABSOLUTE_TIMEOUT_HOURS * 3600 });
  }

  async function auditSignIn(requestId: string, user: UserRow | undefined, outcome: 'succeeded' | 'failed' | 'denied', step: string) {
    const ctx: RequestContext = user
      ? { actor: { kind: 'user', userId: user.id, username: user.username, displayName: user.displayName, agencyId: user.agencyId, teamId: user.teamId, roles: [] }, correlationId: requestId }
      : { actor: { kind: 'system', process: 'sign-in' }, correlationId: requestId };
    await writeAudit(database.db, ctx, { action: 'sign-in', outcome, subjectType: 'user', ...(user ? { subjectId: user.id } : {}), details: { step } });
  }

  const signInLimit = { rateLimit: { max: 20, timeWindow: '1 minute' } };

  app.get('/sign-in', { config: publicRoute }, async (request, reply) => {
    if (request.requestContext) return reply.redirect('/', 303);
    return reply.render('sign-in/views/sign-in.njk', { title: 'Sign in', oidcDisplayName: request.server.oidcDisplayName });
  });

  app.post('/sign-in', { config: { ...publicRoute, ...signInLimit } }, async (request, reply) => {
    const parsed = credentials.safeParse(request.body ?? {});
    if (!parsed.success) {
      const errors = parsed.error.issues.map((i) => ({ text: i.message, href: `#${String(i.path[0])}` }));
      return reply.status(400).render('sign-in/views/sign-in.njk', {
        title: 'Sign in', errors, fieldErrors: Object.fromEntries(errors.map((e) => [e.href.slice(1), e.text])),
        username: (request.body as Record<string, string> | undefined)?.username ?? '',
      });
    }
    const outcome = await service.signInWithPassword(parsed.data.username, parsed.data.password);
    switch (outcome.kind) {
      case 'signed-in':
        await auditSignIn(request.id, outcome.user, 'succeeded', 'password');
        setSession(reply, outcome.sessionToken);
        return reply.redirect('/', 303);
      case 'second-factor-needed':
        await auditSignIn(request.id, outcome.user, 'succeeded', 'password (code needed)');
        reply.setCookie(PENDING_COOKIE, outcome.sessionToken, { ...cookieOptions, maxAge: 300 });
        return reply.redirect('/sign-in/code', 303);
      case 'locked':
        await auditSignIn(request.id, outcome.user, 'denied', 'locked');
        return reply.status(429).render('sign-in/views/sign-in.njk', {
          title: 'Sign in',
          errors: [{ text: `Too many failed attempts. Your account is locked for ${LOCKOUT_MINUTES} minutes. Contact your Kinsight administrator if you need access now.`, href: '#username' }],
          username: parsed.data.username,
        });
      case 'refused':
        await auditSignIn(request.id, outcome.user, 'failed', outcome.reason);
        // The same words whatever the reason, so usernames cannot be discovered.
        return reply.status(401).render('sign-in/views/sign-in.njk', {
          title: 'Sign in',
          errors: [{ text: 'Enter a correct username and password', href: '#username' }],
          fieldErrors: { username: 'Enter a correct username and password' },
          username: parsed.data.username,
        });
    }
  });

  app.get('/sign-in/code', { config: publicRoute }, async (request, reply) => {
    if (!request.cookies[PENDING_COOKIE]) return reply.redirect('/sign-in', 303);
    return reply.render('sign-in/views/code.njk', { title: 'Enter your security code' });
  });

  app.post('/sign-in/code', { config: { ...publicRoute, ...signInLimit } }, async (request, reply) => {
    const pending = request.cookies[PENDING_COOKIE];
    if (!pending) return reply.redirect('/sign-in', 303);
    const parsed = codeForm.safeParse(request.body ?? {});
    if (!parsed.success) {
      const text = parsed.error.issues[0]!.message;
      return reply.status(400).render('sign-in/views/code.njk', {
        title: 'Enter your security code', errors: [{ text, href: '#code' }], fieldErrors: { code: text },
      });
    }
    const outcome = await service.completeSecondFactor(pending, parsed.data.code);
    switch (outcome.kind) {
      case 'signed-in':
        await auditSignIn(request.id, outcome.user, 'succeeded', 'code');
        setSession(reply, outcome.sessionToken);
        return reply.redirect('/', 303);
      case 'wrong-code': {
        await auditSignIn(request.id, outcome.user, 'failed', 'wrong code');
        const text = 'The code is not correct or has expired: enter the current code from your authenticator app';
        return reply.status(401).render('sign-in/views/code.njk', {
          title: 'Enter your security code', errors: [{ text, href: '#code' }], fieldErrors: { code: text },
        });
      }
      case 'locked':
        await auditSignIn(request.id, outcome.user, 'denied', 'locked');
        reply.clearCookie(PENDING_COOKIE, { path: '/' });
        return reply.status(429).render('sign-in/views/sign-in.njk', {
          title: 'Sign in',
          errors: [{ text: `Too many failed attempts. Your account is locked for ${LOCKOUT_MINUTES} minutes.`, href: '#username' }],
        });
      case 'expired':
        reply.clearCookie(PENDING_COOKIE, { path: '/' });
        return reply.redirect('/sign-in', 303);
    }
  });

  app.post('/sign-out', { config: signedIn }, async (request, reply) => {
    if (request.sessionToken) await service.signOut(request.sessionToken);
    if (request.requestContext) {
      await writeAudit(database.db, request.requestContext, { action: 'sign-out', outcome: 'succeeded', subjectType: 'user' });
    }
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/signed-out', 303);
  });

  app.get(CHANGE_PASSWORD_PATH, { config: signedIn }, async (request, reply) =>
    reply.render('sign-in/views/change-password.njk', {
      title: 'Change your password', minLength: MIN_PASSWORD_LENGTH,
      temporary: request.mustChangePassword === true, changed: (request.query as Record<string, string>).changed === '1',
    }),
  );

  app.post(CHANGE_PASSWORD_PATH, { config: { ...signedIn, ...signInLimit } }, async (request, reply) => {
    const ctx = request.requestContext;
    if (!ctx || ctx.actor.kind !== 'user') return reply.redirect('/sign-in', 303);
    const again = (status: number, errors: { text: string; href: string }[]) =>
      reply.status(status).render('sign-in/views/change-password.njk', {
        title: 'Change your password', minLength: MIN_PASSWORD_LENGTH, temporary: request.mustChangePassword === true,
        errors, fieldErrors: Object.fromEntries(errors.map((e) => [e.href.slice(1), e.text])),
      });
    const parsed = passwordForm.safeParse(request.body ?? {});
    if (!parsed.success) return again(400, parsed.error.issues.map((i) => ({ text: i.message, href: `#${String(i.path[0])}` })));
    const outcome = await service.changePassword(ctx.actor.userId, parsed.data.current, parsed.data.next);
    await writeAudit(database.db, ctx, {
      action: 'administer', outcome: outcome.kind === 'changed' ? 'succeeded' : 'failed', subjectType: 'user', subjectId: ctx.actor.userId,
      details: { change: 'own-password', result: outcome.kind },
    });
    switch (outcome.kind) {
      case 'changed':
        return reply.redirect(`${CHANGE_PASSWORD_PATH}?changed=1`, 303);
      case 'wrong-current':
        return again(400, [{ text: 'Your current password is not right', href: '#current' }]);
      case 'locked':
        if (request.sessionToken) await service.signOut(request.sessionToken, 'locked');
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.redirect('/sign-in', 303);
      case 'too-short':
        return again(400, [{ text: `Enter a new password of at least ${MIN_PASSWORD_LENGTH} characters`, href: '#next' }]);
      case 'same-as-current':
        return again(400, [{ text: 'Choose a password different from your current one', href: '#next' }]);
      case 'no-local-password':
        return again(400, [{ text: 'You sign in through your organisation’s account, so your password is changed there', href: '#current' }]);
    }
  });

  app.get('/signed-out', { config: publicRoute }, async (_request, reply) =>
    reply.render('sign-in/views/signed-out.njk', { title: 'You have signed out' }),
  );
};
