import { dayOf, days, listInWords, type EventOf, type RuleContext } from '../context.ts';
import type { FlagRule, RuleFinding } from '../engine.ts';
import type { HistoryEvent } from '../history.ts';
import { OPEN_CASE_SERVICES, STATUTORY_SERVICES, openInvolvements, serviceWords } from './common.ts';

/** Things that arrive at the front door and call for a decision informed by history. */
function triggers(ctx: RuleContext, lookbackDays: number): HistoryEvent[] {
  const from = ctx.asAt.getTime() - days(lookbackDays);
  return ctx.events.filter(
    (e) =>
      e.at.getTime() >= from &&
      ctx.aboutSubject(e) &&
      (ctx.isSafeguardingContact(e) || e.event.type === 'pregnancy'),
  );
}

/** The people whose history bears on a decision about the subject: the subject, parents and carers, their partners, siblings. */
function familyIds(ctx: RuleContext): Set<string> {
  return new Set([ctx.subjectId, ...ctx.history.household.map((m) => m.personId)]);
}

/** A statutory or otherwise significant past event, in words, or undefined if it is not one. */
function significance(ctx: RuleContext, e: HistoryEvent): string | undefined {
  const who = e.personIds.includes(ctx.subjectId)
    ? 'this child'
    : listInWords(e.personIds.filter((p) => ctx.member(p)).map((p) => ctx.describeMember(p))) || 'the family';
  const when = dayOf(e.at).slice(0, 4);
  const ev = e.event;
  if (ev.type === 'involvement-start' && STATUTORY_SERVICES.has(ev.data.service)) {
    const what = ev.data.service === 'child-protection'
      ? `a child protection plan${ev.data.category ? ` for ${ev.data.category}` : ''}`
      : ev.data.service === 'looked-after' ? 'time in care' : 'a child in need plan';
    return `${what} for ${who} (${when})`;
  }
  if (ev.type === 'attribute' && ev.data.attribute === 'previous-children-removed') {
    return `${ev.data.count ? `${ev.data.count} ` : ''}children previously removed from the care of ${who}`;
  }
  if (ev.type === 'attribute' && ev.data.attribute === 'risk-to-children') return `${who} recorded as a risk to children`;
  if (ev.type === 'attribute' && ev.data.attribute === 'care-experienced') return `${who} care-experienced`;
  if (ev.type === 'decision' && (ev.data.outcome === 'cin-assessment' || ev.data.outcome === 'strategy-discussion')) {
    return `a ${ev.data.outcome === 'strategy-discussion' ? 'strategy discussion' : 'social work assessment'} for ${who} (${when})`;
  }
  if (ev.type === 'meeting' && ev.data.kind === 'cp-conference') return `child protection conferences (${when})`;
  if (ev.type === 'assessment' && (ev.data.kind === 'pre-birth' || ev.data.kind === 'pams')) {
    return `a ${ev.data.kind === 'pams' ? 'parenting (PAMS)' : 'pre-birth'} assessment (${when})`;
  }
  if (ctx.isElsewhere(e) && ctx.isSafeguardingContact(e)) return `a referral to children's services (${when})`;
  return undefined;
}

/**
 * When a contact, referral or pregnancy arrives, surface significant history
 * (plans, removals, social work assessments, referrals elsewhere) of the child
 * and family, so the decision is informed by it.
 */
