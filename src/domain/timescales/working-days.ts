/**
 * Working days for England and Wales: Monday to Friday except bank holidays,
 * counted on the calendar of Europe/London. Pure: no clock, no I/O.
 *
 * Working Together to Safeguard Children sets its timescales in working days
 * (a referral decision within one working day, an assessment within 45), so
 * every timescale in Kinsight is counted here.
 */

/**
 * England and Wales bank holidays 2015-2030, as published on GOV.UK
 * (www.gov.uk/bank-holidays), including substitute days and the one-off
 * changes: VE Day 2020 (8 May, replacing 4 May), the Platinum Jubilee 2022
 * (2 and 3 June, replacing 30 May), the State Funeral 2022 (19 September) and
 * the Coronation 2023 (8 May). Years after those published follow the
 * standing rules; extend the list when GOV.UK publishes them.
 */
export const ENGLAND_AND_WALES_BANK_HOLIDAYS: readonly string[] = [
  '2015-01-01', '2015-04-03', '2015-04-06', '2015-05-04', '2015-05-25', '2015-08-31', '2015-12-25', '2015-12-28',
  '2016-01-01', '2016-03-25', '2016-03-28', '2016-05-02', '2016-05-30', '2016-08-29', '2016-12-26', '2016-12-27',
  '2017-01-02', '2017-04-14', '2017-04-17', '2017-05-01', '2017-05-29', '2017-08-28', '2017-12-25', '2017-12-26',
  '2018-01-01', '2018-03-30', '2018-04-02', '2018-05-07', '2018-05-28', '2018-08-27', '2018-12-25', '2018-12-26',
  '2019-01-01', '2019-04-19', '2019-04-22', '2019-05-06', '2019-05-27', '2019-08-26', '2019-12-25', '2019-12-26',
  '2020-01-01', '2020-04-10', '2020-04-13', '2020-05-08', '2020-05-25', '2020-08-31', '2020-12-25', '2020-12-28',
  '2021-01-01', '2021-04-02', '2021-04-05', '2021-05-03', '2021-05-31', '2021-08-30', '2021-12-27', '2021-12-28',
  '2022-01-03', '2022-04-15', '2022-04-18', '2022-05-02', '2022-06-02', '2022-06-03', '2022-08-29', '2022-09-19',
  '2022-12-26', '2022-12-27',
  '2023-01-02', '2023-04-07', '2023-04-10', '2023-05-01', '2023-05-08', '2023-05-29', '2023-08-28', '2023-12-25',
  '2023-12-26',
  '2024-01-01', '2024-03-29', '2024-04-01', '2024-05-06', '2024-05-27', '2024-08-26', '2024-12-25', '2024-12-26',
  '2025-01-01', '2025-04-18', '2025-04-21', '2025-05-05', '2025-05-26', '2025-08-25', '2025-12-25', '2025-12-26',
  '2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-08-31', '2026-12-25', '2026-12-28',
  '2027-01-01', '2027-03-26', '2027-03-29', '2027-05-03', '2027-05-31', '2027-08-30', '2027-12-27', '2027-12-28',
  '2028-01-03', '2028-04-14', '2028-04-17', '2028-05-01', '2028-05-29', '2028-08-28', '2028-12-25', '2028-12-26',
  '2029-01-01', '2029-03-30', '2029-04-02', '2029-05-07', '2029-05-28', '2029-08-27', '2029-12-25', '2029-12-26',
  '2030-01-01', '2030-04-19', '2030-04-22', '2030-05-06', '2030-05-27', '2030-08-26', '2030-12-25', '2030-12-26',
];

export const FIRST_CALENDAR_YEAR = 2015;
export const LAST_CALENDAR_YEAR = 2030;

const holidays = new Set(ENGLAND_AND_WALES_BANK_HOLIDAYS);
const DAY_MS = 86_400_000;

const londonDateFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit',
});
const londonHourFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', hourCycle: 'h23' });

/** The calendar date (YYYY-MM-DD) of an instant in Europe/London. */
export function londonDate(at: Date): string {
  return londonDateFormat.format(at);
}

