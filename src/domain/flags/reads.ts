/**
 * Which recorded events the catalogue's rules read, as at a clock: what a
 * bulk read (the full recompute) may leave out of a history without changing
 * any finding. Most of a county's events are appointments attended: only
 * wnb-pattern reads those (the share brought to, over its 12 months), so
 * older ones are never read; and some types no rule reads at all.
 *
 * A rule that starts reading any of these must change this file: the test
 * beside the flags feature's chunk read (`src/features/flags/reads.test.ts`)
 * evaluates a synthetic county with and without the events left out and
 * fails on any difference.
 */

/** Event types no rule reads. */
export const UNREAD_EVENT_TYPES: readonly string[] = ['admission', 'lateral-check', 'note', 'voice'];

/** Appointment statuses no rule reads (a service's own cancellation says nothing about the family). */
export const UNREAD_APPOINTMENT_STATUSES: readonly string[] = ['cancelled-by-service'];

/** Appointments attended are read only this far back from the clock (wnb-pattern's window). */
export const ATTENDED_APPOINTMENT_DAYS = 365;

const DAY_MS = 86_400_000;

/**
 * The instant before which attended appointments may be left out of a
 * history evaluated at `asAt`. A day earlier than the rules need, so a read
 * that compares the stored instant of a date-only event keeps every one a
 * rule could read.
 */
export function attendedReadFrom(asAt: Date): Date {
  return new Date(asAt.getTime() - (ATTENDED_APPOINTMENT_DAYS + 1) * DAY_MS);
}

/** Whether any rule can read this event in a history evaluated at `asAt` (the pure form of the recompute's filter). */
export function readByRules(e: { type: string; data: unknown; at: Date }, asAt: Date): boolean {
  if (UNREAD_EVENT_TYPES.includes(e.type)) return false;
  if (e.type !== 'appointment') return true;
  const status = (e.data as { status?: unknown } | null)?.status;
  if (typeof status === 'string' && UNREAD_APPOINTMENT_STATUSES.includes(status)) return false;
  return status !== 'attended' || e.at.getTime() >= asAt.getTime() - ATTENDED_APPOINTMENT_DAYS * DAY_MS;
}
