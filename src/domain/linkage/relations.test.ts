import { describe, expect, it } from 'vitest';
import { findDuplicates } from './linker.ts';
import { datesNearlyAgree } from './model.ts';
import type { PersonRecord } from './person-record.ts';
import { ageFits, plausibleRole, type RecordRelation } from './relations.ts';
import { syntheticChildren } from './synthetic.ts';

/*
 * Relationships and households as evidence, end to end: a few hand-made
 * families appended to a synthetic file (so the model is trained as in a real
 * run), deduplicated with and without the relationships the agencies recorded.
 */

const background = syntheticChildren(4000, 29).records;
const childBornAfter = '2007-01-01';

interface Family {
  records: Record<string, Omit<PersonRecord, 'recordId'>>;
  relations: [from: string, type: string, to: string][];
}

function run(family: Family, withRelations = true): (a: string, b: string) => boolean {
  const names = Object.keys(family.records);
  const records: PersonRecord[] = [...background, ...names.map((name) => ({ recordId: name, ...family.records[name] }))];
  const at = (name: string) => background.length + names.indexOf(name);
  const relations: RecordRelation[] = family.relations.map(([from, type, to]) => ({ from: at(from), to: at(to), type }));
  const linkage = findDuplicates(records, { uSampleSize: 50_000, childBornAfter, ...(withRelations ? { relations } : {}) });
  const clusterOf = linkage.clusters?.clusterOf ?? new Int32Array(0);
  return (a, b) => clusterOf[at(a)] === clusterOf[at(b)];
}

const home = { postcode: 'LS6 9QX', addressLines: ['14 Larch Row'], town: 'Leeds' };

describe('relationships as evidence', { timeout: 60_000 }, () => {
  // A mother's GP and health visiting records, her daughter's, and the school's contact record of the mother:
  // a nickname and nothing else, but recorded as the parent of the school's record of the daughter.
  const mother: Family = {
    records: {
      motherGp: { givenNames: ['Harriet', 'Ann'], familyName: 'Quenby', birthDate: '1985-03-02', sex: 'female', ...home },
      motherHv: { givenNames: ['Harriet'], familyName: 'Quenby', birthDate: '1985-03-02', sex: 'female', ...home },
      childHv: { givenNames: ['Poppy'], familyName: 'Quenby', birthDate: '2018-05-05', sex: 'female', ...home },
      childSchool: { givenNames: ['Poppy'], familyName: 'Quenby', birthDate: '2018-05-05', sex: 'female', ...home },
      motherContact: { givenNames: ['Hattie'], familyName: 'Quenby' },
    },
    relations: [['motherHv', 'parent-of', 'childHv'], ['motherContact', 'parent-of', 'childSchool']],
  };

  it("joins a parent's name-only record to the parent through the child they are both recorded as parent of", () => {
    const without = run(mother, false);
    expect(without('childHv', 'childSchool')).toBe(true);
    expect(without('motherContact', 'motherGp')).toBe(false);
    const same = run(mother);
    expect(same('motherContact', 'motherGp')).toBe(true);
    expect(same('motherContact', 'childSchool')).toBe(false);
  });

  it('joins nobody when the relative has two children of that name (brothers both called Charlie)', () => {
    const same = run({
      records: {
        motherHv: { givenNames: ['Joan'], familyName: 'Tolliver', birthDate: '1980-01-09', sex: 'female', ...home },
        olderGp: { givenNames: ['Charlie'], familyName: 'Tolliver', birthDate: '2008-02-11', sex: 'male', nhsNumber: '9434765803', ...home },
        olderHv: { givenNames: ['Charlie'], familyName: 'Tolliver', birthDate: '2008-02-11', sex: 'male', nhsNumber: '9434765803', ...home },
        youngerGp: { givenNames: ['Charlie'], familyName: 'Tolliver', birthDate: '2020-07-30', sex: 'male', nhsNumber: '9434765811', ...home },
        youngerHv: { givenNames: ['Charlie'], familyName: 'Tolliver', birthDate: '2020-07-30', sex: 'male', nhsNumber: '9434765811', ...home },
        motherCharity: { givenNames: ['Joan'], familyName: 'Tolliver', sex: 'female' },
        charlieCharity: { givenNames: ['Charlie'], familyName: 'Tolliver', sex: 'male' },
      },
      relations: [
        ['motherHv', 'parent-of', 'olderHv'], ['motherHv', 'parent-of', 'youngerHv'], ['olderHv', 'sibling-of', 'youngerHv'],
        ['motherCharity', 'parent-of', 'charlieCharity'],
      ],
    });
    expect(same('olderGp', 'olderHv')).toBe(true);
    expect(same('olderHv', 'youngerHv')).toBe(false);
    expect(same('charlieCharity', 'olderHv')).toBe(false);
    expect(same('charlieCharity', 'youngerHv')).toBe(false);
  });

  it('tells a same-named father and son apart by the relationship: the parent of a child is not its brother', () => {
    const same = run({
      records: {
        fatherGp: { givenNames: ['Dennis', 'Roy'], familyName: 'Ormerod', birthDate: '1979-10-20', sex: 'male', ...home },
        fatherHv: { givenNames: ['Dennis'], familyName: 'Ormerod', birthDate: '1979-10-20', sex: 'male', ...home },
        daughterHv: { givenNames: ['Mabel'], familyName: 'Ormerod', birthDate: '2019-04-04', sex: 'female', ...home },
        daughterSchool: { givenNames: ['Mabel'], familyName: 'Ormerod', birthDate: '2019-04-04', sex: 'female', ...home },
        sonSchool: { givenNames: ['Dennis'], familyName: 'Ormerod', birthDate: '2009-06-15', sex: 'male', ...home },
        sonGp: { givenNames: ['Dennis', 'James'], familyName: 'Ormerod', birthDate: '2009-06-15', sex: 'male', ...home },
        contact: { givenNames: ['Dennis'], familyName: 'Ormerod', sex: 'male', ...home },
      },
      relations: [
        ['fatherHv', 'parent-of', 'daughterHv'], ['sonSchool', 'sibling-of', 'daughterSchool'], ['contact', 'parent-of', 'daughterSchool'],
      ],
    });
    expect(same('contact', 'fatherGp')).toBe(true);
    expect(same('contact', 'sonSchool')).toBe(false);
    expect(same('fatherGp', 'sonGp')).toBe(false);
  });
});

