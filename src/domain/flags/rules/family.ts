import { chainStart, dayOf, days, listInWords, within, type RuleContext } from '../context.ts';
import type { FlagRule } from '../engine.ts';
import type { HistoryEvent } from '../history.ts';
import { ADULT_ISSUES, type AdultIssue } from './common.ts';

type IssueWord = (typeof ADULT_ISSUES)[AdultIssue];

/** Adult issues recorded for the given adults: attributes, and police domestic abuse incidents within `daWindowDays`. */
function adultIssues(ctx: RuleContext, adultIds: Set<string>, daWindowDays: number): Map<IssueWord, HistoryEvent[]> {
  const found = new Map<IssueWord, HistoryEvent[]>();
  const add = (w: IssueWord, e: HistoryEvent) => found.set(w, [...(found.get(w) ?? []), e]);
  for (const e of ctx.events) {
    if (!e.personIds.some((p) => adultIds.has(p))) continue;
    if (e.event.type === 'attribute' && e.event.data.attribute in ADULT_ISSUES) {
      add(ADULT_ISSUES[e.event.data.attribute as AdultIssue], e);
    }
    if (e.event.type === 'police-incident' && e.event.data.category === 'domestic-abuse' &&
      ctx.asAt.getTime() - e.at.getTime() <= days(daWindowDays)) {
      add('domestic abuse', e);
    }
  }
  return found;
}

function whoHas(ctx: RuleContext, events: HistoryEvent[], adultIds: Set<string>): string {
  return listInWords(events.flatMap((e) => e.personIds.filter((p) => adultIds.has(p))).map((p) => ctx.describeMember(p)));
}

/**
 * Two or more different adult issues (learning disability, mental ill health,
 * substance misuse, domestic abuse) among the adults a child lives with.
 */
export const coexistingAdultIssues: FlagRule = {
  id: 'household-coexisting-adult-issues',
  version: 1,
  category: 'household-adult-risk',
  title: 'Adult issues together in the child’s household',
  description:
    'The adults a child lives with (parents, step-parents, carers, parents’ partners, adult household members) have 2 or more different ' +
    'issues recorded between them: learning disability, mental ill health, substance misuse, domestic abuse.',
  learning: [
    { source: '004_a9f449d4e917b1ec.txt', where: 'learning point 4',
      quote: 'Understanding how the co-existence of adult issues such as learning disability and mental ill health increases the likelihood of harm.' },
    { source: '004_a9f449d4e917b1ec.txt', where: '4.3.6', quote: 'The co-existence of these parental and child factors combined to increase vulnerability and risk' },
    { source: '004_a9f449d4e917b1ec.txt', where: 'learning point 11',
      quote: 'Adult services who have the knowledge and skills about adult issues must be consulted' },
    { source: '003_6127deaaf3600311.txt', where: 'priority 1',
      quote: 'exposure to domestic abuse, parental substance misuse, parental mental health issues and learning difficulties' },
  ],
  parameters: { minDistinctIssues: 2, domesticAbuseIncidentDays: 730, reviewWithinWorkingDays: 10 },
  evaluate(ctx) {
    if (!ctx.isBornChild()) return [];
    const p = this.parameters;
    const adults = new Set(ctx.adults().map((m) => m.personId));
    const issues = adultIssues(ctx, adults, p.domesticAbuseIncidentDays as number);
    if (issues.size < (p.minDistinctIssues as number)) return [];
    const evidence = [...issues.values()].flat().sort((a, b) => a.at.getTime() - b.at.getTime());
    const parts = [...issues.entries()].map(([w, es]) => `${w} (${whoHas(ctx, es, adults)})`);
    return [{
      episode: evidence[0]?.event.id ?? 'household',
      evidence,
      explanation:
        `The adults this child lives with have ${listInWords(parts)} recorded, by ${ctx.agencyList(evidence)}. ` +
        'Together these make harm more likely, and each service may see only one of them. Think Family: ask what the parents need to care ' +
        'for this child, involve the adult services who know them, and consider whether an early help or social work assessment is needed.',
    }];
  },
};

