import { distance } from 'fastest-levenshtein';
import type { PreparedRecord } from './prepare.ts';
import { editDistanceUpToTwo, hammingDistance, isAdjacentSwap, jaroWinkler, jaroWinklerCeiling } from './similarity.ts';

/**
 * One piece of evidence the linker weighs, with its levels from strongest
 * agreement to disagreement. Level 0 is always "not recorded on one or both",
 * which counts for nothing either way.
 */
export interface Comparison {
  readonly field: string;
  readonly label: string;
  readonly levels: readonly string[];
  /** Starting agreement rates among true matches (per level, level 0 ignored), before EM refines them. */
  readonly startingM: readonly number[];
  /** Whether the exact level is weighed by how common the value is. */
  readonly termFrequency: boolean;
  /** Levels whose evidence is already counted by another field, so they weigh nothing here. */
  readonly countedElsewhere?: readonly number[];
}

export const COMPARISONS: readonly Comparison[] = [
  {
    field: 'givenName', label: 'Given name',
    levels: ['not recorded', 'exact', 'typing slip', 'nickname or sounds alike', 'similar, or same first name with other middle names', 'initial or middle name', 'swapped with family name', 'different'],
    startingM: [0, 0.8, 0.06, 0.03, 0.03, 0.02, 0.02, 0.04], termFrequency: true,
  },
  {
    field: 'familyName', label: 'Family name',
    levels: ['not recorded', 'exact', 'typing slip', 'part or previous name', 'sounds alike', 'similar', 'swapped with given name (weighed there)', 'different'],
    startingM: [0, 0.8, 0.06, 0.02, 0.03, 0.03, 0.02, 0.04], termFrequency: true,
    countedElsewhere: [6],
  },
  {
    field: 'birthDate', label: 'Date of birth',
    levels: ['not recorded', 'exact', 'day and month transposed', 'one digit different', 'neighbouring digits swapped', 'different'],
    startingM: [0, 0.85, 0.02, 0.06, 0.02, 0.05], termFrequency: false,
  },
  {
    field: 'sex', label: 'Sex',
    levels: ['not recorded', 'same', 'different'],
    startingM: [0, 0.97, 0.03], termFrequency: false,
  },
  {
    field: 'nhsNumber', label: 'NHS number',
    levels: ['not recorded', 'same', 'one digit different or swapped', 'different'],
    startingM: [0, 0.95, 0.03, 0.02], termFrequency: false,
  },
  {
    field: 'otherIdentifier', label: 'Other identifier',
    levels: ['not recorded', 'same', 'one character different', 'two characters different', 'different'],
    startingM: [0, 0.85, 0.07, 0.03, 0.05], termFrequency: false,
  },
  {
    field: 'address', label: 'Address',
    levels: ['not recorded', 'same', 'same but for slips', 'all but one part agree', 'some parts agree', 'one part agrees', 'different'],
    startingM: [0, 0.6, 0.2, 0.08, 0.04, 0.02, 0.06], termFrequency: false,
  },
];

export const FIELD_COUNT = COMPARISONS.length;

/** Levels per field are packed three bits each into one number (at most 8 levels per field). */
export const LEVEL_BASE = 8;

export const GIVEN = 0;
export const FAMILY = 1;
export const BIRTH_DATE = 2;
export const SEX = 3;
export const NHS = 4;
export const OTHER_IDENTIFIER = 5;
export const ADDRESS = 6;
export const EXACT = 1;

function sharesNicknameGroup(a: readonly number[], b: readonly number[]): boolean {
  for (const group of a) if (b.includes(group)) return true;
  return false;
}

function closeName(a: string, b: string): boolean {
  if (a === b) return true;
  return a.charCodeAt(0) === b.charCodeAt(0) && jaroWinklerCeiling(a.length, b.length) >= 0.92 && jaroWinkler(a, b) >= 0.92;
}

