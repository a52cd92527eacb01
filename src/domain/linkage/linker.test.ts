import { describe, expect, it } from 'vitest';
import { clusterLinks } from './clustering.ts';
import { countTruePairs, scorePairs } from './evaluation.ts';
import { parseFebrlCsv } from './febrl.ts';
import { explainPair, findDuplicates, linkSources } from './linker.ts';
import { childHoldReason, holdReason, pairSide, strongNonMatch } from './model.ts';
import { COMPARISONS } from './comparisons.ts';
import { PersonIndex } from './person-index.ts';
import { Vocabulary, prepareRecord } from './prepare.ts';
import { syntheticChildren } from './synthetic.ts';

const data = syntheticChildren(6000, 11);

describe('finding duplicates without labels', () => {
  const run = findDuplicates(data.records, { uSampleSize: 100_000 });
  const truePairs = countTruePairs(data.truePerson, null);

  it('finds most duplicate pairs and links almost nobody wrongly', () => {
    const links = run.pairs.filter((pair) => pair.outcome === 'link').map((pair) => [pair.first, pair.second] as const);
    const scores = scorePairs(links, data.truePerson, truePairs);
    expect(scores.precision).toBeGreaterThan(0.98);
    expect(scores.recall).toBeGreaterThan(0.8);
  });

  it('estimates the chance that two random records are one person close to the truth, without labels', () => {
    // The prior is over all pairs, not the candidates: true pairs / all pairs, which the test (not the linker) knows.
    const allPairs = (data.records.length * (data.records.length - 1)) / 2;
    const truth = truePairs / allPairs;
    expect(run.model.parameters.prior).toBeGreaterThan(truth / 2);
    expect(run.model.parameters.prior).toBeLessThan(truth * 2);
  });

  it('explains any pair field by field, and the parts add up to the match weight', () => {
    const pair = run.pairs[0];
    expect(pair).toBeDefined();
    const explanation = explainPair(run, pair?.first ?? 0, pair?.second ?? 0);
    expect(explanation.fields.map((field) => field.field)).toEqual(COMPARISONS.map((c) => c.field));
    const sum = explanation.priorWeight + explanation.fields.reduce((total, field) => total + field.weight, 0);
    expect(explanation.matchWeight).toBeCloseTo(sum, 9);
    expect(explanation.matchWeight).toBeCloseTo(pair?.weight ?? 0, 9);
  });

  it('never links a pair held as possible twins', () => {
    for (const pair of run.pairs) if (holdReason(pair.pattern) !== null) expect(pair.outcome).not.toBe('link');
  });
});

describe('safeguarding holds', () => {
  const vocabulary = new Vocabulary();
  const twin = { familyName: 'Okafor', birthDate: '2019-06-01', postcode: 'LS6 2AB', streetNumber: '12', addressLines: ['Acacia Avenue'], town: 'Leeds' };
  const a = prepareRecord({ recordId: 'a', givenNames: ['Amara'], ...twin }, 0, 0, vocabulary);
  const b = prepareRecord({ recordId: 'b', givenNames: ['Chidi'], ...twin }, 1, 0, vocabulary);
  const run = findDuplicates(data.records, { uSampleSize: 50_000 });

  it('holds twins (same birth date, address and family name, different given names) for review however strong the rest', () => {
    const explanation = run.model.explain(a, b, comparePairFor(a, b), vocabulary);
    expect(explanation.heldBecause).toBe('possible twins');
    expect(explanation.outcome).not.toBe('link');
  });

  it('holds the same NHS number with a birth date that cannot be a slip', () => {
    const first = prepareRecord({ recordId: 'c', givenNames: ['Ava'], familyName: 'Khan', nhsNumber: '9434765919', birthDate: '2015-02-01' }, 2, 0, vocabulary);
    const second = prepareRecord({ recordId: 'd', givenNames: ['Ava'], familyName: 'Khan', nhsNumber: '9434765919', birthDate: '2019-11-23' }, 3, 0, vocabulary);
    expect(run.model.explain(first, second, comparePairFor(first, second), vocabulary).heldBecause).toBe('same NHS number but birth date or sex disagrees');
  });

  it('never links two valid, different NHS numbers however much else agrees, and does not queue strangers for it', () => {
    const willow = { givenNames: ['Willow'], familyName: 'Elliott', birthDate: '2016-04-29', sex: 'female', postcode: 'MR5 3XP', streetNumber: '8', addressLines: ['Cheadle Gardens'] };
    const first = prepareRecord({ recordId: 'e', nhsNumber: '9434765919', ...willow }, 4, 0, vocabulary);
    const second = prepareRecord({ recordId: 'f', nhsNumber: '4010232137', ...willow }, 5, 0, vocabulary);
    const both = run.model.explain(first, second, comparePairFor(first, second), vocabulary);
    expect(both.heldBecause).toBe('different NHS numbers');
    expect(both.outcome).toBe('review');
    // A stranger with their own number: no link, and no review either.
    const stranger = prepareRecord({ recordId: 'g', givenNames: ['Noah'], familyName: 'Khan', birthDate: '2009-01-02', nhsNumber: '4010232137' }, 6, 0, vocabulary);
    const apart = run.model.explain(first, stranger, comparePairFor(first, stranger), vocabulary);
    expect(apart.outcome).toBe('no link');
    expect(apart.heldBecause).toBeNull();
  });
});

