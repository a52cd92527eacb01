import { countTruePairs, pairsWithinClusters, scoreClusters, scorePairs, type ClusterScores, type PairScores } from './evaluation.ts';
import { parseFebrlCsv, type LabelledRecords } from './febrl.ts';
import { findDuplicates, linkSources, type LinkageOptions, type LinkageRun } from './linker.ts';

/** What `kinsight link-eval` reports for one run. */
export interface LinkageEvaluation {
  readonly task: 'link two files' | 'find duplicates in one file';
  readonly records: number;
  readonly candidatePairs: number;
  readonly truePairs: number;
  readonly predictedPairs: number;
  /** Share of true pairs that blocking put forward for comparison. */
  readonly blockingRecall: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Pairs held for a practitioner to review (between the thresholds, or held by a safeguarding rule). */
  readonly reviewPairs: number;
  readonly seconds: number;
  readonly comparisonSeconds: number;
  readonly comparisonsPerSecond: number;
  /** Within one file: scores of the directly linked pairs, before grouping into people. */
  readonly directLinks?: PairScores;
  readonly clusters?: ClusterScores & { readonly refusedMerges: number };
  readonly model: {
    readonly prior: number;
    readonly emIterations: number;
    readonly thresholds: { readonly link: number; readonly review: number };
  };
  readonly blockingRules: readonly { rule: string; pairs: number }[];
  readonly timings: LinkageRun['timings'];
}

function blockingRecall(linkage: LinkageRun, truePerson: readonly (string | null)[], truePairs: number): number {
  let found = 0;
  const { first, second, length } = linkage.candidates;
  for (let p = 0; p < length; p += 1) {
    const person = truePerson[first[p] ?? 0];
    if (person !== null && person !== undefined && person === truePerson[second[p] ?? 0]) found += 1;
  }
  return truePairs === 0 ? 0 : found / truePairs;
}

/** Run the linker on labelled files (one: find duplicates; two: link across) and score it with the labels. */
export function evaluateLinkage(files: readonly LabelledRecords[], options: LinkageOptions = {}): LinkageEvaluation {
  return evaluateLinkageRun(files, options).evaluation;
}

/** As `evaluateLinkage`, also handing back the run (its groups of records, for further scoring). */
export function evaluateLinkageRun(files: readonly LabelledRecords[], options: LinkageOptions = {}): { evaluation: LinkageEvaluation; run: LinkageRun } {
  const [firstFile, secondFile] = files;
  if (!firstFile) throw new Error('link-eval needs one or two files');
  const linking = secondFile !== undefined;
  const linkage = linking ? linkSources(firstFile.records, secondFile.records, options) : findDuplicates(firstFile.records, options);
  const truePerson = linking ? [...firstFile.truePerson, ...secondFile.truePerson] : firstFile.truePerson;
  const source = linking ? linkage.records.map((record) => record.source) : null;
  const truePairs = countTruePairs(truePerson, source);
  const links = linkage.pairs.filter((pair) => pair.outcome === 'link').map((pair) => [pair.first, pair.second] as const);
  const direct = scorePairs(links, truePerson, truePairs);
  const final = linkage.clusters ? scorePairs(pairsWithinClusters(linkage.clusters.clusterOf), truePerson, truePairs) : direct;
  const { timings } = linkage;
  const evaluation: LinkageEvaluation = {
    task: linking ? 'link two files' : 'find duplicates in one file',
    records: linkage.records.length,
    candidatePairs: linkage.candidatePairCount,
    truePairs,
    predictedPairs: final.predictedPairs,
    blockingRecall: blockingRecall(linkage, truePerson, truePairs),
    precision: final.precision,
    recall: final.recall,
    f1: final.f1,
    reviewPairs: linkage.pairs.length - links.length,
    seconds: timings.totalSeconds,
    comparisonSeconds: timings.comparisonSeconds,
    comparisonsPerSecond: timings.comparisonSeconds > 0 ? linkage.candidatePairCount / timings.comparisonSeconds : 0,
    ...(linkage.clusters
      ? {
          directLinks: direct,
          clusters: { ...scoreClusters(linkage.clusters.clusterOf, truePerson), refusedMerges: linkage.clusters.refusedMerges },
        }
      : {}),
    model: { prior: linkage.model.parameters.prior, emIterations: linkage.emIterations, thresholds: linkage.model.thresholds },
    blockingRules: linkage.newPairsByRule,
    timings,
  };
  return { evaluation, run: linkage };
}

/** Parse FEBRL CSV texts and evaluate them. */
export function evaluateFebrlTexts(texts: readonly string[], options: LinkageOptions = {}): LinkageEvaluation {
  return evaluateLinkage(texts.map(parseFebrlCsv), options);
}
