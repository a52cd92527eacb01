import { BLOCKING_RULES, candidatePairs, type BlockingRule } from './blocking.ts';
import { clusterLinks, type Clusters, type ScoredLink } from './clustering.ts';
import { ADDRESS, COMPARISONS, EXACT, GIVEN, SEX, comparePair, levelOf } from './comparisons.ts';
import { buildTable, compareRows, type RecordTable } from './table.ts';
import { DEFAULT_PARAMETERS } from './default-parameters.ts';
import {
  DEFAULT_THRESHOLDS,
  LinkageModel,
  countLevels,
  emptyLevelCounts,
  estimateMatchRates,
  childCutoff,
  holdReason,
  nonMatchRatesFromSample,
  pairSide,
  strongNonMatch,
  probabilityFromWeight,
  relationalConflict,
  relationalNamesAgree,
  relationalNamesAlike,
  type Outcome,
  type Thresholds,
  type WeightBreakdown,
} from './model.ts';
import type { PersonRecord } from './person-record.ts';
import { Vocabulary, prepareRecord, type PreparedRecord } from './prepare.ts';
import { CONFLICT, NAMES_AGREE, NAMES_ALIKE, SAME_ADDRESS, SAME_GIVEN, joinByRelations, type RecordRelation, type RelationalOptions } from './relations.ts';

export interface LinkageOptions {
  readonly thresholds?: Thresholds;
  /** Random pairs compared to estimate u. */
  readonly uSampleSize?: number;
  readonly seed?: number;
  readonly maxBlockSize?: number;
  /**
   * Re-estimate u among the candidate pairs too (default), rather than keep the
   * random-pair u: blocking selects unrelated pairs that agree far more than
   * random ones do (same birth year and family name), and with u held fixed EM
   * mistakes them for matches.
   */
  readonly estimateU?: boolean;
  /**
   * 'by rule' (default): EM on each blocking rule's pairs with its fields held
   * out and u from random pairs (see `trainByRule`). 'candidates': the first
   * version's single EM over all candidates (with `estimateU`).
   */
  readonly training?: 'by rule' | 'candidates';
  /**
   * How often two different people at the same address share a family name
   * (see `ModelParameters.familyGivenSameAddress`); default the documented
   * 0.7. Without it a household counted twice (family name and address) and
   * two brothers both called Charlie, born years apart, were joined.
   */
  readonly familyGivenSameAddress?: number;
  /** Hold possible twins for review even when they share an identifier other than the NHS number. */
  readonly strictTwins?: boolean;
  readonly rules?: readonly BlockingRule[];
  /**
   * Birth dates after this (YYYY-MM-DD) are a child's, for the child holds (`childHoldReason` in
   * model.ts). Default: 18 years before today. A batch scored as of a date passes that date minus 18 years.
   */
  readonly childBornAfter?: string;
  /** Share of weak pairs a merge of two groups tolerates (see `ClusteringOptions.weakShare`). */
  readonly weakShare?: number;
  /**
   * Relationships the agencies recorded between records of the file (positions in the input), used as
   * evidence after grouping (`joinByRelations`, relations.ts). Only when finding duplicates.
   */
  readonly relations?: readonly RecordRelation[];
  /** Told of every join through relationships or households not made for doubt (positions of the records concerned): for diagnosis. */
  readonly onRelationalDoubt?: RelationalOptions['onDoubt'];
  /** Milliseconds since some fixed point; only used to report how long each stage took. */
  readonly now?: () => number;
}

export interface ScoredPair {
  /** Positions in the linker's table (see `LinkageRun.records`). */
  readonly first: number;
  readonly second: number;
  readonly weight: number;
  readonly probability: number;
  readonly outcome: Outcome;
  readonly pattern: number;
}

export interface StageTimings {
  readonly prepareSeconds: number;
  readonly blockingSeconds: number;
  readonly estimateSeconds: number;
  /** Comparing every candidate pair field by field: the figure comparisons per second is taken from. */
  readonly comparisonSeconds: number;
  /** Weighing the compared pairs with the fitted model and keeping those worth a decision. */
  readonly scoringSeconds: number;
  readonly clusteringSeconds: number;
  readonly totalSeconds: number;
}

