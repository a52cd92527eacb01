import { ADDRESS, BIRTH_DATE, FAMILY, GIVEN, NHS, OTHER_IDENTIFIER } from './comparisons.ts';
import type { PreparedRecord } from './prepare.ts';
import { buildTable, type RecordTable } from './table.ts';

/**
 * A blocking rule: records that share its key are compared. The linker
 * compares the union of the pairs every rule proposes, so a pair missed by
 * one rule (a mistyped birth date) is caught by another (the same names).
 *
 * Each rule is written twice: `key` as text over a prepared record (the live
 * index, one record at a time) and `code` as up to three integers over the
 * batch table (a million records without building a million strings).
 * blocking.test.ts checks the two agree.
 */
export interface BlockingRule {
  readonly name: string;
  /** The comparisons (field numbers, see comparisons.ts) the rule's key is made of: held out when training on its pairs. */
  readonly fields: readonly number[];
  key(record: PreparedRecord): string;
  /** Blocks larger than this are skipped for this rule (default: the run's `maxBlockSize`). */
  readonly maxBlockSize?: number;
  /** Fill `out[0..2]` with the key as integers; false when the record has no key. */
  code(t: RecordTable, i: number, out: Int32Array): boolean;
}

function initial(text: string): string {
  return text.slice(0, 1);
}

