import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { expectedEngine } from '../../../test/support/database.ts';
import { Browserless, signInAs } from '../../../test/support/sign-in.ts';
import { seedDemoPartnership } from '../demo/seed.ts';

/** The temporary password and security-code secret on a handover page. */
function handoverIn(html: string) {
  const secrets = [...html.matchAll(/<code class="app-secret">([^<]+)<\/code>/g)].map((m) => m[1]!);
  return { password: secrets[0]!, totpSecret: secrets[1] };
}

describe(`staff accounts, managed by the system administrator (${expectedEngine})`, () => {
  let t: TestApp;
  let admin: Browserless;
  beforeAll(async () => {
    t = await startTestApp({});
    await seedDemoPartnership(t.database.db);
    admin = await signInAs(t.app, t.clock, 'admin');
  });
  afterAll(async () => t?.close());

  const agencyOf = async (username: string) =>
    (await t.database.db.selectFrom('app_user').select(['agency_id', 'team_id']).where('username', '=', username).executeTakeFirstOrThrow());

  it('lists the accounts for an administrator and for no one else', async () => {
    const list = await admin.get('/admin/users');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('front.door');
    expect(list.body).toContain('href="/admin/users/new"');
    const practitioner = await signInAs(t.app, t.clock, 'hv.practitioner');
    expect((await practitioner.get('/admin/users')).statusCode).toBe(403);
  });

  it('says what is wrong with a bad form, field by field, and creates nothing', async () => {
    const before = await t.database.db.selectFrom('app_user').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const res = await admin.post('/admin/users/new', { username: 'x', displayName: '', agencyId: '' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('There is a problem');
    expect(res.body).toContain('Enter a username of 3 to 64');
    expect(res.body).toContain('Enter the person’s full name');
    expect(res.body).toContain('Select at least one role');
    const taken = await admin.post('/admin/users/new', { username: 'front.door', displayName: 'Another Person', agencyId: (await agencyOf('front.door')).agency_id, roles: 'practitioner' });
    expect(taken.statusCode).toBe(400);
    expect(taken.body).toContain('That username is already in use');
    const after = await t.database.db.selectFrom('app_user').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('creates an account whose holder signs in with the handed-over details and must choose a password first', async () => {
    const { agency_id, team_id } = await agencyOf('front.door');
    const created = await admin.post('/admin/users/new', {
      username: 'Robin.Ashdown', displayName: 'Robin Ashdown', agencyId: agency_id, teamId: team_id ?? '', roles: 'front-door-practitioner',
    });
    expect(created.statusCode).toBe(200);
    expect(created.headers['cache-control']).toBe('no-store');
    const { password, totpSecret } = handoverIn(created.body);
    expect(password).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(totpSecret).toBeTruthy();
    const row = await t.database.db.selectFrom('app_user').selectAll().where('username', '=', 'robin.ashdown').executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.must_change_password).toBe(true);
    expect(row.roles).toEqual(['front-door-practitioner']);

    const robin = new Browserless(t.app);
    expect((await robin.post('/sign-in', { username: 'robin.ashdown', password })).headers.location).toBe('/sign-in/code');
    const code = await generate({ secret: totpSecret!, epoch: Math.floor(t.clock.now().getTime() / 1000) });
    expect((await robin.post('/sign-in/code', { code })).headers.location).toBe('/');
    // Every page sends them to choose a password until they have.
    const home = await robin.get('/people/search');
    expect(home.statusCode).toBe(303);
    expect(home.headers.location).toBe('/account/password');
    const mismatch = await robin.post('/account/password', { current: password, next: 'juniper kettle orbit', confirm: 'juniper kettle orbits' });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.body).toContain('The new passwords do not match');
    const changed = await robin.post('/account/password', { current: password, next: 'juniper kettle orbit', confirm: 'juniper kettle orbit' });
    expect(changed.headers.location).toBe('/account/password?changed=1');
    expect((await robin.get('/people/search')).statusCode).toBe(200);
    const after = await t.database.db.selectFrom('app_user').select(['password_hash', 'must_change_password']).where('username', '=', 'robin.ashdown').executeTakeFirstOrThrow();
    expect(after.must_change_password).toBe(false);
    expect(after.password_hash).not.toBe(row.password_hash);
  });

  it('deactivates an account, ending its sessions at once, and reactivates it; never the administrator’s own', async () => {
    const ed = await signInAs(t.app, t.clock, 'ed.nurse');
    expect((await ed.get('/people/search')).statusCode).toBe(200);
    const { id } = await t.database.db.selectFrom('app_user').select('id').where('username', '=', 'ed.nurse').executeTakeFirstOrThrow();
    const off = await admin.post(`/admin/users/${id}/deactivate`, {}, { csrfFrom: `/admin/users/${id}` });
    expect(off.headers.location).toBe(`/admin/users/${id}`);
    expect((await ed.get('/people/search')).statusCode).toBe(303);
    expect((await admin.get(`/admin/users/${id}`)).body).toContain('Deactivated');
    await admin.post(`/admin/users/${id}/reactivate`, {}, { csrfFrom: `/admin/users/${id}` });
    expect((await signInAs(t.app, t.clock, 'ed.nurse').then((b) => b.get('/people/search'))).statusCode).toBe(200);

    const self = await t.database.db.selectFrom('app_user').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow();
    // The page offers no such button; the server refuses it all the same.
    const refused = await admin.post(`/admin/users/${self.id}/deactivate`, {}, { csrfFrom: '/admin/users/new' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('You cannot deactivate your own account');
  });

  it('audits every change with who made it, and never the temporary password', async () => {
    const rows = await t.database.db.selectFrom('audit_event').selectAll().where('action', '=', 'administer').execute();
    const changes = rows.map((r) => (r.details as { change?: string }).change);
    expect(changes).toEqual(expect.arrayContaining(['create', 'deactivate', 'reactivate', 'own-password']));
    expect(JSON.stringify(rows)).not.toMatch(/juniper|argon2/);
  });
});
