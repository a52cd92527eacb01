import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { expectedEngine } from '../../../test/support/database.ts';
import { testIdentities } from '../records/test-identities.ts';
import { seedDemoPartnership } from '../demo/seed.ts';
import { ingestBatch } from '../ingest/service.ts';
import { systemContext } from '../../platform/access/context.ts';

// Synthetic: one child known to health visiting, three notes, and two flags resting on them (one closed).
const batch = {
  records: [
    { agency: 'marlshire-hv', localId: 'HV-FLAGS-1', kind: 'person', name: { given: ['Ash'], family: 'Flagtest' }, birthDate: '2024-03-01' },
  ],
  events: [1, 2, 3].map((n) => ({
    id: `flag-note-${n}`, at: `2025-01-0${n}`, agency: 'marlshire-hv', type: 'note', subjects: ['HV-FLAGS-1'], data: {}, text: `Flag note ${n}.`,
  })),
};

describe(`a chronology page's flags, read and audited in the chronology's own statement (${expectedEngine})`, () => {
  let t: TestApp;
  let child: string;
  let rows: Record<string, number>;
  const hv = { 'x-test-agency': 'marlshire-hv' };
  const flagAudits = () => t.database.db.selectFrom('audit_event').select(['action', 'outcome', 'details', 'correlation_id', 'actor_agency_id'])
    .where('subject_type', '=', 'flag').where('person_id', '=', child).orderBy('id').execute();

  beforeAll(async () => {
    t = await startTestApp({}, testIdentities);
    await seedDemoPartnership(t.database.db);
    await ingestBatch(t.database.db, systemContext('test', 'chronology-flags'), batch, { clock: t.clock });
    child = (await t.database.db.selectFrom('person_link').innerJoin('agency_record', 'agency_record.id', 'person_link.record_id')
      .select('person_link.person_id').where('agency_record.local_id', '=', 'HV-FLAGS-1').executeTakeFirstOrThrow()).person_id;
    rows = Object.fromEntries((await t.database.db.selectFrom('event').select(['id', 'event_id']).where('event_id', 'like', 'flag-note-%').execute())
      .map((e) => [e.event_id, Number(e.id)]));
    const flag = (id: string, category: string, state: 'open' | 'closed', createdAt: string, evidence: string[]) => ({
      id, key: `test:${id}`, category, rule_id: `${category}-test`, rule_version: 1, person_id: child, evidence,
      evidence_rows: evidence.map((e) => rows[e]!), sources: ['marlshire-hv'], explanation: 'Synthetic test flag.',
      raised_at: new Date(createdAt), created_at: new Date(createdAt), updated_at: new Date(createdAt), review_by: new Date('2025-02-01'),
      routed_to_kind: 'front-door' as const, routed_to_id: null, state,
    });
    await t.database.db.insertInto('flag').values([
      flag('fl_9001', 'was-not-brought', 'open', '2025-01-04T00:00:00Z', ['flag-note-1', 'flag-note-2']),
      flag('fl_9002', 'cumulative-concern', 'closed', '2025-01-05T00:00:00Z', ['flag-note-2']),
    ]).execute();
  });
  afterAll(async () => t?.close());

  it('links each entry to the flags it is evidence for, live flags first, and audits the read of the flags once, with the page', async () => {
    const before = (await flagAudits()).length;
    const res = await t.app.inject({ method: 'GET', url: `/people/${child}/chronology`, headers: hv });
    expect(res.statusCode).toBe(200);
    const row = (n: number) => new RegExp(`Flag note ${n}\\.[^]*?</tr>`).exec(res.body)?.[0] ?? '';
    expect(row(1)).toContain('Evidence for <a class="govuk-link" href="/flags/fl_9001">was not brought flag</a></p>');
    expect(row(2)).toContain('Evidence for <a class="govuk-link" href="/flags/fl_9001">was not brought flag</a>, '
      + '<a class="govuk-link" href="/flags/fl_9002">cumulative concern flag (closed)</a></p>');
    expect(row(3)).not.toContain('Evidence for');

    const audits = await flagAudits();
    // One row for the person's flags (the flags routes' own hook would have added a second), in the page's request.
    expect(audits).toHaveLength(before + 1);
    expect(audits.at(-1)).toMatchObject({ action: 'read', outcome: 'allowed', actor_agency_id: 'marlshire-hv', details: { flags: ['fl_9001', 'fl_9002'] } });
    const chronologyRead = await t.database.db.selectFrom('audit_event').select('correlation_id')
      .where('subject_type', '=', 'chronology').where('person_id', '=', child).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(audits.at(-1)!.correlation_id).toBe(chronologyRead.correlation_id);
  });

  it('reads no flags for print or export, and none for someone refused', async () => {
    const before = (await flagAudits()).length;
    const print = await t.app.inject({ method: 'GET', url: `/people/${child}/chronology/print`, headers: hv });
    expect(print.statusCode).toBe(200);
    expect(print.body).toContain('Flag note 2.');
    expect(print.body).not.toContain('Evidence for');
    const refused = await t.app.inject({ method: 'GET', url: `/people/${child}/chronology`, headers: { 'x-test-agency': 'marlshire-police' } });
    expect(refused.statusCode).toBe(404);
    expect(refused.body).not.toContain('fl_9001');
    expect(await flagAudits()).toHaveLength(before);
  });

  it('shows and audits the flags of a family chronology for the members allowed', async () => {
    const family = (await t.database.db.selectFrom('family_member').select('family_id').where('person_id', '=', child).executeTakeFirstOrThrow()).family_id;
    const before = (await flagAudits()).length;
    const res = await t.app.inject({ method: 'GET', url: `/families/${family}/chronology`, headers: hv });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('href="/flags/fl_9002">cumulative concern flag (closed)</a>');
    expect(await flagAudits()).toHaveLength(before + 1);
  });
});
