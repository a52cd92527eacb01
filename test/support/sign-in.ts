import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { generate } from 'otplib';
import { DEMO_PASSWORD, demoUsers } from '../../src/features/demo/demo-partnership.ts';
import type { Clock } from '../../src/platform/clock.ts';

/** A cookie jar for app.inject: keeps what the app sets, sends it back. */
export class Browserless {
  cookies = new Map<string, string>();
  constructor(private readonly app: FastifyInstance) {}

  private remember(res: LightMyRequestResponse) {
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const cleared = c.value === '' || c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now());
      if (cleared) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
  }

  async get(url: string) {
    const res = await this.app.inject({ method: 'GET', url, cookies: Object.fromEntries(this.cookies) });
    this.remember(res);
    return res;
  }

  /** Post a form, with the CSRF token from the page it came from unless told otherwise. */
  async post(url: string, form: Record<string, string>, options: { csrfFrom?: string; csrf?: string | null } = {}) {
    let token = options.csrf;
    if (token === undefined) token = csrfTokenIn((await this.get(options.csrfFrom ?? url)).body);
    const body = new URLSearchParams({ ...form, ...(token ? { _csrf: token } : {}) }).toString();
    const res = await this.app.inject({
      method: 'POST', url, payload: body, headers: { 'content-type': 'application/x-www-form-urlencoded' },
      cookies: Object.fromEntries(this.cookies),
    });
    this.remember(res);
    return res;
  }
}

export function csrfTokenIn(html: string): string | null {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? null;
}

/** The current one-time code for a demo user, at the app's clock. */
export async function demoCode(username: string, clock: Clock): Promise<string> {
  const user = demoUsers.find((u) => u.username === username);
  if (!user?.totpSecret) throw new Error(`${username} has no TOTP secret`);
  return generate({ secret: user.totpSecret, epoch: Math.floor(clock.now().getTime() / 1000) });
}

/** Sign a demo user in through the real forms; returns the jar holding the session. */
export async function signInAs(app: FastifyInstance, clock: Clock, username: string): Promise<Browserless> {
  const b = new Browserless(app);
  const first = await b.post('/sign-in', { username, password: DEMO_PASSWORD });
  if (first.headers.location === '/sign-in/code') {
    const second = await b.post('/sign-in/code', { code: await demoCode(username, clock) });
    if (second.headers.location !== '/') throw new Error(`sign-in code step failed: ${second.statusCode}`);
  } else if (first.headers.location !== '/') {
    throw new Error(`sign-in failed: ${first.statusCode}`);
  }
  return b;
}
