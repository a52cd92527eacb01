import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { expectedEngine } from '../../../test/support/database.ts';
import { testIdentities } from '../records/test-identities.ts';
import { seedDemoPartnership } from '../demo/seed.ts';
import { ingestBatch } from '../ingest/service.ts';
import { systemContext } from '../../platform/access/context.ts';
import { CHRONOLOGY_PAGE_SIZE } from './service.ts';

// Synthetic: one child known to health visiting with 230 notes, one a day.
const NOTES = 230;
const day = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
const batch = {
  records: [
    { agency: 'marlshire-hv', localId: 'HV-PAGE-1', kind: 'person', name: { given: ['Robin'], family: 'Pagetest' }, birthDate: '2024-03-01' },
  ],
  events: Array.from({ length: NOTES }, (_, i) => ({
    id: `note-${i + 1}`, at: day(i), agency: 'marlshire-hv', type: 'note', subjects: ['HV-PAGE-1'], data: {}, text: `Paging note number ${i + 1}.`,
  })),
};

const rowsOf = (html: string) => (html.match(/Paging note number (\d+)\./g) ?? []).map((m) => Number(/(\d+)/.exec(m)![1]));

describe(`a long chronology in pages (${expectedEngine})`, () => {
  let t: TestApp;
  let child: string;
  const hv = { 'x-test-agency': 'marlshire-hv' };
  beforeAll(async () => {
    t = await startTestApp({}, testIdentities);
    await seedDemoPartnership(t.database.db);
    await ingestBatch(t.database.db, systemContext('test', 'paging'), batch, { clock: t.clock });
    child = (await t.database.db.selectFrom('person_link').innerJoin('agency_record', 'agency_record.id', 'person_link.record_id')
      .select('person_link.person_id').where('agency_record.local_id', '=', 'HV-PAGE-1').executeTakeFirstOrThrow()).person_id;
  });
  afterAll(async () => t?.close());

  it('shows the newest entries first, one page at a time, with a plain link to earlier ones', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/people/${child}/chronology`, headers: hv });
    expect(res.statusCode).toBe(200);
    const shown = rowsOf(res.body);
    expect(shown).toHaveLength(CHRONOLOGY_PAGE_SIZE);
    expect(shown[0]).toBe(NOTES);
    expect(shown.at(-1)).toBe(NOTES - CHRONOLOGY_PAGE_SIZE + 1);
    expect(res.body).toContain('govuk-pagination');
    expect(res.body).toMatch(/href="[^"]*page=2"[^>]*>\s*<svg[^]*?Earlier entries/);
    expect(res.body).not.toContain('Later entries');
    expect(res.body).toContain(`Events 1 to ${CHRONOLOGY_PAGE_SIZE}, newest first`);
  });

  it('pages on to the oldest entries and back', async () => {
    const last = await t.app.inject({ method: 'GET', url: `/people/${child}/chronology?order=newest&page=3`, headers: hv });
    expect(rowsOf(last.body)).toEqual(Array.from({ length: NOTES - 2 * CHRONOLOGY_PAGE_SIZE }, (_, i) => NOTES - 2 * CHRONOLOGY_PAGE_SIZE - i));
    expect(last.body).toContain('Later entries');
    expect(last.body).toMatch(/href="[^"]*page=2"/);
    expect(last.body).not.toContain('Earlier entries');
    const oldest = await t.app.inject({ method: 'GET', url: `/people/${child}/chronology?order=oldest&page=2`, headers: hv });
    expect(rowsOf(oldest.body)[0]).toBe(CHRONOLOGY_PAGE_SIZE + 1);
    expect(oldest.body).toContain('Earlier entries');
    expect(oldest.body).toContain('Later entries');
  });

  it('prints and exports every entry, not one page', async () => {
    const print = await t.app.inject({ method: 'GET', url: `/people/${child}/chronology/print`, headers: hv });
    expect(rowsOf(print.body)).toHaveLength(NOTES);
    const csv = await t.app.inject({ method: 'GET', url: `/people/${child}/chronology.csv`, headers: hv });
    expect(csv.body.split('\r\n').filter(Boolean)).toHaveLength(NOTES + 1);
  });

  it('audits each page read in the same statement as the read, and nothing allowed for someone refused', async () => {
    const before = await t.database.db.selectFrom('audit_event').select(['action', 'outcome', 'details', 'person_id', 'subject_type'])
      .where('subject_type', '=', 'chronology').where('person_id', '=', child).execute();
    await t.app.inject({ method: 'GET', url: `/people/${child}/chronology?page=2`, headers: hv });
    const after = await t.database.db.selectFrom('audit_event').select(['action', 'outcome', 'details', 'actor_agency_id'])
      .where('subject_type', '=', 'chronology').where('person_id', '=', child).orderBy('id', 'desc').execute();
    expect(after.length).toBe(before.length + 1);
    expect(after[0]).toMatchObject({ action: 'read', outcome: 'allowed', actor_agency_id: 'marlshire-hv', details: { scope: 'person', page: 2, events: CHRONOLOGY_PAGE_SIZE } });

    const refused = await t.app.inject({ method: 'GET', url: `/people/${child}/chronology`, headers: { 'x-test-agency': 'marlshire-police' } });
    expect(refused.statusCode).toBe(404);
    const police = await t.database.db.selectFrom('audit_event').select(['outcome', 'subject_type'])
      .where('person_id', '=', child).where('actor_agency_id', '=', 'marlshire-police').execute();
    expect(police).toEqual([{ outcome: 'denied', subject_type: 'person' }]);
  });
});

// Synthetic: two siblings; their notes alternate by day, every tenth is about both, and twenty were corrected (sent again, changed).
const FAMILY_NOTES = 150;
const familyBatch = (corrected: boolean) => ({
  records: [
    { agency: 'marlshire-hv', localId: 'HV-SIB-1', kind: 'person', name: { given: ['Sky'], family: 'Siblingtest' }, birthDate: '2022-05-01' },
    { agency: 'marlshire-hv', localId: 'HV-SIB-2', kind: 'person', name: { given: ['Rain'], family: 'Siblingtest' }, birthDate: '2024-02-01' },
  ],
  relationships: [{ agency: 'marlshire-hv', from: 'HV-SIB-1', to: 'HV-SIB-2', type: 'sibling-of', from_date: '2024-02-01' }],
  events: Array.from({ length: FAMILY_NOTES }, (_, i) => ({
    id: `sib-note-${i + 1}`, at: day(i), agency: 'marlshire-hv', type: 'note', data: {},
    subjects: (i + 1) % 10 === 0 ? ['HV-SIB-1', 'HV-SIB-2'] : [i % 2 ? 'HV-SIB-2' : 'HV-SIB-1'],
    text: corrected && (i + 1) % 7 === 0 ? `Sibling note ${i + 1} (corrected).` : `Sibling note ${i + 1}.`,
  })).filter((_, i) => !corrected || (i + 1) % 7 === 0),
});

describe(`a family chronology in pages (${expectedEngine})`, () => {
  let t: TestApp;
  let family: string;
  const hv = { 'x-test-agency': 'marlshire-hv' };
  const notesOf = (html: string) => [...html.matchAll(/Sibling note (\d+)( \(corrected\))?\./g)].map((m) => `${m[1]}${m[2] ? 'c' : ''}`);
  beforeAll(async () => {
    t = await startTestApp({}, testIdentities);
    await seedDemoPartnership(t.database.db);
    await ingestBatch(t.database.db, systemContext('test', 'family-paging'), familyBatch(false), { clock: t.clock });
    await ingestBatch(t.database.db, systemContext('test', 'family-paging'), familyBatch(true), { clock: t.clock });
    family = (await t.database.db.selectFrom('family_member').innerJoin('person_link', 'person_link.person_id', 'family_member.person_id')
      .innerJoin('agency_record', 'agency_record.id', 'person_link.record_id')
      .select('family_member.family_id').where('agency_record.local_id', '=', 'HV-SIB-1').executeTakeFirstOrThrow()).family_id;
  });
  afterAll(async () => t?.close());

  it('shows each event once, in its latest version, newest first across both children, page after page', async () => {
    const expected = Array.from({ length: FAMILY_NOTES }, (_, i) => FAMILY_NOTES - i).map((n) => `${n}${n % 7 === 0 ? 'c' : ''}`);
    const first = await t.app.inject({ method: 'GET', url: `/families/${family}/chronology`, headers: hv });
    expect(first.statusCode).toBe(200);
    const second = await t.app.inject({ method: 'GET', url: `/families/${family}/chronology?order=newest&page=2`, headers: hv });
    expect(notesOf(first.body)).toEqual(expected.slice(0, CHRONOLOGY_PAGE_SIZE));
    expect(notesOf(second.body)).toEqual(expected.slice(CHRONOLOGY_PAGE_SIZE));
    expect(first.body).toContain('Earlier entries');
    expect(second.body).not.toContain('Earlier entries');
    const oldest = await t.app.inject({ method: 'GET', url: `/families/${family}/chronology?order=oldest`, headers: hv });
    expect(notesOf(oldest.body)).toEqual([...expected].reverse().slice(0, CHRONOLOGY_PAGE_SIZE));
  });
});
