import type { PreparedRecord } from './prepare.ts';

/**
 * A blocking rule: records that share its key are compared. The linker
 * compares the union of the pairs every rule proposes, so a pair missed by
 * one rule (a mistyped birth date) is caught by another (the same names).
 */
export interface BlockingRule {
  readonly name: string;
  key(record: PreparedRecord): string;
}

function initial(text: string): string {
  return text.slice(0, 1);
}

function sortedPair(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

export const BLOCKING_RULES: readonly BlockingRule[] = [
  { name: 'same NHS number', key: (r) => r.nhsNumber },
  { name: 'same other identifier', key: (r) => r.otherIdentifier },
  { name: 'same birth date and given-name initial', key: (r) => (r.birthDate && r.given ? `${r.birthDate}|${initial(r.given)}` : '') },
  { name: 'same birth date and family-name initial', key: (r) => (r.birthDate && r.family ? `${r.birthDate}|${initial(r.family)}` : '') },
  {
    name: 'names sound alike (either order)',
    key: (r) => (r.givenPhonetic && r.familyPhonetic ? sortedPair(r.givenPhonetic, r.familyPhonetic) : ''),
  },
  { name: 'same postcode and family name sounds alike', key: (r) => (r.postcode && r.familyPhonetic ? `${r.postcode}|${r.familyPhonetic}` : '') },
  { name: 'same postcode and given name sounds alike', key: (r) => (r.postcode && r.givenPhonetic ? `${r.postcode}|${r.givenPhonetic}` : '') },
  {
    name: 'same birth year and family name sounds alike',
    key: (r) => (r.birthYear && r.familyPhonetic ? `${r.birthYear}|${r.familyPhonetic}` : ''),
  },
  {
    name: 'same house number and street',
    key: (r) => (r.streetNumber && r.street ? `${r.streetNumber}|${r.street}` : ''),
  },
];

/** Candidate pairs as two parallel arrays of record positions, growing as pairs are added. */
export class CandidatePairs {
  first = new Int32Array(1024);
  second = new Int32Array(1024);
  length = 0;

  /** Add one pair. */
  push(a: number, b: number): void {
    if (this.length === this.first.length) {
      const first = new Int32Array(this.first.length * 2);
      first.set(this.first);
      this.first = first;
      const second = new Int32Array(this.second.length * 2);
      second.set(this.second);
      this.second = second;
    }
    this.first[this.length] = a;
    this.second[this.length] = b;
    this.length += 1;
  }
}

/** Blocks of one rule: key → positions of the records that have it. */
export type Blocks = Map<string, number[]>;

/** Build every rule's blocks over a table of records. */
export function buildBlocks(records: readonly PreparedRecord[], rules: readonly BlockingRule[] = BLOCKING_RULES): Blocks[] {
  return rules.map((rule) => {
    const blocks: Blocks = new Map();
    for (const record of records) {
      const key = rule.key(record);
      if (key === '') continue;
      const block = blocks.get(key);
      if (block) block.push(record.index);
      else blocks.set(key, [record.index]);
    }
    return blocks;
  });
}

export interface BlockingOptions {
  /** 'dedupe': pairs within the table; 'link': only pairs from different sources. */
  readonly mode: 'dedupe' | 'link';
  /** Blocks bigger than this are skipped (a key so common it says nothing), and counted. */
  readonly maxBlockSize?: number;
  readonly rules?: readonly BlockingRule[];
}

export interface BlockingResult {
  readonly pairs: CandidatePairs;
  /** Pairs each rule proposed that no earlier rule had. */
  readonly newPairsByRule: readonly { rule: string; pairs: number }[];
  readonly skippedBlocks: number;
}

/** The union of the pairs the blocking rules propose, each pair once (first < second). */
export function candidatePairs(records: readonly PreparedRecord[], options: BlockingOptions): BlockingResult {
  const rules = options.rules ?? BLOCKING_RULES;
  const maxBlockSize = options.maxBlockSize ?? 1000;
  const blocksByRule = buildBlocks(records, rules);
  const seenBy = new Int32Array(records.length).fill(-1);
  const pairs = new CandidatePairs();
  const newPairs = new Array<number>(rules.length).fill(0);
  let skippedBlocks = 0;
  for (const blocks of blocksByRule) for (const block of blocks.values()) if (block.length > maxBlockSize) skippedBlocks += 1;
  const linking = options.mode === 'link';
  for (const record of records) {
    const i = record.index;
    if (linking && record.source !== 0) continue;
    for (let r = 0; r < rules.length; r += 1) {
      const key = rules[r]?.key(record) ?? '';
      if (key === '') continue;
      const block = blocksByRule[r]?.get(key);
      if (!block || block.length > maxBlockSize) continue;
      for (const j of block) {
        if (linking ? records[j]?.source === 0 : j <= i) continue;
        if (seenBy[j] === i) continue;
        seenBy[j] = i;
        pairs.push(i, j);
        newPairs[r] = (newPairs[r] ?? 0) + 1;
      }
    }
  }
  return {
    pairs,
    newPairsByRule: rules.map((rule, r) => ({ rule: rule.name, pairs: newPairs[r] ?? 0 })),
    skippedBlocks,
  };
}