export interface LinkageRun {
  readonly mode: 'dedupe' | 'link';
  readonly records: readonly PreparedRecord[];
  readonly vocabulary: Vocabulary;
  readonly model: LinkageModel;
  readonly candidatePairCount: number;
  readonly newPairsByRule: readonly { rule: string; pairs: number }[];
  readonly skippedBlocks: number;
  /** Pairs at or above the review threshold: links, and those held for review. */
  readonly pairs: readonly ScoredPair[];
  /** Only when finding duplicates within one file. */
  readonly clusters: Clusters | null;
  readonly emIterations: number;
  readonly timings: StageTimings;
  /** Candidate pair positions (first, second) in the order compared, for measuring blocking. */
  readonly candidates: { readonly first: Int32Array; readonly second: Int32Array; readonly length: number };
}

/** A small, fast, seeded random number generator (mulberry32), so runs are repeatable. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function estimateNonMatchRates(table: RecordTable, records: readonly PreparedRecord[], mode: 'dedupe' | 'link', sampleSize: number, random: () => number): number[][] {
  const counts = emptyLevelCounts();
  const firstPool: number[] = [];
  const secondPool: number[] = [];
  for (const record of records) {
    if (mode === 'dedupe' || record.source === 0) firstPool.push(record.index);
    if (mode === 'dedupe' || record.source !== 0) secondPool.push(record.index);
  }
  if (firstPool.length === 0 || secondPool.length === 0) return nonMatchRatesFromSample(counts);
  for (let s = 0; s < sampleSize; s += 1) {
    const a = firstPool[Math.floor(random() * firstPool.length)] ?? 0;
    const b = secondPool[Math.floor(random() * secondPool.length)] ?? 0;
    if (a === b) continue;
    countLevels(counts, compareRows(table, a, b));
  }
  return nonMatchRatesFromSample(counts);
}

/**
 * m and the prior without labels, Splink-style: one EM per blocking rule,
 * over the pairs that rule proposes, with u held at its random-pair value and
 * the rule's own fields held out (every pair of the rule agrees on them, so
 * they say nothing there). Within one rule's pairs the non-matches agree on
 * the other fields about as often as random pairs do, which is what fixed u
 * assumes; over the union of all candidates they do not (blocking chose
 * pairs that agree), and EM there took whole groups of unrelated pairs
 * (same given name and birth date) for matches once the file grew.
 *
 * Each field's m is the average over the rules that do not use it, weighted
 * by the matches each rule found. The prior is the chance that two records
 * taken at random are one person: the expected matches among the candidates
 * (each pair scored by the first rule proposing it, with that rule's own
 * share of matches) over all possible pairs. At most `sampleSize` candidate
 * pairs, evenly spaced, are used.
 */
