import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { signInAs, type Browserless } from '../../../test/support/sign-in.ts';
import { seedDemoPartnership } from '../demo/seed.ts';
import { ingestBatch } from '../ingest/service.ts';
import { systemContext } from '../../platform/access/context.ts';

describe('information-sharing records', () => {
  let t: TestApp;
  let hv: Browserless;
  let child: string;
  let stranger: string;

  beforeAll(async () => {
    t = await startTestApp();
    await seedDemoPartnership(t.database.db);
    await ingestBatch(t.database.db, systemContext('test', 't'), {
      records: [
        { agency: 'marlshire-hv', localId: 'HV-7', kind: 'person', name: { given: ['Ava'], family: 'Sharecase' }, birthDate: '2024-02-01' },
        { agency: 'marlshire-police', localId: 'P-7', kind: 'person', name: { given: ['Zed'], family: 'Elsewhere' }, birthDate: '1980-01-01' },
      ],
    }, { clock: t.clock });
    const links = await t.database.db.selectFrom('person_link').innerJoin('agency_record', 'agency_record.id', 'person_link.record_id')
      .select(['person_link.person_id', 'agency_record.local_id']).execute();
    child = links.find((l) => l.local_id === 'HV-7')!.person_id;
    stranger = links.find((l) => l.local_id === 'P-7')!.person_id;
    hv = await signInAs(t.app, t.clock, 'hv.practitioner');
  }, 60_000);
  afterAll(async () => t.close());

  it('records a decision to share with its lawful basis and consent, and audits it', async () => {
    const res = await hv.post(`/people/${child}/information-sharing/new`, {
      decision: 'shared', sharedWith: 'Marlshire front door', whatShared: 'Health visiting concerns about weight',
      purpose: 'Referral for early help', lawfulBasis: 'uk-gdpr-6-1-e', consent: 'given',
    });
    expect(res.statusCode).toBe(303);
    const list = await hv.get(`/people/${child}/information-sharing`);
    expect(list.body).toContain('Marlshire front door');
    expect(list.body).toContain('Article 6(1)(e)');
    const audit = await t.database.db.selectFrom('audit_event').selectAll().where('action', '=', 'share').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ person_id: child, outcome: 'allowed' });
  });

  it('records a decision not to share, with the reason, including "more detrimental to the child"', async () => {
    const res = await hv.post(`/people/${child}/information-sharing/new`, {
      decision: 'not-shared', purpose: 'Request from a relative', consent: 'not-sought',
      consentDetail: 'Seeking consent would alert the person posing risk', reasonNotShared: 'more-detrimental',
    });
    expect(res.statusCode).toBe(303);
    expect((await hv.get(`/people/${child}/information-sharing`)).body).toContain('s16LA');
  });

  it('says exactly what is missing when the form is incomplete, and saves nothing', async () => {
    const before = await t.database.db.selectFrom('information_share').select('id').execute();
    const res = await hv.post(`/people/${child}/information-sharing/new`, { decision: 'shared', purpose: 'x', consent: 'refused' });
    expect(res.statusCode).toBe(400);
    for (const message of ['Enter who you shared information with', 'Enter what you shared', 'Select the lawful basis for sharing',
      'Enter why the information was, or would be, shared', 'Explain why consent was not sought, or why you shared without it']) {
      expect(res.body).toContain(message);
    }
    expect(await t.database.db.selectFrom('information_share').select('id').execute()).toHaveLength(before.length);
  });

  it('answers "not found" for a person the practitioner has no relationship with, and audits the refusal', async () => {
    const res = await hv.get(`/people/${stranger}/information-sharing`);
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('Page not found');
    expect(res.body).toContain(`/people/${stranger}/break-glass`);
    const missing = await hv.get('/people/p_999999/information-sharing');
    expect(missing.statusCode).toBe(404);
    const denied = await t.database.db.selectFrom('audit_event').selectAll().where('outcome', '=', 'denied').execute();
    expect(denied.map((d) => d.person_id).sort()).toEqual([stranger, 'p_999999'].sort());
  });
});