function sortedPair(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/** Month and day in either order, so a day and month recorded the other way round share the key. */
function monthDayEitherOrder(birthDate: string): string {
  const month = birthDate.slice(4, 6);
  const day = birthDate.slice(6, 8);
  return month < day ? `${month}${day}` : `${day}${month}`;
}

function nameInitial(t: RecordTable, id: number): number {
  return id < 0 ? -1 : (t.names[id] ?? '').charCodeAt(0);
}

function set(out: Int32Array, a: number, b: number, c = 0): boolean {
  out[0] = a;
  out[1] = b;
  out[2] = c;
  return a >= 0 && b >= 0 && c >= 0;
}

/**
 * Every rule pairs records that share something specific enough that its
 * blocks stay small as the file grows (a handful of records at a million),
 * so the candidate pairs grow with the records, not with their square. The
 * first version's "same birth year and family name sounds alike" proposed two
 * thirds of all candidates at 50,000 records and would have proposed about a
 * hundred million at a million; "names sound alike" alone and "same birth
 * date and an initial" grew the same way. Each is now narrowed by a second
 * specific part, in two complementary ways, so a slip in one part is still
 * caught by the other rule.
 */
export const BLOCKING_RULES: readonly BlockingRule[] = [
  {
    name: 'same NHS number',
    fields: [NHS],
    key: (r) => r.nhsNumber,
    code: (t, i, out) => {
      const nhs = t.nhs[i] ?? -1;
      return nhs >= 0 && set(out, Math.floor(nhs / 100_000), nhs % 100_000);
    },
  },
  { name: 'same other identifier',
    fields: [OTHER_IDENTIFIER], key: (r) => r.otherIdentifier, code: (t, i, out) => set(out, t.otherIdentifier[i] ?? -1, 0) },
  {
    name: 'same birth date and given name sounds alike',
    fields: [BIRTH_DATE, GIVEN],
    key: (r) => (r.birthDate && r.givenPhonetic ? `${r.birthDate}|${r.givenPhonetic}` : ''),
    code: (t, i, out) => set(out, t.birthDate[i] ?? -1, t.givenPhonetic[i] ?? -1),
  },
  {
    name: 'same birth date and family name sounds alike',
    fields: [BIRTH_DATE, FAMILY],
    key: (r) => (r.birthDate && r.familyPhonetic ? `${r.birthDate}|${r.familyPhonetic}` : ''),
    code: (t, i, out) => set(out, t.birthDate[i] ?? -1, t.familyPhonetic[i] ?? -1),
  },
  {
    name: 'same birth date and both initials',
    fields: [BIRTH_DATE, GIVEN, FAMILY],
    key: (r) => (r.birthDate && r.given && r.family ? `${r.birthDate}|${initial(r.given)}${initial(r.family)}` : ''),
    code: (t, i, out) => set(out, t.birthDate[i] ?? -1, nameInitial(t, t.given[i] ?? -1), nameInitial(t, t.family[i] ?? -1)),
  },
  {
    name: 'names sound alike (either order) and same birth year',
    fields: [GIVEN, FAMILY, BIRTH_DATE],
    key: (r) => (r.givenPhonetic && r.familyPhonetic && r.birthYear ? `${sortedPair(r.givenPhonetic, r.familyPhonetic)}|${r.birthYear}` : ''),
    code: (t, i, out) => {
      const g = t.givenPhonetic[i] ?? -1;
      const f = t.familyPhonetic[i] ?? -1;
      const date = t.birthDate[i] ?? -1;
      return date >= 0 && set(out, Math.min(g, f), Math.max(g, f), (date / 10_000) | 0);
    },
  },
  {
    name: 'names sound alike (either order) and same birth day and month (either order)',
    fields: [GIVEN, FAMILY, BIRTH_DATE],
    key: (r) => (r.givenPhonetic && r.familyPhonetic && r.birthDate ? `${sortedPair(r.givenPhonetic, r.familyPhonetic)}|${monthDayEitherOrder(r.birthDate)}` : ''),
    code: (t, i, out) => {
      const g = t.givenPhonetic[i] ?? -1;
      const f = t.familyPhonetic[i] ?? -1;
      const date = t.birthDate[i] ?? -1;
      const month = ((date / 100) | 0) % 100;
      const day = date % 100;
      return date >= 0 && set(out, Math.min(g, f), Math.max(g, f), Math.min(month, day) * 100 + Math.max(month, day));
    },
  },
  {
    name: 'same birth date and postcode',
    fields: [BIRTH_DATE, ADDRESS],
    key: (r) => (r.birthDate && r.postcode ? `${r.birthDate}|${r.postcode}` : ''),
    code: (t, i, out) => set(out, t.birthDate[i] ?? -1, t.postcode[i] ?? -1),
  },
  {
    name: 'same postcode and family name sounds alike',
    fields: [ADDRESS, FAMILY],
    key: (r) => (r.postcode && r.familyPhonetic ? `${r.postcode}|${r.familyPhonetic}` : ''),
    code: (t, i, out) => set(out, t.postcode[i] ?? -1, t.familyPhonetic[i] ?? -1),
  },
  {
    name: 'same postcode and given name sounds alike',
    fields: [ADDRESS, GIVEN],
    key: (r) => (r.postcode && r.givenPhonetic ? `${r.postcode}|${r.givenPhonetic}` : ''),
    code: (t, i, out) => set(out, t.postcode[i] ?? -1, t.givenPhonetic[i] ?? -1),
  },
  {
    name: 'same birth year and month, family name sounds alike, same given-name initial',
    fields: [BIRTH_DATE, FAMILY, GIVEN],
    key: (r) => (r.birthDate && r.familyPhonetic && r.given ? `${r.birthDate.slice(0, 6)}|${r.familyPhonetic}|${initial(r.given)}` : ''),
    code: (t, i, out) => {
      const date = t.birthDate[i] ?? -1;
      return date >= 0 && set(out, (date / 100) | 0, t.familyPhonetic[i] ?? -1, nameInitial(t, t.given[i] ?? -1));
    },
  },
  {
    // Records without a birth date (police, housing and parents' records often have none) are proposed by
    // no other rule unless they share the postcode. Names alone make blocks that grow with the file, so
    // this rule's blocks are capped: a block of more than 40 records (a common name) is skipped, which
    // keeps its pairs at most 39 per record, linear in the file.
    name: 'names sound alike (either order), small blocks only',
    fields: [GIVEN, FAMILY],
    maxBlockSize: 40,
    key: (r) => (r.givenPhonetic && r.familyPhonetic ? sortedPair(r.givenPhonetic, r.familyPhonetic) : ''),
    code: (t, i, out) => {
      const g = t.givenPhonetic[i] ?? -1;
      const f = t.familyPhonetic[i] ?? -1;
      return set(out, Math.min(g, f), Math.max(g, f));
    },
  },
  {
    name: 'same house number, street and birth year',
    fields: [ADDRESS, BIRTH_DATE],
    key: (r) => (r.streetNumber && r.street && r.birthYear ? `${r.streetNumber}|${r.street}|${r.birthYear}` : ''),
    code: (t, i, out) => {
      const date = t.birthDate[i] ?? -1;
      return date >= 0 && set(out, t.streetNumber[i] ?? -1, t.street[i] ?? -1, (date / 10_000) | 0);
    },
  },
];

/** Dense ids for keys of three integers (open addressing over typed arrays: no strings, no boxed numbers). */
class KeyIds {
  private k0: Int32Array;
  private k1: Int32Array;
  private k2: Int32Array;
  private ids: Int32Array;
  private mask: number;
  size = 0;

  constructor(expected: number) {
    let capacity = 1024;
    while (capacity < expected * 2) capacity *= 2;
    this.k0 = new Int32Array(capacity);
    this.k1 = new Int32Array(capacity);
    this.k2 = new Int32Array(capacity);
    this.ids = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
  }

  /** The key's id, a new one if unseen. */
  id(a: number, b: number, c: number): number {
    if (this.size * 2 >= this.mask) this.grow();
    let h = Math.imul(a, 0x9e3779b1) ^ b;
    h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) ^ c;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    let slot = (h ^ (h >>> 16)) & this.mask;
    for (;;) {
      const id = this.ids[slot] ?? -1;
      if (id === -1) {
        this.k0[slot] = a;
        this.k1[slot] = b;
        this.k2[slot] = c;
        this.ids[slot] = this.size;
        this.size += 1;
        return this.size - 1;
      }
      if (this.k0[slot] === a && this.k1[slot] === b && this.k2[slot] === c) return id;
      slot = (slot + 1) & this.mask;
    }
  }

  private grow(): void {
    const { k0, k1, k2, ids } = this;
    const capacity = ids.length * 2;
    this.k0 = new Int32Array(capacity);
    this.k1 = new Int32Array(capacity);
    this.k2 = new Int32Array(capacity);
    this.ids = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
    const size = this.size;
    this.size = 0;
    const byId = new Int32Array(size);
    for (let s = 0; s < ids.length; s += 1) if ((ids[s] ?? -1) >= 0) byId[ids[s] ?? 0] = s;
    // Re-insert in id order so every key keeps its id.
    for (let id = 0; id < size; id += 1) {
      const s = byId[id] ?? 0;
      this.id(k0[s] ?? 0, k1[s] ?? 0, k2[s] ?? 0);
    }
  }
}

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
  /** Each rule's block of each record (-1: no key, or a block too big to use), to tell which rules proposed a pair. */
  readonly blockOf: readonly Int32Array[];
}

