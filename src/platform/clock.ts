/**
 * Time comes from a clock, never from Date.now() in domain code, so replays and
 * tests can set it. Instants are stored in UTC and shown in Europe/London.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that a replay or a test moves by hand. */
export class ManualClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date): void {
    this.current = new Date(at);
  }
}

const londonDateTime = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit',
});
const londonDate = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London', day: 'numeric', month: 'long', year: 'numeric',
});

/** "3 February 2020 at 14:05", in Europe/London, as the GOV.UK style guide writes dates. */
export function formatDateTime(at: Date): string {
  const parts = londonDateTime.formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('day')} ${get('month')} ${get('year')} at ${get('hour')}:${get('minute')}`;
}

/** "3 February 2020", in Europe/London. */
export function formatDate(at: Date): string {
  return londonDate.format(at);
}
