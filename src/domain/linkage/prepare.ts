import { doubleMetaphone } from 'double-metaphone';
import { isValidNhsNumber, normaliseNhsNumber } from './nhs-number.ts';
import { nicknameGroups } from './nicknames.ts';
import type { PersonRecord } from './person-record.ts';

/**
 * A record with every field normalised and encoded once, so that comparing
 * two of them is string equality, integer equality and the odd Jaro-Winkler.
 * Empty strings and -1 mean "not recorded".
 */
export interface PreparedRecord {
  /** Position in the linker's table; the agency's id stays on the original record. */
  readonly index: number;
  /** Which file or agency feed the record came from (0 or 1 when linking two). */
  readonly source: number;
  readonly given: string;
  readonly givenId: number;
  readonly givenPhonetic: string;
  readonly givenNicknameGroups: readonly number[];
  readonly middleNames: readonly string[];
  readonly family: string;
  readonly familyId: number;
  readonly familyPhonetic: string;
  /** Parts of a double-barrelled or multi-word family name, and any previous family names. */
  readonly familyAlternatives: readonly string[];
  /** Eight digits YYYYMMDD. */
  readonly birthDate: string;
  readonly birthYear: string;
  /** 1 female, 2 male, 3 another recorded value, 0 not recorded. */
  readonly sex: number;
  /** A ten-digit NHS number that passes its check digit; an invalid one is treated as not recorded. */
  readonly nhsNumber: string;
  readonly otherIdentifier: string;
  readonly postcode: string;
  /** For a UK postcode, the sector (outward code and the first inward digit) and the district (outward code). */
  readonly postcodeSector: string;
  readonly postcodeDistrict: string;
  readonly streetNumber: string;
  readonly street: string;
  readonly streetId: number;
  readonly locality: string;
  readonly town: string;
  readonly townId: number;
  readonly region: string;
}

/** Interned values of one field, with how often each occurs (for term-frequency adjustment). */
export class ValueCounts {
  private readonly ids = new Map<string, number>();
  private readonly counts: number[] = [];
  private recorded = 0;

  /** The value's id, counting one more occurrence unless `count` is false; -1 for an empty value. */
  add(value: string, count = true): number {
    if (value === '') return -1;
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.counts.length;
      this.ids.set(value, id);
      this.counts.push(0);
    }
    if (count) {
      this.counts[id] = (this.counts[id] ?? 0) + 1;
      this.recorded += 1;
    }
    return id;
  }

  /** Count a value `times` times at once (frequencies stored by a training run). */
  addCount(value: string, times: number): void {
    if (value === '' || times <= 0) return;
    const id = this.add(value, false);
    this.counts[id] = (this.counts[id] ?? 0) + times;
    this.recorded += times;
  }

  /** Count values not stored one by one (the rest of a stored total). */
  countUnlisted(times: number): void {
    if (times > 0) this.recorded += times;
  }

  /** Every value seen at least `minimum` times, with its count (for storing). */
  frequent(minimum: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [value, id] of this.ids) if ((this.counts[id] ?? 0) >= minimum) out[value] = this.counts[id] ?? 0;
    return out;
  }

  /** Share of recorded values equal to the value with this id: the chance a random record agrees with it. */
  frequency(id: number): number {
    if (id < 0 || this.recorded === 0) return 0;
    return (this.counts[id] ?? 0) / this.recorded;
  }

  /** Number of distinct values (ids run from 0 to size - 1). */
  get size(): number {
    return this.counts.length;
  }

  get total(): number {
    return this.recorded;
  }
}

/** Shared encodings for one linkage run or one live index. */
export class Vocabulary {
  readonly givenNames = new ValueCounts();
  readonly familyNames = new ValueCounts();
  readonly streets = new ValueCounts();
  readonly towns = new ValueCounts();
  private readonly phonetics = new Map<string, string>();
  private readonly normalised = new Map<string, Map<string, unknown>>();

