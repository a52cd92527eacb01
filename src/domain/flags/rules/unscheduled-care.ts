import { chainStart, dayOf, days, listInWords, within, type EventOf, type RuleContext } from '../context.ts';
import type { FlagRule } from '../engine.ts';
import { attendancesByDay, plural } from './common.ts';

const ATTENDANCE_SETTINGS = new Set(['ed', 'miu', 'ucc', 'out-of-hours', 'ambulance']);

function attendances(ctx: RuleContext): EventOf<'unscheduled-care'>[] {
  return ctx.ofType('unscheduled-care', [ctx.subjectId]).filter((e) => ATTENDANCE_SETTINGS.has(e.event.data.setting));
}

function isInjuryOrIngestion(e: EventOf<'unscheduled-care'>): boolean {
  return e.event.data.reason === 'injury' || e.event.data.reason === 'ingestion' || e.event.data.injury !== undefined;
}

function reasonWords(e: EventOf<'unscheduled-care'>): string {
  const d = e.event.data;
  if (d.reason === 'ingestion') return `a suspected ingestion (${dayOf(e.at)})`;
  return `an injury${d.injury ? ` (${d.injury.type} to the ${d.injury.site})` : ''} (${dayOf(e.at)})`;
}

/** Repeated attendances for injury or ingestion: two within six months under five, three within a year at any age. */
export const repeatInjuryOrIngestion: FlagRule = {
  id: 'unscheduled-repeat-injury',
  version: 1,
  category: 'unscheduled-care',
  title: 'Repeated attendances for injury or ingestion',
  description:
    'A child under 5 attended emergency or urgent care for an injury or a suspected ingestion on 2 separate days within 6 months, ' +
    'or a child of any age on 3 separate days within 12 months.',
  learning: [
    { source: '004_a9f449d4e917b1ec.txt', where: '2.7, 2.9, 4.1.8',
      quote: 'This was valuable information that did not inform the decision-making and safeguarding checks' },
    { source: '004_a9f449d4e917b1ec.txt', where: '4.1.16', quote: "there should have been greater curiosity about the parent's prescribed drug use" },
    { source: '001_56b13d4b1f00c0fb.txt', where: 'SCR Child Sam',
      quote: 'a very young infant who had repeated contact with a range of health professionals' },
    { source: 'NICE CG89 When to suspect child maltreatment', where: 'neglect: injuries or ingestions suggesting a lack of supervision are an alerting feature (paraphrased)' },
  ],
  parameters: { underFiveWindowDays: 183, underFiveMin: 2, anyAgeWindowDays: 365, anyAgeMin: 3, reviewWithinWorkingDays: 5 },
  evaluate(ctx) {
    if (!ctx.isBornChild()) return [];
    const p = this.parameters;
    const all = attendancesByDay(attendances(ctx).filter(isInjuryOrIngestion));
    const age = ctx.ageYears();
    const underFive = within(all, ctx.asAt, days(p.underFiveWindowDays as number));
    const anyAge = within(all, ctx.asAt, days(p.anyAgeWindowDays as number));
    let evidence: EventOf<'unscheduled-care'>[] = [];
    let period = '';
    if (age !== undefined && age < 5 && underFive.length >= (p.underFiveMin as number)) {
      evidence = underFive;
      period = '6 months';
    } else if (anyAge.length >= (p.anyAgeMin as number)) {
      evidence = anyAge;
      period = '12 months';
    }
    if (evidence.length === 0) return [];
    const start = chainStart(all, days(p.anyAgeWindowDays as number));
    return [{
      episode: start?.event.id ?? 'attendances',
      evidence,
      explanation:
        `This child was taken to emergency or urgent care ${plural(evidence.length, 'time')} in ${period} for ` +
        `${listInWords(evidence.map(reasonWords))}, seen by ${ctx.agencyList(evidence)}. ` +
        'Each attendance may have a good explanation; together they can point to unsafe supervision or storage of medicines. ' +
        'Make sure the health visitor or school nurse and the GP know, and ask about supervision and safety at home.',
    }];
  },
};

