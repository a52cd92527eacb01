import type { PreparedRecord } from './prepare.ts';

export interface ScoredLink {
  readonly first: number;
  readonly second: number;
  readonly weight: number;
}

export interface ClusteringOptions {
  /** Score any two records (used to check a merge against every pair it would join). */
  readonly score: (a: PreparedRecord, b: PreparedRecord) => {
    probability: number;
    held: boolean;
    strongNonMatch?: boolean;
    /** A strong non-match that establishes two different people (used to find records that fit both); default `strongNonMatch`. */
    twoPeople?: boolean;
  };
  /** Below this probability a pair is evidence of two different people. */
  readonly reviewProbability: number;
  /** Mean probability across a merge's new pairs must reach this. */
  readonly meanProbability: number;
  /**
   * Pairs across a merge that are weak (held, or below the review threshold, but not a strong
   * non-match) tolerated, as a share of the pairs across it (at least one is tolerated when the
   * merge has two or more cross pairs). Default 0: any weak pair refuses, the first version's rule.
   */
  readonly weakShare?: number;
  /** No group grows beyond this many records without a person looking. */
  readonly maxClusterSize?: number;
}

export interface Clusters {
  /** Cluster number for each record position. */
  readonly clusterOf: Int32Array;
  readonly sizes: ReadonlyMap<number, number>;
  /** Links not followed because they would have joined people the evidence keeps apart. */
  readonly refusedMerges: number;
  /** Records taken back out of a group because they fit two groups held apart. */
  readonly ambiguous: number;
  /** Groups joined to another through a shared relative (relations.ts), when relationships were given. */
  readonly joinedByRelations?: number;
  /** Undated groups joined to the only person of their name in their household (relations.ts). */
  readonly joinedByHousehold?: number;
  /** Joins through a shared relative not made because two people of that name were related the same way. */
  readonly ambiguousByRelations?: number;
}

/**
 * People from linked pairs, guarded against chaining: links are followed
 * strongest first, and two groups are joined only if no pair across them is
 * a strong non-match (different NHS numbers, birth dates that disagree,
 * possible twins: see `strongNonMatch` in model.ts), few of them are weak
 * (held or below the review threshold: `weakShare`), and the pairs across
 * them are on average a likely match. A scorer that does not say what is a
 * strong non-match gets the first version's rule: any weak pair refuses.
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
  /** The two groups a link's records are in now, or null when they are already one. */
  const groupsApart = (link: { first: number; second: number }) => {
    const rootA = find(link.first);
    const rootB = find(link.second);
    return rootA === rootB ? null : { rootA, rootB, groupA: membersOf(rootA), groupB: membersOf(rootB) };
  };
  let refusedMerges = 0;
  const ordered = [...links].sort((x, y) => y.weight - x.weight);
  for (const link of ordered) {
    const apart = groupsApart(link);
    if (!apart) continue;
    const { rootA, rootB, groupA, groupB } = apart;
    if (groupA.length + groupB.length > (options.maxClusterSize ?? 50)) {
      refusedMerges += 1;
      continue;
    }
    if (groupA.length > 1 || groupB.length > 1) {
      // Every pair across the two groups is checked: one strong non-match refuses the merge outright.
      let checked = 0;
      let total = 0;
      let weak = 0;
      let refused = false;
      outer: for (const i of groupA) {
        for (const j of groupB) {
          const a = records[i];
          const b = records[j];
          if (!a || !b) continue;
          const { probability, held, strongNonMatch } = options.score(a, b);
          if (strongNonMatch === true || (strongNonMatch === undefined && (held || probability < options.reviewProbability))) {
            refused = true;
            break outer;
          }
          checked += 1;
          if (held || probability < options.reviewProbability) weak += 1;
          else total += probability;
        }
      }
      // The weak pairs tolerated are left out of the mean: it is taken over the pairs that are evidence,
      // which must be at least as many as the weak ones (a record held only by one weak pair joins).
      const tolerated = checked < 2 ? 0 : Math.max(1, Math.floor(checked * (options.weakShare ?? 0)));
      const strongPairs = checked - weak;
      if (refused || weak > tolerated || strongPairs < weak || (strongPairs > 0 && total / strongPairs < options.meanProbability)) {
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
  // A record that fits two groups held apart by a strong non-match (twins given one first name, and a
  // record of one of them without the middle name) belongs to neither without a person looking.
  const ambiguous = new Set<number>();
  const strong = (i: number, j: number): boolean => {
    const a = records[i];
    const b = records[j];
    if (a === undefined || b === undefined) return false;
    const scored = options.score(a, b);
    return (scored.twoPeople ?? scored.strongNonMatch) === true;
  };
  for (const link of ordered) {
    const apart = groupsApart(link);
    if (!apart) continue;
    const { groupA, groupB } = apart;
    if (groupA.length * groupB.length > 2_500) continue;
    if (!groupA.some((i) => groupB.some((j) => strong(i, j)))) continue;
    if (groupA.length > 1 && !groupB.some((j) => strong(link.first, j))) ambiguous.add(link.first);
    if (groupB.length > 1 && !groupA.some((i) => strong(i, link.second))) ambiguous.add(link.second);
  }
  for (const i of ambiguous) {
    const root = find(i);
    if (root === i) {
      // The record is its group's root: hand the root to another member first.
      const rest = membersOf(root).filter((m) => m !== i);
      const next = rest[0];
      if (next === undefined) continue;
      for (const m of rest) parent[m] = next;
      parent[next] = next;
      members.set(next, rest);
      members.delete(root);
    } else {
      const group = membersOf(root).filter((m) => m !== i);
      members.set(root, group);
      for (const m of group) parent[m] = root;
    }
    parent[i] = i;
    members.delete(i);
  }
  const clusterOf = new Int32Array(records.length);
  const sizes = new Map<number, number>();
  for (let i = 0; i < records.length; i += 1) {
    const root = find(i);
    clusterOf[i] = root;
    sizes.set(root, (sizes.get(root) ?? 0) + 1);
  }
  return { clusterOf, sizes, refusedMerges, ambiguous: ambiguous.size };
}
