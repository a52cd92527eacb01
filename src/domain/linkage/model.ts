import { ADDRESS, BIRTH_DATE, COMPARISONS, EXACT, FAMILY, FIELD_COUNT, GIVEN, LEVEL_BASE, NHS, OTHER_IDENTIFIER, SEX, levelOf, unpackLevels } from './comparisons.ts';
import type { PreparedRecord, Vocabulary } from './prepare.ts';

/**
 * Fellegi-Sunter parameters: for every field and level, how often true
 * matches (m) and unrelated pairs (u) land there, and the share of candidate
 * pairs that are matches (prior).
 */
export interface ModelParameters {
  readonly m: readonly (readonly number[])[];
  readonly u: readonly (readonly number[])[];
  /** u from random pairs: the reference a name's own frequency is compared with. */
  readonly randomU?: readonly (readonly number[])[];
  readonly prior: number;
  /**
   * How often two different people at the same address share a family name
   * (co-residents mostly do). When set, a family name that agrees at the same
   * address is weighed against this rather than against u: otherwise one
   * household counts twice and siblings look like one child.
   */
  readonly familyGivenSameAddress?: number;
}

export type Outcome = 'link' | 'review' | 'no link';

/** The thresholds a decision uses, as probabilities that the pair is one person. */
export interface Thresholds {
  /** At or above: linked automatically. */
  readonly link: number;
  /** At or above (and below `link`): sent to a practitioner to review. */
  readonly review: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { link: 0.95, review: 0.5 };

/** Why a pair that scores high is still held for a person to decide. */
export type HoldReason =
  | 'possible twins'
  | 'same NHS number but birth date or sex disagrees'
  | 'different NHS numbers'
  | 'a child on name and birth date alone'
  | "no birth date against a child's record"
  | "a child's birth dates disagree";

/** One field's contribution to a pair's match weight, for the review page's waterfall. */
export interface FieldWeight {
  readonly field: string;
  readonly label: string;
  readonly level: string;
  /** log2 of (chance of this level among matches / among non-matches), term-frequency adjusted. */
  readonly weight: number;
}

export interface WeightBreakdown {
  readonly priorWeight: number;
  readonly fields: readonly FieldWeight[];
  readonly matchWeight: number;
  readonly probability: number;
  readonly outcome: Outcome;
  readonly heldBecause: HoldReason | null;
}

const MINIMUM_RATE = 1e-6;

/** Convert a match weight (log2 odds) to the probability that the pair is one person. */
export function probabilityFromWeight(weight: number): number {
  return 1 / (1 + 2 ** -weight);
}

/** Convert a probability to a match weight. */
export function weightFromProbability(probability: number): number {
  return Math.log2(probability / (1 - probability));
}

/** The fitted model: scores a compared pair and explains the score field by field. */
export class LinkageModel {
  private readonly fieldWeights: Float64Array[];
  private readonly patternWeights = new Map<number, number>();
  readonly priorWeight: number;

  constructor(
    readonly parameters: ModelParameters,
    readonly thresholds: Thresholds = DEFAULT_THRESHOLDS,
    /** Hold possible twins for review even when they share an identifier other than the NHS number. */
    readonly strictTwins = false,
    /** Birth dates after this (YYYYMMDD) are a child's: see `childHoldReason`. Default: 18 years before today. */
    readonly childBornAfter: number = childCutoff(new Date()),
  ) {
    this.fieldWeights = COMPARISONS.map((comparison, k) => {
      const weights = new Float64Array(comparison.levels.length);
      for (let level = 1; level < weights.length; level += 1) {
        if (comparison.countedElsewhere?.includes(level)) continue;
        const m = Math.max(parameters.m[k]?.[level] ?? 0, MINIMUM_RATE);
        const u = Math.max(parameters.u[k]?.[level] ?? 0, MINIMUM_RATE);
        weights[level] = Math.log2(m / u);
      }
      return weights;
    });
    this.priorWeight = weightFromProbability(Math.min(Math.max(parameters.prior, 1e-9), 1 - 1e-9));
  }