/**
 * One rule's blocks in compressed form: the records of block b are
 * `members[start[b] .. start[b + 1])`, in ascending order; `blockOf[i]` is
 * record i's block (-1 without a key) and `position[i]` its place in it. Keys
 * are interned once per record, so the blocks of a million records are a few
 * typed arrays rather than a million small arrays.
 */
interface CompactBlocks {
  readonly blockOf: Int32Array;
  readonly position: Int32Array;
  readonly start: Int32Array;
  readonly members: Int32Array;
}

function compactBlocks(table: RecordTable, rule: BlockingRule): CompactBlocks {
  const n = table.length;
  const blockOf = new Int32Array(n);
  const keys = new KeyIds(n);
  const out = new Int32Array(3);
  const sizes: number[] = [];
  for (let i = 0; i < n; i += 1) {
    if (!rule.code(table, i, out)) {
      blockOf[i] = -1;
      continue;
    }
    const id = keys.id(out[0] ?? 0, out[1] ?? 0, out[2] ?? 0);
    if (id === sizes.length) sizes.push(0);
    blockOf[i] = id;
    sizes[id] = (sizes[id] ?? 0) + 1;
  }
  const start = new Int32Array(sizes.length + 1);
  for (let b = 0; b < sizes.length; b += 1) start[b + 1] = (start[b] ?? 0) + (sizes[b] ?? 0);
  const fill = start.slice(0, sizes.length);
  const members = new Int32Array(start[sizes.length] ?? 0);
  const position = new Int32Array(n);
  for (let i = 0; i < n; i += 1) {
    const b = blockOf[i] ?? -1;
    if (b < 0) continue;
    const at = fill[b] ?? 0;
    members[at] = i;
    position[i] = at;
    fill[b] = at + 1;
  }
  return { blockOf, position, start, members };
}

