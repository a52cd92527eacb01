import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { agencySchema, parseAgencyEvent, personRecordSchema, relationshipSchema } from './vocabulary.ts';

const shared = path.resolve(import.meta.dirname, '..', '..', '..', '..', 'shared');
const childB = path.join(shared, 'scenarios', 'child-b.json');
const hasShared = fs.existsSync(childB);

describe('the event vocabulary', () => {
  it.skipIf(!hasShared)('accepts every agency, record, relationship and event in child-b.json (skipped: no ../shared)', () => {
    const scenario = JSON.parse(fs.readFileSync(childB, 'utf8'));
    for (const a of scenario.agencies) agencySchema.parse(a);
    for (const r of scenario.records) {
      const { truth: _truth, ...record } = r;
      personRecordSchema.parse(record);
    }
    for (const r of scenario.relationships) relationshipSchema.parse(r);
    const events = scenario.events.map(parseAgencyEvent);
    expect(events).toHaveLength(scenario.events.length);
  });

  it('rejects an appointment with an unknown status, naming the field', () => {
    const result = () =>
      parseAgencyEvent({ id: 'e1', at: '2020-01-01', agency: 'hospital', type: 'appointment', subjects: ['H1'],
        data: { service: 'paediatrics', status: 'no-show' } });
    expect(result).toThrow(/data.*status|status/);
  });

  it('rejects an unknown event type', () => {
    expect(() => parseAgencyEvent({ id: 'e1', at: '2020-01-01', agency: 'a', type: 'sighting', subjects: ['x'] })).toThrow();
  });

  it('requires a category for child protection and forbids it otherwise', () => {
    const base = { id: 'e1', at: '2020-01-01', agency: 'csc', type: 'involvement-start', subjects: ['C1'] };
    expect(() => parseAgencyEvent({ ...base, data: { service: 'child-protection' } })).toThrow(/category/);
    expect(() => parseAgencyEvent({ ...base, data: { service: 'early-help', category: 'neglect' } })).toThrow(/category/);
    expect(parseAgencyEvent({ ...base, data: { service: 'child-protection', category: 'neglect' } }).type).toBe('involvement-start');
  });

  it('rejects a birth date on an unborn record', () => {
    expect(() => personRecordSchema.parse({ agency: 'm', localId: 'U1', kind: 'unborn', birthDate: '2020-01-01' })).toThrow(/expectedDate/);
  });

  it('gives a note empty data when none is sent', () => {
    const e = parseAgencyEvent({ id: 'n1', at: '2020-01-01T10:00:00Z', agency: 'hv', type: 'note', subjects: ['x'], text: 'visited' });
    expect(e.data).toEqual({});
  });
});
