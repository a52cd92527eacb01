import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { csrfTokenIn } from '../../../test/support/sign-in.ts';
import { systemContext, type RequestContext } from '../../platform/access/context.ts';
import { ingestBatch } from '../ingest/service.ts';
import { correctFamily } from '../linkage-review/service.ts';
import { testIdentities } from './test-identities.ts';

// All synthetic.
const agencies = [
  { id: 'hv', name: 'Health Visiting', kind: 'health-visiting', authority: 'E06000021' },
  { id: 'housing', name: 'Housing', kind: 'housing', authority: 'E06000021' },
];
const home = { lines: ['12 Acacia Avenue'], town: 'Marlbury', postcode: 'MR1 2AB' };
const records = [
  { agency: 'hv', localId: 'HV-M', kind: 'person', name: { given: ['Rachel'], family: 'Reed' }, birthDate: '1990-03-14', sex: 'female', nhsNumber: '9434765919', address: home },
  { agency: 'hv', localId: 'HV-C', kind: 'person', name: { given: ['Ellie'], family: 'Reed' }, birthDate: '2020-08-02', sex: 'female', address: home },
  // Next door: same postcode, another house.
  { agency: 'hv', localId: 'HV-N', kind: 'person', name: { given: ['Tom'], family: 'Neville' }, birthDate: '1975-01-20', sex: 'male', address: { ...home, lines: ['14 Acacia Avenue'] } },
  // A postcode and nothing else: not evidence of living anywhere in particular.
  { agency: 'hv', localId: 'HV-P', kind: 'person', name: { given: ['Sam'], family: 'Post' }, birthDate: '1999-05-05', sex: 'male', address: { postcode: 'MR1 2AB' } },
  // Housing knows the mother, and her partner at the same address, written its own way; no relationship recorded.
  { agency: 'housing', localId: 'HS-M', kind: 'person', name: { given: ['Rachel'], family: 'Reed' }, birthDate: '1990-03-14', sex: 'female', nhsNumber: '9434765919', address: { lines: ['12 acacia ave'], postcode: 'mr12ab' } },
  { agency: 'housing', localId: 'HS-D', kind: 'person', name: { given: ['Dean'], family: 'Moss' }, birthDate: '1988-11-30', sex: 'male', address: { lines: ['12 Acacia Ave'], town: 'Marlbury', postcode: 'MR1 2AB' } },
];
const relationships = [{ agency: 'hv', from: 'HV-M', to: 'HV-C', type: 'parent-of', from_date: '2020-08-02' }];

