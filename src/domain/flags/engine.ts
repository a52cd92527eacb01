import { endOfWorkingDayAfter } from './london.ts';
import type { FlagCategory } from './categories.ts';
import { RuleContext } from './context.ts';
import type { HistoryEvent, PersonHistory } from './history.ts';

/** Where a rule's learning comes from: a seed document and paragraph, or published guidance. */
export interface Citation {
  /** A seed file name (shared/seeds) or the title of published guidance. */
  source: string;
  /** Paragraph, theme, learning point or section. */
  where: string;
  /** The words the rule implements, quoted. */
  quote?: string;
}

export type RuleParameters = Record<string, number | string | boolean | readonly string[]>;

/** What a rule returns for one episode; the engine adds identity, sources and dates. */
export interface RuleFinding {
  /** A stable name for this episode of concern: the same while it continues, so re-evaluation updates rather than duplicates. */
  episode: string;
  /** The chronology entries that triggered it, oldest first. */
  evidence: HistoryEvent[];
  /** Plain English: what was seen, why it matters, from which agencies, and what to do. */
  explanation: string;
  /** When the concern arose, if not the latest evidence (a timescale passing, say). */
  raisedAt?: Date;
}

/** A concern-flag rule: versioned, cited, parameterised and pure. */
export interface FlagRule {
  id: string;
  version: number;
  category: FlagCategory;
  title: string;
  /** What it looks for, as a practitioner would say it. */
  description: string;
  learning: Citation[];
  parameters: RuleParameters & { reviewWithinWorkingDays: number };
  /** A pure function of the history cut at the clock: never reads the wall clock or scoring fields. */
  evaluate(ctx: RuleContext): RuleFinding[];
}

/** A flag the engine raises: what the flag store keeps, keyed so that re-evaluation never duplicates an open flag. */
export interface FlagFinding {
  /** `${ruleId}:${personId}:${episode}`: the same rule, person and episode always give the same key. */
  key: string;
  category: FlagCategory;
  ruleId: string;
  ruleVersion: number;
  /** The person the flag is about. */
  personId: string;
  /** Event ids of the evidence, oldest first. */
  evidence: string[];
  /** Agency ids that recorded the evidence. */
  sources: string[];
  explanation: string;
  raisedAt: Date;
  /** The end of the working day by which someone must look at it (Europe/London). */
  reviewBy: Date;
}

/** Catalogue metadata for one rule, for the catalogue page and the docs. */
export interface CatalogueEntry {
  id: string;
  version: number;
  category: FlagCategory;
  title: string;
  description: string;
  learning: Citation[];
  parameters: RuleParameters;
}

/**
 * Run rules on one person's history as at the clock (index.ts's
 * evaluateFlags runs the whole catalogue). Deterministic: the same history,
 * clock and rules always give the same findings, in the same order.
 */
export function runRules(history: PersonHistory, asAt: Date, catalogue: readonly FlagRule[]): FlagFinding[] {
  const ctx = new RuleContext(history, asAt);
  const findings: FlagFinding[] = [];
  for (const rule of catalogue) {
    const seen = new Set<string>();
    for (const f of rule.evaluate(ctx)) {
      const key = `${rule.id}:${history.subject.personId}:${f.episode}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const evidence = [...f.evidence].sort((a, b) => a.at.getTime() - b.at.getTime());
      const latest = evidence.length > 0 ? (evidence[evidence.length - 1] as HistoryEvent).at : asAt;
      const raisedAt = new Date(Math.min(asAt.getTime(), (f.raisedAt ?? latest).getTime()));
      findings.push({
        key,
        category: rule.category,
        ruleId: rule.id,
        ruleVersion: rule.version,
        personId: history.subject.personId,
        evidence: [...new Set(evidence.map((e) => e.event.id))],
        sources: [...new Set(evidence.map((e) => e.agency.id))].sort(),
        explanation: f.explanation,
        raisedAt,
        reviewBy: reviewDeadline(raisedAt, rule.parameters.reviewWithinWorkingDays),
      });
    }
  }
  return findings;
}

/** The end (Europe/London) of the working day `n` working days after the day a flag was raised. */
export function reviewDeadline(raisedAt: Date, n: number): Date {
  return endOfWorkingDayAfter(raisedAt, n);
}

/** The catalogue's metadata without the functions. */
export function describeCatalogue(catalogue: readonly FlagRule[]): CatalogueEntry[] {
  return catalogue.map(({ id, version, category, title, description, learning, parameters }) => ({
    id, version, category, title, description, learning, parameters,
  }));
}
