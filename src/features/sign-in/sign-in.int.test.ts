import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { Browserless, demoCode, signInAs } from '../../../test/support/sign-in.ts';
import { seedDemoPartnership } from '../demo/seed.ts';
import { DEMO_PASSWORD } from '../demo/demo-partnership.ts';
import { IDLE_TIMEOUT_MINUTES, MAX_FAILED_SIGN_INS } from './service.ts';

describe('signing in', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, (app) => {
      app.get('/test/whoami', { config: { access: { kind: 'signed-in' } } }, async (request) => ({
        actor: request.requestContext?.actor,
      }));
    });
    await seedDemoPartnership(t.database.db);
  });
  afterAll(async () => t.close());

  it('asks for a one-time code after the password, then signs in with a new session id', async () => {
    const b = new Browserless(t.app);
    const first = await b.post('/sign-in', { username: 'front.door', password: DEMO_PASSWORD });
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/sign-in/code');
    expect(b.cookies.has('kinsight_session')).toBe(false);
    const pending = b.cookies.get('kinsight_pending');
    expect(pending).toBeTruthy();

    const second = await b.post('/sign-in/code', { code: await demoCode('front.door', t.clock) });
    expect(second.headers.location).toBe('/');
    const session = b.cookies.get('kinsight_session');
    expect(session).toBeTruthy();
    expect(session).not.toBe(pending);
    expect(b.cookies.has('kinsight_pending')).toBe(false);

    const me = await b.get('/test/whoami');
    expect(me.json().actor).toMatchObject({ kind: 'user', username: 'front.door', roles: ['front-door-practitioner'] });
  });

  it('sets the session cookie HTTP-only and same-site', async () => {
    const b = await signInAs(t.app, t.clock, 'hv.practitioner');
    const res = await b.post('/sign-in/code', { code: '000000' }, { csrf: null });
    expect(res.statusCode).toBe(403); // no CSRF token
    const login = await new Browserless(t.app).post('/sign-in', { username: 'analyst', password: DEMO_PASSWORD });
    const cookie = ([] as string[]).concat(login.headers['set-cookie'] ?? []).find((c) => c.startsWith('kinsight_session='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
  });

  it('lets a role without personal data sign in with a password alone', async () => {
    const b = new Browserless(t.app);
    const res = await b.post('/sign-in', { username: 'analyst', password: DEMO_PASSWORD });
    expect(res.headers.location).toBe('/');
    expect((await b.get('/test/whoami')).json().actor.roles).toEqual(['partnership-analyst']);
  });

  it('refuses a wrong password with the same words as an unknown user', async () => {
    const wrong = await new Browserless(t.app).post('/sign-in', { username: 'admin', password: 'not-it' });
    const unknown = await new Browserless(t.app).post('/sign-in', { username: 'nobody', password: 'not-it' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.body).toContain('Enter a correct username and password');
    expect(unknown.body).toContain('Enter a correct username and password');
  });

  it(`locks the account after ${MAX_FAILED_SIGN_INS} failures, even against the right password`, async () => {
    for (let i = 0; i < MAX_FAILED_SIGN_INS - 1; i++) {
      const res = await new Browserless(t.app).post('/sign-in', { username: 'team.manager', password: 'wrong' });
      expect(res.statusCode).toBe(401);
    }
    const last = await new Browserless(t.app).post('/sign-in', { username: 'team.manager', password: 'wrong' });
    expect(last.statusCode).toBe(429);
    expect(last.body).toContain('locked');
    const right = await new Browserless(t.app).post('/sign-in', { username: 'team.manager', password: DEMO_PASSWORD });
    expect(right.statusCode).toBe(429);
    t.clock.set(new Date(t.clock.now().getTime() + 16 * 60_000));
    const later = await new Browserless(t.app).post('/sign-in', { username: 'team.manager', password: DEMO_PASSWORD });
    expect(later.headers.location).toBe('/sign-in/code');
  });

  it('rejects a form posted without its CSRF token', async () => {
    const res = await new Browserless(t.app).post('/sign-in', { username: 'analyst', password: DEMO_PASSWORD }, { csrf: null });
    expect(res.statusCode).toBe(403);
    const forged = await new Browserless(t.app).post('/sign-in', { username: 'analyst', password: DEMO_PASSWORD }, { csrf: 'forged-token' });
    expect(forged.statusCode).toBe(403);
  });

  it(`ends a session after ${IDLE_TIMEOUT_MINUTES} idle minutes`, async () => {
    const b = await signInAs(t.app, t.clock, 'safeguarding.lead');
    expect((await b.get('/test/whoami')).statusCode).toBe(200);
    t.clock.set(new Date(t.clock.now().getTime() + (IDLE_TIMEOUT_MINUTES - 1) * 60_000));
    expect((await b.get('/test/whoami')).statusCode).toBe(200);
    t.clock.set(new Date(t.clock.now().getTime() + (IDLE_TIMEOUT_MINUTES + 1) * 60_000));
    const after = await b.get('/test/whoami');
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toBe('/sign-in');
  });

  it('ends a session at the absolute timeout however active it is', async () => {
    const b = await signInAs(t.app, t.clock, 'hv.practitioner');
    for (let hour = 0; hour < 11; hour++) {
      t.clock.set(new Date(t.clock.now().getTime() + 25 * 60_000));
      await b.get('/test/whoami');
      t.clock.set(new Date(t.clock.now().getTime() + 25 * 60_000));
    }
    expect((await b.get('/test/whoami')).statusCode).toBe(303);
  });

  it('signs out: the old session cookie no longer works', async () => {
    const b = await signInAs(t.app, t.clock, 'hv.practitioner');
    const token = b.cookies.get('kinsight_session')!;
    const out = await b.post('/sign-out', {}, { csrfFrom: '/' });
    expect(out.headers.location).toBe('/signed-out');
    const replay = await t.app.inject({ method: 'GET', url: '/test/whoami', cookies: { kinsight_session: token } });
    expect(replay.statusCode).toBe(303);
  });

  it('audits successful and failed sign-ins without recording the password', async () => {
    const rows = await t.database.db.selectFrom('audit_event').selectAll().where('action', '=', 'sign-in').execute();
    expect(rows.some((r) => r.outcome === 'succeeded')).toBe(true);
    expect(rows.some((r) => r.outcome === 'failed')).toBe(true);
    expect(rows.some((r) => r.outcome === 'denied')).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(DEMO_PASSWORD);
  });

  it('shows each role only the menu items it may open', async () => {
    const lead = await signInAs(t.app, t.clock, 'safeguarding.lead');
    const leadMenu = (await lead.get('/')).body;
    expect(leadMenu).toContain('href="/access/break-glass"');
    expect(leadMenu).toContain('href="/people/search"');
    const analyst = await signInAs(t.app, t.clock, 'analyst');
    const analystMenu = (await analyst.get('/')).body;
    expect(analystMenu).not.toContain('href="/access/break-glass"');
    expect(analystMenu).not.toContain('href="/admin/quarantine"');
  });

  it('refuses demo accounts in production', async () => {
    const prod = await startTestApp({ environment: 'production' });
    await seedDemoPartnership(prod.database.db);
    const res = await new Browserless(prod.app).post('/sign-in', { username: 'analyst', password: DEMO_PASSWORD });
    await prod.close();
    expect(res.statusCode).toBe(401);
  });
});
