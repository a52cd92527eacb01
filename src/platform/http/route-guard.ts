import type { FastifyInstance, RouteOptions } from 'fastify';
import type { AccessRule } from './access-rule.ts';

/** Routes served by plugins (static files) that declare no rule of their own are public assets. */
const STATIC_PREFIXES = ['/govuk/', '/assets/', '/public/'];

/** Every route registered so far, with its rule: the access matrix test walks this. */
export interface RegisteredRoute {
  method: string;
  url: string;
  access: AccessRule;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: RegisteredRoute[];
  }
}

/** Refuse to register any route that does not declare who may use it. */
export function requireAccessRuleOnEveryRoute(app: FastifyInstance): void {
  const table: RegisteredRoute[] = [];
  app.decorate('routeTable', table);
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    let access = route.config?.access;
    if (!access && STATIC_PREFIXES.some((p) => route.url.startsWith(p))) access = { kind: 'public' };
    if (!access) {
      throw new Error(`Route ${methods.join(',')} ${route.url} declares no access rule (config.access)`);
    }
    for (const method of methods) {
      if (method === 'HEAD') continue;
      table.push({ method, url: route.url, access });
    }
  });
}