export const historyAtTheFrontDoor: FlagRule = {
  id: 'prior-history-at-decision',
  version: 1,
  category: 'prior-history',
  title: 'History that must inform this decision',
  description:
    'A contact or referral to the front door, or a pregnancy, about a child or unborn baby whose family has significant history: ' +
    'a child protection plan, child in need plan or care; children removed; a social work assessment; a parenting or pre-birth ' +
    'assessment; or a referral to children’s services in another area.',
  learning: [
    { source: '004_a9f449d4e917b1ec.txt', where: '4.1.4', quote: 'it was not linked to the previous cross-boundary CIN referral' },
    { source: '004_a9f449d4e917b1ec.txt', where: '4.1.11', quote: 'past and current family history and context must inform threshold decision-making' },
    { source: '004_a9f449d4e917b1ec.txt', where: 'learning points 1-2',
      quote: 'Knowing the family\'s history is critical to understanding predisposing vulnerabilities, risks, and safety' },
    { source: '000_ce551a3232c09226.txt', where: 'key learning',
      quote: 'Information about past histories should be accessed to' },
  ],
  parameters: { triggerLookbackDays: 28, reviewWithinWorkingDays: 1 },
  evaluate(ctx) {
    if (!ctx.isChildOrUnborn()) return [];
    const family = familyIds(ctx);
    const findings: RuleFinding[] = [];
    for (const trigger of triggers(ctx, this.parameters.triggerLookbackDays as number)) {
      const past = ctx.events
        .filter((e) => e.at.getTime() <= trigger.at.getTime() && e !== trigger && e.personIds.some((p) => family.has(p)))
        .map((e) => ({ e, words: significance(ctx, e) }))
        .filter((x): x is { e: HistoryEvent; words: string } => x.words !== undefined);
      if (past.length === 0) continue;
      const elsewhere = past.filter((x) => ctx.isElsewhere(x.e));
      const words = [...new Set(past.map((x) => x.words))];
      const shown = words.length > 8 ? [...words.slice(0, 7), `${words.length - 7} more entries`] : words;
      const what = trigger.event.type === 'pregnancy' ? 'A pregnancy has been recorded' : `A ${trigger.event.type} has come in from ${ctx.agencyLabel(trigger.agency.id)}`;
      findings.push({
        episode: trigger.event.id,
        evidence: [...past.map((x) => x.e), trigger],
        explanation:
          `${what} about a child whose family has history that must inform the decision: ${listInWords(shown)}. ` +
          (elsewhere.length > 0 ? `Some of it is held in another area, by ${ctx.agencyList(elsewhere.map((x) => x.e))}: ask for its records. ` : '') +
          'Read the history before deciding the level of need, and check it with every service involved now.',
      });
    }
    return findings;
  },
};

/** A further contact or referral within 12 months of another, or while the family's case is open. */
export const repeatReferral: FlagRule = {
  id: 'repeat-referral',
  version: 1,
  category: 'repeat-referral',
  title: 'A further referral: look again, do not add it to the file',
  description:
    'A contact or referral to the front door about a child who had another within the previous 12 months, or whose case is open ' +
    'to early help, a Team Around the Child, child in need, child protection or care.',
  learning: [
    { source: '004_a9f449d4e917b1ec.txt', where: '4.1.4',
      quote: 'The referral was added to the existing referral as this had already progressed to early help meaning it did not trigger any further curiosity or re-assessment' },
    { source: '004_a9f449d4e917b1ec.txt', where: 'learning point 1',
      quote: "Any subsequent information including 'open cases' at an early help level should receive the same level of rigour" },
    { source: 'Department for Education, Characteristics of children in need (national statistics)', where: 're-referral: a referral within 12 months of a previous referral' },
  ],
  parameters: { reReferralDays: 365, triggerLookbackDays: 28, reviewWithinWorkingDays: 1 },
  evaluate(ctx) {
    if (!ctx.isChildOrUnborn()) return [];
    const p = this.parameters;
    const contacts = ctx.events.filter((e) => ctx.aboutSubject(e) && ctx.isSafeguardingContact(e));
    const findings: RuleFinding[] = [];
    for (const trigger of triggers(ctx, p.triggerLookbackDays as number)) {
      if (trigger.event.type === 'pregnancy') continue;
      const earlier = contacts.filter(
        (e) => e !== trigger && e.at.getTime() <= trigger.at.getTime() && trigger.at.getTime() - e.at.getTime() <= days(p.reReferralDays as number)
          && contacts.indexOf(e) < contacts.indexOf(trigger),
      );
      const open = [...openInvolvements(ctx, ctx.subjectId, trigger.at).values()].filter((e) => OPEN_CASE_SERVICES.has(e.event.data.service));
      if (earlier.length === 0 && open.length === 0) continue;
      const parts: string[] = [];
      if (earlier.length > 0) {
        parts.push(`${earlier.length === 1 ? 'another contact or referral' : `${earlier.length} other contacts or referrals`} in the previous 12 months ` +
          `(from ${ctx.agencyList(earlier)}, the last on ${dayOf((earlier[earlier.length - 1] as HistoryEvent).at)})`);
      }
      if (open.length > 0) parts.push(`an open case (${listInWords(open.map((e) => serviceWords(e.event.data.service)))})`);
      findings.push({
        episode: trigger.event.id,
        evidence: [...earlier, ...open, trigger],
        explanation:
          `A further ${trigger.event.type} about this child, from ${ctx.agencyLabel(trigger.agency.id)}, while there is ${listInWords(parts)}. ` +
          'A new referral on an open or recent case must be looked at afresh with everything already known, not simply passed to the allocated worker: ' +
          'consider whether the level of need has changed.',
      });
    }
    return findings;
  },
};

