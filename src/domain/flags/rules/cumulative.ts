import { chainStart, days, listInWords, within, type RuleContext } from '../context.ts';
import type { FlagRule } from '../engine.ts';
import type { HistoryEvent } from '../history.ts';
import { openInvolvements, wasNotBrought } from './common.ts';

/** What kind of sub-threshold signal an event is, if it is one, and whether it is a concern someone expressed. */
function signal(ctx: RuleContext, e: HistoryEvent, adults: Set<string>): { words: string; expressed: boolean } | undefined {
  const aboutChild = ctx.aboutSubject(e);
  const aboutAdult = e.personIds.some((p) => adults.has(p));
  const ev = e.event;
  if (ev.type === 'concern' && (aboutChild || aboutAdult)) return { words: 'a concern', expressed: true };
  if (ev.type === 'police-incident' && (aboutChild || aboutAdult)) return { words: 'a police incident', expressed: true };
  if (aboutChild && ctx.isSafeguardingContact(e)) return { words: `a ${ev.type}`, expressed: true };
  if (aboutChild && ev.type === 'appointment' && wasNotBrought(ev.data.status)) return { words: 'a missed appointment', expressed: false };
  if (aboutChild && ev.type === 'unscheduled-care' && (ev.data.reason === 'injury' || ev.data.reason === 'ingestion')) {
    return { words: `an emergency attendance for ${ev.data.reason}`, expressed: false };
  }
  // Adult issues recorded as attributes are context, not fresh concerns: several agencies recording the same parent's mental
  // health would otherwise add up on their own. household-adult-risk surfaces them.
  return undefined;
}

/**
 * Several sub-threshold signals from several agencies within a year: the
 * picture no single agency sees.
 */
export const multiAgencyConcerns: FlagRule = {
  id: 'cumulative-multi-agency',
  version: 1,
  category: 'cumulative-concern',
  title: 'Concerns from several agencies adding up',
  description:
    'In 12 months, 4 or more signals about a child or the adults they live with (concerns, police incidents, contacts and referrals, ' +
    'missed appointments, emergency attendances for injury or ingestion) recorded by 3 or more different agencies, at least one ' +
    'of them a concern someone raised. Not raised while the child is on a child protection plan or looked after.',
  learning: [
    { source: '002_907bc72948be73ab.txt', where: 'theme 11',
      quote: 'can present in a combination of ways, which, when presented individually, may not meet threshold for services. When this information is viewed together as a larger picture however, the threshold for services will be met.' },
    { source: '004_a9f449d4e917b1ec.txt', where: '4.3.7', quote: 'significant information was held across the Partnership about these children' },
    { source: '004_a9f449d4e917b1ec.txt', where: '4.2.4', quote: 'Cross-referenced with poor health appointment attendance this could have indicated neglect earlier on' },
    { source: '003_6127deaaf3600311.txt', where: 'introduction', quote: 'practitioners to look beyond individual episodes and understand the neglect in context' },
  ],
  parameters: { windowDays: 365, minSignals: 4, minAgencies: 3, minExpressed: 1, reviewWithinWorkingDays: 5 },
  evaluate(ctx) {
    if (!ctx.isBornChild()) return [];
    const open = openInvolvements(ctx, ctx.subjectId);
    // Once a child is on a child protection plan or looked after, the threshold has been met and a social worker holds the picture.
    if (open.has('child-protection') || open.has('looked-after')) return [];
    const p = this.parameters;
    const adults = new Set(ctx.adults().map((m) => m.personId));
    const all = ctx.events
      .map((e) => ({ e, s: signal(ctx, e, adults) }))
      .filter((x): x is { e: HistoryEvent; s: { words: string; expressed: boolean } } => x.s !== undefined);
    const recent = within(all.map((x) => x.e), ctx.asAt, days(p.windowDays as number));
    const recentSet = new Set(recent);
    const signals = all.filter((x) => recentSet.has(x.e));
    const agencies = new Set(signals.map((x) => x.e.agency.id));
    if (signals.length < (p.minSignals as number) || agencies.size < (p.minAgencies as number)) return [];
    if (signals.filter((x) => x.s.expressed).length < (p.minExpressed as number)) return [];
    const counts = new Map<string, number>();
    for (const x of signals) counts.set(x.s.words, (counts.get(x.s.words) ?? 0) + 1);
    const summary = [...counts.entries()].map(([w, n]) => (n === 1 ? w : `${n} × ${w.replace(/^an? /, '')}`));
    const start = chainStart(all.map((x) => x.e), days(p.windowDays as number));
    return [{
      episode: start?.event.id ?? 'cumulative',
      evidence: recent,
      explanation:
        `In the last 12 months ${agencies.size} agencies (${ctx.agencyList(recent)}) have each recorded something about this child or the adults ` +
        `they live with: ${listInWords(summary)}. Each may be below the threshold on its own; together they may not be. ` +
        'Bring the agencies together (a Team Around the Child or a call to the front door) to look at the whole picture and the child’s daily life.',
    }];
  },
};
