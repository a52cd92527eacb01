import { dayOf, type RuleContext, type EventOf } from '../context.ts';
import type { HistoryEvent } from '../history.ts';

/** Services that mean a child is known at a statutory level (Children Act 1989 s17, s47, s20/s31). */
export const STATUTORY_SERVICES = new Set(['child-protection', 'child-in-need', 'looked-after']);
/** Services that mean a family has a lead practitioner or social worker now. */
export const OPEN_CASE_SERVICES = new Set(['early-help', 'tac', 'child-in-need', 'child-protection', 'looked-after']);
/** Services and plans that mean a child has identified additional needs. */
export const ADDITIONAL_NEEDS_SERVICES = new Set(['ehcp', 'send-support', 'portage']);

/** The adult issues of "Think Family" and the toxic trio, as recorded attributes. */
export const ADULT_ISSUES = {
  'learning-disability': 'learning disability',
  'mental-health': 'mental ill health',
  'substance-misuse': 'substance misuse',
  'domestic-abuse-victim': 'domestic abuse',
  'domestic-abuse-perpetrator': 'domestic abuse',
} as const;
export type AdultIssue = keyof typeof ADULT_ISSUES;

/** Involvements of a person open at an instant: service → the involvement-start event. */
export function openInvolvements(ctx: RuleContext, personId: string, at: Date = ctx.asAt): Map<string, EventOf<'involvement-start'>> {
  const open = new Map<string, EventOf<'involvement-start'>>();
  for (const inv of ctx.involvements(personId)) {
    if (inv.start.at.getTime() <= at.getTime() && (!inv.endAt || inv.endAt.getTime() > at.getTime())) open.set(inv.service, inv.start);
  }
  return open;
}

/** Evidence that a child has identified additional needs, at an instant: attributes or SEND plans and services. */
export function additionalNeedsEvidence(ctx: RuleContext, at: Date = ctx.asAt): HistoryEvent[] {
  const id = ctx.subjectId;
  return ctx.events.filter(
    (e) =>
      e.at.getTime() <= at.getTime() &&
      e.personIds.includes(id) &&
      ((e.event.type === 'attribute' && e.event.data.attribute === 'additional-needs') ||
        (e.event.type === 'involvement-start' && ADDITIONAL_NEEDS_SERVICES.has(e.event.data.service))),
  );
}

/** A service name in words: "speech-and-language" → "speech and language". */
export function serviceWords(service: string): string {
  return service.replace(/-/g, ' ');
}

/** Unscheduled attendances (111 calls are advice, not attendances), one per day: the first of each calendar day. */
export function attendancesByDay<T extends HistoryEvent>(events: T[]): T[] {
  const byDay = new Map<string, T>();
  for (const e of events) {
    const day = dayOf(e.at);
    if (!byDay.has(day)) byDay.set(day, e);
  }
  return [...byDay.values()];
}

/** Whether an appointment status means the child was not there through the family: "was not brought". */
export function wasNotBrought(status: string): boolean {
  // A child does not "fail to attend": a did-not-attend recorded for a child is read as was not brought (002 theme 3).
  return status === 'was-not-brought' || status === 'did-not-attend';
}

/** "1 appointment", "3 appointments". */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}