  /**
   * A normalisation of a raw value, computed once per distinct value and
   * kind: names, streets and towns repeat across records, and normalising
   * was most of the time spent preparing a million records.
   */
  memo<T>(kind: string, raw: string, compute: (raw: string) => T): T {
    let values = this.normalised.get(kind);
    if (!values) {
      values = new Map();
      this.normalised.set(kind, values);
    }
    let value = values.get(raw) as T | undefined;
    if (value === undefined) {
      value = compute(raw);
      if (values.size < 1_000_000) values.set(raw, value);
    }
    return value;
  }

  /** Primary Double Metaphone code of a name, cached. */
  phonetic(name: string): string {
    if (name === '') return '';
    let code = this.phonetics.get(name);
    if (code === undefined) {
      code = doubleMetaphone(name)[0];
      this.phonetics.set(name, code);
    }
    return code;
  }
}

/** Lower case, accents removed, only letters, digits, spaces and hyphens; spaces collapsed. */
export function normaliseText(text: string | undefined): string {
  if (!text) return '';
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9\s-]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A name as letters only ("O'Brien-Smith" → "obriensmith"). */
export function nameKey(text: string | undefined): string {
  return normaliseText(text).replace(/[^a-z]/g, '');
}

function nameParts(text: string | undefined): string[] {
  return normaliseText(text)
    .split(/[\s-]+/)
    .map((part) => part.replace(/[^a-z]/g, ''))
    .filter((part) => part.length > 0);
}

const STREET_TYPES: Readonly<Record<string, string>> = {
  rd: 'road', st: 'street', str: 'street', ave: 'avenue', av: 'avenue', cres: 'crescent', cr: 'crescent',
  pl: 'place', ct: 'court', crt: 'court', dr: 'drive', ln: 'lane', cl: 'close', gdns: 'gardens', gr: 'grove',
  sq: 'square', tce: 'terrace', ter: 'terrace', hwy: 'highway', pde: 'parade', cct: 'circuit', wy: 'way',
};

/** An address line as the linker compares it: normalised text, hyphens as spaces, a trailing street type spelt out ("Rd" → "road"). */
export function normaliseAddressLine(line: string): string {
  const words = normaliseText(line).replace(/-/g, ' ').split(' ').filter(Boolean);
  const last = words.length > 1 ? words[words.length - 1] : undefined;
  if (last !== undefined && STREET_TYPES[last]) words[words.length - 1] = STREET_TYPES[last];
  return words.join(' ');
}

/** Eight digits YYYYMMDD from YYYY-MM-DD, YYYYMMDD or YYYY/MM/DD; '' otherwise. */
export function birthDateDigits(text: string | undefined): string {
  if (!text) return '';
  const digits = text.replace(/[-/\s]/g, '');
  return /^\d{8}$/.test(digits) ? digits : '';
}

function sexCode(text: string | undefined): number {
  const value = normaliseText(text);
  if (value === '') return 0;
  if (value === 'f' || value === 'female' || value === 'girl') return 1;
  if (value === 'm' || value === 'male' || value === 'boy') return 2;
  if (value === 'u' || value === 'unknown' || value === 'not known' || value === 'not recorded') return 0;
  return 3;
}

const UK_POSTCODE = /^([A-Z]{1,2}\d[A-Z\d]?)(\d)([A-Z]{2})$/;

const NONE: readonly string[] = Object.freeze([]);

/**
 * Words recorded in place of a given name: a newborn is registered with the
 * NHS as "Baby" and the family name until named ("Baby Boy Cooper", "Baby 2"),
 * and agencies write "Unknown" or "NK". Such a record has no given name: as
 * a name, "baby" made the named child and her own newborn record look like
 * twins (and two unnamed twins like one child).
 */
const PLACEHOLDER_GIVEN = new Set(['baby', 'infant', 'newborn', 'unborn', 'unnamed', 'unknown', 'nk', 'notknown']);
const PLACEHOLDER_FOLLOWERS = new Set(['boy', 'girl', 'twin', 'triplet', 'one', 'two', 'three', 'a', 'b', 'c', 'i', 'ii', 'of']);

