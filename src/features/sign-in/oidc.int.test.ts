import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { Command } from 'commander';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { seedDemoPartnership } from '../demo/seed.ts';
import { registerUsers } from '../../cli/users.ts';
import type { OidcConfig } from '../../config.ts';
import { signInService } from './service.ts';
import { OIDC_FLOW_COOKIE, OidcSignInError, clientAuthenticationFor, decodePendingSignIn, oidcRelyingParty } from './oidc.ts';

/**
 * OIDC sign-in against a real OpenID provider (oidc-provider, in this process,
 * over real HTTP on 127.0.0.1) and the real Kinsight app listening on another
 * port. The provider's own login and consent pages are driven with fetch.
 */

/** Cookies per host, as a browser would keep them (paths ignored: each server reads its own by name). */
class CookieJar {
  private readonly hosts = new Map<string, Map<string, string>>();

  private forHost(url: URL): Map<string, string> {
    let jar = this.hosts.get(url.host);
    if (!jar) this.hosts.set(url.host, (jar = new Map()));
    return jar;
  }

  header(url: URL): string {
    return [...this.forHost(url)].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  get(url: URL | string, name: string): string | undefined {
    return this.forHost(new URL(url)).get(name);
  }

  set(url: URL | string, name: string, value: string): void {
    this.forHost(new URL(url)).set(name, value);
  }

  remember(url: URL, response: Response): void {
    const jar = this.forHost(url);
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const expires = attributes.find((a) => /^expires=/i.test(a));
      const cleared = value === '' || attributes.some((a) => /^max-age=0$/i.test(a))
        || (expires !== undefined && new Date(expires.slice(8)).getTime() < Date.now());
      if (cleared) jar.delete(name);
      else jar.set(name, value);
    }
  }
}

/** One browser: fetch without following redirects, carrying cookies. */
class Browser {
  readonly jar = new CookieJar();

  async go(url: URL | string, form?: Record<string, string>): Promise<Response> {
    const target = new URL(url);
    const response = await fetch(target, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: this.jar.header(target),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    this.jar.remember(target, response);
    return response;
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const CLIENT_ID = 'kinsight-test';
const CLIENT_SECRET = 'a-client-secret-for-the-test-provider-only';

describe('signing in with an organisation account (OIDC)', () => {
  let t: TestApp;
  let providerServer: http.Server;
  let issuer: string;
  let kinsight: string;
  let oidc: OidcConfig;
  let linkedSubject: string;
  let denyNextSignIn = false;

  beforeAll(async () => {
    providerServer = http.createServer();
    await new Promise<void>((resolve) => providerServer.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(providerServer.address() as AddressInfo).port}`;
    kinsight = `http://127.0.0.1:${await freePort()}`;
    oidc = {
      issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: `${kinsight}/sign-in/oidc/callback`,
      scopes: 'openid profile email', displayName: 'Sign in with your Marlshire account',
    };

    const provider = new Provider(issuer, {
      clients: [{
        client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [oidc.redirectUri],
        token_endpoint_auth_method: 'client_secret_basic', grant_types: ['authorization_code'], response_types: ['code'],
      }],
      // Synthetic accounts: whatever login is typed at the provider becomes the subject.
      findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub, name: 'A Synthetic Person', email: 'synthetic@example.org' }) }),
      features: { devInteractions: { enabled: true } },
      pkce: { methods: ['S256'], required: () => true },
      cookies: { keys: ['oidc-provider-test-cookie-key-0123456789'] },
      jwks: { keys: [generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' })] },
      ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
      renderError: (ctx, out) => {
        ctx.type = 'json';
        ctx.body = out;
      },
    });
    // The provider's own login page can say no, as a person cancelling would.
    const handle = provider.callback();
    providerServer.on('request', (req, res) => {
      if (denyNextSignIn && req.url?.startsWith('/interaction/') && req.method === 'POST') {
        denyNextSignIn = false;
        void provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'cancelled' }, { mergeWithLastSubmission: false });
        return;
      }
      void handle(req, res);
    });

    t = await startTestApp({ oidc }, (app) => {
      app.get('/test/whoami', { config: { access: { kind: 'signed-in' } } }, async (request) => ({
        actor: request.requestContext?.actor,
      }));
    });
    await t.app.listen({ port: Number(new URL(kinsight).port), host: '127.0.0.1' });
    await seedDemoPartnership(t.database.db);

    linkedSubject = 'cis2-uid-555000000001';
    const linked = await signInService(t.database.db, t.clock, { production: false }).linkOidcSubject('front.door', linkedSubject);
    expect(linked.kind).toBe('linked');
  });

