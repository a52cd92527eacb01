import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { expectedEngine } from '../../../test/support/database.ts';
import { systemContext } from '../../platform/access/context.ts';
import { testIdentities } from '../records/test-identities.ts';
import { ingestBatch } from './service.ts';
import { batch } from './fixtures.ts';

describe(`the ingest APIs (${expectedEngine})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, testIdentities);
    const { agencies, records } = batch();
    await ingestBatch(t.database.db, systemContext('test', 'seed'), { agencies, records }, { clock: t.clock });
  });
  afterAll(async () => t?.close());
  const post = (url: string, payload: string, contentType: string, client: string | null = 'hv') =>
    t.app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType, ...(client ? { 'x-test-client': client } : {}) } });

  it('answers 401 without an API client', async () => {
    const res = await post('/api/v1/events', '{}', 'application/json', null);
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('answers malformed JSON, the wrong content type and an oversize body with clear 4xx problems', async () => {
    const bad = await post('/api/v1/events', '{"events": [', 'application/json');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ title: 'The request body is not valid JSON' });
    expect((await post('/api/v1/events', 'hello', 'text/plain')).statusCode).toBe(415);
    const big = await post('/api/v1/events', JSON.stringify({ events: [{ text: 'x'.repeat(6 * 1024 * 1024) }] }), 'application/json');
    expect(big.statusCode).toBe(413);
    const shape = await post('/api/v1/events', JSON.stringify({ people: [] }), 'application/json');
    expect(shape.statusCode).toBe(400);
    expect(shape.json().issues[0]).toMatchObject({ message: expect.stringContaining('people') });
  });

  it('answers 403 to a client whose agency Kinsight does not know', async () => {
    expect((await post('/api/v1/events', JSON.stringify({ events: [] }), 'application/json', 'nowhere')).statusCode).toBe(403);
  });

  it('accepts a JSON batch and answers item by item', async () => {
    const res = await post('/api/v1/events', JSON.stringify({ events: batch().events.filter((e) => e.agency === 'hv') }), 'application/json');
    expect(res.statusCode).toBe(200);
    expect(res.json().counts).toEqual({ accepted: 3, duplicate: 0, rejected: 0 });
  });

  it('takes a FHIR bundle and answers with an OperationOutcome naming each entry', async () => {
    const bundle = { resourceType: 'Bundle', type: 'collection', entry: [
      { resource: { resourceType: 'Patient', id: 'HV-1', birthDate: '2017-07-09' } },
      { resource: { resourceType: 'Appointment', id: 'ap1', status: 'noshow', start: '2021-05-04T09:30:00+01:00', participant: [{ actor: { reference: 'Patient/HV-1' } }] } },
      { resource: { resourceType: 'Observation', id: 'o1' } },
    ] };
    const res = await post('/api/v1/fhir', JSON.stringify(bundle), 'application/fhir+json');
    expect(res.statusCode).toBe(200);
    const outcome = res.json();
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue).toEqual(expect.arrayContaining([
      expect.objectContaining({ severity: 'error', code: 'not-supported', expression: ['Bundle.entry[2].resource.resourceType'] }),
      expect.objectContaining({ severity: 'information', diagnostics: 'accepted: hv:appointment-ap1', expression: ['Bundle.entry[1].resource'] }),
    ]));
    const stored = await t.database.db.selectFrom('event').select('data').where('event_id', '=', 'appointment-ap1').executeTakeFirstOrThrow();
    expect(stored.data).toMatchObject({ status: 'was-not-brought' });
    const refused = await post('/api/v1/fhir', JSON.stringify({ resourceType: 'Patient' }), 'application/fhir+json');
    expect(refused.statusCode).toBe(400);
    expect(refused.json().resourceType).toBe('OperationOutcome');
  });

  it('takes attendance CSV and answers row by row', async () => {
    const csv = 'pupilId,from,to,possible,attended\nHV-1,2021-09-01,2021-12-17,140,42\nHV-404,2021-09-01,2021-12-17,140,42\nHV-1,2022-01-04,2022-13-01,10,5\n';
    const res = await post('/api/v1/attendance', csv, 'text/csv');
    expect(res.statusCode).toBe(200);
    expect(res.json().rows.map((r: { row: number; status: string }) => [r.row, r.status])).toEqual([[2, 'accepted'], [3, 'rejected'], [4, 'rejected']]);
    expect((await post('/api/v1/attendance', 'a,b\n1,2\n', 'text/csv')).statusCode).toBe(400);
  });

  it('shows the rejected items to a system administrator and to no one else', async () => {
    const admin = await t.app.inject({ method: 'GET', url: '/admin/quarantine', headers: { 'x-test-agency': 'hv', 'x-test-roles': 'system-administrator' } });
    expect(admin.statusCode).toBe(200);
    expect(admin.body).toContain('Rejected items');
    const practitioner = await t.app.inject({ method: 'GET', url: '/admin/quarantine', headers: { 'x-test-agency': 'hv' } });
    expect(practitioner.statusCode).toBe(403);
  });
  it('keeps CSV rows and FHIR resources it could not map in quarantine, where a corrected one goes through', async () => {
    const admin = { 'x-test-agency': 'hv', 'x-test-roles': 'system-administrator' };
    const csv = 'pupilId,from,to,possible,attended\nHV-1,2022-01-04,2022-13-01,10,5\n';
    const row = (await post('/api/v1/attendance', csv, 'text/csv')).json().rows[0];
    expect(row).toMatchObject({ row: 2, status: 'rejected', quarantineId: expect.stringMatching(/^q_/) });
    const kept = await t.database.db.selectFrom('quarantine').selectAll().where('id', '=', row.quarantineId).executeTakeFirstOrThrow();
    expect(kept).toMatchObject({ item_kind: 'events', agency_id: 'hv', status: 'open' });
    expect(kept.raw).toMatchObject({ type: 'attendance', subjects: ['HV-1'], data: { to: '2022-13-01', possible: '10' } });
    const fixedEvent = { ...(kept.raw as Record<string, unknown>), id: 'attendance-HV-1-2022-01-04-2022-03-01', at: '2022-03-01',
      data: { setting: 'school', from: '2022-01-04', to: '2022-03-01', possible: 10, attended: 5 } };
    const again = await t.app.inject({ method: 'POST', url: `/api/v1/quarantine/${row.quarantineId}/resubmit`, headers: admin, payload: { item: fixedEvent } });
    expect(again.json()).toMatchObject({ status: 'accepted' });

    const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Observation', id: 'o2' } }] };
    const outcome = (await post('/api/v1/fhir', JSON.stringify(bundle), 'application/fhir+json')).json();
    const note = outcome.issue.find((i: { diagnostics?: string }) => i.diagnostics?.startsWith('kept in quarantine as '));
    const fhirId = note.diagnostics.slice('kept in quarantine as '.length, -' for correction'.length);
    const wrong = await t.app.inject({ method: 'POST', url: `/api/v1/quarantine/${fhirId}/resubmit`, headers: admin, payload: { item: { resourceType: 'Observation', id: 'o2' } } });
    expect(wrong.json()).toMatchObject({ status: 'rejected', reasons: [expect.objectContaining({ expected: expect.stringContaining('Observation') })] });
    const right = await t.app.inject({ method: 'POST', url: `/api/v1/quarantine/${fhirId}/resubmit`, headers: admin, payload: { item: { resourceType: 'Patient', id: 'HV-77', birthDate: '2019-02-03' } } });
    expect(right.json()).toMatchObject({ status: 'accepted', key: 'hv:HV-77' });
    const closed = await t.database.db.selectFrom('quarantine').select('status').where('id', 'in', [row.quarantineId, fhirId]).execute();
    expect(closed.map((c) => c.status)).toEqual(['resubmitted', 'resubmitted']);
  });
});
