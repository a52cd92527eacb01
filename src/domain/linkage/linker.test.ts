import { describe, expect, it } from 'vitest';
import { clusterLinks } from './clustering.ts';
import { countTruePairs, scorePairs } from './evaluation.ts';
import { parseFebrlCsv } from './febrl.ts';
import { explainPair, findDuplicates, linkSources } from './linker.ts';
import { holdReason } from './model.ts';
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