import { comparePair as comparePairFor } from './comparisons.ts';

describe('grouping linked pairs into people', () => {
  it('refuses a merge that would chain two people held apart', () => {
    const vocabulary = new Vocabulary();
    const records = ['a', 'b', 'c'].map((id, i) => prepareRecord({ recordId: id, givenNames: [id] }, i, 0, vocabulary));
    const clusters = clusterLinks(records, [{ first: 0, second: 1, weight: 10 }, { first: 1, second: 2, weight: 9 }], {
      score: (x, y) => ({ probability: x.index === 0 && y.index === 2 ? 0.01 : 0.99, held: false }),
      reviewProbability: 0.5,
      meanProbability: 0.9,
    });
    expect(clusters.clusterOf[0]).toBe(clusters.clusterOf[1]);
    expect(clusters.clusterOf[2]).not.toBe(clusters.clusterOf[0]);
    expect(clusters.refusedMerges).toBe(1);
  });
});

describe('children: no automatic link on name and birth date alone', () => {
  const vocabulary = new Vocabulary();
  const cutoff = 20081123;
  const child = { givenNames: ['Reginald'], familyName: 'Page', birthDate: '2014-03-25', sex: 'male' };
  const at = (postcode: string, street: string) => ({ postcode, streetNumber: '12', addressLines: [street] });
  const prep = (record: object, i: number) => prepareRecord({ recordId: String(i), ...record }, i, 0, vocabulary);
  const hold = (x: ReturnType<typeof prep>, y: ReturnType<typeof prep>, after = cutoff) =>
    childHoldReason(comparePairFor(x, y), pairSide(x), pairSide(y), after);

  it('holds children agreeing only on name and birth date unless exact with an address on one side, and lets an address or NHS number corroborate', () => {
    const here = prep({ ...child, ...at('MR8 9ZJ', 'Bracken Road') }, 0);
    const elsewhere = prep({ ...child, ...at('MR7 7HX', 'Cowslip Court') }, 1);
    const bare = prep(child, 2);
    // Exact name and birth date, one of them with an address: a child who moved, linked.
    expect(hold(here, elsewhere)).toBeNull();
    expect(hold(here, bare)).toBeNull();
    // Two records with nothing but name and birth date, or a near match with nothing else agreeing: review.
    expect(hold(bare, prep(child, 11))).toBe('a child on name and birth date alone');
    expect(hold(here, prep({ ...child, birthDate: '2011-03-25', ...at('MR7 7HX', 'Cowslip Court') }, 12))).toBe('a child on name and birth date alone');
    expect(hold(here, prep({ ...child, familyName: 'Dunn', ...at('MR7 7HX', 'Cowslip Court') }, 13))).toBe('a child on name and birth date alone');
    expect(hold(here, prep({ ...child, ...at('MR8 9ZJ', 'Bracken Road') }, 3))).toBeNull();
    expect(hold(prep({ ...child, nhsNumber: '9434765919' }, 4), prep({ ...child, nhsNumber: '9434765919', ...at('MR7 7HX', 'Cowslip Court') }, 5))).toBeNull();
    // Adults are not held by these rules.
    const adult = { ...child, birthDate: '1980-03-25' };
    expect(hold(prep({ ...adult, ...at('MR8 9ZJ', 'Bracken Road') }, 6), prep({ ...adult, ...at('MR7 7HX', 'Cowslip Court') }, 7))).toBeNull();
  });

  it("holds a record with no birth date against a child's record, and children whose birth dates disagree", () => {
    const home = at('MR13 2BQ', 'Shakespeare Lane');
    const noah = prep({ ...child, givenNames: ['Noah'], familyName: 'Clarke', birthDate: '2009-02-15', ...home }, 8);
    const undated = prep({ givenNames: ['Noah'], familyName: 'Clarke', sex: 'male', ...home }, 9);
    expect(hold(noah, undated)).toBe("no birth date against a child's record");
    const brother = prep({ ...child, givenNames: ['Noah'], familyName: 'Clarke', birthDate: '2013-06-05', ...home }, 10);
    expect(hold(noah, brother)).toBe("a child's birth dates disagree");
    expect(strongNonMatch(comparePairFor(noah, brother), 20090215, 20130605, cutoff)).toBe(true);
    expect(strongNonMatch(comparePairFor(noah, undated), 20090215, -1, cutoff)).toBe(true);
  });
});

