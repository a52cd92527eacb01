import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { publicRoute } from '../../platform/http/access-rule.ts';
import { SESSION_COOKIE } from '../../platform/http/authentication.ts';
import { writeAudit } from '../../platform/audit/audit.ts';
import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { RequestContext } from '../../platform/access/context.ts';
import type { OidcConfig } from '../../config.ts';
import { ABSOLUTE_TIMEOUT_HOURS, type SignInService } from './service.ts';
import type { UserRow } from './repository.ts';
import {
  OIDC_FLOW_COOKIE, OIDC_FLOW_SECONDS, OidcSignInError, decodePendingSignIn, encodePendingSignIn, oidcRelyingParty,
  type PendingOidcSignIn,
} from './oidc.ts';

type Outcome = 'succeeded' | 'failed' | 'denied';

declare module 'fastify' {
  interface FastifyInstance {
    /** Set when OIDC sign-in is configured: the words on the sign-in page's button. */
    oidcDisplayName?: string;
  }
}

/**
 * Sign in with the organisation's identity provider: GET /sign-in/oidc sends
 * the browser there; GET /sign-in/oidc/callback checks what comes back and
 * opens a session for the linked Kinsight account. Registered only when OIDC
 * is configured. Every outcome is audited, with codes and never claims.
 * Not encapsulated (below), so the sign-in page can offer the button.
 */
