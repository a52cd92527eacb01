import { BLOCKING_RULES, candidatePairs, type BlockingRule } from './blocking.ts';
import { clusterLinks, type Clusters, type ScoredLink } from './clustering.ts';
import { comparePair } from './comparisons.ts';
import {
  DEFAULT_THRESHOLDS,
  LinkageModel,
  countLevels,
  emptyLevelCounts,
  estimateMatchRates,
  holdReason,
  nonMatchRatesFromSample,
  probabilityFromWeight,
  type Outcome,
  type Thresholds,
  type WeightBreakdown,
} from './model.ts';
import type { PersonRecord } from './person-record.ts';
import { Vocabulary, prepareRecord, type PreparedRecord } from './prepare.ts';

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
  /** Hold possible twins for review even when they share an identifier other than the NHS number. */
  readonly strictTwins?: boolean;
  readonly rules?: readonly BlockingRule[];
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
  /** Comparing and scoring every candidate pair: the figure comparisons per second is taken from. */
  readonly comparisonSeconds: number;
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

function estimateNonMatchRates(records: readonly PreparedRecord[], mode: 'dedupe' | 'link', sampleSize: number, random: () => number): number[][] {
  const counts = emptyLevelCounts();
  const firstPool = mode === 'link' ? records.filter((r) => r.source === 0) : records;
  const secondPool = mode === 'link' ? records.filter((r) => r.source !== 0) : records;
  if (firstPool.length === 0 || secondPool.length === 0) return nonMatchRatesFromSample(counts);
  for (let s = 0; s < sampleSize; s += 1) {
    const a = firstPool[Math.floor(random() * firstPool.length)];
    const b = secondPool[Math.floor(random() * secondPool.length)];
    if (!a || !b || a === b) continue;
    countLevels(counts, comparePair(a, b));
  }
  return nonMatchRatesFromSample(counts);
}

function run(records: readonly PreparedRecord[], vocabulary: Vocabulary, mode: 'dedupe' | 'link', options: LinkageOptions, started: number, prepared: number): LinkageRun {
  const now = options.now ?? (() => performance.now());
  const blocking = candidatePairs(records, { mode, maxBlockSize: options.maxBlockSize, rules: options.rules ?? BLOCKING_RULES });
  const blocked = now();

  const random = seededRandom(options.seed ?? 20261123);
  const u = estimateNonMatchRates(records, mode, options.uSampleSize ?? 300_000, random);
  const sampled = now();

  const { first, second, length } = blocking.pairs;
  const patterns = new Float64Array(length);
  const patternCounts = new Map<number, number>();
  for (let p = 0; p < length; p += 1) {
    const a = records[first[p] ?? 0];
    const b = records[second[p] ?? 0];
    if (!a || !b) continue;
    const pattern = comparePair(a, b);
    patterns[p] = pattern;
    patternCounts.set(pattern, (patternCounts.get(pattern) ?? 0) + 1);
  }
  const compared = now();

  const em = estimateMatchRates(patternCounts, u, { estimateU: options.estimateU ?? true });
  const model = new LinkageModel({ m: em.m, u: em.u, randomU: u, prior: em.prior }, options.thresholds ?? DEFAULT_THRESHOLDS, options.strictTwins ?? false);
  const estimated = now();

  const pairs: ScoredPair[] = [];
  const reviewWeight = Math.log2(model.thresholds.review / (1 - model.thresholds.review));
  for (let p = 0; p < length; p += 1) {
    const pattern = patterns[p] ?? 0;
    const held = holdReason(pattern, model.strictTwins) !== null;
    if (!held && model.patternWeight(pattern) < reviewWeight - 30) continue;
    const i = first[p] ?? 0;
    const j = second[p] ?? 0;
    const a = records[i];
    const b = records[j];
    if (!a || !b) continue;
    const weight = model.matchWeight(a, b, pattern, vocabulary);
    if (!held && weight < reviewWeight) continue;
    const probability = probabilityFromWeight(weight);
    pairs.push({ first: i, second: j, weight, probability, outcome: model.decide(probability, pattern).outcome, pattern });
  }
  const scored = now();

  let clusters: Clusters | null = null;
  if (mode === 'dedupe') {
    const links: ScoredLink[] = pairs.filter((pair) => pair.outcome === 'link');
    clusters = clusterLinks(records, links, {
      score: (a, b) => {
        const pattern = comparePair(a, b);
        return { probability: probabilityFromWeight(model.matchWeight(a, b, pattern, vocabulary)), held: holdReason(pattern, model.strictTwins) !== null };
      },
      reviewProbability: model.thresholds.review,
      meanProbability: model.thresholds.link,
    });
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
    emIterations: em.iterations,
    candidates: blocking.pairs,
    timings: {
      prepareSeconds: (prepared - started) / 1000,
      blockingSeconds: (blocked - prepared) / 1000,
      estimateSeconds: (sampled - blocked + estimated - compared) / 1000,
      comparisonSeconds: (compared - sampled + scored - estimated) / 1000,
      clusteringSeconds: (clustered - scored) / 1000,
      totalSeconds: (clustered - started) / 1000,
    },
  };
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
  return run(records, vocabulary, 'link', options, started, now());
}

/** Find the records within one file that are the same person, and group them. */
export function findDuplicates(records: readonly PersonRecord[], options: LinkageOptions = {}): LinkageRun {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const vocabulary = new Vocabulary();
  const prepared = records.map((record, i) => prepareRecord(record, i, 0, vocabulary));
  return run(prepared, vocabulary, 'dedupe', options, started, now());
}

/** Field-by-field weights for any two records of a run, for the review page. */
export function explainPair(linkage: LinkageRun, first: number, second: number): WeightBreakdown {
  const a = linkage.records[first];
  const b = linkage.records[second];
  if (!a || !b) throw new RangeError('no record at that position');
  return linkage.model.explain(a, b, comparePair(a, b), linkage.vocabulary);
}
