import { chainStart, days, listInWords, within, type EventOf, type RuleContext } from '../context.ts';
import type { FlagRule, RuleFinding } from '../engine.ts';
import { additionalNeedsEvidence, openInvolvements, plural, serviceWords, wasNotBrought } from './common.ts';

const LEARNING_WNB = [
  { source: '004_a9f449d4e917b1ec.txt', where: 'learning point 8',
    quote: "Patterns of 'was not brought' (WNB) and engagement with services ... must be seen as an indicator of neglect." },
  { source: '004_a9f449d4e917b1ec.txt', where: '4.3.3',
    quote: 'There did not seem to be any review of the WNB or means of tracking this across different health systems' },
  { source: '003_6127deaaf3600311.txt', where: 'Recommendations',
    quote: 'Promote a robust response for children when they are not brought to medical appointments.' },
  { source: '002_907bc72948be73ab.txt', where: 'theme 3', quote: 'recorded as "Was not brought" rather than "Did not attend"' },
];

function appointments(ctx: RuleContext): EventOf<'appointment'>[] {
  return ctx.ofType('appointment', [ctx.subjectId]);
}

function services(events: EventOf<'appointment'>[]): string {
  return listInWords(events.map((e) => serviceWords(e.event.data.service)));
}

/**
 * A pattern of not being brought across a year: a count, a spread across
 * services or agencies, and a low share of appointments brought to. A
 * couple of missed GP appointments among many attended is not a pattern.
 */
export const wnbPattern: FlagRule = {
  id: 'wnb-pattern',
  version: 1,
  category: 'was-not-brought',
  title: 'A pattern of not being brought to appointments',
  description:
    'A child was not brought to 3 or more appointments in 12 months (or 2 not brought and 2 or more cancelled by the family), ' +
    'across at least 2 services or agencies, and was brought to fewer than three in four of their appointments.',
  learning: [
    ...LEARNING_WNB,
    { source: 'NICE CG89 When to suspect child maltreatment', where: 'neglect: repeated failure to bring a child to follow-up appointments essential to their health is an alerting feature (paraphrased)' },
  ],
  parameters: { windowDays: 365, minNotBrought: 3, minNotBroughtWithCancellations: 2, minMissedWithCancellations: 4,
    minServicesOrAgencies: 2, maxBroughtShare: 0.75, reviewWithinWorkingDays: 5 },
  evaluate(ctx) {
    if (!ctx.isBornChild()) return [];
    const p = this.parameters;
    const all = appointments(ctx);
    const recent = within(all, ctx.asAt, days(p.windowDays as number));
    const notBrought = recent.filter((e) => wasNotBrought(e.event.data.status));
    const cancelled = recent.filter((e) => e.event.data.status === 'cancelled-by-family');
    const brought = recent.filter((e) => e.event.data.status === 'attended');
    const enough =
      notBrought.length >= (p.minNotBrought as number) ||
      (notBrought.length >= (p.minNotBroughtWithCancellations as number) &&
        notBrought.length + cancelled.length >= (p.minMissedWithCancellations as number));
    if (!enough) return [];
    const spread = Math.max(
      new Set(notBrought.map((e) => e.event.data.service)).size,
      new Set(notBrought.map((e) => e.agency.id)).size,
    );
    if (spread < (p.minServicesOrAgencies as number)) return [];
    const due = brought.length + notBrought.length + cancelled.length;
    const share = brought.length / due;
    if (share >= (p.maxBroughtShare as number)) return [];
    const start = chainStart(all.filter((e) => wasNotBrought(e.event.data.status)), days(p.windowDays as number));
    const explanation =
      `In the last 12 months this child was not brought to ${plural(notBrought.length, 'appointment')} ` +
      `(${services(notBrought)}), recorded by ${ctx.agencyList(notBrought)}` +
      (cancelled.length > 0 ? `, and the family cancelled ${cancelled.length} more` : '') +
      `. The child was brought to ${brought.length} of ${due} (${Math.round(share * 100)}%). ` +
      'Patterns of not being brought are an indicator of neglect, and no single service sees them. ' +
      'Talk with the family about what gets in the way, check with each service what the missed care means for the child, ' +
      'and consider early help or a referral.';
    return [{ episode: start?.event.id ?? 'wnb', evidence: [...notBrought, ...cancelled], explanation }];
  },
};

