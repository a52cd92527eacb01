import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { agencyEventSchema, agencySchema, personRecordSchema, relationshipSchema, type AgencyEvent } from '../../domain/events/vocabulary.ts';
import { createCounty, generateDemoCounty, type CountyChunk } from './generator.ts';
import { isValidNhsNumber, nhsCheckDigit, syntheticNhsNumber } from './nhs-number.ts';
import { writeCounty } from './writer.ts';

const small = () => createCounty({ children: 600, years: 4, seed: 'test-county' });
const chunks: CountyChunk[] = [...small().households()];
const allEvents = chunks.flatMap((c) => c.events);
const allRecords = chunks.flatMap((c) => c.records);
const tmp: string[] = [];
afterAll(() => {
  for (const dir of tmp) rmSync(dir, { recursive: true, force: true });
});

describe('NHS numbers', () => {
  it('computes the modulus 11 check digit of the NHS’s published example', () => {
    expect(nhsCheckDigit('943476591')).toBe(9);
    expect(isValidNhsNumber('9434765919')).toBe(true);
    expect(isValidNhsNumber('9434765918')).toBe(false);
  });

  it('generates valid, unique numbers from serials, all starting with 9', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const n = syntheticNhsNumber(i, 12345);
      expect(isValidNhsNumber(n)).toBe(true);
      expect(n[0]).toBe('9');
      seen.add(n);
    }
    expect(seen.size).toBe(20_000);
  });
});

