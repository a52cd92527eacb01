import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { seedDemoPartnership } from '../demo/seed.ts';
import { apiClientService } from './service.ts';

describe('partner agencies’ API keys', () => {
  let t: TestApp;
  let eventsKey: string;
  let fhirOnlyKey: string;
  const batch = { records: [{ agency: 'marlshire-hv', localId: 'HV-API-1', kind: 'person', birthDate: '2024-01-01' }] };

  beforeAll(async () => {
    t = await startTestApp();
    await seedDemoPartnership(t.database.db);
    const service = apiClientService(t.database.db);
    eventsKey = await service.issueKey({ id: 'hv-system', agencyId: 'marlshire-hv', name: 'HV system', scopes: ['events:write'] });
    fhirOnlyKey = await service.issueKey({ id: 'hv-fhir', agencyId: 'marlshire-hv', name: 'HV FHIR', scopes: ['fhir:write'] });
  });
  afterAll(async () => t.close());

  it('stores only a hash of each key', async () => {
    const rows = await t.database.db.selectFrom('api_client').select(['key_hash', 'key_prefix']).execute();
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(eventsKey).not.toContain(row.key_hash);
    }
  });

  it('authenticates a key as its agency and lets it send within its scope', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/events', headers: { 'x-api-key': eventsKey }, payload: batch });
    expect(res.statusCode).toBe(200);
    expect(res.json().counts).toMatchObject({ accepted: 1 });
  });

  it('refuses a key without the route’s scope', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/events', headers: { 'x-api-key': fhirOnlyKey }, payload: batch });
    expect(res.statusCode).toBe(403);
    expect(res.json().title).toContain('events:write');
  });

  it('refuses a forged key of the right shape, and no key at all', async () => {
    const forged = eventsKey.slice(0, -4) + 'AAAA';
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/events', headers: { 'x-api-key': forged }, payload: batch })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/events', payload: batch })).statusCode).toBe(401);
  });
});