/** Any appointment not brought while a child is on a child protection plan, a child in need plan or looked after. */
export const wnbChildOnPlan: FlagRule = {
  id: 'wnb-child-on-plan',
  version: 1,
  category: 'was-not-brought',
  title: 'Not brought while on a plan',
  description:
    'A child on a child protection plan (any category, neglect especially) or a child in need plan, or looked after, ' +
    'was not brought to an appointment: one is enough, and the social worker must know.',
  learning: [
    ...LEARNING_WNB.slice(0, 1),
    { source: '004_a9f449d4e917b1ec.txt', where: '2.3, 4.1.2', quote: 'subject to a Protection Plan for Neglect' },
    { source: 'NHS England Safeguarding children, young people and adults at risk in the NHS: safeguarding accountability and assurance framework (2022)', where: 'was not brought: a missed appointment for a child with a social worker is shared with the social worker (paraphrased)' },
  ],
  parameters: { services: ['child-protection', 'child-in-need', 'looked-after'], lookbackDays: 28, episodeGapDays: 90,
    reviewWithinWorkingDays: 1 },
  evaluate(ctx) {
    if (!ctx.isBornChild()) return [];
    const p = this.parameters;
    const plans = p.services as readonly string[];
    const missed = appointments(ctx).filter((e) => {
      if (!wasNotBrought(e.event.data.status)) return false;
      const open = openInvolvements(ctx, ctx.subjectId, e.at);
      return plans.some((s) => open.has(s));
    });
    const recent = within(missed, ctx.asAt, days(p.lookbackDays as number));
    if (recent.length === 0) return [];
    const last = recent[recent.length - 1] as EventOf<'appointment'>;
    const plan = [...openInvolvements(ctx, ctx.subjectId, last.at).values()].find((s) => plans.includes(s.event.data.service));
    const planWords = plan?.event.data.service === 'child-protection'
      ? `a child protection plan${plan.event.data.category ? ` (${plan.event.data.category})` : ''}`
      : plan?.event.data.service === 'looked-after' ? 'looked after' : 'a child in need plan';
    const start = chainStart(missed, days(p.episodeGapDays as number));
    return [{
      episode: start?.event.id ?? last.event.id,
      evidence: [...(plan ? [plan] : []), ...recent],
      explanation:
        `This child is on ${planWords} and was not brought to ${services(recent)} (${ctx.agencyList(recent)}). ` +
        'For a child on a plan, a single missed appointment matters: tell the social worker today and agree who follows it up with the family.',
    }];
  },
};

/** Two appointments not brought within six months for a child with identified additional needs. */
export const wnbAdditionalNeeds: FlagRule = {
  id: 'wnb-additional-needs',
  version: 1,
  category: 'was-not-brought',
  title: 'Not brought: a child with additional needs',
  description:
    'A child with identified additional needs (an additional-needs record, an EHC plan, SEN support or portage) was not brought ' +
    'to 2 or more appointments within 6 months.',
  learning: [
    { source: '004_a9f449d4e917b1ec.txt', where: '4.2.1, learning point 6',
      quote: 'Children with complex needs are increasingly vulnerable to medical neglect' },
    { source: '004_a9f449d4e917b1ec.txt', where: 'learning point 9',
      quote: 'respectful challenge with parents where children ... with identified learning and communication needs who have educational provisions put in place and are not brought' },
    { source: '004_a9f449d4e917b1ec.txt', where: 'systems recommendation 4',
      quote: 'children not brought (WNB) for health appointments are regularly reviewed ... particularly for those children more vulnerable because of their additional needs' },
  ],
  parameters: { windowDays: 183, minNotBrought: 2, reviewWithinWorkingDays: 5 },
  evaluate(ctx) {
    if (!ctx.isBornChild()) return [];
    const needs = additionalNeedsEvidence(ctx);
    if (needs.length === 0) return [];
    const p = this.parameters;
    const all = appointments(ctx).filter((e) => wasNotBrought(e.event.data.status));
    const recent = within(all, ctx.asAt, days(p.windowDays as number));
    if (recent.length < (p.minNotBrought as number)) return [];
    const start = chainStart(all, days(p.windowDays as number));
    const finding: RuleFinding = {
      episode: start?.event.id ?? 'wnb',
      evidence: [needs[needs.length - 1] as EventOf<'attribute'>, ...recent],
      explanation:
        `This child has identified additional needs and was not brought to ${plural(recent.length, 'appointment')} in 6 months ` +
        `(${services(recent as EventOf<'appointment'>[])}; ${ctx.agencyList(recent)}). ` +
        'Children with additional needs depend on these appointments and are more vulnerable to medical neglect. ' +
        'Ask the family what would help them get there, tell the other services involved, and review whether the plan is working.',
    };
    return [finding];
  },
};