function trainByRule(
  candidates: { readonly first: Int32Array; readonly second: Int32Array; readonly length: number },
  patterns: Int32Array,
  blockOf: readonly Int32Array[],
  rules: readonly BlockingRule[],
  u: readonly (readonly number[])[],
  allPairs: number,
  sampleSize = 1_000_000,
): { m: number[][]; prior: number; iterations: number } {
  const { first, second, length } = candidates;
  const step = Math.max(1, Math.ceil(length / sampleSize));
  const sessions = rules.map(() => new Map<number, number>());
  /** (first rule proposing the pair) * 2^21 + pattern → number of pairs. */
  const byFirstRule = new Map<number, number>();
  let sampled = 0;
  for (let p = 0; p < length; p += step) {
    const i = first[p] ?? 0;
    const j = second[p] ?? 0;
    const pattern = patterns[p] ?? 0;
    let firstRule = -1;
    for (let r = 0; r < rules.length; r += 1) {
      const blocks = blockOf[r];
      const b = blocks?.[i] ?? -1;
      if (b < 0 || blocks?.[j] !== b) continue;
      if (firstRule < 0) firstRule = r;
      const session = sessions[r];
      session?.set(pattern, (session.get(pattern) ?? 0) + 1);
    }
    if (firstRule >= 0) byFirstRule.set(firstRule * PATTERN_SPACE + pattern, (byFirstRule.get(firstRule * PATTERN_SPACE + pattern) ?? 0) + 1);
    sampled += 1;
  }
  const fits = rules.map((rule, r) => {
    const session = sessions[r] ?? new Map<number, number>();
    let pairs = 0;
    for (const count of session.values()) pairs += count;
    if (pairs < 50) return null;
    const em = estimateMatchRates(session, u, { heldOut: rule.fields, startingPrior: 0.5 });
    return { em, matches: em.prior * pairs };
  });
  let iterations = 0;
  const m = COMPARISONS.map((comparison, k) => {
    const sum = new Array<number>(comparison.levels.length).fill(0);
    let weight = 0;
    fits.forEach((fit, r) => {
      if (!fit || rules[r]?.fields.includes(k)) return;
      fit.em.m[k]?.forEach((value, level) => {
        sum[level] = (sum[level] ?? 0) + value * fit.matches;
      });
      weight += fit.matches;
    });
    const recorded = sum.reduce((total, value, level) => (level === 0 ? total : total + value), 0);
    // A field never recorded (sex in FEBRL) keeps its starting m, so a deployment that does record it is not blind to it.
    return weight > 0 && recorded > 0 ? sum.map((value) => value / weight) : [...comparison.startingM];
  });
  for (const fit of fits) iterations = Math.max(iterations, fit?.em.iterations ?? 0);
  // Expected matches among the sampled candidates, each scored by the first rule proposing it.
  let expected = 0;
  for (const [key, count] of byFirstRule) {
    const r = Math.floor(key / PATTERN_SPACE);
    const pattern = key % PATTERN_SPACE;
    const fit = fits[r];
    if (!fit) continue;
    let logOdds = Math.log(fit.em.prior / (1 - fit.em.prior));
    for (let k = 0; k < COMPARISONS.length; k += 1) {
      const level = levelOf(pattern, k);
      if (level === 0 || rules[r]?.fields.includes(k) || COMPARISONS[k]?.countedElsewhere?.includes(level)) continue;
      logOdds += Math.log(Math.max(fit.em.m[k]?.[level] ?? 0, 1e-6)) - Math.log(Math.max(u[k]?.[level] ?? 0, 1e-6));
    }
    expected += count / (1 + Math.exp(-logOdds));
  }
  const matches = sampled === 0 ? 0 : (expected * length) / sampled;
  const prior = Math.min(Math.max(matches / Math.max(allPairs, 1), 1e-12), 0.5);
  return { m, prior, iterations };
}

/** Mean probability the pairs across two groups must reach for the groups to join (see clustering.ts). */
const CLUSTER_MEAN_PROBABILITY = 0.8;

/**
 * Share of the pairs across a merge that may be weak (held, or below review, but no strong
 * non-match): a group of a child's well-linked records absorbs one whose only doubt is one pair.
 */
const CLUSTER_WEAK_SHARE = 0.2;

/** Every packed comparison is below 8^7. */
const PATTERN_SPACE = 8 ** 7;