/** The instant at which a Europe/London calendar date (YYYY-MM-DD) begins. */
export function startOfLondonDay(date: string): Date {
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(utcMidnight)) throw new RangeError(`not a date: ${date}`);
  // London is UTC+0 or UTC+1; clocks change at 01:00 UTC, so midnight's offset is noon's offset.
  const noonHour = Number(londonHourFormat.format(new Date(utcMidnight + 12 * 3_600_000)));
  return new Date(utcMidnight - (noonHour - 12) * 3_600_000);
}

/** The date `days` calendar days after a YYYY-MM-DD date (negative goes back). */
export function addCalendarDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whether a YYYY-MM-DD date is an England and Wales bank holiday. */
export function isBankHoliday(date: string): boolean {
  const year = Number(date.slice(0, 4));
  if (year >= FIRST_CALENDAR_YEAR && year <= LAST_CALENDAR_YEAR) return holidays.has(date);
  return standingRuleBankHolidays(year).includes(date);
}

/**
 * The bank holidays the standing rules give for a year (Banking and Financial
 * Dealings Act 1971 and royal proclamations): New Year's Day, Good Friday,
 * Easter Monday, the first and last Mondays of May, the last Monday of
 * August, Christmas Day and Boxing Day, with substitute weekdays. One-off
 * changes are not included: used outside the published list only.
 */
export function standingRuleBankHolidays(year: number): string[] {
  const iso = (m: number, d: number) => new Date(Date.UTC(year, m - 1, d)).toISOString().slice(0, 10);
  const weekday = (m: number, d: number) => new Date(Date.UTC(year, m - 1, d)).getUTCDay();
  const easter = easterSunday(year);
  const firstMonday = (m: number) => 1 + ((8 - weekday(m, 1)) % 7);
  const lastMonday = (m: number, days: number) => days - ((weekday(m, days) + 6) % 7);
  const newYear = weekday(1, 1) === 6 ? 3 : weekday(1, 1) === 0 ? 2 : 1;
  const christmas = weekday(12, 25);
  // Christmas on Saturday: substitutes Mon 27 and Tue 28; on Sunday: Boxing Day Mon 26, substitute Tue 27;
  // on Friday: Boxing Day (Saturday) moves to Mon 28.
  const christmasDays = christmas === 6 ? [27, 28] : christmas === 0 ? [26, 27] : christmas === 5 ? [25, 28] : [25, 26];
  return [
    iso(1, newYear),
    addCalendarDays(easter, -2),
    addCalendarDays(easter, 1),
    iso(5, firstMonday(5)),
    iso(5, lastMonday(5, 31)),
    iso(8, lastMonday(8, 31)),
    ...christmasDays.map((d) => iso(12, d)),
  ];
}

/** Easter Sunday (Gregorian, anonymous algorithm) as YYYY-MM-DD. */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return new Date(Date.UTC(year, month - 1, day)).toISOString().slice(0, 10);
}

/** Whether a YYYY-MM-DD date is a working day in England and Wales. */
export function isWorkingDay(date: string): boolean {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !isBankHoliday(date);
}

/** The first working day strictly after a YYYY-MM-DD date. */
export function nextWorkingDay(date: string): string {
  let d = addCalendarDays(date, 1);
  while (!isWorkingDay(d)) d = addCalendarDays(d, 1);
  return d;
}

/** The working day `n` working days after a YYYY-MM-DD date (n >= 0; 0 gives the date itself). */
export function addWorkingDays(date: string, n: number): string {
  if (!Number.isInteger(n) || n < 0) throw new RangeError('working days must be a whole number, 0 or more');
  let d = date;
  for (let i = 0; i < n; i += 1) d = nextWorkingDay(d);
  return d;
}

/**
 * When something received at `received` must be done "within n working days":
 * by the end of the n-th working day after the day it arrived (Europe/London).
 * Something arriving at a weekend or on a bank holiday has the same deadline
 * as something arriving on the last working day before it.
 */
export function workingDayDeadline(received: Date, n: number): Date {
  const due = addWorkingDays(londonDate(received), n);
  return startOfLondonDay(addCalendarDays(due, 1));
}

/** Working days strictly after `from` up to and including `to` (both Europe/London dates). */
export function workingDaysBetween(from: Date, to: Date): number {
  let d = londonDate(from);
  const end = londonDate(to);
  let count = 0;
  while (d < end) {
    d = addCalendarDays(d, 1);
    if (isWorkingDay(d)) count += 1;
  }
  return count;
}