  afterAll(async () => {
    await t?.close();
    await new Promise<void>((resolve) => providerServer?.close(() => resolve()));
  });

  /** Start at Kinsight, sign in at the provider as `login`, and stop at the redirect back to Kinsight. */
  async function throughProvider(login: string): Promise<{ browser: Browser; callback: URL }> {
    const browser = new Browser();
    let response = await browser.go(`${kinsight}/sign-in/oidc`);
    expect(response.status).toBe(303);
    let location = new URL(response.headers.get('location')!, kinsight);
    expect(location.origin).toBe(issuer);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(browser.jar.get(kinsight, OIDC_FLOW_COOKIE)).toBeTruthy();

    for (let hop = 0; hop < 12; hop++) {
      if (location.href.startsWith(oidc.redirectUri)) return { browser, callback: location };
      response = await browser.go(location);
      if (response.status === 200) {
        // The provider's login or consent form.
        const page = await response.text();
        const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
        const prompt = /name="prompt" value="([^"]+)"/.exec(page)?.[1];
        if (!action || !prompt) throw new Error(`unexpected provider page: ${page.slice(0, 200)}`);
        response = await browser.go(new URL(action, location), prompt === 'login' ? { prompt, login, password: 'anything' } : { prompt });
      }
      const next = response.headers.get('location');
      if (!next) throw new Error(`the provider stopped with ${response.status}: ${(await response.text()).slice(0, 300)}`);
      location = new URL(next, location);
    }
    throw new Error('too many redirects at the provider');
  }

  async function auditRows(reason?: string) {
    const rows = await t.database.db.selectFrom('audit_event').selectAll().where('action', '=', 'sign-in').execute();
    return rows
      .map((r) => ({ ...r, details: (typeof r.details === 'string' ? JSON.parse(r.details) : r.details) as Record<string, unknown> }))
      .filter((r) => r.details.step === 'oidc' && (reason === undefined || r.details.reason === reason));
  }

  it('offers the organisation-account button on the sign-in page, in the configured words', async () => {
    const page = await new Browser().go(`${kinsight}/sign-in`);
    const html = await page.text();
    expect(html).toContain('Sign in with your Marlshire account');
    expect(html).toContain('href="/sign-in/oidc"');
  });

  it('signs a linked user in with a full session, without asking for a Kinsight code', async () => {
    const { browser, callback } = await throughProvider(linkedSubject);
    const back = await browser.go(callback);
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe('/');
    expect(browser.jar.get(kinsight, 'kinsight_session')).toBeTruthy();
    expect(browser.jar.get(kinsight, OIDC_FLOW_COOKIE)).toBeUndefined();
    const setCookie = back.headers.getSetCookie().find((c) => c.startsWith('kinsight_session='));
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);

    const me = await browser.go(`${kinsight}/test/whoami`);
    expect(me.status).toBe(200);
    expect(((await me.json()) as { actor: unknown }).actor).toMatchObject({ kind: 'user', username: 'front.door', roles: ['front-door-practitioner'] });

    const succeeded = (await auditRows()).filter((r) => r.outcome === 'succeeded');
    expect(succeeded).toHaveLength(1);
    expect(succeeded[0]!.details).toEqual({ step: 'oidc' });
  });

  it('refuses a subject no Kinsight account is linked to, shows it to its owner for linking, and audits it without it', async () => {
    const subject = 'unlinked-subject-7f3a';
    const { browser, callback } = await throughProvider(subject);
    const back = await browser.go(callback);
    expect(back.status).toBe(403);
    const page = await back.text();
    expect(page).toContain('not linked to Kinsight');
    expect(page).toContain(subject);
    expect(browser.jar.get(kinsight, 'kinsight_session')).toBeUndefined();

    const rows = await auditRows('unknown-subject');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.outcome).toBe('denied');
    expect(rows[0]!.actor_kind).toBe('system');
    expect(JSON.stringify(rows)).not.toContain(subject);
  });

  it('refuses a callback whose state was tampered with, before the code is exchanged', async () => {
    const { browser, callback } = await throughProvider(linkedSubject);
    const tampered = new URL(callback);
    tampered.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    const back = await browser.go(tampered);
    expect(back.status).toBe(400);
    expect(await back.text()).toContain('could not sign you in');
    expect(browser.jar.get(kinsight, 'kinsight_session')).toBeUndefined();
    const rows = await auditRows('invalid-response');
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.at(-1)!.outcome).toBe('denied');

    // The pending sign-in was used up: the genuine callback, replayed, does not work either.
    const replay = await browser.go(callback);
    expect(replay.status).toBe(400);
    expect(browser.jar.get(kinsight, 'kinsight_session')).toBeUndefined();
  });

  it('refuses a callback whose signed cookie was tampered with', async () => {
    const { browser, callback } = await throughProvider(linkedSubject);
    const cookie = browser.jar.get(kinsight, OIDC_FLOW_COOKIE)!;
    const flipped = cookie.slice(0, 5) + (cookie[5] === 'A' ? 'B' : 'A') + cookie.slice(6);
    browser.jar.set(kinsight, OIDC_FLOW_COOKIE, flipped);
    const back = await browser.go(callback);
    expect(back.status).toBe(400);
    expect(browser.jar.get(kinsight, 'kinsight_session')).toBeUndefined();
    expect((await auditRows('tampered-pending-sign-in')).length).toBe(1);
  });

  it('refuses a callback from a browser that never started a sign-in (login CSRF)', async () => {
    const { callback } = await throughProvider(linkedSubject);
    const stranger = new Browser();
    const back = await stranger.go(callback);
    expect(back.status).toBe(400);
    expect(stranger.jar.get(kinsight, 'kinsight_session')).toBeUndefined();
    expect((await auditRows('no-pending-sign-in')).length).toBeGreaterThanOrEqual(1);
  });

  it('refuses a sign-in that took longer than ten minutes at the provider', async () => {
    const { browser, callback } = await throughProvider(linkedSubject);
    t.clock.set(new Date(t.clock.now().getTime() + 11 * 60_000));
    const back = await browser.go(callback);
    expect(back.status).toBe(400);
    expect(await back.text()).toContain('Your sign-in has expired');
    expect((await auditRows('pending-sign-in-expired')).length).toBe(1);
  });

  it('says so, and audits the provider’s code, when the person does not sign in at the provider', async () => {
    denyNextSignIn = true;
    const { browser, callback } = await throughProvider(linkedSubject);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    const back = await browser.go(callback);
    expect(back.status).toBe(401);
    expect(await back.text()).toContain('You did not sign in');
    const rows = await auditRows('provider-refused');
    expect(rows.at(-1)!.details).toEqual({ step: 'oidc', reason: 'provider-refused', code: 'access_denied' });
  });

  it('refuses a linked account that is not active', async () => {
    const service = signInService(t.database.db, t.clock, { production: false });
    expect((await service.linkOidcSubject('ed.nurse', 'subject-of-a-leaver')).kind).toBe('linked');
    await t.database.db.updateTable('app_user').set({ active: false }).where('username', '=', 'ed.nurse').execute();
    const { browser, callback } = await throughProvider('subject-of-a-leaver');
    const back = await browser.go(callback);
    expect(back.status).toBe(403);
    expect(browser.jar.get(kinsight, 'kinsight_session')).toBeUndefined();
    expect((await auditRows('inactive')).at(-1)!.subject_id).toBeTruthy();
  });

  it('links an account from the command line, audited, and refuses to give one subject to two users', async () => {
    const output: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void output.push(line));
    const error = vi.spyOn(console, 'error').mockImplementation((line: string) => void output.push(line));
    const program = new Command().exitOverride();
    registerUsers(program, { open: async () => ({ database: t.database, production: false, close: async () => undefined }) });
    try {
      await program.parseAsync(['users', 'link-oidc', 'hv.practitioner', 'entra-pairwise-sub-1'], { from: 'user' });
      expect(output.join('\n')).toContain('hv.practitioner now signs in with that organisation account');
      await program.parseAsync(['users', 'link-oidc', 'analyst', 'entra-pairwise-sub-1'], { from: 'user' });
      expect(output.join('\n')).toContain('already linked to another user');
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = undefined;
      log.mockRestore();
      error.mockRestore();
    }
    const administered = await t.database.db.selectFrom('audit_event').selectAll().where('action', '=', 'administer').execute();
    expect(administered.some((r) => JSON.stringify(r.details).includes('link-oidc'))).toBe(true);

    const { browser, callback } = await throughProvider('entra-pairwise-sub-1');
    expect((await browser.go(callback)).status).toBe(303);
    const me = await browser.go(`${kinsight}/test/whoami`);
    expect(((await me.json()) as { actor: { username: string } }).actor.username).toBe('hv.practitioner');
  });
});