  /** Whether the family name is weighed given the same address (see `familyGivenSameAddress`). */
  private sameHousehold(pattern: number): boolean {
    if (this.parameters.familyGivenSameAddress === undefined) return false;
    const family = levelOf(pattern, FAMILY);
    const address = levelOf(pattern, ADDRESS);
    return (family === 1 || family === 2) && (address === 1 || address === 2);
  }

  /** One field's weight for a level of a compared pair, before term-frequency adjustment. */
  private fieldWeight(field: number, level: number, pattern: number): number {
    if (field === FAMILY && this.sameHousehold(pattern)) {
      const m = Math.max(this.parameters.m[FAMILY]?.[level] ?? 0, MINIMUM_RATE);
      return Math.log2(m / (this.parameters.familyGivenSameAddress ?? 1));
    }
    return this.fieldWeights[field]?.[level] ?? 0;
  }

  /** Sum of field weights and the prior for a packed comparison, before term-frequency adjustment. */
  patternWeight(pattern: number): number {
    let weight = this.patternWeights.get(pattern);
    if (weight === undefined) {
      weight = this.priorWeight;
      for (let k = 0; k < FIELD_COUNT; k += 1) weight += this.fieldWeight(k, levelOf(pattern, k), pattern);
      this.patternWeights.set(pattern, weight);
    }
    return weight;
  }

  /** Extra weight for an exact name match: a rare name counts for more than a common one. */
  private termFrequencyAdjustment(field: number, frequency: number): number {
    const u = (this.parameters.randomU ?? this.parameters.u)[field]?.[EXACT] ?? 0;
    if (frequency <= 0 || u <= 0) return 0;
    return Math.log2(u / frequency);
  }

  /** Whether an exact family name is weighed by its frequency for this pattern (not at a shared address). */
  familyFrequencyApplies(pattern: number): boolean {
    return Math.floor(pattern / LEVEL_BASE) % LEVEL_BASE === EXACT && !this.sameHousehold(pattern);
  }

  /**
   * Term-frequency adjustments per vocabulary id, computed once per run, so
   * that scoring a pair looks them up rather than recomputing a logarithm.
   */
  frequencyAdjustments(vocabulary: Vocabulary): { given: Float64Array; family: Float64Array } {
    const table = (counts: Vocabulary['givenNames'], field: number, size: number) => {
      const out = new Float64Array(size);
      for (let id = 0; id < size; id += 1) out[id] = this.termFrequencyAdjustment(field, counts.frequency(id));
      return out;
    };
    return { given: table(vocabulary.givenNames, GIVEN, vocabulary.givenNames.size), family: table(vocabulary.familyNames, FAMILY, vocabulary.familyNames.size) };
  }

  /** The pair's match weight (log2 odds that it is one person). */
  matchWeight(a: PreparedRecord, b: PreparedRecord, pattern: number, vocabulary: Vocabulary): number {
    let weight = this.patternWeight(pattern);
    if (pattern % LEVEL_BASE === EXACT) {
      weight += this.termFrequencyAdjustment(GIVEN, vocabulary.givenNames.frequency(a.givenId));
    }
    if (Math.floor(pattern / LEVEL_BASE) % LEVEL_BASE === EXACT && !this.sameHousehold(pattern)) {
      weight += this.termFrequencyAdjustment(FAMILY, vocabulary.familyNames.frequency(a.familyId));
    }
    return weight;
  }

  /**
   * Link, review or no link for a pair's probability; a held pair always goes to review, never to a link.
   * With the two records' sides (`pairSide`) the child holds apply too.
   */
  decide(probability: number, pattern: number, sides?: readonly [PairSide, PairSide]): { outcome: Outcome; heldBecause: HoldReason | null } {
    let heldBecause = holdReason(pattern, this.strictTwins);
    if (heldBecause === null && sides && probability >= this.thresholds.link) {
      heldBecause = childHoldReason(pattern, sides[0], sides[1], this.childBornAfter);
    }
    if (heldBecause === 'different NHS numbers' && probability < this.thresholds.review) return { outcome: 'no link', heldBecause: null };
    if (heldBecause) return { outcome: 'review', heldBecause };
    if (probability >= this.thresholds.link) return { outcome: 'link', heldBecause: null };
    return { outcome: probability >= this.thresholds.review ? 'review' : 'no link', heldBecause: null };
  }