/** An adult in the child's household recorded as a risk to children. */
export const riskToChildrenInHousehold: FlagRule = {
  id: 'household-risk-to-children',
  version: 1,
  category: 'household-adult-risk',
  title: 'An adult who poses a risk to children',
  description: 'An adult in the child’s household, including a parent’s new partner, is recorded as posing a risk to children.',
  learning: [
    { source: '000_ce551a3232c09226.txt', where: 'key learning: risk of sexual harm',
      quote: 'Agencies should equip practitioners with understanding/confidence to work' },
    { source: '001_56b13d4b1f00c0fb.txt', where: 'SCR Fenestra, recommendation 6',
      quote: 'Identifying and assessing risks within the wider family' },
    { source: '001_56b13d4b1f00c0fb.txt', where: 'SCR Child Sam', quote: "Child Sam's stepfather was subsequently convicted" },
  ],
  parameters: { reviewWithinWorkingDays: 1 },
  evaluate(ctx) {
    if (!ctx.isChildOrUnborn()) return [];
    const adults = new Set(ctx.adults().map((m) => m.personId));
    const evidence = ctx.ofType('attribute', adults).filter((e) => e.event.data.attribute === 'risk-to-children');
    const first = evidence[0];
    if (!first) return [];
    return [{
      episode: first.event.id,
      evidence,
      explanation:
        `${whoHas(ctx, evidence, adults).replace(/^a/, 'A')} in this child's household is recorded by ${ctx.agencyList(evidence)} as a risk to children. ` +
        'Check what the risk is, whether children’s social care and the police know this adult lives with the child, and whether a referral is needed today.',
    }];
  },
};

/** A police-attended domestic abuse incident in the child's household. */
export const domesticAbuseIncident: FlagRule = {
  id: 'household-domestic-abuse-incident',
  version: 2,
  category: 'household-adult-risk',
  title: 'Domestic abuse in the child’s household',
  description:
    'The police attended two or more domestic abuse incidents involving an adult the child lives with, or a MARAC discussed the ' +
    'household, in the last 12 months.',
  learning: [
    { source: '001_56b13d4b1f00c0fb.txt', where: 'learning review, Taylor family',
      quote: 'There was a failure to link the children in the household to the domestic abuse incidents on the police system' },
    { source: '000_ce551a3232c09226.txt', where: 'voice of the child',
      quote: 'the impact of domestic abuse/disharmony even on very young babies' },
    { source: '002_907bc72948be73ab.txt', where: 'theme 3',
      quote: 'Where there are incidents of domestic abuse in a household, the voice of the child is heard and recorded' },
    { source: '001_56b13d4b1f00c0fb.txt', where: 'learning review, Taylor family',
      quote: 'In common with other clients at high risk of domestic' },
    { source: 'Operation Encompass; SafeLives MARAC referral criteria', where: 'a single police-attended incident is shared with the school by Operation Encompass; repeat incidents and high risk (MARAC) call for a multi-agency response (paraphrased)' },
  ],
  parameters: { windowDays: 365, minIncidents: 2, reviewWithinWorkingDays: 1 },
  evaluate(ctx) {
    if (!ctx.isChildOrUnborn()) return [];
    const p = this.parameters;
    const people = new Set([ctx.subjectId, ...ctx.adults().map((m) => m.personId)]);
    const all = ctx.events.filter(
      (e) => e.personIds.some((x) => people.has(x)) &&
        ((e.event.type === 'police-incident' && e.event.data.category === 'domestic-abuse') ||
          (e.event.type === 'meeting' && e.event.data.kind === 'marac')),
    );
    const recent = within(all, ctx.asAt, days(p.windowDays as number));
    // Version 2: a MARAC (high risk), or repeat incidents. One incident alone flagged 1.4% of children in
    // ordinary families on the synthetic county (v1); Operation Encompass already tells the school of it.
    const marac = recent.some((e) => e.event.type === 'meeting');
    if (!marac && recent.length < (p.minIncidents as number)) return [];
    const start = chainStart(all, days(p.windowDays as number));
    const last = recent[recent.length - 1] as HistoryEvent;
    return [{
      episode: start?.event.id ?? last.event.id,
      evidence: recent,
      explanation:
        `${recent.length === 1 ? 'A domestic abuse incident or MARAC' : `${recent.length} domestic abuse incidents or MARAC discussions`} ` +
        `involving this child's household (the latest on ${dayOf(last.at)}, ${ctx.agencyLabel(last.agency.id)}). ` +
        'Children are harmed by living with domestic abuse, even as babies. Make sure the school or nursery, health visitor and GP know, ' +
        'hear from the child about their life at home, and consider a DASH risk assessment if none has been done.',
    }];
  },
};