describe('the synthetic county', () => {
  it('produces agencies, records, relationships and events that validate against the event vocabulary', () => {
    const county = small();
    for (const a of county.agencies) agencySchema.parse(a);
    expect(county.agencies.map((a) => a.authority)).toContain('E10009998');
    for (const r of allRecords) personRecordSchema.parse(r);
    for (const r of chunks.flatMap((c) => c.relationships)) relationshipSchema.parse(r);
    for (const e of allEvents) agencyEventSchema.parse(e);
    expect(allEvents.length).toBeGreaterThan(10_000);
  });

  it('reaches the requested number of children and streams one household at a time', () => {
    expect(chunks.reduce((s, c) => s + c.stats.childrenAtStart, 0)).toBeGreaterThanOrEqual(600);
    // A county far too big to build in memory still yields its first household at once.
    const huge = createCounty({ children: 3_000_000, years: 10, seed: 1 }).households();
    const first = huge.next();
    expect(first.done).toBe(false);
    expect(first.value?.householdKey).toBe('H1');
  });

  it('keeps events in time order within each household, with ids unique across the county', () => {
    const ids = new Set<string>();
    for (const c of chunks) {
      let last = '';
      for (const e of c.events) {
        const t = e.at.length === 10 ? `${e.at}T09:00:00Z` : e.at;
        expect(t >= last).toBe(true);
        last = t;
        expect(ids.has(e.id)).toBe(false);
        ids.add(e.id);
      }
    }
  });

  it('keeps localIds unique within each agency and resolves every subject and reference', () => {
    const keys = new Set<string>();
    for (const r of allRecords) {
      const k = `${r.agency}:${r.localId}`;
      expect(keys.has(k)).toBe(false);
      keys.add(k);
    }
    const eventIds = new Set(allEvents.map((e) => e.id));
    for (const e of allEvents) {
      for (const s of e.subjects) expect(keys.has(s.includes(':') ? s : `${e.agency}:${s}`)).toBe(true);
      if (e.type === 'decision') expect(eventIds.has(e.data.on)).toBe(true);
      if (e.type === 'birth') {
        expect(keys.has(`${e.agency}:${e.data.unborn}`)).toBe(true);
        expect(keys.has(`${e.agency}:${e.data.child}`)).toBe(true);
      }
    }
  });

  it('keeps the truth apart: one truth row per record, and no truth in what Kinsight sees', () => {
    for (const c of chunks) {
      expect(c.truth.length).toBe(c.records.length);
      c.truth.forEach((t, i) => {
        expect(t.localId).toBe(c.records[i]?.localId);
        expect(t.householdKey).toBe(c.householdKey);
      });
      for (const r of c.records) expect(JSON.stringify(r)).not.toMatch(/truth|personKey|householdKey|growing/);
    }
    const groups = new Set(chunks.map((c) => c.stats.group));
    expect(groups).toEqual(new Set(['ordinary', 'growing-needs']));
  });

  it('varies how agencies record the same person, as real data does', () => {
    const byPerson = new Map<string, { names: Set<string>; nhs: number; n: number }>();
    chunks.forEach((c) => c.truth.forEach((t, i) => {
      const r = c.records[i];
      if (!r || r.kind !== 'person' || r.name?.given?.[0] === 'Baby') return;
      const p = byPerson.get(t.personKey) ?? { names: new Set<string>(), nhs: 0, n: 0 };
      p.names.add(`${r.name?.given?.join(' ')} ${r.name?.family}`);
      if (r.nhsNumber) p.nhs++;
      p.n++;
      byPerson.set(t.personKey, p);
    }));
    const multi = [...byPerson.values()].filter((p) => p.n >= 3);
    expect(multi.length).toBeGreaterThan(500);
    const spelledDifferently = multi.filter((p) => p.names.size > 1).length / multi.length;
    expect(spelledDifferently).toBeGreaterThan(0.2);
    const police = allRecords.filter((r) => r.agency === 'marlshire-police');
    expect(police.every((r) => r.nhsNumber === undefined)).toBe(true);
    const gp = allRecords.filter((r) => r.agency.startsWith('marlshire-gp-'));
    expect(gp.filter((r) => r.nhsNumber).length / gp.length).toBeGreaterThan(0.95);
    for (const r of allRecords) if (r.nhsNumber) expect(isValidNhsNumber(r.nhsNumber)).toBe(true);
  });

  it('has ordinary life at about the published rates: outpatient appointments missed and school absence', () => {
    const ordinary = new Set(chunks.filter((c) => c.stats.group === 'ordinary').map((c) => c.householdKey));
    const inOrdinary = (e: AgencyEvent) => ordinary.has(e.id.slice(0, e.id.lastIndexOf('-')));
    const outpatients = allEvents.filter((e) => e.type === 'appointment' && inOrdinary(e) && !['gp', 'health-visiting', 'antenatal', 'talking-therapies', 'key-worker'].includes(e.data.service));
    const missed = outpatients.filter((e) => e.type === 'appointment' && (e.data.status === 'was-not-brought' || e.data.status === 'did-not-attend')).length;
    expect(missed / outpatients.length).toBeGreaterThan(0.05);
    expect(missed / outpatients.length).toBeLessThan(0.11);
    let possible = 0;
    let attended = 0;
    for (const e of allEvents) {
      if (e.type === 'attendance' && e.data.setting === 'school' && inOrdinary(e)) {
        possible += e.data.possible;
        attended += e.data.attended;
      }
    }
    expect(1 - attended / possible).toBeGreaterThan(0.05);
    expect(1 - attended / possible).toBeLessThan(0.09);
  });

  it('includes a family following the Child B review (004)', () => {
    const family = chunks.find((c) => c.stats.pattern === 'child-b-004');
    expect(family).toBeDefined();
    const events = family?.events ?? [];
    const removed = events.find((e) => e.type === 'attribute' && e.data.attribute === 'previous-children-removed' && e.agency === 'marlshire-maternity');
    expect(removed?.type === 'attribute' && removed.data.count).toBe(5);
    expect(events.some((e) => e.type === 'involvement-start' && e.agency === 'wrekinford-csc' && e.data.category === 'neglect')).toBe(true);
    expect(events.some((e) => e.type === 'move' && e.data.fromAuthority === 'E10009998')).toBe(true);
    expect(events.some((e) => e.type === 'pregnancy' && e.data.babies === 2)).toBe(true);
    expect(events.some((e) => e.type === 'unscheduled-care' && e.data.reason === 'ingestion')).toBe(true);
    expect(events.some((e) => e.type === 'involvement-end' && e.data.service === 'early-help' && e.data.reason === 'needs-met' && /positive progress/.test(e.text ?? ''))).toBe(true);
    const nursery = events.filter((e) => e.type === 'attendance' && e.data.setting === 'nursery');
    const rate = nursery.reduce((s, e) => s + (e.type === 'attendance' ? e.data.attended : 0), 0) / nursery.reduce((s, e) => s + (e.type === 'attendance' ? e.data.possible : 0), 0);
    expect(rate).toBeGreaterThan(0.2);
    expect(rate).toBeLessThan(0.4);
    // The eldest is brought to a minority of his community and outpatient appointments.
    const eldest = family?.truth.find((t) => t.agency === 'marlshire-community-health');
    const his = events.filter((e) => e.type === 'appointment' && e.agency === 'marlshire-community-health' && e.subjects.includes(eldest?.localId ?? '?'));
    const brought = his.filter((e) => e.type === 'appointment' && e.data.status === 'attended').length;
    expect(his.length).toBeGreaterThan(8);
    expect(brought / his.length).toBeLessThan(0.35);
  });

  it('gives the demo county about 3,000 children over five years', () => {
    const demo = generateDemoCounty({ seed: 3 });
    expect(demo.window.start).toBe('2020-04-01');
    const first = demo.households().next().value;
    expect(first?.events.length).toBeGreaterThan(0);
  });

  it('writes byte-identical files for the same seed, and different ones for another seed', async () => {
    const dirs = [0, 1, 2].map(() => {
      const d = mkdtempSync(join(tmpdir(), 'kinsight-county-'));
      tmp.push(d);
      return d;
    });
    const [a, b, c] = dirs as [string, string, string];
    await writeCounty(createCounty({ children: 150, years: 3, seed: 99 }), a);
    await writeCounty(createCounty({ children: 150, years: 3, seed: 99 }), b);
    await writeCounty(createCounty({ children: 150, years: 3, seed: 100 }), c);
    const files = readdirSync(a).sort();
    expect(files).toEqual(['agencies.json', 'events.ndjson', 'records.ndjson', 'relationships.ndjson', 'summary.json', 'truth.ndjson']);
    for (const f of files) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f)))).toBe(true);
    expect(readFileSync(join(c, 'events.ndjson')).equals(readFileSync(join(a, 'events.ndjson')))).toBe(false);
    const summary = JSON.parse(readFileSync(join(a, 'summary.json'), 'utf8')) as { counts: { events: number } };
    expect(readFileSync(join(a, 'events.ndjson'), 'utf8').trim().split('\n').length).toBe(summary.counts.events);
  });
});
