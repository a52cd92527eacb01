import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import rateLimit from '@fastify/rate-limit';
import type { RequestContext } from '../access/context.ts';
import type { Clock } from '../clock.ts';
import type { AccessRule } from './access-rule.ts';

export const SESSION_COOKIE = 'kinsight_session';
/** Where someone signed in with a temporary password is sent until they choose their own. */
export const CHANGE_PASSWORD_PATH = '/account/password';

/** What the authentication layer needs from the sign-in and API-client features. */
export interface Authenticators {
  /** The signed-in user a session cookie names, or null. */
  resolveSession(token: string): Promise<{
    context: RequestContext;
    stage: 'password-verified' | 'signed-in';
    agencyName: string;
    mustChangePassword: boolean;
  } | null>;
  /** The partner agency's system an API key names, or null. */
  resolveApiKey(key: string): Promise<{ clientId: string; agencyId: string; scopes: string[] } | null>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking, once authenticated: carried into every service call. */
    requestContext?: RequestContext;
    sessionToken?: string;
    sessionStage?: 'password-verified' | 'signed-in';
    /** Signed in with a temporary password: pages send the user to choose their own first. */
    mustChangePassword?: boolean;
    apiClient?: { clientId: string; agencyId: string; scopes: string[] };
  }
}

/** The main menu, in order; an item shows only if its page exists and the user may open it. */
const MAIN_MENU = [
  { href: '/people/search', text: 'Find a person' },
  { href: '/flags', text: 'Flags' },
  { href: '/front-door', text: 'Front door' },
  { href: '/front-door/handoffs', text: 'Hand-offs' },
  { href: '/front-door/referrals', text: 'My referrals' },
  { href: '/front-door/review', text: 'Decision review' },
  { href: '/linkage/review', text: 'Record matching' },
  { href: '/access/break-glass', text: 'Break-glass review' },
  { href: '/access/users', text: 'Staff activity' },
  { href: '/admin/quarantine', text: 'Quarantine' },
  { href: '/admin/users', text: 'Staff accounts' },
];

function isApi(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/');
}

/**
 * The one place route access rules are enforced. Every route declared its rule
 * (route-guard.ts); here a request is let through only if it meets it. Records
 * are checked again where they are read (platform/access/person-access.ts).
 */