/** Events that show a family had services or concerns in another area. */
function historyElsewhere(ctx: RuleContext, before: Date): HistoryEvent[] {
  const family = familyIds(ctx);
  return ctx.events.filter((e) => {
    if (e.at.getTime() > before.getTime() || !ctx.isElsewhere(e) || !e.personIds.some((p) => family.has(p))) return false;
    const ev = e.event;
    return (
      (ev.type === 'involvement-start' && (OPEN_CASE_SERVICES.has(ev.data.service))) ||
      (ev.type === 'attribute' && ev.data.attribute !== 'additional-needs' && ev.data.attribute !== 'young-carer') ||
      ev.type === 'police-incident' ||
      (ev.type === 'concern' && ev.data.severity !== 'low') ||
      (ev.type === 'meeting' && ['strategy', 'cp-conference', 'core-group', 'cin-review', 'marac'].includes(ev.data.kind)) ||
      ctx.isSafeguardingContact(e)
    );
  });
}

/**
 * A family moving into the area with services, plans or concerns recorded in
 * the area it came from: the receiving services should know and ask.
 */
export const newToAreaWithHistory: FlagRule = {
  id: 'new-to-area-with-history',
  version: 1,
  category: 'new-to-area',
  title: 'New to the area, with history elsewhere',
  description:
    'A child or their parent is recorded as moving into the area from another local authority, and the family had children’s services, ' +
    'early help, police involvement, adult issues or concerns recorded in another area.',
  learning: [
    { source: '002_907bc72948be73ab.txt', where: 'theme 4',
      quote: 'Families who move to Telford & Wrekin may have relocated as a result of safeguarding risks' },
    { source: '002_907bc72948be73ab.txt', where: 'theme 4',
      quote: 'practitioners should use their professional curiosity to understand the current situation for the family' },
    { source: '004_a9f449d4e917b1ec.txt', where: '2.4', quote: 'Within a year the family appeared to have moved again to the current local authority area where they have remained to date. There was no referral in respect of this.' },
  ],
  parameters: { sameMoveDays: 120, activeDays: 90, reviewWithinWorkingDays: 5 },
  evaluate(ctx) {
    // An unborn baby's family history is surfaced by prior-history and unborn-baby-risk at the pregnancy.
    if (!ctx.isBornChild()) return [];
    const p = this.parameters;
    const people = new Set([ctx.subjectId, ...ctx.parents().map((m) => m.personId)]);
    const moves = ctx.ofType('move', people);
    const home = ctx.history.homeAuthority;
    // Each agency records the same move; moves in within a few months of each other, with no move away between, are one.
    let chain: EventOf<'move'>[] = [];
    for (const m of moves) {
      const movedIn = m.event.data.authority === home && !!m.event.data.fromAuthority && m.event.data.fromAuthority !== home;
      const movedAway = m.event.data.authority !== home;
      if (movedAway) chain = [];
      if (!movedIn) continue;
      const last = chain[chain.length - 1];
      if (!last || m.at.getTime() - last.at.getTime() > days(p.sameMoveDays as number)) chain = [m];
      else chain.push(m);
    }
    const first = chain[0];
    const last = chain[chain.length - 1];
    if (!first || !last || ctx.asAt.getTime() - last.at.getTime() > days(p.activeDays as number)) return [];
    const elsewhere = historyElsewhere(ctx, last.at);
    if (elsewhere.length === 0) return [];
    return [{
      episode: first.event.id,
      evidence: [...elsewhere, ...chain],
      explanation:
        `This family has moved into the area (first recorded by ${ctx.agencyLabel(first.agency.id)} on ${dayOf(first.at)}) ` +
        `and had services or concerns in the area it came from, recorded by ${ctx.agencyList(elsewhere)}. ` +
        'Families sometimes move away from risk or from services. Ask the previous area what was known and what was open, ' +
        'and make sure universal services here (GP, health visitor or school) have the history.',
    }];
  },
};
