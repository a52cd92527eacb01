/**
 * Scoring against known answers. Labels are used here and nowhere else: the
 * linker never sees them.
 */
export interface PairScores {
  readonly truePairs: number;
  readonly predictedPairs: number;
  readonly correctPairs: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/** Pairs of records that are truly one person: within the table, or only across sources when linking. */
export function countTruePairs(truePerson: readonly (string | null)[], source: ArrayLike<number> | null): number {
  const bySource = new Map<string, number[]>();
  for (let i = 0; i < truePerson.length; i += 1) {
    const person = truePerson[i];
    if (person === null || person === undefined) continue;
    const counts = bySource.get(person) ?? [0, 0];
    const side = source ? (source[i] ?? 0) : 0;
    counts[side === 0 ? 0 : 1] = (counts[side === 0 ? 0 : 1] ?? 0) + 1;
    bySource.set(person, counts);
  }
  let total = 0;
  for (const [first = 0, second = 0] of bySource.values()) total += source ? first * second : (first * (first - 1)) / 2;
  return total;
}

/** Precision, recall and F1 of predicted pairs (positions into the same table as `truePerson`). */
export function scorePairs(
  predicted: Iterable<readonly [number, number]>,
  truePerson: readonly (string | null)[],
  truePairs: number,
): PairScores {
  let predictedPairs = 0;
  let correctPairs = 0;
  for (const [a, b] of predicted) {
    predictedPairs += 1;
    const person = truePerson[a];
    if (person !== null && person !== undefined && person === truePerson[b]) correctPairs += 1;
  }
  const precision = predictedPairs === 0 ? 0 : correctPairs / predictedPairs;
  const recall = truePairs === 0 ? 0 : correctPairs / truePairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { truePairs, predictedPairs, correctPairs, precision, recall, f1 };
}

/** Every pair of records inside each cluster. */
export function* pairsWithinClusters(clusterOf: Int32Array): Generator<readonly [number, number]> {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < clusterOf.length; i += 1) {
    const cluster = clusterOf[i] ?? i;
    const group = groups.get(cluster);
    if (group) group.push(i);
    else groups.set(cluster, [i]);
  }
  for (const group of groups.values()) {
    for (let x = 0; x < group.length; x += 1) for (let y = x + 1; y < group.length; y += 1) yield [group[x] ?? 0, group[y] ?? 0];
  }
}

export interface ClusterScores {
  readonly truePeople: number;
  /** True people whose records all ended in one cluster with nobody else's. */
  readonly exactlyRecovered: number;
  readonly share: number;
}

/** How many true people were found whole and alone. */
export function scoreClusters(clusterOf: Int32Array, truePerson: readonly (string | null)[]): ClusterScores {
  const clusterMembers = new Map<number, number>();
  for (let i = 0; i < clusterOf.length; i += 1) clusterMembers.set(clusterOf[i] ?? i, (clusterMembers.get(clusterOf[i] ?? i) ?? 0) + 1);
  const people = new Map<string, { size: number; clusters: Set<number> }>();
  truePerson.forEach((person, i) => {
    if (person === null) return;
    const entry = people.get(person) ?? { size: 0, clusters: new Set<number>() };
    entry.size += 1;
    entry.clusters.add(clusterOf[i] ?? i);
    people.set(person, entry);
  });
  let exactlyRecovered = 0;
  for (const { size, clusters } of people.values()) {
    const [only] = [...clusters];
    if (clusters.size === 1 && only !== undefined && clusterMembers.get(only) === size) exactlyRecovered += 1;
  }
  return { truePeople: people.size, exactlyRecovered, share: people.size === 0 ? 0 : exactlyRecovered / people.size };
}