/** Given and family names written the other way round (Smith John / John Smith). */
function namesSwapped(a: PreparedRecord, b: PreparedRecord): boolean {
  return a.given !== '' && b.given !== '' && a.family !== '' && b.family !== '' && closeName(a.given, b.family) && closeName(a.family, b.given);
}

function similarity(a: string, b: string, floor: number): number {
  return jaroWinklerCeiling(a.length, b.length) < floor ? 0 : jaroWinkler(a, b);
}

/** Both records give middle names and none is shared: "Scarlett Hayley" and "Scarlett Amy" are two girls. */
export function middleNamesDisagree(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || b.length === 0) return false;
  for (const name of a) if (b.includes(name)) return false;
  return true;
}

function compareGiven(a: PreparedRecord, b: PreparedRecord, swapped: boolean): number {
  if (a.givenId < 0 || b.givenId < 0) return 0;
  if (a.givenId === b.givenId) return middleNamesDisagree(a.middleNames, b.middleNames) ? 4 : 1;
  const score = similarity(a.given, b.given, 0.8);
  if (score >= 0.92) return 2;
  if (sharesNicknameGroup(a.givenNicknameGroups, b.givenNicknameGroups)) return 3;
  if (a.givenPhonetic !== '' && a.givenPhonetic === b.givenPhonetic) return 3;
  if (swapped) return 6;
  if (score >= 0.8) return 4;
  if ((a.given.length === 1 || b.given.length === 1) && a.given.charCodeAt(0) === b.given.charCodeAt(0)) return 5;
  if ((a.middleNames.length > 0 && a.middleNames.includes(b.given)) || (b.middleNames.length > 0 && b.middleNames.includes(a.given))) return 5;
  return 7;
}

function compareFamily(a: PreparedRecord, b: PreparedRecord, swapped: boolean): number {
  if (a.familyId < 0 || b.familyId < 0) return 0;
  if (a.familyId === b.familyId) return 1;
  const score = similarity(a.family, b.family, 0.8);
  if (score >= 0.92) return 2;
  if (b.familyAlternatives.length > 0 && b.familyAlternatives.includes(a.family)) return 3;
  if (a.familyAlternatives.length > 0 && (a.familyAlternatives.includes(b.family) || b.familyAlternatives.some((part) => a.familyAlternatives.includes(part)))) return 3;
  if (a.familyPhonetic !== '' && a.familyPhonetic === b.familyPhonetic) return 4;
  if (swapped) return 6;
  if (score >= 0.8) return 5;
  return 7;
}

/** Day and month the other way round (03/04 against 04/03), with the same year. */
export function dayMonthTransposed(a: string, b: string): boolean {
  return a.slice(0, 4) === b.slice(0, 4) && a.slice(4, 6) === b.slice(6, 8) && a.slice(6, 8) === b.slice(4, 6);
}

function compareBirthDate(a: PreparedRecord, b: PreparedRecord): number {
  if (a.birthDate === '' || b.birthDate === '') return 0;
  if (a.birthDate === b.birthDate) return 1;
  if (dayMonthTransposed(a.birthDate, b.birthDate)) return 2;
  if (hammingDistance(a.birthDate, b.birthDate) === 1) return 3;
  if (isAdjacentSwap(a.birthDate, b.birthDate)) return 4;
  return 5;
}

function compareSex(a: PreparedRecord, b: PreparedRecord): number {
  if (a.sex === 0 || b.sex === 0) return 0;
  return a.sex === b.sex ? 1 : 2;
}

function compareNhsNumber(a: PreparedRecord, b: PreparedRecord): number {
  if (a.nhsNumber === '' || b.nhsNumber === '') return 0;
  if (a.nhsNumber === b.nhsNumber) return 1;
  return hammingDistance(a.nhsNumber, b.nhsNumber) === 1 || isAdjacentSwap(a.nhsNumber, b.nhsNumber) ? 2 : 3;
}

function compareOtherIdentifier(a: PreparedRecord, b: PreparedRecord): number {
  if (a.otherIdentifier === '' || b.otherIdentifier === '') return 0;
  if (a.otherIdentifier === b.otherIdentifier) return 1;
  const edits = editDistanceUpToTwo(a.otherIdentifier, b.otherIdentifier);
  return edits === 1 ? 2 : edits === 2 ? 3 : 4;
}

