import { addCalendarDays, addWorkingDays, londonDate, startOfLondonDay } from '../timescales/working-days.ts';

/**
 * Memoised Europe/London calendar arithmetic for the flag engine. The
 * timescales module formats with Intl, which costs microseconds a call; the
 * engine asks the same questions thousands of times per family (an event's
 * day, a child's age at the clock, a review deadline), so the answers are
 * kept. Exact, not an approximation: London's offset is a whole number of
 * hours, so every instant in one UTC hour has the same London date, and the
 * cache is keyed by that hour (or by the date, or the date and a count).
 */

const HOUR_MS = 3_600_000;
const LIMIT = 200_000;

function remember<K, V>(cache: Map<K, V>, key: K, make: (key: K) => V): V {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const value = make(key);
  if (cache.size >= LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

const dayOfHour = new Map<number, string>();
const startOfDay = new Map<string, number>();
const deadlines = new Map<string, number>();

/** The YYYY-MM-DD of an instant in Europe/London (as londonDate, memoised). */
export function londonDay(at: Date): string {
  return remember(dayOfHour, Math.floor(at.getTime() / HOUR_MS), (h) => londonDate(new Date(h * HOUR_MS)));
}

/** The instant a Europe/London date begins (as startOfLondonDay, memoised; a new Date each call). */
export function londonDayStart(date: string): Date {
  return new Date(remember(startOfDay, date, (d) => startOfLondonDay(d).getTime()));
}

/** The end (Europe/London) of the working day `n` working days after the day of `raisedAt`. */
export function endOfWorkingDayAfter(raisedAt: Date, n: number): Date {
  const day = londonDay(raisedAt);
  return new Date(remember(deadlines, `${day}+${n}`, () => startOfLondonDay(addCalendarDays(addWorkingDays(day, n), 1)).getTime() - 1));
}
