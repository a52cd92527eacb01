import { BLOCKING_RULES, type BlockingRule } from './blocking.ts';
import { comparePair } from './comparisons.ts';
import { holdReason, pairSide, probabilityFromWeight, type LinkageModel, type Outcome, type WeightBreakdown } from './model.ts';
import type { PersonRecord } from './person-record.ts';
import { Vocabulary, prepareRecord, type PreparedRecord } from './prepare.ts';

export interface IndexMatch {
  /** The agency id of the existing record. */
  readonly recordId: string;
  readonly position: number;
  readonly weight: number;
  readonly probability: number;
  readonly outcome: Outcome;
}

/**
 * Existing records kept in memory, keyed by every blocking rule, so a new
 * record is matched against only the records it shares a key with: a few
 * milliseconds, with no re-run of the whole linkage. Uses a model fitted by a
 * batch run (`linkSources` or `findDuplicates`).
 */
export class PersonIndex {
  private readonly records: PreparedRecord[] = [];
  private readonly originals: PersonRecord[] = [];
  private readonly blocks: Map<string, number[]>[];
  private readonly vocabulary = new Vocabulary();

  constructor(
    readonly model: LinkageModel,
    private readonly rules: readonly BlockingRule[] = BLOCKING_RULES,
    private readonly maxBlockSize = 1000,
  ) {
    this.blocks = rules.map(() => new Map());
  }

  get size(): number {
    return this.records.length;
  }

  /** Add a record to the index; returns its position. */
  add(record: PersonRecord): number {
    const prepared = prepareRecord(record, this.records.length, 0, this.vocabulary);
    this.records.push(prepared);
    this.originals.push(record);
    this.rules.forEach((rule, r) => {
      const key = rule.key(prepared);
      if (key === '') return;
      const block = this.blocks[r]?.get(key);
      if (block) block.push(prepared.index);
      else this.blocks[r]?.set(key, [prepared.index]);
    });
    return prepared.index;
  }

  /** Existing records this record might be, strongest first, down to the review threshold. */
  match(record: PersonRecord): IndexMatch[] {
    const probe = prepareRecord(record, -1, 1, this.vocabulary, false);
    const seen = new Set<number>();
    const matches: IndexMatch[] = [];
    const reviewWeight = Math.log2(this.model.thresholds.review / (1 - this.model.thresholds.review));
    this.rules.forEach((rule, r) => {
      const key = rule.key(probe);
      if (key === '') return;
      const block = this.blocks[r]?.get(key);
      if (!block || block.length > Math.min(rule.maxBlockSize ?? this.maxBlockSize, this.maxBlockSize)) return;
      for (const position of block) {
        if (seen.has(position)) continue;
        seen.add(position);
        const existing = this.records[position];
        if (!existing) continue;
        const pattern = comparePair(existing, probe);
        const weight = this.model.matchWeight(existing, probe, pattern, this.vocabulary);
        if (weight < reviewWeight && (holdReason(pattern, this.model.strictTwins) ?? 'different NHS numbers') === 'different NHS numbers') continue;
        const probability = probabilityFromWeight(weight);
        matches.push({
          recordId: this.originals[position]?.recordId ?? '',
          position,
          weight,
          probability,
          outcome: this.model.decide(probability, pattern, [pairSide(existing), pairSide(probe)]).outcome,
        });
      }
    });
    return matches.sort((x, y) => y.weight - x.weight);
  }

  /** Field-by-field weights between a record and one already in the index. */
  explain(record: PersonRecord, position: number): WeightBreakdown {
    const existing = this.records[position];
    if (!existing) throw new RangeError('no record at that position');
    const probe = prepareRecord(record, -1, 1, this.vocabulary, false);
    return this.model.explain(existing, probe, comparePair(existing, probe), this.vocabulary);
  }
}
