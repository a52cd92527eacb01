import { distance } from 'fastest-levenshtein';
import { areNameVariants } from './nicknames.ts';
import type { PreparedRecord } from './prepare.ts';
import { editDistanceUpToTwo, jaroWinkler, jaroWinklerCeiling } from './similarity.ts';

/**
 * The batch linker's hot path. Prepared records are copied once into typed
 * arrays of integer codes (struct of arrays), and every string comparison
 * that depends only on two values (two given names, two streets) is computed
 * once per pair of distinct values and remembered in a small hash table. A
 * candidate pair then costs a few integer comparisons and cache look-ups and
 * allocates nothing.
 *
 * `compareRows(table, i, j)` returns exactly what `comparePair(records[i],
 * records[j])` returns (comparisons.test.ts checks this on every FEBRL
 * candidate pair); `comparePair` stays the readable reference and is used
 * for single pairs (the review page, the live index).
 */

const MAX_ENTRIES = 1 << 23;

/** Open-addressing hash table from a pair of non-negative integers to a small level (0-127). */
export class PairCache {
  private lo: Int32Array;
  private hi: Int32Array;
  private values: Int8Array;
  private mask: number;
  private size = 0;

  constructor(capacity = 1 << 12) {
    this.lo = new Int32Array(capacity).fill(-1);
    this.hi = new Int32Array(capacity);
    this.values = new Int8Array(capacity);
    this.mask = capacity - 1;
  }

  private slot(a: number, b: number): number {
    let h = Math.imul(a, 0x9e3779b1) ^ b;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) & this.mask;
  }

  /** The stored value for (a, b), or -1. */
  get(a: number, b: number): number {
    let slot = this.slot(a, b);
    const lo = this.lo;
    for (;;) {
      const key = lo[slot] ?? -1;
      if (key === -1) return -1;
      if (key === a && this.hi[slot] === b) return this.values[slot] ?? -1;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Remember a value; beyond `MAX_ENTRIES` nothing more is stored (the caller just computes again). */
  set(a: number, b: number, value: number): void {
    if (this.size * 2 >= this.mask) {
      if (this.size >= MAX_ENTRIES) return;
      this.grow();
    }
    let slot = this.slot(a, b);
    while ((this.lo[slot] ?? -1) !== -1) slot = (slot + 1) & this.mask;
    this.lo[slot] = a;
    this.hi[slot] = b;
    this.values[slot] = value;
    this.size += 1;
  }

  private grow(): void {
    const { lo, hi, values } = this;
    const capacity = lo.length * 2;
    this.lo = new Int32Array(capacity).fill(-1);
    this.hi = new Int32Array(capacity);
    this.values = new Int8Array(capacity);
    this.mask = capacity - 1;
    this.size = 0;
    for (let s = 0; s < lo.length; s += 1) if ((lo[s] ?? -1) !== -1) this.set(lo[s] ?? 0, hi[s] ?? 0, values[s] ?? 0);
  }
}

/** Interns strings to dense integers (-1 for the empty string). */
class Interner {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];

  id(value: string): number {
    if (value === '') return -1;
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(value, id);
      this.values.push(value);
    }
    return id;
  }
}

/** Prepared records as typed arrays of integer codes, with the per-value-pair caches. */
export interface RecordTable {
  readonly length: number;
  /**
   * Every field `compareRows` reads, row by row (STRIDE integers a record), so
   * one record is one or two cache lines: at a million records the column
   * arrays alone made every pair a score of cache misses.
   */
  readonly rows: Int32Array;
  /** Ids in one space shared by given, middle, family and previous names (for name-pair caches). */
  readonly given: Int32Array;
  readonly family: Int32Array;
  readonly givenPhonetic: Int32Array;
  readonly familyPhonetic: Int32Array;
  /** Vocabulary ids (for term-frequency adjustment). */
  readonly givenVocabularyId: Int32Array;
  readonly familyVocabularyId: Int32Array;
  /** Middle names and family-name alternatives: offsets into `lists` (start, count). */
  readonly middleStart: Int32Array;
  readonly middleCount: Uint8Array;
  readonly alternativeStart: Int32Array;
  readonly alternativeCount: Uint8Array;
  readonly lists: Int32Array;
  /** YYYYMMDD as an integer, -1 not recorded. */
  readonly birthDate: Int32Array;
  readonly sex: Uint8Array;
  /** The ten digits as a number, -1 not recorded. */
  readonly nhs: Float64Array;
  readonly otherIdentifier: Int32Array;
  readonly postcode: Int32Array;
  readonly postcodeSector: Int32Array;
  readonly streetNumber: Int32Array;
  readonly street: Int32Array;
  readonly locality: Int32Array;
  readonly town: Int32Array;
  readonly region: Int32Array;
  readonly names: readonly string[];
  readonly texts: readonly string[];
  readonly caches: {
    readonly given: PairCache;
    readonly family: PairCache;
    readonly close: PairCache;
    readonly text: PairCache;
  };
}

