import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { Browserless, signInAs } from '../support/sign-in.ts';
import { seedDemoPartnership } from '../../src/features/demo/seed.ts';
import { demoUsers } from '../../src/features/demo/demo-partnership.ts';
import type { RegisteredRoute } from '../../src/platform/http/route-guard.ts';
import type { AccessRule } from '../../src/platform/http/access-rule.ts';

/**
 * The access matrix: every route the application registers, tried by every demo
 * role and by someone not signed in. Generated from the route table, so a new
 * route is covered the day it is added (and cannot be added without a rule).
 */
type Verdict = 'let-through' | 'sign-in-required' | 'forbidden' | 'key-required';

function expected(rule: AccessRule, roles: readonly string[] | null): Verdict {
  switch (rule.kind) {
    case 'public':
      return 'let-through';
    case 'api-client':
      return 'key-required';
    case 'signed-in':
      return roles ? 'let-through' : 'sign-in-required';
    case 'roles':
      if (!roles) return 'sign-in-required';
      return roles.some((r) => (rule.roles as readonly string[]).includes(r)) ? 'let-through' : 'forbidden';
  }
}

function observed(status: number, location: string | undefined, rule: AccessRule): Verdict {
  // An API answers 401 rather than redirecting: for a user route that means "sign in".
  if (status === 401) return rule.kind === 'api-client' ? 'key-required' : 'sign-in-required';
  if (status === 303 && location === '/sign-in') return 'sign-in-required';
  if (status === 403) return 'forbidden';
  return 'let-through';
}

function concrete(url: string): string {
  return url
    .replace(':personId', 'p_1')
    .replace(':grantId', 'bg_1')
    .replace(':userId', '00000000-0000-0000-0000-000000000000')
    .replace(/:[A-Za-z]+/g, 'x');
}

describe('the access matrix', () => {
  let t: TestApp;
  const jars = new Map<string, Browserless>();
  let routes: RegisteredRoute[];

  beforeAll(async () => {
    t = await startTestApp();
    await seedDemoPartnership(t.database.db);
    jars.set('(not signed in)', new Browserless(t.app));
    for (const u of demoUsers) jars.set(u.username, await signInAs(t.app, t.clock, u.username));
    // Signing out last, so it does not end the sessions the other routes need.
    routes = t.app.routeTable
      .filter((r) => !r.url.includes('*'))
      .sort((a, b) => Number(a.url === '/sign-out') - Number(b.url === '/sign-out'));
  }, 120_000);
  afterAll(async () => t.close());

  it('covers every route the application serves', () => {
    expect(routes.length).toBeGreaterThan(10);
    for (const path of ['/', '/sign-in', '/health', '/people/:personId/break-glass', '/access/break-glass']) {
      expect(routes.map((r) => r.url)).toContain(path);
    }
  });

  it('lets each role through exactly where its route rule says, and nowhere else', async () => {
    const mismatches: string[] = [];
    for (const route of routes) {
      const url = concrete(route.url);
      const api = url.startsWith('/api/');
      for (const [who, jar] of jars) {
        const roles = who === '(not signed in)' ? null : demoUsers.find((u) => u.username === who)!.roles;
        const res =
          route.method === 'GET'
            ? await jar.get(url)
            : api
              ? await t.app.inject({ method: route.method as 'POST', url, payload: {}, cookies: Object.fromEntries(jar.cookies) })
              : await jar.post(url, {}, { csrfFrom: roles ? '/' : '/sign-in' });
        const want = expected(route.access, roles);
        let got = observed(res.statusCode, res.headers.location as string | undefined, route.access);
        // A public page may itself send you to sign in (e.g. the code step with no sign-in under way).
        if (route.access.kind === 'public' && got === 'sign-in-required') got = 'let-through';
        if (want !== got) mismatches.push(`${route.method} ${route.url} as ${who}: expected ${want}, got ${got} (${res.statusCode})`);
      }
    }
    expect(mismatches).toEqual([]);
  }, 120_000);
});
