import { dayOf, days, listInWords, within, type RuleContext } from '../context.ts';
import type { FlagRule, RuleFinding } from '../engine.ts';
import type { HistoryEvent } from '../history.ts';
import { serviceWords, wasNotBrought } from './common.ts';

const CLOSING_SERVICES = new Set(['early-help', 'tac', 'child-in-need', 'child-protection']);
const ADULT_SERVICE_KINDS = new Set(['adult-mental-health', 'substance-misuse', 'adult-social-care', 'gp', 'probation']);

/** Unresolved signals in the months before a closure, grouped by kind. */
function unresolved(ctx: RuleContext, before: Date, windowDays: number): Map<string, HistoryEvent[]> {
  const adults = new Set(ctx.adults().map((m) => m.personId));
  const out = new Map<string, HistoryEvent[]>();
  const add = (k: string, e: HistoryEvent) => out.set(k, [...(out.get(k) ?? []), e]);
  const recent = within(ctx.events, before, days(windowDays));
  for (const e of recent) {
    const ev = e.event;
    const child = ctx.aboutSubject(e);
    const adult = e.personIds.some((p) => adults.has(p));
    if (child && ev.type === 'appointment' && (wasNotBrought(ev.data.status) || ev.data.status === 'cancelled-by-family')) {
      add('appointments missed or cancelled', e);
    }
    if ((child || adult) && ev.type === 'concern' && ev.data.severity !== 'low') add('concerns raised', e);
    if ((child || adult) && ev.type === 'police-incident') add('police incidents', e);
    if (adult && ev.type === 'involvement-end' && ev.data.reason === 'non-engagement') add('a parent not engaging with their own support', e);
    if (adult && ev.type === 'appointment' && ev.data.status === 'did-not-attend' && ADULT_SERVICE_KINDS.has(e.agency.kind)) {
      add('a parent not engaging with their own support', e);
    }
  }
  // Missed appointments count as unresolved only when there are at least two (one may be chance).
  if ((out.get('appointments missed or cancelled')?.length ?? 0) < 2) out.delete('appointments missed or cancelled');
  return out;
}

/**
 * An early help, TAC, child in need or child protection involvement closing
 * with concerns unresolved: closed for non-engagement or with needs not
 * reduced, or closed while there were recent missed appointments, concerns,
 * police incidents or a parent disengaging from their own support.
 */
export const closureWithConcerns: FlagRule = {
  id: 'closure-with-concerns',
  version: 1,
  category: 'disengagement',
  title: 'A case closing with concerns unresolved',
  description:
    'Early help, a Team Around the Child, child in need or child protection work about a child ends for non-engagement or with needs not ' +
    'reduced; or ends (including a step down) while, in the 6 months before, there were 2 or more kinds of unresolved signal: missed or ' +
    'cancelled appointments (2 or more), concerns, police incidents, a parent not engaging with their own support.',
  learning: [
    { source: '002_907bc72948be73ab.txt', where: 'theme 6',
      quote: 'practitioners should contact Family Connect to ensure that the full picture of family risk is known before the case is closed' },
    { source: '001_56b13d4b1f00c0fb.txt', where: 'Child F and Child G',
      quote: 'Lack of engagement — this should heighten concern and not be part of the rationale for no further action in a case.' },
    { source: '001_56b13d4b1f00c0fb.txt', where: 'priority 1 (Early Help)', quote: "over 50% of cases with EHAs with ‘needs not reduced at closure’" },
    { source: '004_a9f449d4e917b1ec.txt', where: '4.1.15', quote: 'it does not appear that the underlying issues were fully understood' },
  ],
  parameters: { lookbackDays: 183, minSignalKinds: 2, activeDays: 28, reviewWithinWorkingDays: 5 },
  evaluate(ctx) {
    if (!ctx.isBornChild()) return [];
    const p = this.parameters;
    const closures = within(ctx.ofType('involvement-end', [ctx.subjectId]), ctx.asAt, days(p.activeDays as number)).filter(
      (e) => CLOSING_SERVICES.has(e.event.data.service) && e.event.data.reason !== 'stepped-up' && e.event.data.reason !== 'moved',
    );
    const findings: RuleFinding[] = [];
    for (const closure of closures) {
      const reason = closure.event.data.reason;
      const signals = unresolved(ctx, closure.at, p.lookbackDays as number);
      const alwaysFlag = reason === 'non-engagement' || reason === 'needs-not-reduced';
      if (!alwaysFlag && signals.size < (p.minSignalKinds as number)) continue;
      const evidence = [...signals.values()].flat();
      findings.push({
        episode: closure.event.id,
        evidence: [...evidence, closure],
        explanation:
          `${serviceWords(closure.event.data.service).replace(/^./, (c) => c.toUpperCase())} for this child closed on ${dayOf(closure.at)} ` +
          `(${serviceWords(reason)})` +
          (signals.size > 0
            ? ` while in the months before there were ${listInWords([...signals.entries()].map(([k, es]) => `${k} (${ctx.agencyList(es)})`))}.`
            : '.') +
          ' Before the case closes, make sure the full picture is known and the risks understood: lack of engagement should heighten concern, ' +
          'not end involvement. Agree who will keep watch, and what would bring the family back.',
      });
    }
    return findings;
  },
};

/** A child's own health, therapy or education service closed because the family did not engage. */
export const serviceClosedForNonEngagement: FlagRule = {
  id: 'service-closed-non-engagement',
  version: 1,
  category: 'disengagement',
  title: 'A child’s service closed because the family did not engage',
  description: 'Any service for the child (a therapy, a clinic, portage, a children’s centre) ended with the reason "non-engagement".',
  learning: [
    { source: '001_56b13d4b1f00c0fb.txt', where: 'Child F and Child G',
      quote: 'Lack of engagement — this should heighten concern and not be part of the rationale for no further action in a case.' },
    { source: '004_a9f449d4e917b1ec.txt', where: '4.3.3',
      quote: 'the multi-disciplinary support put in place to support and improve outcomes for him was not consistently taken up by his parents' },
  ],
  parameters: { activeDays: 28, reviewWithinWorkingDays: 5 },
  evaluate(ctx) {
    if (!ctx.isBornChild()) return [];
    const ends = within(ctx.ofType('involvement-end', [ctx.subjectId]), ctx.asAt, days(this.parameters.activeDays as number)).filter(
      (e) => e.event.data.reason === 'non-engagement' && !CLOSING_SERVICES.has(e.event.data.service),
    );
    return ends.map((e) => ({
      episode: e.event.id,
      evidence: [e],
      explanation:
        `${ctx.agencyLabel(e.agency.id)} closed ${serviceWords(e.event.data.service)} for this child on ${dayOf(e.at)} because the family did not engage. ` +
        'The child still has the need the service was for. Tell the GP and the health visitor or school, and find out what got in the way.',
    }));
  },
};
