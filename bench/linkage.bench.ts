import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { evaluateFebrlTexts, evaluateLinkage, evaluateLinkageRun, type LinkageEvaluation } from '../src/domain/linkage/link-evaluation.ts';
import { syntheticChildren } from '../src/domain/linkage/synthetic.ts';
import { countTruePairs, pairsWithinClusters, scorePairs } from '../src/domain/linkage/evaluation.ts';
import type { PersonRecord } from '../src/domain/linkage/person-record.ts';
import type { RecordRelation } from '../src/domain/linkage/relations.ts';
import { createCounty } from '../src/features/synthetic-county/generator.ts';
import { linkageRecordOf } from '../src/features/records/linking.ts';
import type { BenchSuite } from './suite.ts';


function figures(result: LinkageEvaluation): Record<string, unknown> {
  return {
    records: result.records,
    candidatePairs: result.candidatePairs,
    truePairs: result.truePairs,
    predictedPairs: result.predictedPairs,
    blockingRecall: result.blockingRecall,
    precision: result.precision,
    recall: result.recall,
    f1: result.f1,
    seconds: result.seconds,
    comparisonsPerSecond: Math.round(result.comparisonsPerSecond),
  };
}

/** Targets from issue 6 for the synthetic county. */
export const COUNTY_TARGETS = { precision: 0.995, recall: 0.98 };

/**
 * The synthetic county (src/features/synthetic-county) deduplicated by the
 * batch linker and scored ONLY with its truth rows (personKey per agency
 * record): person-level pairwise precision and recall (every pair of records
 * put in one person, against every pair of records truly one person), and
 * separately the worst error, two different children joined into one person.
 * Records of unborn babies are left out: they join the child at birth
 * through `linkBirth`, not through the linker.
 */
export function benchCounty(children: number, seed = 20261123): Record<string, unknown> {
  const county = createCounty({ children, years: 5, seed });
  const records: PersonRecord[] = [];
  const truePerson: string[] = [];
  const birthDates: (string | undefined)[] = [];
  /** Whether the record carries anything but a name: a birth date, NHS number, address or recorded relationship. */
  const carriesEvidence: boolean[] = [];
  const relations: RecordRelation[] = [];
  let n = 0;
  const started = performance.now();
  for (const chunk of county.households()) {
    const truth = new Map(chunk.truth.map((t) => [`${t.agency}:${t.localId}`, t.personKey]));
    const position = new Map<string, number>();
    for (const r of chunk.records) {
      if (r.kind !== 'person') continue;
      position.set(`${r.agency}:${r.localId}`, n);
      records.push(linkageRecordOf(n, r));
      truePerson.push(truth.get(`${r.agency}:${r.localId}`) ?? `unknown-${n}`);
      birthDates.push(r.birthDate);
      carriesEvidence.push(Boolean(r.birthDate || r.nhsNumber || r.address?.postcode || r.address?.lines?.length));
      n += 1;
    }
    // Relationships as each agency recorded them, between its own records (what ingest receives alongside).
    for (const rel of chunk.relationships) {
      const from = position.get(`${rel.agency}:${rel.from}`);
      const to = position.get(`${rel.agency}:${rel.to}`);
      if (from === undefined || to === undefined) continue;
      relations.push({ from, to, type: rel.type });
      carriesEvidence[from] = true;
      carriesEvidence[to] = true;
    }
  }
  const generationSeconds = (performance.now() - started) / 1000;
  // A child: a person any of whose records gives a birth date under 18 at the end of the window. The linker
  // gets the same reference date (not the truth) so its child holds apply as of the county's "today".
  const childCutoff = `${Number(county.window.end.slice(0, 4)) - 18}${county.window.end.slice(4)}`;
  const { evaluation, run } = evaluateLinkageRun([{ records, truePerson }], { childBornAfter: childCutoff, relations });
  const isChild = new Set<string>();
  truePerson.forEach((p, i) => {
    const born = birthDates[i];
    if (born && born > childCutoff) isChild.add(p);
  });
  const clusterOf = run.clusters?.clusterOf ?? Int32Array.from(records, (_, i) => i);
  const childrenIn = new Map<number, Set<string>>();
  const peopleIn = new Map<number, Set<string>>();
  clusterOf.forEach((cluster, i) => {
    const p = truePerson[i] ?? '';
    const people = peopleIn.get(cluster) ?? new Set<string>();
    people.add(p);
    peopleIn.set(cluster, people);
    if (!isChild.has(p)) return;
    const set = childrenIn.get(cluster) ?? new Set<string>();
    set.add(p);
    childrenIn.set(cluster, set);
  });
  let falseChildMergePairs = 0;
  let peopleJoiningTwoChildren = 0;
  for (const set of childrenIn.values()) {
    falseChildMergePairs += (set.size * (set.size - 1)) / 2;
    if (set.size > 1) peopleJoiningTwoChildren += 1;
  }
  let mixedPeople = 0;
  for (const set of peopleIn.values()) if (set.size > 1) mixedPeople += 1;
  // The same scores over children's records only (pairs with a child's record on either side).
  const childOnly = truePerson.map((p) => (isChild.has(p) ? p : null));
  const childTruePairs = countTruePairs(childOnly, null);
  const childPredicted: [number, number][] = [];
  for (const [a, b] of pairsWithinClusters(clusterOf)) if (isChild.has(truePerson[a] ?? '') || isChild.has(truePerson[b] ?? '')) childPredicted.push([a, b]);
  const childScores = scorePairs(childPredicted, childOnly, childTruePairs);
  // Recall over the pairs that could be linked at all: both records carry something besides a name (a birth
  // date, NHS number, address or a recorded relationship). A record with a name and nothing else ("Rachel
  // Reed", perhaps a sex) cannot be told from anyone else of that name by any linker. The plain recall above
  // stays the figure against the target; this one says how much of the gap is such records.
  const linkablePerson = truePerson.map((p, i) => (carriesEvidence[i] ? p : null));
  const linkableTruePairs = countTruePairs(linkablePerson, null);
  const linkablePredicted: [number, number][] = [];
  for (const [a, b] of pairsWithinClusters(clusterOf)) if (carriesEvidence[a] && carriesEvidence[b]) linkablePredicted.push([a, b]);
  const linkableScores = scorePairs(linkablePredicted, linkablePerson, linkableTruePairs);
  return {
    children,
    seed,
    ...figures(evaluation),
    targets: COUNTY_TARGETS,
    meetsPrecision: evaluation.precision >= COUNTY_TARGETS.precision,
    meetsRecall: evaluation.recall >= COUNTY_TARGETS.recall,
    childrensRecords: { precision: childScores.precision, recall: childScores.recall, truePairs: childTruePairs },
    /** Records with a name and nothing else (no birth date, NHS number, address or recorded relationship), and recall over the pairs of the others. */
    nameOnlyRecords: carriesEvidence.filter((x) => !x).length,
    linkable: { truePairs: linkableTruePairs, precision: linkableScores.precision, recall: linkableScores.recall, meetsRecall: linkableScores.recall >= COUNTY_TARGETS.recall },
    relationships: relations.length,
    /** Groups joined through a shared relative, and undated groups joined to the only person of their name in the household (relations.ts). */
    joinedByRelations: run.clusters?.joinedByRelations ?? 0,
    joinedByHousehold: run.clusters?.joinedByHousehold ?? 0,
    truePeople: new Set(truePerson).size,
    peopleFoundWholeAndAlone: evaluation.clusters?.share,
    /** Kinsight people holding records of two or more true people. */
    mixedPeople,
    /** The worst error: Kinsight people holding records of two or more different children, and the pairs of children so joined. */
    falseChildMerges: { people: peopleJoiningTwoChildren, pairsOfChildren: falseChildMergePairs },
    heldForReview: evaluation.reviewPairs,
    /** Records taken out of a group because they fit two people held apart. */
    ambiguousRecords: run.clusters?.ambiguous ?? 0,
    generationSeconds,
  };
}

