import { comparePair } from './comparisons.ts';
import { DEFAULT_PARAMETERS } from './default-parameters.ts';
import { LinkageModel, holdReason, pairSide, probabilityFromWeight, type HoldReason, type ModelParameters, type Outcome, type Thresholds, type WeightBreakdown } from './model.ts';
import type { PersonRecord } from './person-record.ts';
import { Vocabulary, prepareRecord, type PreparedRecord } from './prepare.ts';

/**
 * Matching one new record against the people Kinsight already knows: the
 * database finds the candidates (blocking on indexed columns), this scores
 * them with the model. Pure: no I/O.
 */

/** Name frequencies a training run stores, for term-frequency adjustment at link time. */
export interface NameFrequencies {
  readonly given?: { readonly total: number; readonly values: Readonly<Record<string, number>> };
  readonly family?: { readonly total: number; readonly values: Readonly<Record<string, number>> };
}

/** A vocabulary holding stored name frequencies (an empty one when none are stored: no adjustment). */
export function vocabularyFrom(frequencies: NameFrequencies | null | undefined): Vocabulary {
  const vocabulary = new Vocabulary();
  const load = (counts: Vocabulary['givenNames'], stored: NameFrequencies['given']) => {
    if (!stored) return;
    let listed = 0;
    for (const [value, times] of Object.entries(stored.values)) {
      counts.addCount(value, times);
      listed += times;
    }
    counts.countUnlisted(stored.total - listed);
  };
  load(vocabulary.givenNames, frequencies?.given);
  load(vocabulary.familyNames, frequencies?.family);
  return vocabulary;
}

/** Names common enough to store (at least `minimum` records), with the totals. */
export function nameFrequencies(vocabulary: Vocabulary, minimum = 3): NameFrequencies {
  return {
    given: { total: vocabulary.givenNames.total, values: vocabulary.givenNames.frequent(minimum) },
    family: { total: vocabulary.familyNames.total, values: vocabulary.familyNames.frequent(minimum) },
  };
}

/** The model Kinsight links with: stored parameters, or the documented defaults. */
export function linkageModel(parameters: ModelParameters | null | undefined, thresholds?: Thresholds): LinkageModel {
  return new LinkageModel(parameters ?? DEFAULT_PARAMETERS, thresholds);
}

export interface Candidate<P extends string = string> {
  readonly recordId: number;
  readonly personId: P;
  readonly record: PersonRecord;
}

/** How well a new record matches one existing person: their best-matching record. */
export interface PersonMatch {
  readonly personId: string;
  readonly recordId: number;
  readonly weight: number;
  readonly probability: number;
  readonly outcome: Outcome;
  readonly heldBecause: HoldReason | null;
}

/** What to do with a new record. */
export interface LinkDecision {
  /** The person to link it to; null: a new person. */
  readonly linkTo: PersonMatch | null;
  /** People a practitioner should compare it with (between the thresholds, held, or a second person above the link threshold). */
  readonly review: readonly PersonMatch[];
}

/** Score a new record against candidate records; one entry per person, strongest first. */
export function scoreCandidates(model: LinkageModel, vocabulary: Vocabulary, probe: PersonRecord, candidates: readonly Candidate[]): PersonMatch[] {
  const mine = prepareRecord(probe, -1, 1, vocabulary, false);
  const best = new Map<string, PersonMatch>();
  candidates.forEach((candidate, i) => {
    const theirs = prepareRecord(candidate.record, i, 0, vocabulary, false);
    const pattern = comparePair(theirs, mine);
    const weight = model.matchWeight(theirs, mine, pattern, vocabulary);
    const probability = probabilityFromWeight(weight);
    const { outcome, heldBecause } = model.decide(probability, pattern, [pairSide(theirs), pairSide(mine)]);
    const previous = best.get(candidate.personId);
    if (!previous || weight > previous.weight) {
      best.set(candidate.personId, { personId: candidate.personId, recordId: candidate.recordId, weight, probability, outcome, heldBecause });
    }
  });
  return [...best.values()].sort((a, b) => b.weight - a.weight);
}

/**
 * Three outcomes: link to the strongest person above the link threshold; a
 * review for anyone between the thresholds or held (possible twins are never
 * linked); no link below. A second person also above the link threshold is
 * put to review too: the two people may be one.
 */
export function decideLink(matches: readonly PersonMatch[], maxReviews = 3): LinkDecision {
  const links = matches.filter((m) => m.outcome === 'link');
  const linkTo = links[0] ?? null;
  const review = linkTo ? links.slice(1) : matches.filter((m) => m.outcome === 'review');
  return { linkTo, review: review.slice(0, maxReviews) };
}

/** Field-by-field weights between two records, for the review page. */
export function explainRecords(model: LinkageModel, vocabulary: Vocabulary, existing: PersonRecord, incoming: PersonRecord): WeightBreakdown {
  const a: PreparedRecord = prepareRecord(existing, 0, 0, vocabulary, false);
  const b: PreparedRecord = prepareRecord(incoming, 1, 1, vocabulary, false);
  return model.explain(a, b, comparePair(a, b), vocabulary);
}

/** Whether a pair is held for review by a safeguarding rule, whatever its score. */
export { holdReason };