function run(records: readonly PreparedRecord[], vocabulary: Vocabulary, mode: 'dedupe' | 'link', options: LinkageOptions, started: number): LinkageRun {
  const now = options.now ?? (() => performance.now());
  const table = buildTable(records);
  const prepared = now();
  const blocking = candidatePairs(records, { mode, maxBlockSize: options.maxBlockSize, rules: options.rules ?? BLOCKING_RULES, table });
  const blocked = now();

  const random = seededRandom(options.seed ?? 20261123);
  const u = estimateNonMatchRates(table, records, mode, options.uSampleSize ?? 300_000, random);
  const { first, second, length } = blocking.pairs;
  const patterns = new Int32Array(length);
  const counts = new Int32Array(PATTERN_SPACE);
  const distinct: number[] = [];
  const sampled = now();

  // Compare every candidate pair; count each distinct pattern (for EM) in a flat table.
  for (let p = 0; p < length; p += 1) {
    const pattern = compareRows(table, first[p] ?? 0, second[p] ?? 0);
    patterns[p] = pattern;
    if (counts[pattern] === 0) distinct.push(pattern);
    counts[pattern] = (counts[pattern] ?? 0) + 1;
  }
  const compared = now();

  let parameters: { m: number[][]; u: number[][]; prior: number };
  let iterations: number;
  if (options.training === 'candidates') {
    const patternCounts = new Map<number, number>();
    for (const pattern of distinct) patternCounts.set(pattern, counts[pattern] ?? 0);
    const em = estimateMatchRates(patternCounts, u, { estimateU: options.estimateU ?? true });
    parameters = { m: em.m, u: em.u, prior: em.prior };
    iterations = em.iterations;
  } else {
    const sourceSizes = [0, 0];
    for (const record of records) sourceSizes[record.source === 0 ? 0 : 1] = (sourceSizes[record.source === 0 ? 0 : 1] ?? 0) + 1;
    const allPairs = mode === 'link' ? (sourceSizes[0] ?? 0) * (sourceSizes[1] ?? 0) : (records.length * (records.length - 1)) / 2;
    const trained = trainByRule(blocking.pairs, patterns, blocking.blockOf, options.rules ?? BLOCKING_RULES, u, allPairs);
    parameters = { m: trained.m, u, prior: trained.prior };
    iterations = trained.iterations;
  }
  const model = new LinkageModel(
    { ...parameters, randomU: u, ...(options.training === 'candidates' ? {} : { familyGivenSameAddress: options.familyGivenSameAddress ?? DEFAULT_PARAMETERS.familyGivenSameAddress }) },
    options.thresholds ?? DEFAULT_THRESHOLDS,
    options.strictTwins ?? false,
    options.childBornAfter ? Number(options.childBornAfter.replaceAll('-', '')) : childCutoff(new Date()),
  );
  const estimated = now();

  // Per distinct pattern: its weight, whether it is held, whether the name frequencies apply.
  const reviewWeight = Math.log2(model.thresholds.review / (1 - model.thresholds.review));
  const adjustments = model.frequencyAdjustments(vocabulary);
  let maxGivenAdjustment = 0;
  let maxFamilyAdjustment = 0;
  for (const value of adjustments.given) maxGivenAdjustment = Math.max(maxGivenAdjustment, value);
  for (const value of adjustments.family) maxFamilyAdjustment = Math.max(maxFamilyAdjustment, value);
  const patternWeight = new Float64Array(PATTERN_SPACE);
  /** 0: cannot reach review; bit 1: held; bit 2: given frequency applies; bit 4: family frequency applies; bit 8: worth scoring. */
  const patternFlags = new Uint8Array(PATTERN_SPACE);
  for (const pattern of distinct) {
    const weight = model.patternWeight(pattern);
    const hold = holdReason(pattern, model.strictTwins);
    // Kept below the review threshold only for the holds that always go to a person (not different NHS numbers).
    const held = hold !== null && hold !== 'different NHS numbers';
    const given = pattern % 8 === 1;
    const family = model.familyFrequencyApplies(pattern);
    const ceiling = weight + (given ? maxGivenAdjustment : 0) + (family ? maxFamilyAdjustment : 0);
    patternWeight[pattern] = weight;
    patternFlags[pattern] = (held ? 1 : 0) | (given ? 2 : 0) | (family ? 4 : 0) | (held || ceiling >= reviewWeight ? 8 : 0);
  }
  const pairs: ScoredPair[] = [];
  for (let p = 0; p < length; p += 1) {
    const pattern = patterns[p] ?? 0;
    const flags = patternFlags[pattern] ?? 0;
    if ((flags & 8) === 0) continue;
    const i = first[p] ?? 0;
    let weight = patternWeight[pattern] ?? 0;
    if (flags & 2) weight += adjustments.given[table.givenVocabularyId[i] ?? 0] ?? 0;
    if (flags & 4) weight += adjustments.family[table.familyVocabularyId[i] ?? 0] ?? 0;
    if ((flags & 1) === 0 && weight < reviewWeight) continue;
    const probability = probabilityFromWeight(weight);
    const j = second[p] ?? 0;
    const a = records[i];
    const b = records[j];
    const outcome = model.decide(probability, pattern, a && b ? [pairSide(a), pairSide(b)] : undefined).outcome;
    pairs.push({ first: i, second: j, weight, probability, outcome, pattern });
  }
  const scored = now();

  let clusters: Clusters | null = null;
  if (mode === 'dedupe') {
    // A record with no birth date that would be linked to a child's record but for the child hold may be
    // that child or a same-named brother, sister or parent: it is not linked to anything without a person.
    const childLike = new Uint8Array(records.length);
    for (const pair of pairs) {
      if (pair.outcome !== 'review' || pair.probability < model.thresholds.link) continue;
      const birthA = table.birthDate[pair.first] ?? -1;
      const birthB = table.birthDate[pair.second] ?? -1;
      if ((birthA < 0) === (birthB < 0) || Math.max(birthA, birthB) <= model.childBornAfter) continue;
      childLike[birthA < 0 ? pair.first : pair.second] = 1;
    }
    const links: ScoredLink[] = pairs.filter((pair) => pair.outcome === 'link' && childLike[pair.first] === 0 && childLike[pair.second] === 0);
    clusters = clusterLinks(records, links, {
      score: (a, b) => {
        const pattern = compareRows(table, a.index, b.index);
        const weight = model.matchWeight(a, b, pattern, vocabulary);
        const birthA = table.birthDate[a.index] ?? -1;
        const birthB = table.birthDate[b.index] ?? -1;
        const probability = probabilityFromWeight(weight);
        const held = model.decide(probability, pattern, [pairSide(a), pairSide(b)]).heldBecause !== null;
        const strong = strongNonMatch(pattern, birthA, birthB, model.childBornAfter, model.strictTwins);
        // Two people are established only around a child: between adults a "twins" hold is as often one
        // person whose given name was replaced (FEBRL), so a record fitting both groups is not taken out.
        return { probability, held, strongNonMatch: strong, twoPeople: strong && Math.max(birthA, birthB) > model.childBornAfter };
      },
      weakShare: options.weakShare ?? CLUSTER_WEAK_SHARE,
      reviewProbability: model.thresholds.review,
      // With u from random pairs the probabilities are near 0 or 1, so one cross pair short of evidence (both
      // names replaced on one record) pulled the mean under the link threshold: 0.8 still refuses a chain.
      meanProbability: CLUSTER_MEAN_PROBABILITY,
    });
    if (options.relations) clusters = withRelations(clusters, records, table, pairs, options.relations, model.strictTwins, model.childBornAfter, options.onRelationalDoubt);
  }
  const clustered = now();

  return {
    mode,
    records,
    vocabulary,
    model,
    candidatePairCount: length,
    newPairsByRule: blocking.newPairsByRule,
    skippedBlocks: blocking.skippedBlocks,
    pairs,
    clusters,
    emIterations: iterations,
    candidates: blocking.pairs,
    timings: {
      prepareSeconds: (prepared - started) / 1000,
      blockingSeconds: (blocked - prepared) / 1000,
      estimateSeconds: (sampled - blocked + estimated - compared) / 1000,
      comparisonSeconds: (compared - sampled) / 1000,
      scoringSeconds: (scored - estimated) / 1000,
      clusteringSeconds: (clustered - scored) / 1000,
      totalSeconds: (clustered - started) / 1000,
    },
  };
}

