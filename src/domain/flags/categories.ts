/**
 * The fixed flag categories (../shared/docs/flags.md). Scenario expectations,
 * benchmarks and the partnership's reports refer to these names: never rename.
 */
export const FLAG_CATEGORIES = [
  'was-not-brought',
  'unscheduled-care',
  'infant-injury',
  'cumulative-concern',
  'unborn-baby-risk',
  'prior-history',
  'household-adult-risk',
  'new-to-area',
  'repeat-referral',
  'disengagement',
  'missing-education',
  'decision-overdue',
] as const;
export type FlagCategory = (typeof FLAG_CATEGORIES)[number];
