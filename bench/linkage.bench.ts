import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { evaluateFebrlTexts, evaluateLinkage, type LinkageEvaluation } from '../src/domain/linkage/link-evaluation.ts';
import { syntheticChildren } from '../src/domain/linkage/synthetic.ts';
import { findDuplicates } from '../src/domain/linkage/linker.ts';
import type { PersonRecord } from '../src/domain/linkage/person-record.ts';
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

/**
 * The synthetic county (src/features/synthetic-county) deduplicated by the
 * batch linker and scored ONLY with its truth rows (personKey per agency
 * record): person-level pairwise precision and recall, and separately the
 * worst error, two different children joined into one person.
 */
export function benchCounty(children: number, seed = 20261123): Record<string, unknown> {
  const county = createCounty({ children, years: 5, seed });
  const records: PersonRecord[] = [];
  const truePerson: string[] = [];
  const birthDates: (string | undefined)[] = [];
  let n = 0;
  const started = performance.now();
  for (const chunk of county.households()) {
    const truth = new Map(chunk.truth.map((t) => [`${t.agency}:${t.localId}`, t.personKey]));
    for (const r of chunk.records) {
      if (r.kind !== 'person') continue;
      records.push(linkageRecordOf(n, r));
      truePerson.push(truth.get(`${r.agency}:${r.localId}`) ?? `unknown-${n}`);
      birthDates.push(r.birthDate);
      n += 1;
    }
  }
  const generationSeconds = (performance.now() - started) / 1000;
  const result = evaluateLinkage([{ records, truePerson }]);
  // A child: a person any of whose records gives a birth date under 18 at the end of the window.
  const childCutoff = `${Number(county.window.end.slice(0, 4)) - 18}${county.window.end.slice(4)}`;
  const children_ = new Set<string>();
  truePerson.forEach((p, i) => {
    const born = birthDates[i];
    if (born && born > childCutoff) children_.add(p);
  });
  return { county: { children, seed, ...figures(result), generationSeconds, falseChildMerges: falseChildMerges(records, truePerson, children_) } };
}

/** Pairs of two different children that the linker put into one person (from a fresh run's clusters). */
function falseChildMerges(records: PersonRecord[], truePerson: string[], children: Set<string>): number {
  // evaluateLinkage does not hand back its clusters, so run the linker once more for them.
  const run = evaluateLinkageClusters(records);
  const members = new Map<number, Set<string>>();
  run.forEach((cluster, i) => {
    const p = truePerson[i]!;
    if (!children.has(p)) return;
    const set = members.get(cluster) ?? new Set<string>();
    set.add(p);
    members.set(cluster, set);
  });
  let pairs = 0;
  for (const set of members.values()) pairs += (set.size * (set.size - 1)) / 2;
  return pairs;
}

function evaluateLinkageClusters(records: PersonRecord[]): Int32Array {
  const run = findDuplicates(records);
  return run.clusters?.clusterOf ?? new Int32Array(records.length).map((_, i) => i);
}

/** Linkage figures: FEBRL3 and FEBRL4 (when ../shared is there), a synthetic dedupe of 1,000,000 records (50,000 when quick), and the county when asked. */
export async function benchLinkage(options: { quick: boolean; shared: string | undefined; county?: number }): Promise<Record<string, unknown>> {
  const report: Record<string, unknown> = {};
  if (options.county) return benchCounty(options.county);
  const febrl = options.shared ? path.join(options.shared, 'data', 'linkage', 'febrl') : undefined;
  if (febrl && existsSync(path.join(febrl, 'dataset3.csv'))) {
    const read = (name: string) => readFileSync(path.join(febrl, name), 'utf8');
    report.febrl4 = figures(evaluateFebrlTexts([read('dataset4a.csv'), read('dataset4b.csv')]));
    report.febrl3 = figures(evaluateFebrlTexts([read('dataset3.csv')]));
  } else {
    report.febrl = 'skipped: no ../shared';
  }
  const count = options.quick ? 50_000 : 1_000_000;
  const generated = performance.now();
  const synthetic = syntheticChildren(count);
  const generationSeconds = (performance.now() - generated) / 1000;
  report.syntheticDedupe = { ...figures(evaluateLinkage([synthetic])), generationSeconds };
  return report;
}

export const suite: BenchSuite = {
  name: 'linkage',
  measures: 'record linkage quality (FEBRL3, FEBRL4) and speed (comparisons per second, a synthetic dedupe of 1,000,000 records; 50,000 when quick)',
  run: (options) => benchLinkage({ quick: options.quick, shared: options.shared }),
};