// Offsets of each field in a row of `RecordTable.rows`.
const G = 0;
const F = 1;
const GP = 2;
const FP = 3;
const MS = 4;
const MC = 5;
const AS = 6;
const AC = 7;
const BD = 8;
const SX = 9;
const NH = 10;
const NL = 11;
const OI = 12;
const PC = 13;
const PS = 14;
const SN = 15;
const ST = 16;
const LO = 17;
const TW = 18;
const RG = 19;
const STRIDE = 20;

/** Copy prepared records into a table (records[i].index must be i). */
export function buildTable(records: readonly PreparedRecord[]): RecordTable {
  const n = records.length;
  const names = new Interner();
  const texts = new Interner();
  const phonetics = new Interner();
  const lists: number[] = [];
  const table = {
    length: n,
    rows: new Int32Array(0),
    given: new Int32Array(n),
    family: new Int32Array(n),
    givenPhonetic: new Int32Array(n),
    familyPhonetic: new Int32Array(n),
    givenVocabularyId: new Int32Array(n),
    familyVocabularyId: new Int32Array(n),
    middleStart: new Int32Array(n),
    middleCount: new Uint8Array(n),
    alternativeStart: new Int32Array(n),
    alternativeCount: new Uint8Array(n),
    lists: new Int32Array(0),
    birthDate: new Int32Array(n),
    sex: new Uint8Array(n),
    nhs: new Float64Array(n),
    otherIdentifier: new Int32Array(n),
    postcode: new Int32Array(n),
    postcodeSector: new Int32Array(n),
    streetNumber: new Int32Array(n),
    street: new Int32Array(n),
    locality: new Int32Array(n),
    town: new Int32Array(n),
    region: new Int32Array(n),
    names: names.values,
    texts: texts.values,
    caches: { given: new PairCache(), family: new PairCache(), close: new PairCache(), text: new PairCache() },
  };
  // Given and family names already have vocabulary ids: intern each distinct one once, not once per record.
  const byGivenId = new Map<number, [number, number]>();
  const byFamilyId = new Map<number, [number, number]>();
  const streetIds = new Map<number, number>();
  const townIds = new Map<number, number>();
  /** A text's id, through a memo keyed by the vocabulary id it already has. */
  const internVia = (memo: Map<number, number>, vocabularyId: number, text: string): number => {
    let id = memo.get(vocabularyId);
    if (id === undefined) {
      id = texts.id(text);
      memo.set(vocabularyId, id);
    }
    return id;
  };
  for (let i = 0; i < n; i += 1) {
    const r = records[i];
    if (!r) continue;
    let given = byGivenId.get(r.givenId);
    if (!given) {
      given = [names.id(r.given), phonetics.id(r.givenPhonetic)];
      byGivenId.set(r.givenId, given);
    }
    let family = byFamilyId.get(r.familyId);
    if (!family) {
      family = [names.id(r.family), phonetics.id(r.familyPhonetic)];
      byFamilyId.set(r.familyId, family);
    }
    table.given[i] = given[0];
    table.family[i] = family[0];
    table.givenPhonetic[i] = given[1];
    table.familyPhonetic[i] = family[1];
    table.givenVocabularyId[i] = r.givenId;
    table.familyVocabularyId[i] = r.familyId;
    table.middleStart[i] = lists.length;
    table.middleCount[i] = Math.min(255, r.middleNames.length);
    for (const name of r.middleNames.slice(0, 255)) lists.push(names.id(name));
    table.alternativeStart[i] = lists.length;
    table.alternativeCount[i] = Math.min(255, r.familyAlternatives.length);
    for (const name of r.familyAlternatives.slice(0, 255)) lists.push(names.id(name));
    table.birthDate[i] = r.birthDate === '' ? -1 : Number(r.birthDate);
    table.sex[i] = r.sex;
    table.nhs[i] = r.nhsNumber === '' ? -1 : Number(r.nhsNumber);
    table.otherIdentifier[i] = texts.id(r.otherIdentifier);
    table.postcode[i] = texts.id(r.postcode);
    table.postcodeSector[i] = texts.id(r.postcodeSector);
    table.streetNumber[i] = texts.id(r.streetNumber);
    table.street[i] = internVia(streetIds, r.streetId, r.street);
    table.locality[i] = texts.id(r.locality);
    table.town[i] = internVia(townIds, r.townId, r.town);
    table.region[i] = texts.id(r.region);
  }
  table.lists = Int32Array.from(lists);
  const rows = new Int32Array(n * STRIDE);
  for (let i = 0; i < n; i += 1) {
    const o = i * STRIDE;
    const nhs = table.nhs[i] ?? -1;
    rows[o + G] = table.given[i] ?? -1;
    rows[o + F] = table.family[i] ?? -1;
    rows[o + GP] = table.givenPhonetic[i] ?? -1;
    rows[o + FP] = table.familyPhonetic[i] ?? -1;
    rows[o + MS] = table.middleStart[i] ?? 0;
    rows[o + MC] = table.middleCount[i] ?? 0;
    rows[o + AS] = table.alternativeStart[i] ?? 0;
    rows[o + AC] = table.alternativeCount[i] ?? 0;
    rows[o + BD] = table.birthDate[i] ?? -1;
    rows[o + SX] = table.sex[i] ?? 0;
    rows[o + NH] = nhs < 0 ? -1 : Math.floor(nhs / 100_000);
    rows[o + NL] = nhs < 0 ? -1 : nhs % 100_000;
    rows[o + OI] = table.otherIdentifier[i] ?? -1;
    rows[o + PC] = table.postcode[i] ?? -1;
    rows[o + PS] = table.postcodeSector[i] ?? -1;
    rows[o + SN] = table.streetNumber[i] ?? -1;
    rows[o + ST] = table.street[i] ?? -1;
    rows[o + LO] = table.locality[i] ?? -1;
    rows[o + TW] = table.town[i] ?? -1;
    rows[o + RG] = table.region[i] ?? -1;
  }
  table.rows = rows;
  return table;
}