describe('grouping: strong non-matches refuse, one weak pair does not, an ambiguous record joins neither', () => {
  const vocabulary = new Vocabulary();
  const records = ['a', 'b', 'c', 'd', 'e'].map((id, i) => prepareRecord({ recordId: id, givenNames: [id] }, i, 0, vocabulary));
  const key = (x: number, y: number) => (x < y ? `${x}${y}` : `${y}${x}`);

  it('lets a group absorb a record held by one weak pair, but not one with a strong non-match', () => {
    const weak = new Set(['02']);
    const clusters = clusterLinks(records.slice(0, 3), [{ first: 0, second: 1, weight: 10 }, { first: 1, second: 2, weight: 9 }], {
      score: (x, y) => ({ probability: weak.has(key(x.index, y.index)) ? 0.7 : 0.99, held: weak.has(key(x.index, y.index)), strongNonMatch: false }),
      reviewProbability: 0.5,
      meanProbability: 0.8,
      weakShare: 0.2,
    });
    expect(clusters.clusterOf[2]).toBe(clusters.clusterOf[0]);
    const strong = clusterLinks(records.slice(0, 3), [{ first: 0, second: 1, weight: 10 }, { first: 1, second: 2, weight: 9 }], {
      score: (x, y) => ({ probability: 0.99, held: false, strongNonMatch: key(x.index, y.index) === '02' }),
      reviewProbability: 0.5,
      meanProbability: 0.8,
      weakShare: 0.2,
    });
    expect(strong.clusterOf[2]).not.toBe(strong.clusterOf[0]);
  });

  it('takes out of its group a record that fits two groups held apart (twins given one first name)', () => {
    // 0-1 one twin, 3-4 the other; 2 (no middle name) fits both; 0 and 3 are a strong non-match.
    const strongPairs = new Set(['03', '04', '13', '14']);
    const links = [{ first: 0, second: 1, weight: 12 }, { first: 3, second: 4, weight: 11 }, { first: 1, second: 2, weight: 10 }, { first: 2, second: 3, weight: 9 }];
    const clusters = clusterLinks(records, links, {
      score: (x, y) => ({ probability: 0.99, held: false, strongNonMatch: strongPairs.has(key(x.index, y.index)) }),
      reviewProbability: 0.5,
      meanProbability: 0.8,
      weakShare: 0.2,
    });
    expect(clusters.clusterOf[0]).toBe(clusters.clusterOf[1]);
    expect(clusters.clusterOf[3]).toBe(clusters.clusterOf[4]);
    expect(clusters.clusterOf[0]).not.toBe(clusters.clusterOf[3]);
    expect(clusters.sizes.get(clusters.clusterOf[2] ?? -1)).toBe(1);
    expect(clusters.ambiguous).toBe(1);
  });
});

describe('matching one new record against a live index', () => {
  it('finds the existing record for a new one in milliseconds, without a re-run', () => {
    const run = findDuplicates(data.records, { uSampleSize: 50_000 });
    const index = new PersonIndex(run.model);
    const originals = data.records.filter((record) => record.recordId.endsWith('-0'));
    for (const record of originals) index.add(record);
    const probe = data.records.find((record) => record.recordId.endsWith('-1'));
    expect(probe).toBeDefined();
    if (!probe) return;
    const started = performance.now();
    const matches = index.match(probe);
    const elapsed = performance.now() - started;
    expect(matches[0]?.recordId).toBe(probe.recordId.replace(/-1$/, '-0'));
    expect(elapsed).toBeLessThan(50);
    expect(index.explain(probe, matches[0]?.position ?? 0).fields.length).toBe(COMPARISONS.length);
  });
});

describe('linking across two files', () => {
  it('reads FEBRL rows and links a typo-laden copy to its original', () => {
    const header = 'rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state, date_of_birth, soc_sec_id';
    const first = parseFebrlCsv(`${header}\nrec-1-org, michaela, neumann, 8, stanley street, miami, winston hills, 4223, nsw, 19151111, 5304218\nrec-2-org, courtney, painter, 12, pinkerton circuit, bega flats, richlands, 4560, vic, 19161214, 4066625\n`);
    const second = parseFebrlCsv(`${header}\nrec-1-dup-0, micheala, neumann, 8, stanley st, miami, winston hills, 4223, nsw, 19151111, 5304218\nrec-2-dup-0, courtney, painter, , pinkerton circuit, bega flats, richlands, 4560, vic, 19161412, 4066625\n`);
    expect(first.truePerson).toEqual(['1', '2']);
    const run = linkSources(first.records, second.records, { uSampleSize: 1000 });
    const candidates = Array.from({ length: run.candidates.length }, (_, p) => `${run.candidates.first[p]}-${run.candidates.second[p]}`);
    expect(candidates).toContain('0-2');
    expect(candidates).toContain('1-3');
    const levels = Object.fromEntries(explainPair(run, 1, 3).fields.map((field) => [field.field, field.level]));
    expect(levels).toMatchObject({ givenName: 'exact', birthDate: 'day and month transposed', otherIdentifier: 'same' });
  });
});