/** Very frequent unscheduled care of any kind: six or more separate days in twelve months. */
export const frequentUnscheduledCare: FlagRule = {
  id: 'unscheduled-frequent',
  version: 1,
  category: 'unscheduled-care',
  title: 'Very frequent unscheduled care',
  description:
    'A child had emergency, urgent care, ambulance or NHS 111 contact on 6 or more separate days in 12 months, for any reason.',
  learning: [
    { source: '004_a9f449d4e917b1ec.txt', where: 'timeline 2021-22', quote: 'Parental worries about Twins health - advice sought via 111, ED, Urgent Care, and GP' },
    { source: '004_a9f449d4e917b1ec.txt', where: '4.2.2', quote: "Inability to fully understand their child's medical condition" },
    { source: 'RCPCH Perplexing presentations (PP) and fabricated or induced illness (FII) in children (2021)', where: 'alerting signs: repeated presentations to several services (paraphrased)' },
  ],
  parameters: { windowDays: 365, minDays: 6, reviewWithinWorkingDays: 10 },
  evaluate(ctx) {
    if (!ctx.isBornChild()) return [];
    const p = this.parameters;
    const all = attendancesByDay(ctx.ofType('unscheduled-care', [ctx.subjectId]));
    const recent = within(all, ctx.asAt, days(p.windowDays as number));
    if (recent.length < (p.minDays as number)) return [];
    const start = chainStart(all, days(p.windowDays as number));
    return [{
      episode: start?.event.id ?? 'frequent',
      evidence: recent,
      explanation:
        `This child needed unscheduled care on ${recent.length} separate days in 12 months (${ctx.agencyList(recent)}). ` +
        'Frequent attendance can mean an unwell child whose care needs co-ordinating, parents who need support to manage, ' +
        'or, rarely, illness that is perplexing or induced. Share the pattern with the GP and the health visitor or school nurse.',
    }];
  },
};

/** Any injury in a baby who is not independently mobile. */
export const infantInjury: FlagRule = {
  id: 'infant-injury-not-mobile',
  version: 1,
  category: 'infant-injury',
  title: 'An injury in a baby who is not yet mobile',
  description: 'Any injury or bruising recorded in a baby under 6 months (not independently mobile), whatever the explanation given.',
  learning: [
    { source: '001_56b13d4b1f00c0fb.txt', where: 'SCR Child Sam', quote: 'Sam had suffered extensive non-accidental head injuries' },
    { source: '001_56b13d4b1f00c0fb.txt', where: 'Child F and Child G', quote: 'Siblings, both aged under 2, were found to have unexplained injuries including bruising to the face' },
    { source: 'NICE CG89 When to suspect child maltreatment', where: 'bruising: suspect maltreatment if a child who is not independently mobile has bruising (paraphrased)' },
    { source: 'South West Child Protection Procedures (used in Somerset)', where: 'bruising in pre-mobile babies: refer to children’s social care and arrange a paediatric assessment (paraphrased)' },
  ],
  parameters: { notMobileUnderDays: 183, lookbackDays: 28, reviewWithinWorkingDays: 0 },
  evaluate(ctx) {
    if (!ctx.isBornChild() || !ctx.subject.birthDate) return [];
    const p = this.parameters;
    const injuries = ctx.ofType('unscheduled-care', [ctx.subjectId]).filter((e) => {
      if (e.event.data.reason !== 'injury' && !e.event.data.injury) return false;
      const age = ctx.ageDays(e.at);
      return age !== undefined && age >= 0 && age < (p.notMobileUnderDays as number);
    });
    return within(injuries, ctx.asAt, days(p.lookbackDays as number)).map((e) => {
      const weeks = Math.floor((ctx.ageDays(e.at) ?? 0) / 7);
      const injury = e.event.data.injury ? `${e.event.data.injury.type} to the ${e.event.data.injury.site}` : 'an injury';
      return {
        episode: e.event.id,
        evidence: [e],
        explanation:
          `A baby aged ${weeks} weeks was seen by ${ctx.agencyLabel(e.agency.id)} with ${injury}. ` +
          'Babies who are not yet mobile rarely injure themselves: any injury, even with an explanation, needs a referral to the front door ' +
          'and a paediatric assessment the same day, and the safety of brothers and sisters must be considered.',
      };
    });
  },
};