/**
 * Share of characters that survive editing one text into the other (1 = same).
 * Used for addresses, where strings are long and Jaro-Winkler's prefix bonus
 * means little; the bit-parallel Levenshtein is several times faster too.
 */
export function editSimilarity(a: string, b: string): number {
  const longer = Math.max(a.length, b.length);
  return longer === 0 ? 1 : 1 - distance(a, b) / longer;
}

/** 2 same, 1 close (a slip, or a UK postcode in the same sector), 0 different, -1 not recorded on both. */
function postcodeAgreement(a: PreparedRecord, b: PreparedRecord): number {
  if (a.postcode === '' || b.postcode === '') return -1;
  if (a.postcode === b.postcode) return 2;
  if (a.postcodeSector !== '' ? a.postcodeSector === b.postcodeSector : editDistanceUpToTwo(a.postcode, b.postcode) === 1) return 1;
  return 0;
}

function textAgreement(a: string, b: string, close: number): number {
  if (a === '' || b === '') return -1;
  if (a === b) return 2;
  return editSimilarity(a, b) >= close ? 1 : 0;
}

/**
 * The address as one piece of evidence. Its parts (postcode, house number,
 * street, rest of the address, town, county) move together when a family
 * moves, so weighing each part on its own would count one move five times.
 * The level says how many of the recorded parts agree.
 */
function compareAddress(a: PreparedRecord, b: PreparedRecord): number {
  let recorded = 0;
  let exact = 0;
  let agree = 0;
  const parts = [
    postcodeAgreement(a, b),
    a.streetNumber === '' || b.streetNumber === '' ? -1 : a.streetNumber === b.streetNumber ? 2 : editDistanceUpToTwo(a.streetNumber, b.streetNumber) === 1 ? 1 : 0,
    a.streetId < 0 || b.streetId < 0 ? -1 : a.streetId === b.streetId ? 2 : editSimilarity(a.street, b.street) >= 0.8 ? 1 : 0,
    textAgreement(a.locality, b.locality, 0.8),
    a.townId < 0 || b.townId < 0 ? -1 : a.townId === b.townId ? 2 : editSimilarity(a.town, b.town) >= 0.8 ? 1 : 0,
    a.region === '' || b.region === '' ? -1 : a.region === b.region ? 2 : 0,
  ];
  for (const part of parts) {
    if (part < 0) continue;
    recorded += 1;
    if (part > 0) agree += 1;
    if (part === 2) exact += 1;
  }
  if (recorded === 0) return 0;
  if (exact === recorded) return 1;
  if (agree === recorded) return 2;
  if (agree === recorded - 1 && agree >= 2) return 3;
  if (agree >= 2) return 4;
  if (agree === 1) return 5;
  return 6;
}

/** Compare two records field by field; returns the levels packed into one number (see `levelOf`). */
export function comparePair(a: PreparedRecord, b: PreparedRecord): number {
  const swapped = a.givenId !== b.givenId && a.familyId !== b.familyId && namesSwapped(a, b);
  return (
    compareGiven(a, b, swapped) +
    compareFamily(a, b, swapped) * 8 +
    compareBirthDate(a, b) * 64 +
    compareSex(a, b) * 512 +
    compareNhsNumber(a, b) * 4096 +
    compareOtherIdentifier(a, b) * 32768 +
    compareAddress(a, b) * 262144
  );
}

const PLACE = COMPARISONS.map((_, k) => LEVEL_BASE ** k);

/** The level of one field in a packed comparison. */
export function levelOf(pattern: number, field: number): number {
  return Math.floor(pattern / (PLACE[field] ?? 1)) % LEVEL_BASE;
}

/** Unpack a comparison into one level per field. */
export function unpackLevels(pattern: number): number[] {
  return COMPARISONS.map((_, k) => levelOf(pattern, k));
}
