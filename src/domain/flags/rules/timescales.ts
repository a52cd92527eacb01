import { workingDayDeadline } from '../../timescales/working-days.ts';
import { dayOf, type EventOf, type RuleContext } from '../context.ts';
import type { FlagRule, RuleFinding } from '../engine.ts';
import type { HistoryEvent } from '../history.ts';

/** Whether a finding about this subject should be raised for an event with these subjects (children first; adults only if no child). */
function concernsSubject(ctx: RuleContext, e: HistoryEvent): boolean {
  if (!ctx.aboutSubject(e)) return false;
  if (ctx.isChildOrUnborn()) return true;
  return !e.personIds.some((p) => {
    const m = ctx.member(p);
    if (!m) return false;
    if (m.kind === 'unborn') return true;
    const age = ctx.ageYears(m.birthDate);
    return age !== undefined && age < 18;
  });
}

/** The front door's contacts and referrals: to a front door or social care team in this partnership's area. */
function ownFrontDoor(ctx: RuleContext, e: EventOf<'contact'> | EventOf<'referral'>): boolean {
  const to = ctx.agency(e.event.data.to);
  return (to ? to.authority : e.agency.authority) === ctx.history.homeAuthority;
}

/** A contact or referral to the front door with no decision by the end of the next working day. */
export const referralDecisionOverdue: FlagRule = {
  id: 'referral-decision-overdue',
  version: 1,
  category: 'decision-overdue',
  title: 'Referral decision overdue',
  description:
    'A contact or referral to the front door has no recorded decision by the end of the next working day after it arrived ' +
    '(England and Wales bank holidays excluded).',
  learning: [
    { source: 'Working Together to Safeguard Children 2023', where: 'chapter 4: within one working day of a referral being received, a local authority social worker should make a decision about the type of response required (paraphrased)' },
    { source: '004_a9f449d4e917b1ec.txt', where: '4.1.7', quote: 'are now recorded providing a complete chronology for the family' },
  ],
  parameters: { workingDays: 1, reviewWithinWorkingDays: 0 },
  evaluate(ctx) {
    const findings: RuleFinding[] = [];
    const decided = new Set(ctx.ofType('decision').map((e) => e.event.data.on));
    for (const e of ctx.events) {
      if (!ctx.isSafeguardingContact(e) || !ownFrontDoor(ctx, e) || !concernsSubject(ctx, e) || decided.has(e.event.id)) continue;
      const due = workingDayDeadline(e.at, this.parameters.workingDays as number);
      if (ctx.asAt.getTime() < due.getTime()) continue;
      findings.push({
        episode: e.event.id,
        evidence: [e],
        raisedAt: due,
        explanation:
          `A ${e.event.type} from ${ctx.agencyLabel(e.agency.id)} received on ${dayOf(e.at)} has no recorded decision, and one was due by the end of ` +
          'the next working day. Decide the level of need and the response now, or record why not, and tell the referrer.',
      });
    }
    return findings;
  },
};

const ASSESSMENT_DONE_KINDS = new Set(['child-and-family', 'single', 'social-work', 'pre-birth', 's47']);

/** A social work assessment decided at the front door and not completed within 45 working days. */
export const assessmentOverdue: FlagRule = {
  id: 'assessment-overdue',
  version: 1,
  category: 'decision-overdue',
  title: 'Social work assessment overdue',
  description:
    'A decision for a social work assessment or strategy discussion, and no completed assessment, plan, conference or closure within ' +
    '45 working days.',
  learning: [
    { source: 'Working Together to Safeguard Children 2023', where: 'chapter 4: the maximum timeframe for an assessment to conclude is 45 working days from the point of referral (paraphrased)' },
    { source: '004_a9f449d4e917b1ec.txt', where: '4.1.3', quote: 'When the family were planning to move there was good cross-boundary working' },
  ],
  parameters: { workingDays: 45, reviewWithinWorkingDays: 0 },
  evaluate(ctx) {
    if (!ctx.isChildOrUnborn()) return [];
    const findings: RuleFinding[] = [];
    for (const d of ctx.ofType('decision', [ctx.subjectId])) {
      if (d.event.data.outcome !== 'cin-assessment' && d.event.data.outcome !== 'strategy-discussion') continue;
      if (d.agency.authority !== ctx.history.homeAuthority) continue;
      const concluded = ctx.events.some((e) => {
        if (e.at.getTime() < d.at.getTime() || !ctx.aboutSubject(e) || e === d) return false;
        const ev = e.event;
        return (ev.type === 'assessment' && ASSESSMENT_DONE_KINDS.has(ev.data.kind)) ||
          ev.type === 'involvement-start' && ['child-in-need', 'child-protection', 'looked-after', 'early-help'].includes(ev.data.service) ||
          ev.type === 'involvement-end' ||
          (ev.type === 'meeting' && ev.data.kind === 'cp-conference') ||
          (ev.type === 'decision' && ev.data.on !== d.event.data.on);
      });
      if (concluded) continue;
      const due = workingDayDeadline(d.at, this.parameters.workingDays as number);
      if (ctx.asAt.getTime() < due.getTime()) continue;
      findings.push({
        episode: d.event.id,
        evidence: [d],
        raisedAt: due,
        explanation:
          `A social work assessment was decided on ${dayOf(d.at)} (${ctx.agencyLabel(d.agency.id)}) and nothing shows it concluded within ` +
          '45 working days. Check where the assessment is and what the child is waiting for.',
      });
    }
    return findings;
  },
};
