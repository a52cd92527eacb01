import { describe, expect, it } from 'vitest';
import { COMPARISONS, comparePair, unpackLevels } from './comparisons.ts';
import { areNameVariants } from './nicknames.ts';
import type { PersonRecord } from './person-record.ts';
import { Vocabulary, prepareRecord } from './prepare.ts';
import { candidatePairs } from './blocking.ts';
import { syntheticChildren } from './synthetic.ts';
import { buildTable, compareRows } from './table.ts';

function levels(a: Omit<PersonRecord, 'recordId'>, b: Omit<PersonRecord, 'recordId'>): Record<string, string> {
  const vocabulary = new Vocabulary();
  const pattern = comparePair(prepareRecord({ recordId: 'a', ...a }, 0, 0, vocabulary), prepareRecord({ recordId: 'b', ...b }, 1, 0, vocabulary));
  const unpacked = unpackLevels(pattern);
  return Object.fromEntries(COMPARISONS.map((c, k) => [c.field, c.levels[unpacked[k] ?? 0] ?? '?']));
}

describe('comparing two records', () => {
  it('tells two girls with one first name apart by their middle names, but not a record that leaves the middle name out', () => {
    const scarlett = { familyName: 'Elliott', birthDate: '2017-10-12' };
    expect(levels({ givenNames: ['Scarlett', 'Hayley'], ...scarlett }, { givenNames: ['Scarlett', 'Amy'], ...scarlett }).givenName).toBe('similar, or same first name with other middle names');
    expect(levels({ givenNames: ['Scarlett', 'Hayley'], ...scarlett }, { givenNames: ['Scarlett'], ...scarlett }).givenName).toBe('exact');
    expect(levels({ givenNames: ['Scarlett', 'Hayley Amy'], ...scarlett }, { givenNames: ['Scarlett', 'Amy'], ...scarlett }).givenName).toBe('exact');
  });

  it('knows Bill is William and Jo is Joanne', () => {
    expect(areNameVariants('bill', 'william')).toBe(true);
    expect(areNameVariants('jo', 'joanne')).toBe(true);
    expect(areNameVariants('bill', 'joanne')).toBe(false);
    expect(levels({ givenNames: ['Bill'] }, { givenNames: ['William'] }).givenName).toBe('nickname or sounds alike');
  });

  it('treats an initial or a middle name used as a first name as a weak agreement', () => {
    expect(levels({ givenNames: ['J'] }, { givenNames: ['Jayden'] }).givenName).toBe('initial or middle name');
    expect(levels({ givenNames: ['Grace', 'Amira'] }, { givenNames: ['Amira'] }).givenName).toBe('initial or middle name');
  });

  it('sees given and family names written the other way round, and weighs that once', () => {
    const result = levels({ givenNames: ['Webb'], familyName: 'Mitchell' }, { givenNames: ['Mitchell'], familyName: 'Webb' });
    expect(result.givenName).toBe('swapped with family name');
    expect(result.familyName).toBe('swapped with given name (weighed there)');
  });

  it('matches one part of a double-barrelled name, and a known previous family name', () => {
    expect(levels({ familyName: 'Okafor-Smith' }, { familyName: 'Smith' }).familyName).toBe('part or previous name');
    expect(levels({ familyName: 'Hughes', previousFamilyNames: ['Patel'] }, { familyName: 'Patel' }).familyName).toBe('part or previous name');
  });

  it('recognises day and month transposed, a one-digit slip and swapped neighbouring digits in a birth date', () => {
    expect(levels({ birthDate: '2015-03-04' }, { birthDate: '2015-04-03' }).birthDate).toBe('day and month transposed');
    expect(levels({ birthDate: '2015-03-04' }, { birthDate: '2015-03-07' }).birthDate).toBe('one digit different');
    expect(levels({ birthDate: '2015-03-14' }, { birthDate: '2015-03-41' }).birthDate).toBe('neighbouring digits swapped');
    expect(levels({ birthDate: '2015-03-04' }, { birthDate: '2011-09-21' }).birthDate).toBe('different');
  });

  it('counts a field recorded on only one side as saying nothing', () => {
    const result = levels({ givenNames: ['Ava'] }, { familyName: 'Khan' });
    expect(result.givenName).toBe('not recorded');
    expect(result.familyName).toBe('not recorded');
    expect(result.address).toBe('not recorded');
  });

  it('grades an address by how many of its parts agree, with a UK postcode sector as close', () => {
    const home = { postcode: 'LS6 2AB', streetNumber: '12', addressLines: ['Acacia Avenue'], town: 'Leeds' };
    expect(levels(home, { ...home, addressLines: ['Acacia Ave'] }).address).toBe('same');
    expect(levels(home, { ...home, postcode: 'LS6 2AD' }).address).toBe('same but for slips');
    expect(levels(home, { ...home, streetNumber: '40' }).address).toBe('all but one part agree');
    expect(levels(home, { postcode: 'M1 1AA', streetNumber: '3', addressLines: ['Mill Lane'], town: 'Manchester' }).address).toBe('different');
  });

  it('ignores an NHS number that fails its check digit', () => {
    expect(levels({ nhsNumber: '9434765918' }, { nhsNumber: '9434765918' }).nhsNumber).toBe('not recorded');
    expect(levels({ nhsNumber: '9434765919' }, { nhsNumber: '9434765919' }).nhsNumber).toBe('same');
  });
});

describe('the batch table compares exactly as comparePair does', () => {
  it('gives the same levels on every candidate pair of synthetic records, noise, twins and swaps included', () => {
    const { records } = syntheticChildren(4000, 3);
    const withSwaps = records.map((record, i) => (i % 50 === 0 ? { ...record, givenNames: [record.familyName ?? ''], familyName: record.givenNames?.[0] } : i % 70 === 0 ? { ...record, previousFamilyNames: ['Harper-Smith'] } : record));
    const vocabulary = new Vocabulary();
    const prepared = withSwaps.map((record, i) => prepareRecord(record, i, 0, vocabulary));
    const table = buildTable(prepared);
    const { pairs } = candidatePairs(prepared, { mode: 'dedupe' });
    let mismatches = 0;
    for (let p = 0; p < pairs.length; p += 1) {
      const i = pairs.first[p] ?? 0;
      const j = pairs.second[p] ?? 0;
      if (compareRows(table, i, j) !== comparePair(prepared[i]!, prepared[j]!)) mismatches += 1;
      // A random pair too: mostly disagreement, which the candidates rarely show.
      const k = (i * 7919 + p) % prepared.length;
      if (k !== i && compareRows(table, i, k) !== comparePair(prepared[i]!, prepared[k]!)) mismatches += 1;
    }
    expect(pairs.length).toBeGreaterThan(1000);
    expect(mismatches).toBe(0);
  });
});