function withoutPlaceholder(tokens: string[]): string[] {
  if (tokens.length === 0 || !PLACEHOLDER_GIVEN.has(tokens[0] ?? '')) return tokens;
  let k = 1;
  while (k < tokens.length && PLACEHOLDER_FOLLOWERS.has(tokens[k] ?? '')) k += 1;
  return tokens.slice(k);
}

/** A postcode without spaces in capitals, with its sector and district when it is a UK postcode. */
function splitPostcode(raw: string): { postcode: string; sector: string; district: string } {
  const postcode = raw.toUpperCase().replace(/[^A-Z0-9]/g, '');
  const uk = UK_POSTCODE.exec(postcode);
  return { postcode, sector: uk ? `${uk[1]}${uk[2]}` : '', district: uk ? (uk[1] ?? '') : '' };
}

/** Normalise and encode one record; a record only being looked up (`count` false) does not change name frequencies. */
export function prepareRecord(record: PersonRecord, index: number, source: number, vocabulary: Vocabulary, count = true): PreparedRecord {
  const givenTokens = withoutPlaceholder((record.givenNames ?? []).flatMap((name) => vocabulary.memo('name', name, nameParts)));
  const given = givenTokens[0] ?? '';
  const familyTokens = vocabulary.memo('name', record.familyName ?? '', nameParts);
  const family = familyTokens.join('');
  const alternatives = new Set<string>();
  if (familyTokens.length > 1) for (const part of familyTokens) if (part.length > 1) alternatives.add(part);
  for (const previous of record.previousFamilyNames ?? []) {
    const key = nameKey(previous);
    if (key) alternatives.add(key);
    for (const part of nameParts(previous)) if (part.length > 1) alternatives.add(part);
  }
  alternatives.delete(family);

  const { postcode, sector, district } = vocabulary.memo('postcode', record.postcode ?? '', splitPostcode);

  const lines = (record.addressLines ?? []).map((line) => vocabulary.memo('line', line, normaliseAddressLine)).filter(Boolean);
  let streetNumber = vocabulary.memo('number', record.streetNumber ?? '', (raw) => normaliseText(raw).replace(/\s/g, ''));
  let street = lines[0] ?? '';
  if (streetNumber === '') {
    const leading = /^(\d+[a-z]?)\s+(.*)$/.exec(street);
    if (leading) {
      streetNumber = leading[1] ?? '';
      street = leading[2] ?? '';
    }
  }
  const town = vocabulary.memo('text', record.town ?? '', normaliseText);
  const nhs = normaliseNhsNumber(record.nhsNumber);
  const birthDate = vocabulary.memo('date', record.birthDate ?? '', birthDateDigits);

  return {
    index,
    source,
    given,
    givenId: vocabulary.givenNames.add(given, count),
    givenPhonetic: vocabulary.phonetic(given),
    givenNicknameGroups: nicknameGroupsFor(given),
    middleNames: givenTokens.length > 1 ? givenTokens.slice(1) : NONE,
    family,
    familyId: vocabulary.familyNames.add(family, count),
    familyPhonetic: vocabulary.phonetic(family),
    familyAlternatives: alternatives.size > 0 ? [...alternatives] : NONE,
    birthDate,
    birthYear: birthDate.slice(0, 4),
    sex: vocabulary.memo('sex', record.sex ?? '', sexCode),
    nhsNumber: nhs !== null && isValidNhsNumber(nhs) ? nhs : '',
    otherIdentifier: normaliseText(record.otherIdentifier).replace(/[\s-]/g, ''),
    postcode,
    postcodeSector: sector,
    postcodeDistrict: district,
    streetNumber,
    street,
    streetId: vocabulary.streets.add(street, count),
    locality: lines.slice(1).join(' '),
    town,
    townId: vocabulary.towns.add(town, count),
    region: vocabulary.memo('text', record.region ?? '', normaliseText),
  };
}

function nicknameGroupsFor(name: string): readonly number[] {
  return name === '' ? [] : nicknameGroups(name);
}