function similarity(a: string, b: string, floor: number): number {
  return jaroWinklerCeiling(a.length, b.length) < floor ? 0 : jaroWinkler(a, b);
}

function editSimilarity(a: string, b: string): number {
  const longer = Math.max(a.length, b.length);
  return longer === 0 ? 1 : 1 - distance(a, b) / longer;
}

/** Given-name level for two different names, before record-level checks (swap, middle names): 2, 3, 4, 5 or 7. */
function givenBase(t: RecordTable, a: number, b: number, phoneticA: number, phoneticB: number): number {
  const lo = a < b ? a : b;
  const hi = a < b ? b : a;
  let level = t.caches.given.get(lo, hi);
  if (level >= 0) return level;
  const x = t.names[a] ?? '';
  const y = t.names[b] ?? '';
  const score = similarity(x, y, 0.8);
  if (score >= 0.92) level = 2;
  else if (areNameVariants(x, y) || (phoneticA >= 0 && phoneticA === phoneticB)) level = 3;
  else if (score >= 0.8) level = 4;
  else if ((x.length === 1 || y.length === 1) && x.charCodeAt(0) === y.charCodeAt(0)) level = 5;
  else level = 7;
  t.caches.given.set(lo, hi, level);
  return level;
}

/** Family-name level for two different names, before record-level checks: 2, 4, 5 or 7. */
function familyBase(t: RecordTable, a: number, b: number, phoneticA: number, phoneticB: number): number {
  const lo = a < b ? a : b;
  const hi = a < b ? b : a;
  let level = t.caches.family.get(lo, hi);
  if (level >= 0) return level;
  const score = similarity(t.names[a] ?? '', t.names[b] ?? '', 0.8);
  if (score >= 0.92) level = 2;
  else if (phoneticA >= 0 && phoneticA === phoneticB) level = 4;
  else if (score >= 0.8) level = 5;
  else level = 7;
  t.caches.family.set(lo, hi, level);
  return level;
}

