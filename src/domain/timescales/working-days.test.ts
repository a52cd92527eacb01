import { describe, expect, it } from 'vitest';
import {
  ENGLAND_AND_WALES_BANK_HOLIDAYS, FIRST_CALENDAR_YEAR, LAST_CALENDAR_YEAR, addWorkingDays, easterSunday, isBankHoliday,
  isWorkingDay, londonDate, standingRuleBankHolidays, startOfLondonDay, workingDayDeadline, workingDaysBetween,
} from './working-days.ts';

// One-off changes by royal proclamation: [removed, added].
const ONE_OFF: Record<number, [string[], string[]]> = {
  2020: [['2020-05-04'], ['2020-05-08']],
  2022: [['2022-05-30'], ['2022-06-02', '2022-06-03', '2022-09-19']],
  2023: [[], ['2023-05-08']],
};

describe('England and Wales working days', () => {
  it('the published list matches the standing rules in every year, apart from the proclaimed one-off changes', () => {
    for (let year = FIRST_CALENDAR_YEAR; year <= LAST_CALENDAR_YEAR; year += 1) {
      const [removed, added] = ONE_OFF[year] ?? [[], []];
      const expected = [...standingRuleBankHolidays(year).filter((d) => !removed.includes(d)), ...added].sort();
      const listed = ENGLAND_AND_WALES_BANK_HOLIDAYS.filter((d) => d.startsWith(`${year}-`)).sort();
      expect(listed, String(year)).toEqual(expected);
    }
  });

  it('every listed bank holiday falls on a weekday', () => {
    for (const d of ENGLAND_AND_WALES_BANK_HOLIDAYS) expect([0, 6]).not.toContain(new Date(`${d}T00:00:00Z`).getUTCDay());
  });

  it('knows Easter Sunday in known years', () => {
    expect(easterSunday(2019)).toBe('2019-04-21');
    expect(easterSunday(2024)).toBe('2024-03-31');
    expect(easterSunday(2027)).toBe('2027-03-28');
  });

  it('a weekend, a bank holiday and the Queen’s funeral are not working days', () => {
    expect(isWorkingDay('2019-05-25')).toBe(false);
    expect(isWorkingDay('2019-05-27')).toBe(false);
    expect(isWorkingDay('2022-09-19')).toBe(false);
    expect(isWorkingDay('2022-09-20')).toBe(true);
    expect(isBankHoliday('2011-12-27')).toBe(true);
  });

  it('one working day after Friday before a bank holiday Monday is Tuesday', () => {
    expect(addWorkingDays('2019-05-24', 1)).toBe('2019-05-28');
    expect(addWorkingDays('2019-12-24', 1)).toBe('2019-12-27');
    // Nine weeks on lands on the August bank holiday, so the 45th working day is the Tuesday.
    expect(addWorkingDays('2020-06-29', 45)).toBe('2020-09-01');
  });

  it('a referral received on a Friday evening in summer is due by the end of Monday, London time', () => {
    const due = workingDayDeadline(new Date('2019-06-07T17:30:00+01:00'), 1);
    expect(due.toISOString()).toBe('2019-06-10T23:00:00.000Z');
  });

  it('a referral received on a Saturday in winter has the same deadline as Friday’s', () => {
    expect(workingDayDeadline(new Date('2020-01-11T10:00:00Z'), 1).toISOString()).toBe('2020-01-14T00:00:00.000Z');
  });

  it('London dates follow British Summer Time', () => {
    expect(londonDate(new Date('2020-06-30T23:30:00Z'))).toBe('2020-07-01');
    expect(londonDate(new Date('2020-12-31T23:30:00Z'))).toBe('2020-12-31');
    expect(startOfLondonDay('2020-07-01').toISOString()).toBe('2020-06-30T23:00:00.000Z');
  });

  it('counts working days between two instants', () => {
    expect(workingDaysBetween(new Date('2019-05-24T09:00:00Z'), new Date('2019-05-31T09:00:00Z'))).toBe(4);
  });
});