/** The union of the pairs the blocking rules propose, each pair once (first < second). Records must sit at their `index`. */
export function candidatePairs(records: readonly PreparedRecord[], options: BlockingOptions & { readonly table?: RecordTable }): BlockingResult {
  const rules = options.rules ?? BLOCKING_RULES;
  const maxBlockSize = options.maxBlockSize ?? 1000;
  const table = options.table ?? buildTable(records);
  const blocksByRule = rules.map((rule) => compactBlocks(table, rule));
  const caps = rules.map((rule) => Math.min(rule.maxBlockSize ?? maxBlockSize, maxBlockSize));
  const seenBy = new Int32Array(records.length).fill(-1);
  const pairs = new CandidatePairs();
  const newPairs = new Array<number>(rules.length).fill(0);
  let skippedBlocks = 0;
  blocksByRule.forEach(({ start }, r) => {
    for (let b = 0; b + 1 < start.length; b += 1) if ((start[b + 1] ?? 0) - (start[b] ?? 0) > (caps[r] ?? maxBlockSize)) skippedBlocks += 1;
  });
  const linking = options.mode === 'link';
  const source = new Uint8Array(records.length);
  for (let i = 0; i < records.length; i += 1) source[i] = records[i]?.source === 0 ? 0 : 1;
  for (let i = 0; i < records.length; i += 1) {
    if (linking && source[i] !== 0) continue;
    for (let r = 0; r < blocksByRule.length; r += 1) {
      const blocks = blocksByRule[r];
      if (!blocks) continue;
      const b = blocks.blockOf[i] ?? -1;
      if (b < 0) continue;
      const from = blocks.start[b] ?? 0;
      const to = blocks.start[b + 1] ?? 0;
      if (to - from > (caps[r] ?? maxBlockSize) || to - from < 2) continue;
      let found = 0;
      // Members are in ascending order: when finding duplicates only those after i are new pairs.
      for (let k = linking ? from : (blocks.position[i] ?? from) + 1; k < to; k += 1) {
        const j = blocks.members[k] ?? 0;
        if (linking && source[j] === 0) continue;
        if (seenBy[j] === i) continue;
        seenBy[j] = i;
        pairs.push(i, j);
        found += 1;
      }
      newPairs[r] = (newPairs[r] ?? 0) + found;
    }
  }
  return {
    pairs,
    newPairsByRule: rules.map((rule, r) => ({ rule: rule.name, pairs: newPairs[r] ?? 0 })),
    skippedBlocks,
    blockOf: blocksByRule.map(({ blockOf, start }, r) => blockOf.map((b) => (b >= 0 && (start[b + 1] ?? 0) - (start[b] ?? 0) <= (caps[r] ?? maxBlockSize) ? b : -1))),
  };
}
