import { FLAG_CATALOGUE } from './catalogue.ts';
import { describeCatalogue, runRules, type CatalogueEntry, type FlagFinding, type FlagRule } from './engine.ts';
import type { PersonHistory } from './history.ts';

export { FLAG_CATEGORIES, type FlagCategory } from './categories.ts';
export { FLAG_CATALOGUE } from './catalogue.ts';
export type { CatalogueEntry, Citation, FlagFinding, FlagRule, RuleFinding } from './engine.ts';
export * from './history.ts';

/**
 * The concern flags for one person as at the clock: every rule in the
 * catalogue (or the one given) run on the person's history. Pure and
 * deterministic; findings carry a stable key, so the flag store can update an
 * open flag rather than raise it twice.
 */
export function evaluateFlags(history: PersonHistory, asAt: Date, catalogue: readonly FlagRule[] = FLAG_CATALOGUE): FlagFinding[] {
  return runRules(history, asAt, catalogue);
}

/** The catalogue's metadata (id, version, category, description, learning, parameters) for the catalogue page and docs. */
export function flagCatalogue(catalogue: readonly FlagRule[] = FLAG_CATALOGUE): CatalogueEntry[] {
  return describeCatalogue(catalogue);
}
