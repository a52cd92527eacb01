import { days, listInWords } from '../context.ts';
import type { FlagRule } from '../engine.ts';
import type { HistoryEvent } from '../history.ts';
import { ADULT_ISSUES, type AdultIssue } from './common.ts';

interface Factor {
  words: string;
  weight: number;
  evidence: HistoryEvent[];
}

/**
 * A pregnancy where the family's recorded risk factors call for a referral
 * under the safeguarding unborn baby procedures and a pre-birth assessment.
 * Scoring: a factor that alone calls for a referral scores 2 (previous
 * children removed, an adult who is a risk to children, an earlier child on a
 * child protection plan or in care, a care-experienced parent under 21);
 * other factors score 1 (each distinct adult issue, a care-experienced
 * parent, a parent under 20, a multiple pregnancy); 2 or more raises the flag.
 */
export const unbornRiskFactors: FlagRule = {
  id: 'unborn-risk-factors',
  version: 1,
  category: 'unborn-baby-risk',
  title: 'An unborn baby with risk factors: pre-birth referral',
  description:
    'A pregnancy in a family with a risk factor that alone calls for a pre-birth referral (previous children removed, an adult who is a risk to ' +
    'children, an earlier child on a child protection plan or in care, a care-experienced parent under 21), or with 2 or more other factors ' +
    '(learning disability, mental ill health, substance misuse, domestic abuse, a care-experienced or very young parent, twins or more).',
  learning: [
    { source: '004_a9f449d4e917b1ec.txt', where: '4.1.9',
      quote: 'There were several co-existing risk factors; five previous children being removed, vulnerable parents expecting twins, parental learning disability and mental health concerns.' },
    { source: '004_a9f449d4e917b1ec.txt', where: '4.1.10', quote: 'A Social Work pre-birth assessment should have been undertaken here as the threshold was clearly met.' },
    { source: '004_a9f449d4e917b1ec.txt', where: 'learning point 5', quote: "Safeguarding the Unborn Baby Procedures" },
    { source: '000_ce551a3232c09226.txt', where: 'key learning',
      quote: "Pre-birth assessments: ‘Window of opportunity’ to understand strengths," },
    { source: '000_ce551a3232c09226.txt', where: 'similarities between cases', quote: 'Formerly child looked after' },
    { source: 'Staffordshire and Stoke-on-Trent / South West safeguarding unborn baby procedures', where: 'referral criteria: previous children removed or subject to plans, parental substance misuse, mental ill health, learning disability, domestic abuse, care leavers (paraphrased)' },
  ],
  parameters: { threshold: 2, youngParentUnderYears: 20, careExperiencedYoungUnderYears: 21, daysAfterDueDate: 28,
    domesticAbuseIncidentDays: 730, reviewWithinWorkingDays: 2 },
  evaluate(ctx) {
    if (ctx.subject.kind !== 'unborn') return [];
    const p = this.parameters;
    const pregnancies = ctx.ofType('pregnancy', [ctx.subjectId]);
    const pregnancy = pregnancies[0];
    if (!pregnancy) return [];
    const due = ctx.subject.expectedDate ?? pregnancy.event.data.expectedDate;
    if (ctx.asAt.getTime() > Date.parse(`${due}T00:00:00Z`) + days(p.daysAfterDueDate as number)) return [];
    if (ctx.ofType('birth', [ctx.subjectId]).length > 0) return [];

    // For an unborn baby the mother's partner is the likely father: both are "parents" here.
    const parents = ctx.history.household.filter((m) => ['parent', 'step-parent', 'carer', 'partner-of-parent'].includes(m.relationship));
    const parentIds = new Set(parents.map((m) => m.personId));
    const adultIds = new Set([...parentIds, ...ctx.adults().map((m) => m.personId)]);
    const siblingIds = new Set(ctx.siblings().map((m) => m.personId));
    const dueAt = new Date(`${due}T00:00:00Z`);
    const factors: Factor[] = [];
    const attributes = (ids: Set<string>, attribute: string) =>
      ctx.ofType('attribute', ids).filter((e) => e.event.data.attribute === attribute);

    const removed = attributes(parentIds, 'previous-children-removed');
    if (removed.length > 0) factors.push({ words: 'children previously removed from a parent’s care', weight: 2, evidence: removed });
    const risk = attributes(adultIds, 'risk-to-children');
    if (risk.length > 0) factors.push({ words: 'an adult in the household who is a risk to children', weight: 2, evidence: risk });
    const earlierPlans = ctx.ofType('involvement-start', siblingIds).filter(
      (e) => e.event.data.service === 'child-protection' || e.event.data.service === 'looked-after',
    );
    if (earlierPlans.length > 0) factors.push({ words: 'a brother or sister who has been on a child protection plan or in care', weight: 2, evidence: earlierPlans });

    const issues = new Map<string, HistoryEvent[]>();
    for (const e of ctx.ofType('attribute', adultIds)) {
      const w = ADULT_ISSUES[e.event.data.attribute as AdultIssue] as string | undefined;
      if (w) issues.set(w, [...(issues.get(w) ?? []), e]);
    }
    for (const e of ctx.ofType('police-incident', adultIds)) {
      if (e.event.data.category === 'domestic-abuse' && ctx.asAt.getTime() - e.at.getTime() <= days(p.domesticAbuseIncidentDays as number)) {
        issues.set('domestic abuse', [...(issues.get('domestic abuse') ?? []), e]);
      }
    }
    for (const [w, evidence] of issues) factors.push({ words: `${w} (a parent or adult in the household)`, weight: 1, evidence });

    const careExperienced = attributes(parentIds, 'care-experienced');
    for (const e of careExperienced) {
      const parent = parents.find((m) => e.personIds.includes(m.personId));
      const age = ctx.ageYears(parent?.birthDate, dueAt);
      // Care-experienced young parents are a recurring feature of the Somerset reviews (000: "Young parents", "Formerly child looked after").
      const young = age !== undefined && age < (p.careExperiencedYoungUnderYears as number);
      factors.push({ words: young ? 'a care-experienced parent under 21' : 'a care-experienced parent', weight: young ? 2 : 1, evidence: [e] });
      break;
    }
    const veryYoung = parents.find((m) => {
      const age = ctx.ageYears(m.birthDate, dueAt);
      return age !== undefined && age < (p.youngParentUnderYears as number);
    });
    if (veryYoung && !factors.some((f) => f.words.startsWith('a care-experienced parent under'))) {
      factors.push({ words: 'a parent who will be under 20 at the birth', weight: 1, evidence: [pregnancy] });
    }
    const score = factors.reduce((s, f) => s + f.weight, 0);
    // 004 4.1.9: "An additional child and in this case two, to a vulnerable family needs careful consideration":
    // a multiple pregnancy adds to other factors but never raises a flag alone.
    if (score > 0 && pregnancy.event.data.babies > 1) factors.push({ words: 'a multiple pregnancy', weight: 1, evidence: [pregnancy] });
    const total = factors.reduce((s, f) => s + f.weight, 0);
    if (total < (p.threshold as number)) return [];
    const evidence = [pregnancy, ...factors.flatMap((f) => f.evidence)];
    return [{
      episode: pregnancy.event.id,
      evidence,
      explanation:
        `An unborn baby due on ${due}: the family has ${listInWords(factors.map((f) => f.words))}, recorded by ${ctx.agencyList(evidence)}. ` +
        'Under the safeguarding unborn baby procedures these call for a referral to the front door and a pre-birth assessment early in the pregnancy. ' +
        'A phone call or lateral check is not a referral: make and record the referral, and share it with the midwife, health visitor and GP.',
    }];
  },
};
