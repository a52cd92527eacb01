/** Days as whole numbers (days since 1970-01-01, UTC) and their ISO strings, cached for speed. */

export const MINUTES_PER_DAY = 1440;

export function dayOf(iso: string): number {
  const t = Date.parse(`${iso}T00:00:00Z`);
  if (Number.isNaN(t)) throw new Error(`not a date: ${iso}`);
  return Math.round(t / 86_400_000);
}

export function ymd(day: number): { y: number; m: number; d: number } {
  const date = new Date(day * 86_400_000);
  return { y: date.getUTCFullYear(), m: date.getUTCMonth() + 1, d: date.getUTCDate() };
}

export function dayFromYmd(y: number, m: number, d: number): number {
  return Math.round(Date.UTC(y, m - 1, d) / 86_400_000);
}

const CACHE_FROM = dayOf('1900-01-01');
const CACHE_TO = dayOf('2100-01-01');
const cache: (string | undefined)[] = new Array(CACHE_TO - CACHE_FROM);

/** The ISO date (YYYY-MM-DD) of a day. */
export function isoDay(day: number): string {
  const i = day - CACHE_FROM;
  const hit = cache[i];
  if (hit !== undefined) return hit;
  const s = new Date(day * 86_400_000).toISOString().slice(0, 10);
  if (i >= 0 && i < cache.length) cache[i] = s;
  return s;
}

/** An ISO date-time in UTC (Z) for a day and a minute of that day. */
export function isoDayTime(day: number, minute: number): string {
  const h = Math.floor(minute / 60);
  const mi = minute % 60;
  return `${isoDay(day)}T${h < 10 ? '0' : ''}${h}:${mi < 10 ? '0' : ''}${mi}:00Z`;
}

/** Whole years between a birth day and a day (age in completed years). */
export function ageOn(birth: number, day: number): number {
  const b = ymd(birth);
  const t = ymd(day);
  let age = t.y - b.y;
  if (t.m < b.m || (t.m === b.m && t.d < b.d)) age--;
  return age;
}

/** Age in years as a fraction (fast, approximate: for rates only). */
export function ageYears(birth: number, day: number): number {
  return (day - birth) / 365.25;
}

/** The 1 September on or before a day (start of the academic year containing it). */
export function academicYearStart(day: number): number {
  const { y, m } = ymd(day);
  return dayFromYmd(m >= 9 ? y : y - 1, 9, 1);
}