describe('a parent under another surname', { timeout: 60_000 }, () => {
  it('joins two records with one given name recorded as parents of one child, whatever the family name', () => {
    const same = run({
      records: {
        motherGp: { givenNames: ['Imogen', 'Rae'], familyName: 'Castellan', birthDate: '1988-11-03', sex: 'female', ...home },
        motherHv: { givenNames: ['Imogen'], familyName: 'Castellan', birthDate: '1988-11-03', sex: 'female', ...home },
        childHv: { givenNames: ['Otto'], familyName: 'Castellan', birthDate: '2019-02-02', sex: 'male', ...home },
        childSchool: { givenNames: ['Otto'], familyName: 'Castellan', birthDate: '2019-02-02', sex: 'male', ...home },
        motherContact: { givenNames: ['Imogen'], familyName: 'Wetherall', sex: 'female', ...home },
      },
      relations: [['motherHv', 'parent-of', 'childHv'], ['motherContact', 'parent-of', 'childSchool']],
    });
    expect(same('motherContact', 'motherGp')).toBe(true);
  });
});

describe('household reasoning', { timeout: 60_000 }, () => {
  const child = {
    childGp: { givenNames: ['Elowen'], familyName: 'Trask', birthDate: '2016-08-21', sex: 'female', nhsNumber: '9434765846', ...home },
    childSchool: { givenNames: ['Elowen'], familyName: 'Trask', birthDate: '2016-08-21', sex: 'female', ...home },
    undatedPolice: { givenNames: ['Elowen'], familyName: 'Trask', sex: 'female', ...home },
  };

  it('joins an undated record to the only person of that name at its address', () => {
    expect(run({ records: child, relations: [] }, false)('undatedPolice', 'childGp')).toBe(false);
    expect(run({ records: child, relations: [] })('undatedPolice', 'childGp')).toBe(true);
  });

  it('joins it to nobody when two people of that name live there (a mother and daughter both called Elowen)', () => {
    const same = run({
      records: { ...child, motherGp: { givenNames: ['Elowen'], familyName: 'Trask', birthDate: '1990-02-14', sex: 'female', nhsNumber: '9434765838', ...home } },
      relations: [],
    });
    expect(same('undatedPolice', 'childGp')).toBe(false);
    expect(same('undatedPolice', 'motherGp')).toBe(false);
  });
});

describe('what keeps two records apart here', () => {
  it('reads a birth date a day or a year out as a slip', () => {
    expect(datesNearlyAgree(19_831_229, 19_831_230)).toBe(true);
    expect(datesNearlyAgree(19_831_231, 19_840_101)).toBe(true);
    expect(datesNearlyAgree(20_110_329, 20_120_329)).toBe(true);
    expect(datesNearlyAgree(20_110_329, 20_120_328)).toBe(false);
    expect(datesNearlyAgree(-1, 20_120_328)).toBe(false);
  });
});

describe('ages that fit a role', () => {
  it('needs a parent at least 12 years older, siblings within 30 years, partners within 25', () => {
    expect(ageFits('parent-of>', 19_850_302, 20_180_505)).toBe(true);
    expect(ageFits('parent-of>', 20_090_615, 20_190_404)).toBe(false);
    expect(ageFits('<parent-of', 20_180_505, 19_850_302)).toBe(true);
    expect(ageFits('sibling-of', 19_950_101, 20_200_101)).toBe(true);
    expect(ageFits('sibling-of', 19_800_101, 20_200_101)).toBe(false);
    expect(ageFits('partner-of', 19_600_101, 19_900_101)).toBe(false);
  });

  it('never picks an undated group by address alone', () => {
    expect(plausibleRole('parent-of>', -1, 20_180_505, 20_070_101)).toBe(false);
    expect(plausibleRole('parent-of>', 19_850_302, -1, 20_070_101)).toBe(true);
    expect(plausibleRole('<parent-of', 19_850_302, -1, 20_070_101)).toBe(false);
  });
});