/** One given name the start of the other, at least two letters ("ty" and "tyler", "kev" and "kevin"). */
function shortForm(a: string, b: string): boolean {
  if (a.length < 2 || b.length < 2 || a === b) return false;
  return a.length < b.length ? b.startsWith(a) : a.startsWith(b);
}

/** Groups joined through recorded relationships (relations.ts), the scored pairs being the rivals. */
function withRelations(clusters: Clusters, records: readonly PreparedRecord[], table: RecordTable, pairs: readonly ScoredPair[], relations: readonly RecordRelation[], strictTwins: boolean, childBornAfter: number, onDoubt?: RelationalOptions['onDoubt']): Clusters {
  // The run's scored pairs (at or above review, or held) as lists of neighbours per record.
  const degree = new Int32Array(records.length + 1);
  for (const pair of pairs) {
    degree[pair.first + 1] = (degree[pair.first + 1] ?? 0) + 1;
    degree[pair.second + 1] = (degree[pair.second + 1] ?? 0) + 1;
  }
  for (let i = 1; i < degree.length; i += 1) degree[i] = (degree[i] ?? 0) + (degree[i - 1] ?? 0);
  const start = degree.slice();
  const neighbours = new Int32Array(pairs.length * 2);
  for (const pair of pairs) {
    neighbours[start[pair.first] ?? 0] = pair.second;
    start[pair.first] = (start[pair.first] ?? 0) + 1;
    neighbours[start[pair.second] ?? 0] = pair.first;
    start[pair.second] = (start[pair.second] ?? 0) + 1;
  }
  const valid = relations.filter((r) => r.from >= 0 && r.to >= 0 && r.from < records.length && r.to < records.length && r.from !== r.to);
  const result = joinByRelations(clusters.clusterOf, valid, {
    check: (a, b) => {
      const pattern = compareRows(table, a, b);
      const address = levelOf(pattern, ADDRESS);
      const sameGiven = levelOf(pattern, GIVEN) === EXACT && levelOf(pattern, SEX) !== 2;
      return (relationalNamesAgree(pattern) ? NAMES_AGREE : 0) | (relationalNamesAlike(pattern) ? NAMES_ALIKE : 0) | (sameGiven ? SAME_GIVEN : 0)
        | (relationalConflict(pattern, strictTwins, table.birthDate[a] ?? -1, table.birthDate[b] ?? -1, shortForm(records[a]?.given ?? '', records[b]?.given ?? '')) ? CONFLICT : 0) | (address === 1 || address === 2 ? SAME_ADDRESS : 0);
    },
    neighbours: (record) => neighbours.subarray(degree[record] ?? 0, degree[record + 1] ?? 0),
    addressOf: (record) => {
      const r = records[record];
      if (!r || (r.postcode === '' && r.street === '')) return null;
      return `${r.postcode}|${r.streetNumber}|${r.street}|${r.locality}`;
    },
    birthOf: (record) => table.birthDate[record] ?? -1,
    childBornAfter,
    ...(onDoubt ? { onDoubt } : {}),
  });
  const sizes = new Map<number, number>();
  for (const cluster of result.clusterOf) sizes.set(cluster, (sizes.get(cluster) ?? 0) + 1);
  return { ...clusters, clusterOf: result.clusterOf, sizes, joinedByRelations: result.joined, joinedByHousehold: result.joinedByHousehold, ambiguousByRelations: result.ambiguous };
}

/** Link the people in one agency's file to those in another's (records never link within a file). */
export function linkSources(first: readonly PersonRecord[], second: readonly PersonRecord[], options: LinkageOptions = {}): LinkageRun {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const vocabulary = new Vocabulary();
  const records = [
    ...first.map((record, i) => prepareRecord(record, i, 0, vocabulary)),
    ...second.map((record, i) => prepareRecord(record, first.length + i, 1, vocabulary)),
  ];
  return run(records, vocabulary, 'link', options, started);
}

/** Find the records within one file that are the same person, and group them. */
export function findDuplicates(records: readonly PersonRecord[], options: LinkageOptions = {}): LinkageRun {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const vocabulary = new Vocabulary();
  const prepared = records.map((record, i) => prepareRecord(record, i, 0, vocabulary));
  return run(prepared, vocabulary, 'dedupe', options, started);
}

/** Field-by-field weights for any two records of a run, for the review page. */
export function explainPair(linkage: LinkageRun, first: number, second: number): WeightBreakdown {
  const a = linkage.records[first];
  const b = linkage.records[second];
  if (!a || !b) throw new RangeError('no record at that position');
  return linkage.model.explain(a, b, comparePair(a, b), linkage.vocabulary);
}
