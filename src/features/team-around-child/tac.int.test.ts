import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { expectedEngine } from '../../../test/support/database.ts';
import { signInAs, type Browserless } from '../../../test/support/sign-in.ts';
import { systemContext } from '../../platform/access/context.ts';
import { seedDemoPartnership } from '../demo/seed.ts';
import { ingestBatch } from '../ingest/service.ts';
import { routeFor } from '../flags/service.ts';
import { flagsRepository } from '../flags/repository.ts';

describe(`the Team Around the Child gives its members access, and its lead practitioner the access log (${expectedEngine})`, () => {
  let t: TestApp;
  let child: string;
  let nurse: Browserless;
  let hv: Browserless;
  beforeAll(async () => {
    t = await startTestApp({});
    await seedDemoPartnership(t.database.db);
    await ingestBatch(t.database.db, systemContext('test', 'tac'), {
      records: [{ agency: 'marlshire-hospital', localId: 'ED-4411', kind: 'person', name: { given: ['Ellis'], family: 'Marchbank' }, birthDate: '2019-06-14' }],
    }, { clock: t.clock });
    child = (await t.database.db.selectFrom('person_link').select('person_id').executeTakeFirstOrThrow()).person_id;
    nurse = await signInAs(t.app, t.clock, 'ed.nurse');
    hv = await signInAs(t.app, t.clock, 'hv.practitioner');
  });
  afterAll(async () => t?.close());


  it('keeps a practitioner out of a child their agency has no relationship with', async () => {
    expect((await hv.get(`/people/${child}`)).statusCode).toBe(404);
  });

  it('says what is wrong with an addition, field by field', async () => {
    const noName = await nurse.post(`/people/${child}/team-around-child`, { agencyId: 'marlshire-hv', role: 'lead-practitioner' });
    expect(noName.statusCode).toBe(400);
    expect(noName.body).toContain('Name the lead practitioner: enter their username');
    const wrongAgency = await nurse.post(`/people/${child}/team-around-child`, { agencyId: 'marlshire-police', username: 'hv.practitioner', role: 'member' });
    expect(wrongAgency.body).toContain('Enter the username of an active practitioner in that agency');
    expect(await t.database.db.selectFrom('team_around_child_member').selectAll().execute()).toEqual([]);
  });

  it('lets a named lead practitioner from another agency see the child and who has looked at the record', async () => {
    const added = await nurse.post(`/people/${child}/team-around-child`, { agencyId: 'marlshire-hv', username: 'hv.practitioner', role: 'lead-practitioner' });
    expect(added.headers.location).toBe(`/people/${child}/team-around-child`);
    const team = await hv.get(`/people/${child}/team-around-child`);
    expect(team.statusCode).toBe(200);
    expect(team.body).toContain('Priya Shah');
    expect(team.body).toContain('Lead practitioner');
    expect((await hv.get(`/people/${child}`)).statusCode).toBe(200);
    const log = await hv.get(`/people/${child}/access-log`);
    expect(log.statusCode).toBe(200);
    // The nurse is in the child's circle through her agency's record, but is not the lead practitioner.
    expect((await nurse.get(`/people/${child}/access-log`)).statusCode).toBe(404);
    // New flags about the child go to the lead practitioner's own worklist.
    const hvUser = await t.database.db.selectFrom('app_user').select('id').where('username', '=', 'hv.practitioner').executeTakeFirstOrThrow();
    expect(await routeFor(flagsRepository(t.database.db), child, 'E06009999')).toEqual({ kind: 'user', id: hvUser.id });
    const second = await nurse.post(`/people/${child}/team-around-child`, { agencyId: 'marlshire-hospital', username: 'ed.nurse', role: 'lead-practitioner' });
    expect(second.body).toContain('The child already has a lead practitioner: end their place first');
  });

  it('keeps an ended place on record, with access for 12 months after and no access log', async () => {
    const lead = await t.database.db.selectFrom('team_around_child_member').select('id').where('role', '=', 'lead-practitioner').executeTakeFirstOrThrow();
    const ended = await nurse.post(`/people/${child}/team-around-child/${lead.id}/end`, {}, { csrfFrom: `/people/${child}/team-around-child` });
    expect(ended.headers.location).toBe(`/people/${child}/team-around-child`);
    const row = await t.database.db.selectFrom('team_around_child_member').selectAll().where('id', '=', lead.id).executeTakeFirstOrThrow();
    expect(row.left_on).not.toBeNull();
    expect((await hv.get(`/people/${child}`)).statusCode).toBe(200);
    expect((await hv.get(`/people/${child}/access-log`)).statusCode).toBe(404);
    expect((await routeFor(flagsRepository(t.database.db), child, 'E06009999')).kind).toBe('front-door');
    t.clock.set(new Date(t.clock.now().getTime() + 380 * 86_400_000));
    const later = await signInAs(t.app, t.clock, 'hv.practitioner');
    expect((await later.get(`/people/${child}`)).statusCode).toBe(404);
  });

  it('audits every change to the team and every refused look at the access log', async () => {
    const rows = await t.database.db.selectFrom('audit_event').select(['action', 'subject_type', 'outcome', 'person_id'])
      .where('person_id', '=', child).execute();
    const kinds = rows.map((r) => `${r.action}:${r.subject_type}:${r.outcome}`);
    expect(kinds).toEqual(expect.arrayContaining([
      'create:team-around-child-member:allowed', 'close:team-around-child-member:allowed', 'read:access-log:allowed', 'read:person:denied',
    ]));
  });
});
