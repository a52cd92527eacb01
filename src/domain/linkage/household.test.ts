import { describe, expect, it } from 'vitest';
import { addressKey, addressLabel, householdsOf, type HouseholdCorrection, type ResidenceRow } from './household.ts';

const day = (d: number) => new Date(Date.UTC(2026, 0, d));
const acacia = { lines: ['12 Acacia Avenue'], town: 'Marlbury', postcode: 'MR1 2AB' };
const row = (personId: string, address: unknown, d = 1, agencyName = 'Health Visiting'): ResidenceRow =>
  ({ personId, recordId: Number(personId.slice(2)) * 10 + d, agencyName, address, receivedAt: day(d) });
let nextId = 1;
const correction = (personId: string, resident: boolean, d: number, address: unknown = acacia): HouseholdCorrection => {
  const k = addressKey(address)!;
  return { id: nextId++, personId, postcode: k.postcode, addressKey: k.key, resident, reason: 'checked at a home visit', correctedAt: day(d) };
};

describe('addressKey', () => {
  it('is one key for the ways agencies write one address', () => {
    const keys = [
      { lines: ['12 Acacia Avenue'], postcode: 'MR1 2AB' },
      { lines: ['12 acacia ave'], postcode: 'mr12ab' },
      { lines: ['12, Acacia Ave.'], postcode: ' MR1  2AB ' },
    ].map((a) => addressKey(a));
    expect(new Set(keys.map((k) => JSON.stringify(k))).size).toBe(1);
    expect(keys[0]).toEqual({ postcode: 'MR12AB', key: '12 acacia avenue' });
  });

  it('keeps flats apart and reads a flat on one line or two as one address', () => {
    const oneLine = addressKey({ lines: ['Flat 2, 14 High St'], postcode: 'MR1 2AB' });
    const twoLines = addressKey({ lines: ['Flat 2', '14 High Street'], postcode: 'MR1 2AB' });
    const otherFlat = addressKey({ lines: ['Flat 3', '14 High Street'], postcode: 'MR1 2AB' });
    expect(oneLine).toEqual(twoLines);
    expect(otherFlat).not.toEqual(twoLines);
  });

  it('is null without a postcode or without a line: a postcode alone is about fifteen addresses', () => {
    expect(addressKey({ postcode: 'MR1 2AB' })).toBeNull();
    expect(addressKey({ lines: ['12 Acacia Avenue'] })).toBeNull();
    expect(addressKey(undefined)).toBeNull();
    expect(addressKey('12 Acacia Avenue')).toBeNull();
  });

  it('labels an address as recorded', () => {
    expect(addressLabel(acacia)).toBe('12 Acacia Avenue, Marlbury, MR1 2AB');
  });
});

describe('householdsOf', () => {
  it('puts people whose records give the same address in one household, whatever their family, and not neighbours', () => {
    const rows = [
      row('p_1', acacia, 3), row('p_2', { ...acacia, lines: ['12 Acacia Ave'] }, 2, 'Housing'), row('p_3', acacia, 1, 'Police'),
      row('p_4', { ...acacia, lines: ['14 Acacia Avenue'] }), row('p_5', { postcode: 'MR1 2AB' }),
    ];
    const [h, ...rest] = householdsOf('p_1', rows, []);
    expect(rest).toEqual([]);
    expect(h!.members.map((m) => m.personId)).toEqual(['p_2', 'p_3']);
    expect(h!.members[0]).toMatchObject({ agencies: ['Housing'], lastRecordedAt: day(2), addedBy: null });
    expect(h!.label).toBe('12 Acacia Avenue, Marlbury, MR1 2AB');
    expect(h!.personResident).toBe(true);
  });

  it('gives one household per address of the person, most recently recorded first', () => {
    const old = { lines: ['3 Mill Lane'], postcode: 'MR2 9XY' };
    const rows = [row('p_1', old, 1, 'School'), row('p_1', acacia, 5), row('p_6', old, 1)];
    const households = householdsOf('p_1', rows, []);
    expect(households.map((h) => h.label)).toEqual(['12 Acacia Avenue, Marlbury, MR1 2AB', '3 Mill Lane, MR2 9XY']);
    expect(households[1]!.members.map((m) => m.personId)).toEqual(['p_6']);
  });

  it('applies corrections, the latest for a person and address winning, so a correction can be reversed', () => {
    const rows = [row('p_1', acacia), row('p_2', acacia), row('p_3', acacia)];
    const out = correction('p_2', false, 4);
    let [h] = householdsOf('p_1', rows, [out]);
    expect(h!.members.map((m) => m.personId)).toEqual(['p_3']);
    expect(h!.correctedOut).toEqual([{ personId: 'p_2', correction: out }]);
    [h] = householdsOf('p_1', rows, [out, correction('p_2', true, 5)]);
    expect(h!.members.map((m) => m.personId).sort()).toEqual(['p_2', 'p_3']);
    expect(h!.correctedOut).toEqual([]);
  });

  it('adds a person no agency records at the address, and shows the household of the person added', () => {
    const rows = [row('p_1', acacia), row('p_7', { lines: ['1 Far Road'], postcode: 'MR9 1AA' })];
    const added = correction('p_7', true, 6);
    const [h] = householdsOf('p_1', rows, [added]);
    expect(h!.members).toEqual([{ personId: 'p_7', agencies: [], lastRecordedAt: null, addedBy: added }]);
    const theirs = householdsOf('p_7', rows, [added]);
    expect(theirs.map((x) => x.label)).toEqual(['12 Acacia Avenue, Marlbury, MR1 2AB', '1 Far Road, MR9 1AA']);
    expect(theirs[0]!.members.map((m) => m.personId)).toEqual(['p_1']);
  });

  it('keeps the address of a person corrected out of it, last, so the correction can be seen and reversed', () => {
    const rows = [row('p_1', acacia, 9), row('p_2', acacia), row('p_1', { lines: ['3 Mill Lane'], postcode: 'MR2 9XY' }, 1)];
    const households = householdsOf('p_1', rows, [correction('p_1', false, 10)]);
    expect(households.map((h) => [h.label, h.personResident])).toEqual([['3 Mill Lane, MR2 9XY', true], ['12 Acacia Avenue, Marlbury, MR1 2AB', false]]);
    expect(households[1]!.personCorrection?.resident).toBe(false);
  });

  it('has no household for a person whose records give no full address', () => {
    expect(householdsOf('p_1', [row('p_1', { postcode: 'MR1 2AB' }), row('p_2', acacia)], [])).toEqual([]);
  });
});