export const oidcSignInRoutes: FastifyPluginAsync<{
  oidc: OidcConfig;
  service: SignInService;
  database: Database;
  clock: Clock;
  production: boolean;
}> = async (app, { oidc, service, database, clock, production }) => {
  const relyingParty = oidcRelyingParty(oidc, { production });
  app.decorate('oidcDisplayName', oidc.displayName);
  const flowCookie = { signed: true, httpOnly: true, sameSite: 'lax' as const, path: '/', maxAge: OIDC_FLOW_SECONDS, secure: production };
  const signInLimit = { rateLimit: { max: 20, timeWindow: '1 minute' } };

  async function audit(request: FastifyRequest, outcome: Outcome, details: Record<string, string>, user?: UserRow) {
    const ctx: RequestContext = user
      ? { actor: { kind: 'user', userId: user.id, username: user.username, displayName: user.displayName, agencyId: user.agencyId, teamId: user.teamId, roles: [] }, correlationId: request.id }
      : { actor: { kind: 'system', process: 'sign-in' }, correlationId: request.id };
    await writeAudit(database.db, ctx, {
      action: 'sign-in', outcome, subjectType: 'user', ...(user ? { subjectId: user.id } : {}), details: { step: 'oidc', ...details },
    });
  }

  function problem(reply: FastifyReply, status: number, title: string, paragraphs: string[]) {
    return reply.status(status).render('error.njk', { title, paragraphs });
  }

  const startAgain = 'Go back to the sign-in page and start again.';

  app.get('/sign-in/oidc', { config: { ...publicRoute, ...signInLimit } }, async (request, reply) => {
    if (request.requestContext) return reply.redirect('/', 303);
    let started: { authorizationUrl: URL; pending: PendingOidcSignIn };
    try {
      started = await relyingParty.start(clock.now());
    } catch (error) {
      const e = error instanceof OidcSignInError ? error : new OidcSignInError('provider-unavailable');
      request.log.warn({ reason: e.reason, code: e.code }, 'OIDC sign-in could not start');
      await audit(request, 'failed', { reason: e.reason, ...(e.code ? { code: e.code } : {}) });
      return problem(reply, 503, `${oidc.displayName} is not available at the moment`, [
        'Kinsight could not reach your organisation’s sign-in service. Try again in a few minutes, or sign in with your Kinsight username and password if you have them.',
      ]);
    }
    reply.setCookie(OIDC_FLOW_COOKIE, encodePendingSignIn(started.pending), flowCookie);
    return reply.redirect(started.authorizationUrl.href, 303);
  });

  app.get('/sign-in/oidc/callback', { config: { ...publicRoute, ...signInLimit } }, async (request, reply) => {
    // One use only, whatever happens next.
    const raw = request.cookies[OIDC_FLOW_COOKIE];
    reply.clearCookie(OIDC_FLOW_COOKIE, { path: '/' });

    const expired = () =>
      problem(reply, 400, 'Your sign-in has expired', [
        'Signing in with your organisation account took too long, or was started in another browser or tab.', startAgain,
      ]);
    if (!raw) {
      await audit(request, 'failed', { reason: 'no-pending-sign-in' });
      return expired();
    }
    const unsigned = request.unsignCookie(raw);
    const pending = unsigned.valid && unsigned.value !== null ? decodePendingSignIn(unsigned.value) : null;
    if (!pending) {
      await audit(request, 'denied', { reason: 'tampered-pending-sign-in' });
      return expired();
    }
    const age = clock.now().getTime() - pending.startedAt;
    if (age < 0 || age > OIDC_FLOW_SECONDS * 1000) {
      await audit(request, 'failed', { reason: 'pending-sign-in-expired' });
      return expired();
    }

    const query = request.raw.url?.split('?')[1] ?? '';
    let subject: string;
    try {
      ({ subject } = await relyingParty.finish(query, pending));
    } catch (error) {
      const e = error instanceof OidcSignInError ? error : new OidcSignInError('provider-unavailable');
      request.log.warn({ reason: e.reason, code: e.code }, 'OIDC sign-in refused');
      await audit(request, e.reason === 'provider-unavailable' ? 'failed' : 'denied', { reason: e.reason, ...(e.code ? { code: e.code } : {}) });
      if (e.reason === 'provider-refused' && e.code === 'access_denied') {
        return problem(reply, 401, 'You did not sign in', ['Your organisation’s sign-in service did not sign you in.', startAgain]);
      }
      if (e.reason === 'provider-unavailable') {
        return problem(reply, 503, `${oidc.displayName} is not available at the moment`, [
          'Kinsight could not complete your sign-in with your organisation’s sign-in service. Try again in a few minutes.',
        ]);
      }
      return problem(reply, 400, 'Kinsight could not sign you in', [
        'The answer from your organisation’s sign-in service could not be checked, so Kinsight did not sign you in.', startAgain,
      ]);
    }

    const outcome = await service.signInWithOidcSubject(subject);
    if (outcome.kind === 'refused') {
      await audit(request, 'denied', { reason: outcome.reason }, outcome.user);
      if (outcome.reason === 'unknown-subject') {
        // Shown to the person who just proved it is theirs, so an administrator can link it. Never logged or audited.
        return problem(reply, 403, 'Your organisation account is not linked to Kinsight', [
          'Your organisation’s sign-in service recognised you, but no Kinsight account is linked to your organisation account.',
          'Ask your Kinsight administrator to link your account. Give them this identifier for your organisation account:',
          subject,
        ]);
      }
      if (outcome.reason === 'locked') {
        return problem(reply, 429, 'Your Kinsight account is locked', [
          'There were too many failed attempts to sign in to your Kinsight account. Try again later, or contact your Kinsight administrator if you need access now.',
        ]);
      }
      return problem(reply, 403, 'Your Kinsight account cannot be used', [
        'Your Kinsight account is not active. Contact your Kinsight administrator.',
      ]);
    }

    await audit(request, 'succeeded', {}, outcome.user);
    // Whatever session this browser had before is ended, not carried over.
    if (request.sessionToken) await service.signOut(request.sessionToken, 'replaced-by-oidc-sign-in');
    reply.setCookie(SESSION_COOKIE, outcome.sessionToken, {
      httpOnly: true, sameSite: 'lax', secure: production, path: '/', maxAge: ABSOLUTE_TIMEOUT_HOURS * 3600,
    });
    return reply.redirect('/', 303);
  });
};
// Like fastify-plugin: the decoration above is visible to the sign-in page's route.
Object.assign(oidcSignInRoutes, { [Symbol.for('skip-override')]: true });