describe('the OIDC relying party on its own', () => {
  const config: OidcConfig = {
    issuer: 'http://127.0.0.1:9', clientId: 'c', clientSecret: 's', redirectUri: 'http://127.0.0.1:3000/sign-in/oidc/callback',
    scopes: 'openid', displayName: 'Sign in',
  };

  it('refuses a plain http issuer in production, even on this machine', () => {
    expect(() => oidcRelyingParty(config, { production: true })).toThrow(/https/);
  });

  it('reports an unreachable provider as unavailable, not as a crash', async () => {
    const error = await oidcRelyingParty(config, { production: false, timeoutSeconds: 2 }).start(new Date()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OidcSignInError);
    expect((error as OidcSignInError).reason).toBe('provider-unavailable');
  });

  it('authenticates to the token endpoint with client_secret_basic unless only client_secret_post is offered', () => {
    expect(clientAuthenticationFor(undefined)).toBe('client_secret_basic');
    expect(clientAuthenticationFor(['private_key_jwt', 'client_secret_basic'])).toBe('client_secret_basic');
    expect(clientAuthenticationFor(['client_secret_post', 'private_key_jwt'])).toBe('client_secret_post');
    expect(() => clientAuthenticationFor(['private_key_jwt'])).toThrow(OidcSignInError);
  });

  it('reads back only pending sign-ins shaped as Kinsight wrote them', () => {
    const good = `${'a'.repeat(43)}.${'b'.repeat(43)}.${'c'.repeat(43)}.1795000000000`;
    expect(decodePendingSignIn(good)).toEqual({ state: 'a'.repeat(43), nonce: 'b'.repeat(43), codeVerifier: 'c'.repeat(43), startedAt: 1795000000000 });
    expect(decodePendingSignIn(`${good}.extra`)).toBeNull();
    expect(decodePendingSignIn('not a pending sign-in')).toBeNull();
    expect(decodePendingSignIn(`${'a'.repeat(43)}.<script>.${'c'.repeat(43)}.1`)).toBeNull();
  });
});

describe('without OIDC configured', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('offers no organisation-account button and has no OIDC routes', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/sign-in' });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('/sign-in/oidc');
    expect((await t.app.inject({ method: 'GET', url: '/sign-in/oidc' })).statusCode).toBe(404);
  });
});
