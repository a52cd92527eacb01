/**
 * Every route declares who may use it. A route registered without a rule stops
 * the application from starting (and fails the access matrix test), so nothing
 * is reachable by accident. The rules are enforced in one place (the access
 * plugin, issue 3); records are then checked again where they are read.
 */
export const ROLES = [
  'practitioner',
  'front-door-practitioner',
  'team-manager',
  'safeguarding-lead',
  'partnership-analyst',
  'system-administrator',
] as const;
export type Role = (typeof ROLES)[number];

export type AccessRule =
  /** Anyone, signed in or not: the home page, health checks, the accessibility statement. */
  | { kind: 'public' }
  /** Any signed-in user (the access check on each record still applies). */
  | { kind: 'signed-in' }
  /** Signed-in users holding at least one of these roles. */
  | { kind: 'roles'; roles: readonly Role[] }
  /** A partner agency's system, authenticated by its API key, holding this scope if one is named. */
  | { kind: 'api-client'; scope?: string };

export const publicRoute = { access: { kind: 'public' } satisfies AccessRule };
export const signedIn = { access: { kind: 'signed-in' } satisfies AccessRule };
export const apiClient = { access: { kind: 'api-client' } satisfies AccessRule };
/** A partner system's route that needs a scope on the key, e.g. 'events:write'. */
export function apiClientWith(scope: 'events:write' | 'fhir:write' | 'attendance:write') {
  return { access: { kind: 'api-client', scope } satisfies AccessRule };
}
export function withRoles(...roles: Role[]) {
  return { access: { kind: 'roles', roles } satisfies AccessRule };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: AccessRule;
  }
}