describe('households from co-residence, shown and corrected', () => {
  let t: TestApp;
  const lead = { 'x-test-agency': 'housing', 'x-test-roles': 'safeguarding-lead' };
  const healthVisitor = { 'x-test-agency': 'hv', 'x-test-roles': 'practitioner' };
  const personOf = async (localId: string) =>
    (await t.database.db.selectFrom('person_link as l').innerJoin('agency_record as r', 'r.id', 'l.record_id')
      .select('l.person_id').where('r.local_id', '=', localId).where('l.unlinked_at', 'is', null).executeTakeFirstOrThrow()).person_id;
  let mother: string;
  let child: string;
  let partner: string;
  let neighbour: string;

  beforeAll(async () => {
    t = await startTestApp({}, testIdentities);
    await ingestBatch(t.database.db, systemContext('test', 'test'), { agencies, records, relationships }, { clock: t.clock });
    [mother, child, partner, neighbour] = await Promise.all(['HV-M', 'HV-C', 'HS-D', 'HV-N'].map(personOf)) as [string, string, string, string];
  }, 60_000);
  afterAll(async () => t?.close());

  const household = (headers: Record<string, string>, personId = mother) => t.app.inject({ method: 'GET', url: `/people/${personId}/household`, headers });
  const members = (html: string) => [...html.matchAll(/<td class="govuk-table__cell">(p_\d+)<\/td>/g)].map((m) => m[1]);

  it('shows on the person page who lives at the same address, family or not, and not the neighbours', async () => {
    expect(await personOf('HS-M')).toBe(mother);
    const res = await t.app.inject({ method: 'GET', url: `/people/${mother}`, headers: lead });
    expect(res.statusCode).toBe(200);
    const section = res.body.slice(res.body.indexOf('id="household"'), res.body.indexOf('Agency records linked'));
    expect(section).toContain('12 Acacia Avenue');
    expect(section).toContain('Ellie Reed');
    expect(section).toContain('Dean Moss');
    expect(section).not.toContain('Tom Neville');
    expect(section).not.toContain('Sam Post');
  });

  it('names only the people the user may see: a health visitor does not see a partner only housing knows', async () => {
    const res = await household(healthVisitor);
    expect(res.statusCode).toBe(200);
    expect(members(res.body)).toEqual([child]);
    expect(res.body).not.toContain('Dean Moss');
    expect(res.body).not.toContain('Correct the household');
    const audit = await t.database.db.selectFrom('audit_event').select(['person_id', 'action']).where('subject_type', '=', 'household').execute();
    expect(audit).toContainEqual({ person_id: mother, action: 'read' });
  });

  it('refuses the household page of a person the user may not see, as not found', async () => {
    expect((await household(lead, neighbour)).statusCode).toBe(404);
  });

  it('lets a safeguarding lead correct a household through the form: "does not live here" with a reason, audited, append-only, reversible', async () => {
    const page = await household(lead);
    expect(members(page.body).sort()).toEqual([child, partner].sort());
    const cookies = Object.fromEntries((page.cookies as { name: string; value: string }[]).map((c) => [c.name, c.value]));
    const value = /name="household" type="radio" value="([^"]+)"/.exec(page.body)?.[1];
    expect(value).toBeDefined();
    const post = (form: Record<string, string>, headers = lead) => t.app.inject({
      method: 'POST', url: `/people/${mother}/household`, headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, cookies,
      payload: new URLSearchParams({ ...form, _csrf: csrfTokenIn(page.body) ?? '' }).toString(),
    });

    const missing = await post({ household: value!, person: partner, resident: 'no' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('Explain the correction in at least 10 characters');
    const unseen = await post({ household: value!, person: neighbour, resident: 'yes', reason: 'Lodger, seen at a visit' });
    expect(unseen.statusCode).toBe(400);
    expect(unseen.body).toContain('There is no person with that reference that you can see');

    const done = await post({ household: value!, person: partner, resident: 'no', reason: 'Moved out in May; tenancy changed' });
    expect(done.statusCode).toBe(303);
    const after = await household(lead);
    expect(members(after.body)).toEqual([child]);
    expect(after.body).toContain('Recorded here but corrected out (1)');
    // The partner's own page: the address is kept, marked, so the correction can be seen and reversed.
    const his = await household(lead, partner);
    expect(his.body).toContain('does not live here');
    const audits = await t.database.db.selectFrom('audit_event').select(['person_id', 'details']).where('action', '=', 'correct').where('subject_type', '=', 'household').execute();
    expect(audits.map((a) => a.person_id).sort()).toEqual([mother, partner].sort());
    expect(JSON.stringify(audits)).not.toContain('tenancy');
    await expect(sql`update household_correction set resident = true`.execute(t.database.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from household_correction`.execute(t.database.db)).rejects.toThrow(/append-only/);

    const again = await post({ household: value!, person: partner, resident: 'no', reason: 'Moved out in May; tenancy changed' });
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('That person is not in this household');
    expect((await post({ household: value!, person: partner, resident: 'yes', reason: 'Back since August, confirmed by housing' })).statusCode).toBe(303);
    expect(members((await household(lead)).body).sort()).toEqual([child, partner].sort());
    const rows = await t.database.db.selectFrom('household_correction' as never).select(['resident' as never]).execute();
    expect(rows).toEqual([{ resident: false }, { resident: true }]);
  });

  it('lets only the roles that merge and split correct a household', async () => {
    const res = await t.app.inject({ method: 'POST', url: `/people/${mother}/household`, headers: { ...healthVisitor, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'person=p_1' });
    expect(res.statusCode).toBe(403);
  });

  it('keeps a family correction when an ingest rebuilds the family', async () => {
    const ctx: RequestContext = {
      actor: { kind: 'user', userId: '00000000-0000-4000-8000-000000000001', username: 'lead', displayName: 'Lead', agencyId: 'housing', teamId: null, roles: ['safeguarding-lead'] },
      correlationId: 'test',
    };
    const familyOf = async (p: string) => (await t.database.db.selectFrom('family_member').select('family_id').where('person_id', '=', p).executeTakeFirstOrThrow()).family_id;
    expect(await familyOf(child)).toBe(await familyOf(mother));
    const corrected = await correctFamily(t.database.db, ctx, child, { toFamily: 'new', reason: 'Placed with her grandmother under an order' }, t.clock);
    expect(await familyOf(child)).toBe(corrected);
    // A new relationship recorded between them: the ingest rebuilds both families.
    await ingestBatch(t.database.db, systemContext('test', 'test'), {
      agencies, relationships: [{ agency: 'hv', from: 'HV-M', to: 'HV-C', type: 'carer-of', from_date: '2021-01-01' }],
    }, { clock: t.clock });
    expect(await familyOf(child)).toBe(corrected);
    expect(await familyOf(mother)).not.toBe(corrected);
  });
});