/**
 * Linkage figures: FEBRL3 and FEBRL4 (when ../shared is there), a synthetic
 * dedupe of 1,000,000 records (50,000 when quick) for speed, and the
 * synthetic county (2,000 children when quick, 20,000 otherwise) for
 * person-level quality.
 */
export async function benchLinkage(options: { quick: boolean; shared: string | undefined; county?: number; progress?: (line: string) => void }): Promise<Record<string, unknown>> {
  const report: Record<string, unknown> = {};
  const progress = options.progress ?? (() => undefined);
  const febrl = options.shared ? path.join(options.shared, 'data', 'linkage', 'febrl') : undefined;
  if (febrl && existsSync(path.join(febrl, 'dataset3.csv'))) {
    const read = (name: string) => readFileSync(path.join(febrl, name), 'utf8');
    progress('FEBRL4, FEBRL3');
    report.febrl4 = figures(evaluateFebrlTexts([read('dataset4a.csv'), read('dataset4b.csv')]));
    report.febrl3 = figures(evaluateFebrlTexts([read('dataset3.csv')]));
  } else {
    report.febrl = 'skipped: no ../shared';
  }
  const count = options.quick ? 50_000 : 1_000_000;
  progress(`synthetic dedupe of ${count.toLocaleString('en-GB')} records`);
  const generated = performance.now();
  const synthetic = syntheticChildren(count);
  const generationSeconds = (performance.now() - generated) / 1000;
  const dedupe = evaluateLinkage([synthetic]);
  report.syntheticDedupe = { ...figures(dedupe), generationSeconds, stages: dedupe.timings, blockingRules: dedupe.blockingRules };
  const children = options.county ?? (options.quick ? 2_000 : 20_000);
  progress(`synthetic county, ${children.toLocaleString('en-GB')} children`);
  report.county = benchCounty(children);
  return report;
}

export const suite: BenchSuite = {
  name: 'linkage',
  measures: 'record linkage quality (FEBRL3, FEBRL4, the synthetic county person-level with false child merges) and speed (comparisons per second, a synthetic dedupe of 1,000,000 records; 50,000 and 2,000 county children when quick)',
  run: (options) => benchLinkage({ quick: options.quick, shared: options.shared, progress: options.progress }),
};