export async function registerAuthentication(
  app: FastifyInstance,
  auth: Authenticators,
  options: { production: boolean; sessionSecret: string; clock: Clock },
): Promise<void> {
  await app.register(cookie, { secret: options.sessionSecret });
  await app.register(csrf, {
    cookieKey: 'kinsight_csrf',
    cookieOpts: { signed: true, httpOnly: true, sameSite: 'lax', path: '/', secure: options.production },
    getToken: (request) => (request.body as Record<string, string> | undefined)?._csrf,
  });
  // Every API route gets a rate limit unless it sets its own (registered before
  // the rate-limit plugin so that its own onRoute hook sees the setting).
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/') && !route.config?.rateLimit) {
      route.config = { ...route.config, rateLimit: { max: 600, timeWindow: '1 minute' } } as typeof route.config;
    }
  });
  await app.register(rateLimit, {
    global: false,
    // Keyed by API client when there is one, else by address.
    keyGenerator: (request) => (request.headers['x-api-key'] ? String(request.headers['x-api-key']).slice(0, 16) : request.ip),
  });

  app.addHook('onRequest', async (request) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) {
      const session = await auth.resolveSession(token);
      if (session) {
        request.sessionToken = token;
        request.sessionStage = session.stage;
        request.mustChangePassword = session.mustChangePassword;
        if (session.stage === 'signed-in') {
          request.requestContext = { ...session.context, correlationId: request.id, now: options.clock.now() };
          const actor = session.context.actor;
          if (actor.kind === 'user') {
            request.pageLocals = {
              ...request.pageLocals,
              signedInUser: { displayName: actor.displayName, agencyName: session.agencyName, roles: actor.roles },
            };
          }
        }
      }
    }
    const key = request.headers['x-api-key'];
    if (typeof key === 'string' && isApi(request)) {
      const client = await auth.resolveApiKey(key);
      if (client) {
        request.apiClient = client;
        request.requestContext = {
          actor: { kind: 'api-client', clientId: client.clientId, agencyId: client.agencyId },
          correlationId: request.id,
          now: options.clock.now(),
        };
      }
    }
  });

  // Access first: someone not signed in is sent to sign in, not told their form expired.
  app.addHook('preHandler', async (request, reply) => {
    const rule: AccessRule | undefined = request.routeOptions.config?.access;
    if (!rule) return; // not-found handler and static files (checked at registration)
    if (await refuse(rule, request, reply)) return reply;
  });

  // A temporary password set by an administrator is changed before anything else is opened.
  app.addHook('preHandler', async (request, reply) => {
    if (!request.mustChangePassword || request.sessionStage !== 'signed-in' || isApi(request)) return;
    const rule: AccessRule | undefined = request.routeOptions.config?.access;
    if (!rule || rule.kind === 'public') return; // static files, the accessibility statement
    const path = request.url.split('?')[0] ?? '';
    if (path === CHANGE_PASSWORD_PATH || path === '/sign-out') return;
    return reply.redirect(CHANGE_PASSWORD_PATH, 303);
  });

  // CSRF: every state-changing form post carries the token; APIs use keys, not cookies.
  app.addHook('preHandler', async (request, reply) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(request.method) || isApi(request)) return;
    await new Promise<void>((resolve, reject) => {
      app.csrfProtection(request, reply, (error?: Error) => (error ? reject(error) : resolve()));
    });
  });

  // The main menu: each page that exists and that the user's roles may open
  // (worked out once per set of roles: the routes do not change once serving).
  const menus = new Map<string, typeof MAIN_MENU>();
  const menuFor = (roles: readonly string[]) => {
    const key = roles.join(' ');
    let menu = menus.get(key);
    if (!menu) {
      menu = MAIN_MENU.filter((item) => {
        const route = app.routeTable.find((r) => r.method === 'GET' && r.url === item.href);
        if (!route) return false;
        const rule = route.access;
        return rule.kind === 'signed-in' || (rule.kind === 'roles' && roles.some((r) => (rule.roles as readonly string[]).includes(r)));
      });
      menus.set(key, menu);
    }
    return menu;
  };
  app.addHook('preHandler', async (request) => {
    const actor = request.requestContext?.actor;
    if (isApi(request) || !actor || actor.kind !== 'user') return;
    const path = request.url.split('?')[0] ?? '';
    request.pageLocals = {
      ...request.pageLocals,
      navigation: menuFor(actor.roles)
        .map((item) => ({ href: item.href, text: item.text, active: path === item.href || path.startsWith(`${item.href}/`) })),
    };
  });

  // Every page can offer a form, including a form shown again with errors: give it the token.
  app.addHook('preHandler', async (request, reply) => {
    if (!isApi(request)) {
      request.pageLocals = { ...request.pageLocals, csrfToken: reply.generateCsrf() };
    }
  });
}

/** Answer for a request that does not meet its route's rule; true if it was refused. */
async function refuse(rule: AccessRule, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  switch (rule.kind) {
    case 'public':
      return false;
    case 'api-client':
      if (!request.apiClient) {
        await reply.status(401).type('application/problem+json').send({
          status: 401, title: 'A valid API key is required (x-api-key header)', correlationId: request.id,
        });
        return true;
      }
      // A key is scoped to what its agency may send.
      if (rule.scope && !request.apiClient.scopes.includes(rule.scope)) {
        await reply.status(403).type('application/problem+json').send({
          status: 403, title: `This API key does not have the ${rule.scope} scope`, correlationId: request.id,
        });
        return true;
      }
      return false;
    case 'signed-in':
    case 'roles': {
      const actor = request.requestContext?.actor;
      if (!actor || actor.kind !== 'user') {
        if (isApi(request)) {
          await reply.status(401).type('application/problem+json').send({ status: 401, title: 'Sign in required', correlationId: request.id });
        } else {
          await reply.redirect('/sign-in', 303);
        }
        return true;
      }
      if (rule.kind === 'roles' && !actor.roles.some((r) => rule.roles.includes(r))) {
        await reply.status(403).render('error.njk', {
          title: 'You do not have access to this page',
          paragraphs: ['Your role does not include this part of Kinsight. Ask your manager if you think it should.'],
        });
        return true;
      }
      return false;
    }
  }
}