  /** Every field's contribution to one pair's score. */
  explain(a: PreparedRecord, b: PreparedRecord, pattern: number, vocabulary: Vocabulary): WeightBreakdown {
    const levels = unpackLevels(pattern);
    const fields = COMPARISONS.map((comparison, k): FieldWeight => {
      const level = levels[k] ?? 0;
      let weight = this.fieldWeight(k, level, pattern);
      const household = k === FAMILY && this.sameHousehold(pattern);
      if (comparison.termFrequency && level === EXACT && !household) {
        const counts = k === GIVEN ? vocabulary.givenNames : vocabulary.familyNames;
        weight += this.termFrequencyAdjustment(k, counts.frequency(k === GIVEN ? a.givenId : a.familyId));
      }
      const levelName = comparison.levels[level] ?? 'unknown';
      return { field: comparison.field, label: comparison.label, level: household ? `${levelName} (at the same address, where most people share it)` : levelName, weight };
    });
    const matchWeight = this.priorWeight + fields.reduce((sum, field) => sum + field.weight, 0);
    const probability = probabilityFromWeight(matchWeight);
    return { priorWeight: this.priorWeight, fields, matchWeight, probability, ...this.decide(probability, pattern, [pairSide(a), pairSide(b)]) };
  }
}

/**
 * Safeguarding holds. Twins share a birth date, an address and a family
 * name; only their given names tell them apart, so a pair like that with
 * given names that are not the same name, or with no given name on one side
 * (an unnamed newborn, "Baby Cooper"), is never linked without a person
 * looking, however strong the rest. An NHS number is strong evidence but not
 * blind: the same number with a birth date or sex that cannot be a slip
 * suggests a number recorded against the wrong child.
 *
 * Twins have different identifiers, so a shared NHS number (or, unless
 * `strictTwins`, a shared other identifier) lifts the twins hold: see
 * docs/linkage.md for why, and what strict mode costs.
 */
export function holdReason(pattern: number, strictTwins = false): HoldReason | null {
  const given = levelOf(pattern, GIVEN);
  const nhs = levelOf(pattern, NHS);
  if (nhs === EXACT && (levelOf(pattern, BIRTH_DATE) === 5 || levelOf(pattern, SEX) === 2)) {
    return 'same NHS number but birth date or sex disagrees';
  }
  // Not recorded counts too: with no given name on one side (an unnamed newborn), twins cannot be told apart.
  const givenDiffers = given === 0 || given === 4 || given === 5 || given === 7;
  const sharesIdentifier = nhs === EXACT || (!strictTwins && levelOf(pattern, OTHER_IDENTIFIER) === EXACT);
  const sameAddress = levelOf(pattern, ADDRESS) === 1 || levelOf(pattern, ADDRESS) === 2;
  if (givenDiffers && !sharesIdentifier && sameAddress && levelOf(pattern, BIRTH_DATE) === EXACT && levelOf(pattern, FAMILY) === EXACT) {
    return 'possible twins';
  }
  // Two valid NHS numbers that are not a slip of one another: two children, whatever else agrees (two girls
  // both called Willow Elliott born the same day were joined on the county). Held only above the review
  // threshold (see `LinkageModel.decide`), so siblings and strangers with their own numbers stay "no link".
  if (nhs === 3) return 'different NHS numbers';
  return null;
}

/** YYYYMMDD eighteen years before a date: birth dates after it are a child's. */
export function childCutoff(at: Date): number {
  return (at.getUTCFullYear() - 18) * 10_000 + (at.getUTCMonth() + 1) * 100 + at.getUTCDate();
}

/** What the child holds need to know of each record of a pair. */
export interface PairSide {
  /** YYYYMMDD; -1 when not recorded. */
  readonly birth: number;
  /** Whether the record carries anything that could corroborate: an NHS number, other identifier or address. */
  readonly identified: boolean;
}

/** A prepared record's side of a pair, for the child holds. */
export function pairSide(r: PreparedRecord): PairSide {
  return {
    birth: r.birthDate.length === 8 ? Number(r.birthDate) : -1,
    identified: r.nhsNumber !== '' || r.otherIdentifier !== '' || r.postcode !== '' || r.street !== '',
  };
}

/**
 * Holds for pairs where one side is a child's record (birth date after
 * `childBornAfter`), applied only to pairs that would otherwise be linked.
 * A child often shares a name with a parent or sibling, and two children with
 * one name and one birth date do occur, so for children the score alone is
 * not always enough:
 * - a record with no birth date is never linked to a child's record
 *   automatically (it may be a same-named parent or sibling in the house);
 * - two children's records whose birth dates are both recorded and disagree
 *   beyond a slip are not linked without the same NHS number;
 * - two children's records with nothing else that agrees (NHS number or a
 *   slip of it, the other identifier, the address at least in part) are
 *   linked only if given name, family name and birth date agree exactly and
 *   at least one of the two carries an identifier or address (a child who
 *   moved, recorded by a nursery at the new address); a near match (a slip in
 *   the date, a nickname, another family name) or two records that carry
 *   nothing but name and birth date go to review.
 */
export function childHoldReason(pattern: number, a: PairSide, b: PairSide, childBornAfter: number): HoldReason | null {
  if (a.birth <= childBornAfter && b.birth <= childBornAfter) return null;
  if (a.birth < 0 || b.birth < 0) return "no birth date against a child's record";
  const nhs = levelOf(pattern, NHS);
  if (levelOf(pattern, BIRTH_DATE) === 5 && nhs !== EXACT) return "a child's birth dates disagree";
  const other = levelOf(pattern, OTHER_IDENTIFIER);
  const address = levelOf(pattern, ADDRESS);
  if (nhs === 1 || nhs === 2 || (other >= 1 && other <= 3) || (address >= 1 && address <= 4)) return null;
  const exact = levelOf(pattern, GIVEN) === EXACT && levelOf(pattern, FAMILY) === EXACT && levelOf(pattern, BIRTH_DATE) === EXACT && levelOf(pattern, SEX) !== 2;
  return exact && (a.identified || b.identified) ? null : 'a child on name and birth date alone';
}

/**
 * Evidence that two records are two different people, whatever else agrees:
 * two valid NHS numbers that are not a slip of one another, the same NHS
 * number with a birth date or sex that cannot be a slip, possible twins, and
 * where one side is a child's record: two birth dates that disagree beyond a
 * slip, or a record with no birth date against the child's. In grouping, one such pair across two groups
 * stops them joining.
 */
export function strongNonMatch(pattern: number, birthA: number, birthB: number, childBornAfter: number, strictTwins = false): boolean {
  const hold = holdReason(pattern, strictTwins);
  // An unnamed newborn ("Baby Cooper") against a named record of that date and house is weak, not strong:
  // a named twin would disagree on the given name with the other twin's records, and that pair is strong.
  if (hold !== null && !(hold === 'possible twins' && levelOf(pattern, GIVEN) === 0)) return true;
  // Adults' birth dates are often recorded wrongly or as placeholders; a child's come from the birth
  // registration, and a same-named brother differs from the child exactly there.
  if (Math.max(birthA, birthB) <= childBornAfter) return false;
  if (levelOf(pattern, BIRTH_DATE) === 5 && levelOf(pattern, NHS) !== EXACT) return true;
  return (birthA < 0) !== (birthB < 0);
}

/**
 * Two records that are two different people however their relationships agree (`joinByRelations`,
 * relations.ts): a strong non-match between any two records (different NHS numbers, possible twins,
 * the same NHS number with another birth date or sex), a sex that disagrees, or birth dates both
 * recorded that disagree beyond a slip without the same NHS number (for adults too: two same-named
 * partners of one mother over the years). A missing birth date is not one: that is what the
 * relationship resolves. Nor is a birth date a day or a year out (`datesNearlyAgree`), nor "possible
 * twins" whose given names are one the short form of the other (`shortForm`: "Ty" and "Tyler").
 */
export function relationalConflict(pattern: number, strictTwins = false, birthA = -1, birthB = -1, shortForm = false): boolean {
  // A birth date a day or a year out (the 29th for the 30th) is a slip here, not two people.
  const datesDisagree = levelOf(pattern, BIRTH_DATE) === 5 && !datesNearlyAgree(birthA, birthB);
  const hold = holdReason(pattern, strictTwins);
  if (hold === 'same NHS number but birth date or sex disagrees') {
    if (levelOf(pattern, SEX) === 2 || datesDisagree) return true;
  } else if (hold === 'possible twins') {
    // One given name the short form of the other ("Ty" and "Tyler") is one child, not twins; an unnamed newborn is weak.
    if (levelOf(pattern, GIVEN) !== 0 && !shortForm) return true;
  } else if (hold !== null) {
    return true;
  }
  if (levelOf(pattern, SEX) === 2) return true;
  return datesDisagree && levelOf(pattern, NHS) !== EXACT;
}

/** Two birth dates (YYYYMMDD) one day apart, or the same day and month a year apart. */
export function datesNearlyAgree(a: number, b: number): boolean {
  if (a < 0 || b < 0) return false;
  if (a % 10_000 === b % 10_000 && Math.abs(Math.floor(a / 10_000) - Math.floor(b / 10_000)) === 1) return true;
  const day = (d: number) => Date.UTC(Math.floor(d / 10_000), (Math.floor(d / 100) % 100) - 1, d % 100);
  return Math.abs(day(a) - day(b)) === 86_400_000;
}

/**
 * Two records that agree well enough for a shared relationship to join them (sex never different): the
 * same NHS number; or a family name at most "similar" and a given name exact, a slip or a nickname, or
 * only similar or an initial when the birth date is the same ("Ty" and "Tyler" born the same day, both
 * recorded as the child of one mother; twins of one date are held apart by the twins hold).
 */
export function relationalNamesAgree(pattern: number): boolean {
  if (levelOf(pattern, SEX) === 2) return false;
  if (levelOf(pattern, NHS) === EXACT) return true;
  const given = levelOf(pattern, GIVEN);
  const family = levelOf(pattern, FAMILY);
  if (family < 1 || family > 5) return false;
  return (given >= 1 && given <= 3) || ((given === 4 || given === 5) && levelOf(pattern, BIRTH_DATE) === EXACT);
}

/** Names alike more loosely than `relationalNamesAgree` (a similar given name, an initial or middle name): a reason to doubt, never to join. */
export function relationalNamesAlike(pattern: number): boolean {
  const given = levelOf(pattern, GIVEN);
  const family = levelOf(pattern, FAMILY);
  return given >= 1 && given <= 5 && family >= 1 && family <= 5 && levelOf(pattern, SEX) !== 2;
}

/** Levels counted over a sample of pairs, per field. */
export type LevelCounts = number[][];

/** Empty level counts, one row per field. */
export function emptyLevelCounts(): LevelCounts {
  return COMPARISONS.map((comparison) => new Array<number>(comparison.levels.length).fill(0));
}

/** Add one compared pair to level counts. */
export function countLevels(counts: LevelCounts, pattern: number): void {
  for (let k = 0; k < FIELD_COUNT; k += 1) {
    const row = counts[k];
    if (row) row[levelOf(pattern, k)] = (row[levelOf(pattern, k)] ?? 0) + 1;
  }
}

/**
 * u from random pairs: almost every random pair is two different people, so
 * the share at each level estimates how often unrelated people agree that
 * much. Half a pair is added to empty levels so no level is impossible.
 */
export function nonMatchRatesFromSample(counts: LevelCounts): number[][] {
  return counts.map((row) => {
    const smoothed = row.map((count, level) => (level === 0 ? 0 : Math.max(count, 0.5)));
    const total = smoothed.reduce((sum, value) => sum + value, 0);
    return smoothed.map((value) => (total > 0 ? value / total : 0));
  });
}

export interface ExpectationMaximisationResult {
  readonly m: number[][];
  /** u among the candidate pairs that are not matches (the random-sample u when u is held fixed). */
  readonly u: number[][];
  readonly prior: number;
  readonly iterations: number;
}

/**
 * Estimate m and the prior by expectation maximisation over the candidate
 * pairs, with u held at its random-sample estimate (as Splink does). Pairs are
 * grouped by their comparison pattern, so each iteration costs the number of
 * distinct patterns, not pairs. No labels are used.
 */
export function estimateMatchRates(
  patternCounts: ReadonlyMap<number, number>,
  u: readonly (readonly number[])[],
  options: {
    startingPrior?: number;
    maxIterations?: number;
    tolerance?: number;
    estimateU?: boolean;
    /** Fields left out of the E-step (the blocking rule's own fields, which every pair agrees on); their m is not estimated. */
    heldOut?: readonly number[];
    /** Starting m (default: each comparison's `startingM`). */
    startingM?: readonly (readonly number[])[];
  } = {},
): ExpectationMaximisationResult {
  const patterns = [...patternCounts.keys()];
  const weights = patterns.map((pattern) => patternCounts.get(pattern) ?? 0);
  const levels = new Uint8Array(patterns.length * FIELD_COUNT);
  patterns.forEach((pattern, p) => {
    for (let k = 0; k < FIELD_COUNT; k += 1) levels[p * FIELD_COUNT + k] = levelOf(pattern, k);
  });
  let currentU = u.map((row) => [...row]);
  let m = (options.startingM ?? COMPARISONS.map((comparison) => comparison.startingM)).map((row) => [...row]);
  const heldOut = options.heldOut ?? [];
  let prior = options.startingPrior ?? 0.1;
  const total = weights.reduce((sum, w) => sum + w, 0);
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-5;
  let iterations = 0;
  while (iterations < maxIterations) {
    iterations += 1;
    const logRatio = m.map((row, k) => row.map((value, level) => (level === 0 || heldOut.includes(k) || COMPARISONS[k]?.countedElsewhere?.includes(level) ? 0 : Math.log(Math.max(value, MINIMUM_RATE)) - Math.log(Math.max(currentU[k]?.[level] ?? 0, MINIMUM_RATE)))));
    const sums = COMPARISONS.map((comparison) => new Array<number>(comparison.levels.length).fill(0));
    const nonMatchSums = COMPARISONS.map((comparison) => new Array<number>(comparison.levels.length).fill(0));
    const logPriorOdds = Math.log(prior / (1 - prior));
    let matchTotal = 0;
    for (let p = 0; p < patterns.length; p += 1) {
      let logOdds = logPriorOdds;
      for (let k = 0; k < FIELD_COUNT; k += 1) logOdds += logRatio[k]?.[levels[p * FIELD_COUNT + k] ?? 0] ?? 0;
      const posterior = 1 / (1 + Math.exp(-logOdds));
      const share = posterior * (weights[p] ?? 0);
      matchTotal += share;
      const rest = (weights[p] ?? 0) - share;
      for (let k = 0; k < FIELD_COUNT; k += 1) {
        const row = sums[k];
        const nonMatchRow = nonMatchSums[k];
        const level = levels[p * FIELD_COUNT + k] ?? 0;
        if (row) row[level] = (row[level] ?? 0) + share;
        if (nonMatchRow) nonMatchRow[level] = (nonMatchRow[level] ?? 0) + rest;
      }
    }
    const nextM = sums.map((row) => normaliseRates(row, 1e-3));
    if (options.estimateU) currentU = nonMatchSums.map((row) => normaliseRates(row, MINIMUM_RATE));
    const nextPrior = Math.min(Math.max(matchTotal / Math.max(total, 1), 1e-9), 1 - 1e-9);
    let change = Math.abs(nextPrior - prior);
    nextM.forEach((row, k) => row.forEach((value, level) => {
      change = Math.max(change, Math.abs(value - (m[k]?.[level] ?? 0)));
    }));
    m = nextM;
    prior = nextPrior;
    if (change < tolerance) break;
  }
  return { m, u: currentU, prior, iterations };
}

function normaliseRates(row: readonly number[], floor: number): number[] {
  const recorded = row.reduce((sum, value, level) => (level === 0 ? sum : sum + value), 0);
  const rates = row.map((value, level) => (level === 0 || recorded === 0 ? 0 : Math.max(value / recorded, floor)));
  const norm = rates.reduce((sum, value) => sum + value, 0);
  return rates.map((value) => (norm > 0 ? value / norm : 0));
}
