import type { PreparedRecord } from './prepare.ts';

export interface ScoredLink {
  readonly first: number;
  readonly second: number;
  readonly weight: number;
}

export interface ClusteringOptions {
  /** Score any two records (used to check a merge against every pair it would join). */
  readonly score: (a: PreparedRecord, b: PreparedRecord) => { probability: number; held: boolean };
  /** Below this probability a pair is evidence of two different people. */
  readonly reviewProbability: number;
  /** Mean probability across a merge's new pairs must reach this. */
  readonly meanProbability: number;
  /** Above this many cross pairs a merge is checked on a sample of them. */
  readonly maxChecks?: number;
  /** No group grows beyond this many records without a person looking. */
  readonly maxClusterSize?: number;
}

export interface Clusters {
  /** Cluster number for each record position. */
  readonly clusterOf: Int32Array;
  readonly sizes: ReadonlyMap<number, number>;
  /** Links not followed because they would have joined people the evidence keeps apart. */
  readonly refusedMerges: number;
}

/**
 * People from linked pairs, guarded against chaining: links are followed
 * strongest first, and two groups are joined only if no pair across them is
 * held for review (possible twins, an NHS number clash) or scores as two
 * different people, and the pairs across them are on average a likely match.
 * Plain connected components would let A~B and B~C join A to an unrelated C.
 */
export function clusterLinks(records: readonly PreparedRecord[], links: readonly ScoredLink[], options: ClusteringOptions): Clusters {
  const parent = new Int32Array(records.length);
  for (let i = 0; i < parent.length; i += 1) parent[i] = i;
  const members = new Map<number, number[]>();
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root] ?? root;
    let node = i;
    while (parent[node] !== root) {
      const next = parent[node] ?? root;
      parent[node] = root;
      node = next;
    }
    return root;
  };
  const membersOf = (root: number): number[] => members.get(root) ?? [root];
  const maxChecks = options.maxChecks ?? 400;
  let refusedMerges = 0;
  const ordered = [...links].sort((x, y) => y.weight - x.weight);
  for (const link of ordered) {
    const rootA = find(link.first);
    const rootB = find(link.second);
    if (rootA === rootB) continue;
    const groupA = membersOf(rootA);
    const groupB = membersOf(rootB);
    if (groupA.length + groupB.length > (options.maxClusterSize ?? 50)) {
      refusedMerges += 1;
      continue;
    }
    if (groupA.length > 1 || groupB.length > 1) {
      let checked = 0;
      let total = 0;
      let refused = false;
      const step = Math.max(1, Math.floor((groupA.length * groupB.length) / maxChecks));
      let counter = 0;
      outer: for (const i of groupA) {
        for (const j of groupB) {
          counter += 1;
          if (counter % step !== 0 && !(i === link.first && j === link.second)) continue;
          const a = records[i];
          const b = records[j];
          if (!a || !b) continue;
          const { probability, held } = options.score(a, b);
          if (held || probability < options.reviewProbability) {
            refused = true;
            break outer;
          }
          total += probability;
          checked += 1;
        }
      }
      if (refused || (checked > 0 && total / checked < options.meanProbability)) {
        refusedMerges += 1;
        continue;
      }
    }
    const [keep, absorb, kept, absorbed] = groupA.length >= groupB.length ? [rootA, rootB, groupA, groupB] : [rootB, rootA, groupB, groupA];
    parent[absorb] = keep;
    kept.push(...absorbed);
    members.set(keep, kept);
    members.delete(absorb);
  }
  const clusterOf = new Int32Array(records.length);
  const sizes = new Map<number, number>();
  for (let i = 0; i < records.length; i += 1) {
    const root = find(i);
    clusterOf[i] = root;
    sizes.set(root, (sizes.get(root) ?? 0) + 1);
  }
  return { clusterOf, sizes, refusedMerges };
}