/** Same name, or a typing slip of it (same first letter, Jaro-Winkler at least 0.92). */
function closeName(t: RecordTable, a: number, b: number): boolean {
  if (a === b) return true;
  const lo = a < b ? a : b;
  const hi = a < b ? b : a;
  let close = t.caches.close.get(lo, hi);
  if (close < 0) {
    const x = t.names[a] ?? '';
    const y = t.names[b] ?? '';
    close = x.charCodeAt(0) === y.charCodeAt(0) && jaroWinklerCeiling(x.length, y.length) >= 0.92 && jaroWinkler(x, y) >= 0.92 ? 1 : 0;
    t.caches.close.set(lo, hi, close);
  }
  return close === 1;
}

/** As `middleNamesDisagree` in comparisons.ts, over the table's lists. */
function middleNamesDisagree(t: RecordTable, startA: number, countA: number, startB: number, countB: number): boolean {
  if (countA === 0 || countB === 0) return false;
  for (let k = startA; k < startA + countA; k += 1) if (listHas(t, startB, countB, t.lists[k] ?? -2)) return false;
  return true;
}

function listHas(t: RecordTable, start: number, count: number, id: number): boolean {
  for (let k = start; k < start + count; k += 1) if (t.lists[k] === id) return true;
  return false;
}

/** Part agreement of two interned texts: 2 same, 1 close (one edit for house numbers and postcodes, edit similarity at least 0.8 otherwise; cached), 0 different, -1 not recorded. */
function textPart(t: RecordTable, a: number, b: number, kind: number): number {
  if (a < 0 || b < 0) return -1;
  if (a === b) return 2;
  const lo = a < b ? a : b;
  const hi = a < b ? b : a;
  // One cache for every kind of text part: ids are unique across kinds only per value, so the kind is folded into the key.
  const key = hi * 4 + kind;
  let value = t.caches.text.get(lo, key);
  if (value < 0) {
    const x = t.texts[a] ?? '';
    const y = t.texts[b] ?? '';
    value = kind === 0 ? (editDistanceUpToTwo(x, y) === 1 ? 1 : 0) : editSimilarity(x, y) >= 0.8 ? 1 : 0;
    t.caches.text.set(lo, key, value);
  }
  return value;
}

/** 1: one digit different; 2: two neighbouring digits swapped; 0 otherwise (numbers of `digits` digits). */
function digitSlip(a: number, b: number, digits: number): number {
  let first = -1;
  let differences = 0;
  let x = a;
  let y = b;
  let swapped = false;
  let previousX = -1;
  let previousY = -1;
  for (let k = 0; k < digits; k += 1) {
    const dx = x % 10;
    const dy = y % 10;
    if (dx !== dy) {
      differences += 1;
      if (differences === 1) first = k;
      else if (differences === 2) swapped = k === first + 1 && dx === previousY && dy === previousX;
      else return 0;
    }
    previousX = dx;
    previousY = dy;
    x = (x - dx) / 10;
    y = (y - dy) / 10;
  }
  if (differences === 1) return 1;
  return differences === 2 && swapped ? 2 : 0;
}

