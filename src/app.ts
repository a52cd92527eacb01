import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import type { Config } from './config.ts';
import type { Database } from './platform/db/database.ts';
import type { Logger } from './platform/log.ts';
import type { Clock } from './platform/clock.ts';
import { createViewEnvironment, govukFrontendRoot, renderPage } from './platform/http/views.ts';
import { registerErrorHandling } from './platform/http/error-handler.ts';
import { requireAccessRuleOnEveryRoute } from './platform/http/route-guard.ts';
import { registerAuthentication } from './platform/http/authentication.ts';
import { writeAudit } from './platform/audit/audit.ts';
import { pagesRoutes } from './features/pages/routes.ts';
import { ingestRoutes } from './features/ingest/routes.ts';
import { recordsRoutes } from './features/records/routes.ts';
import { chronologyRoutes } from './features/chronology/routes.ts';
import { signInRoutes } from './features/sign-in/routes.ts';
import { oidcSignInRoutes } from './features/sign-in/oidc-routes.ts';
import { signInService } from './features/sign-in/service.ts';
import { apiClientService } from './features/api-clients/service.ts';
import { accessReviewRoutes } from './features/access-review/routes.ts';
import { informationSharingRoutes } from './features/information-sharing/routes.ts';
import { healthRoutes } from './features/health/routes.ts';
import { linkageReviewRoutes } from './features/linkage-review/routes.ts';
import { flagsRoutes } from './features/flags/routes.ts';
import { frontDoorRoutes } from './features/front-door/routes.ts';
import { userAdminRoutes } from './features/user-admin/routes.ts';
import { teamAroundChildRoutes } from './features/team-around-child/routes.ts';

/** What the application is built from: hand-wired, no DI framework. */
export interface AppDependencies {
  config: Config;
  database: Database;
  logger: Logger;
  clock: Clock;
}

const projectRoot = path.resolve(import.meta.dirname, '..');
const REQUEST_ID = /^[A-Za-z0-9-]{8,64}$/;

/** Compose Kinsight: platform plugins first, then each feature's routes. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    trustProxy: deps.config.trustProxy,
    bodyLimit: 5 * 1024 * 1024,
    // Accept a caller's correlation id only when it is shaped like one.
    genReqId: (req) => {
      const offered = req.headers['x-request-id'];
      return typeof offered === 'string' && REQUEST_ID.test(offered) ? offered : randomUUID();
    },
  });

  requireAccessRuleOnEveryRoute(app);

  await app.register(helmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        upgradeInsecureRequests: deps.config.environment === 'production' ? [] : null,
      },
    },
    strictTransportSecurity: deps.config.environment === 'production',
    referrerPolicy: { policy: 'no-referrer' },
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-correlation-id', request.id);
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });

  await app.register(formbody);

  const views = createViewEnvironment();
  const globals = { partnershipName: deps.config.partnershipName };
  app.decorateReply('render', function (template: string, context?: Record<string, unknown>) {
    return renderPage(views, this, template, globals, context);
  });

  const staticOptions = { decorateReply: false, cacheControl: true, maxAge: '1h', immutable: false };
  await app.register(fastifyStatic, {
    root: path.join(govukFrontendRoot, 'govuk'),
    prefix: '/govuk/',
    allowedPath: (p) => /^\/(govuk-frontend\.min\.(css|js)|assets\/)/.test(p),
    ...staticOptions,
  });
  await app.register(fastifyStatic, {
    root: path.join(govukFrontendRoot, 'govuk', 'assets'),
    prefix: '/assets/',
    ...staticOptions,
  });
  await app.register(fastifyStatic, { root: path.join(projectRoot, 'public'), prefix: '/public/', ...staticOptions });

  registerErrorHandling(app, {
    auditDenied: (denied) =>
      writeAudit(deps.database.db, denied.context, {
        action: 'read', outcome: 'denied', subjectType: 'person', subjectId: denied.personId, personId: denied.personId,
      }),
  });

  const production = deps.config.environment === 'production';
  const signIn = signInService(deps.database.db, deps.clock, { production });
  const apiClients = apiClientService(deps.database.db);
  await registerAuthentication(
    app,
    {
      resolveSession: async (token) => {
        const session = await signIn.resolveSession(token);
        if (!session) return null;
        return { context: { actor: session.actor, correlationId: '' }, stage: session.stage, agencyName: session.agencyName, mustChangePassword: session.mustChangePassword };
      },
      resolveApiKey: (key) => apiClients.resolveKey(key),
    },
    { production, sessionSecret: deps.config.sessionSecret, clock: deps.clock },
  );

  await app.register(healthRoutes, { database: deps.database });
  await app.register(pagesRoutes);
  await app.register(ingestRoutes, { database: deps.database, clock: deps.clock });
  await app.register(recordsRoutes, { database: deps.database, clock: deps.clock });
  await app.register(chronologyRoutes, { database: deps.database, clock: deps.clock });
  await app.register(signInRoutes, { service: signIn, database: deps.database, production });
  if (deps.config.oidc) await app.register(oidcSignInRoutes, { oidc: deps.config.oidc, service: signIn, database: deps.database, clock: deps.clock, production });
  await app.register(accessReviewRoutes, { database: deps.database, clock: deps.clock });
  await app.register(informationSharingRoutes, { database: deps.database, clock: deps.clock });
  await app.register(linkageReviewRoutes, { database: deps.database, clock: deps.clock });
  await app.register(flagsRoutes, { database: deps.database, clock: deps.clock });
  await app.register(frontDoorRoutes, { database: deps.database, clock: deps.clock });
  await app.register(userAdminRoutes, { database: deps.database, clock: deps.clock });
  await app.register(teamAroundChildRoutes, { database: deps.database, clock: deps.clock });

  return app;
}