/** `comparePair(records[i], records[j])`, from the table. */
export function compareRows(t: RecordTable, i: number, j: number): number {
  const rows = t.rows;
  const x = i * STRIDE;
  const y = j * STRIDE;
  // Names.
  const ga = rows[x + G] ?? -1;
  const gb = rows[y + G] ?? -1;
  const fa = rows[x + F] ?? -1;
  const fb = rows[y + F] ?? -1;
  let given = 0;
  let family = 0;
  if (ga >= 0 && gb >= 0) {
    if (ga !== gb) given = givenBase(t, ga, gb, rows[x + GP] ?? -1, rows[y + GP] ?? -1);
    else given = middleNamesDisagree(t, rows[x + MS] ?? 0, rows[x + MC] ?? 0, rows[y + MS] ?? 0, rows[y + MC] ?? 0) ? 4 : 1;
  }
  if (fa >= 0 && fb >= 0) {
    if (fa === fb) family = 1;
    else {
      family = familyBase(t, fa, fb, rows[x + FP] ?? -1, rows[y + FP] ?? -1);
      if (family !== 2) {
        const startA = rows[x + AS] ?? 0;
        const countA = rows[x + AC] ?? 0;
        const startB = rows[y + AS] ?? 0;
        const countB = rows[y + AC] ?? 0;
        if (countA + countB > 0) {
          let part = listHas(t, startB, countB, fa) || listHas(t, startA, countA, fb);
          for (let k = startB; !part && k < startB + countB; k += 1) part = listHas(t, startA, countA, t.lists[k] ?? -2);
          if (part) family = 3;
        }
      }
    }
  }
  if ((given === 4 || given === 5 || given === 7 || family === 5 || family === 7) && ga !== gb && fa !== fb && ga >= 0 && gb >= 0 && fa >= 0 && fb >= 0) {
    if (closeName(t, ga, fb) && closeName(t, fa, gb)) {
      if (given === 4 || given === 5 || given === 7) given = 6;
      if (family === 5 || family === 7) family = 6;
    }
  }
  if (given === 7) {
    if (listHas(t, rows[x + MS] ?? 0, rows[x + MC] ?? 0, gb) || listHas(t, rows[y + MS] ?? 0, rows[y + MC] ?? 0, ga)) given = 5;
  }

  // Birth date.
  let birth = 0;
  const da = rows[x + BD] ?? -1;
  const db = rows[y + BD] ?? -1;
  if (da >= 0 && db >= 0) {
    if (da === db) birth = 1;
    else {
      const yearA = (da / 10_000) | 0;
      const monthA = ((da / 100) | 0) % 100;
      const dayA = da % 100;
      if (yearA === ((db / 10_000) | 0) && monthA === db % 100 && dayA === ((db / 100) | 0) % 100) birth = 2;
      else {
        const slip = digitSlip(da, db, 8);
        birth = slip === 1 ? 3 : slip === 2 ? 4 : 5;
      }
    }
  }

  const sa = rows[x + SX] ?? 0;
  const sb = rows[y + SX] ?? 0;
  const sex = sa === 0 || sb === 0 ? 0 : sa === sb ? 1 : 2;

  let nhs = 0;
  const nha = rows[x + NH] ?? -1;
  const nhb = rows[y + NH] ?? -1;
  if (nha >= 0 && nhb >= 0) {
    const nla = rows[x + NL] ?? 0;
    const nlb = rows[y + NL] ?? 0;
    nhs = nha === nhb && nla === nlb ? 1 : digitSlip(nha * 100_000 + nla, nhb * 100_000 + nlb, 10) > 0 ? 2 : 3;
  }

  let other = 0;
  const oa = rows[x + OI] ?? -1;
  const ob = rows[y + OI] ?? -1;
  if (oa >= 0 && ob >= 0) {
    if (oa === ob) other = 1;
    else {
      const edits = editDistanceUpToTwo(t.texts[oa] ?? '', t.texts[ob] ?? '');
      other = edits === 1 ? 2 : edits === 2 ? 3 : 4;
    }
  }

  // Address: how many recorded parts agree (see compareAddress).
  let recorded = 0;
  let exact = 0;
  let agree = 0;
  const pa = rows[x + PC] ?? -1;
  const pb = rows[y + PC] ?? -1;
  if (pa >= 0 && pb >= 0) {
    recorded += 1;
    if (pa === pb) {
      agree += 1;
      exact += 1;
    } else {
      const sectorA = rows[x + PS] ?? -1;
      if (sectorA >= 0 ? sectorA === rows[y + PS] : textPart(t, pa, pb, 0) === 1) agree += 1;
    }
  }
  // House number (one edit), street, rest of the address, town (edit similarity 0.8), county (exact only).
  for (let part = SN; part <= RG; part += 1) {
    const a = rows[x + part] ?? -1;
    const b = rows[y + part] ?? -1;
    if (a < 0 || b < 0) continue;
    recorded += 1;
    if (a === b) {
      agree += 1;
      exact += 1;
    } else if (part !== RG && textPart(t, a, b, part === SN ? 0 : 1) === 1) agree += 1;
  }
  let address = 0;
  if (recorded > 0) {
    if (exact === recorded) address = 1;
    else if (agree === recorded) address = 2;
    else if (agree === recorded - 1 && agree >= 2) address = 3;
    else if (agree >= 2) address = 4;
    else if (agree === 1) address = 5;
    else address = 6;
  }
  return given + family * 8 + birth * 64 + sex * 512 + nhs * 4096 + other * 32768 + address * 262144;
}
