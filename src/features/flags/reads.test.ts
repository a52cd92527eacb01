import { describe, expect, it } from 'vitest';
import { evaluateFlags, eventInstant, type FlagFinding } from '../../domain/flags/index.ts';
import { attendedReadFrom, readByRules } from '../../domain/flags/reads.ts';
import { addCalendarDays, londonDate, startOfLondonDay } from '../../domain/timescales/working-days.ts';
import { createCounty, type CountyChunk } from '../synthetic-county/generator.ts';
import { agencyMap, buildHistories, type EventFact, type FamilyData } from './history.ts';

/**
 * The recompute reads only the events a rule can read as at its clock
 * (domain/flags/reads.ts). This holds the catalogue to that: on a synthetic
 * county, every person evaluated at several clocks gives the same findings
 * (keys, evidence, wording) from the history left out as from the whole
 * history. A rule that starts reading an event left out fails here.
 */

/** One household as the flag service reads it, people from the generator's truth (as the flags bench's familyOf). */
function familyOf(chunk: CountyChunk): { data: FamilyData; people: string[] } {
  const key = (agency: string, ref: string) => (ref.includes(':') ? ref : `${agency}:${ref}`);
  const personOf = new Map(chunk.truth.map((t) => [`${t.agency}:${t.localId}`, t.personKey]));
  const records = chunk.records.map((r) => ({
    personId: personOf.get(`${r.agency}:${r.localId}`)!, kind: r.kind,
    birthDate: r.kind === 'person' ? r.birthDate ?? null : null, expectedDate: r.kind === 'unborn' ? r.expectedDate ?? null : null, sex: r.sex ?? null,
  }));
  const relationships = chunk.relationships.flatMap((r) => {
    const from = personOf.get(key(r.agency, r.from));
    const to = personOf.get(key(r.agency, r.to));
    return from && to ? [{ from, to, type: r.type, fromDate: r.from_date ?? null }] : [];
  });
  const events: EventFact[] = chunk.events.map((e, i) => {
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(e.at);
    const at = eventInstant(e.at);
    return {
      id: i + 1, eventId: e.id, agencyId: e.agency, type: e.type, at, onDate: dateOnly ? e.at : londonDate(at),
      atPrecision: dateOnly ? 'date' : 'instant', subjects: e.subjects, data: e.data, text: null,
      personIds: [...new Set(e.subjects.flatMap((s) => personOf.get(key(e.agency, s)) ?? []))].sort(),
    };
  });
  return { data: { records, relationships, events }, people: [...new Set(records.map((r) => r.personId))].sort() };
}

const endOfDay = (date: string) => new Date(startOfLondonDay(addCalendarDays(date, 1)).getTime() - 1);

describe('the events the recompute leaves out of a history', () => {
  it('change no finding of any rule on a synthetic county, at several clocks', () => {
    const county = createCounty({ children: 400, years: 4, seed: 20261124 });
    const agencies = agencyMap(county.agencies.map((a) => ({ id: a.id, name: a.name, kind: a.kind, authority: a.authority })));
    const home = county.home.authority;
    const clocks = [0, 90, 200, 365, 500].map((d) => endOfDay(addCalendarDays(county.window.end, -d)));
    let events = 0;
    let kept = 0;
    const rules = new Set<string>();
    let compared = 0;
    for (const chunk of county.households()) {
      const { data, people } = familyOf(chunk);
      for (const asAt of clocks) {
        const readable = data.events.filter((e) => readByRules(e, asAt));
        events += data.events.length;
        kept += readable.length;
        const all = buildHistories(data, people, asAt, agencies, home);
        const part = buildHistories({ ...data, events: readable }, people, asAt, agencies, home);
        expect(part.map((h) => h.history.subject.personId)).toEqual(all.map((h) => h.history.subject.personId));
        all.forEach(({ history }, i) => {
          const whole: FlagFinding[] = evaluateFlags(history, asAt);
          for (const f of whole) rules.add(f.ruleId);
          compared += whole.length;
          expect(evaluateFlags(part[i]!.history, asAt)).toEqual(whole);
        });
      }
    }
    // The comparison means something: most events are left out, and the rules that read appointments fired.
    expect(kept / events).toBeLessThan(0.7);
    expect(compared).toBeGreaterThan(100);
    expect([...rules]).toEqual(expect.arrayContaining(['wnb-pattern', 'cumulative-multi-agency', 'unscheduled-repeat-injury']));
  }, 300_000);

  it('keeps an appointment attended within the year before the clock (wnb-pattern counts it) and leaves out older ones', () => {
    const asAt = new Date('2025-03-31T22:59:59.999Z');
    const attended = (at: string) => ({ type: 'appointment', data: { service: 'gp', status: 'attended' }, at: new Date(at) });
    expect(readByRules(attended('2024-04-01T10:00:00Z'), asAt)).toBe(true);
    expect(readByRules(attended('2024-03-30T10:00:00Z'), asAt)).toBe(false);
    expect(readByRules({ ...attended('2015-01-01T10:00:00Z'), data: { service: 'gp', status: 'was-not-brought' } }, asAt)).toBe(true);
    expect(readByRules({ ...attended('2025-03-01T10:00:00Z'), data: { service: 'gp', status: 'cancelled-by-service' } }, asAt)).toBe(false);
    expect(readByRules({ type: 'note', data: {}, at: new Date('2025-03-01T10:00:00Z') }, asAt)).toBe(false);
    // The read's cut-off (the stored instant) is a day before the rules' window, so a date-only event at its edge is kept.
    expect(attendedReadFrom(asAt).getTime()).toBeLessThan(asAt.getTime() - 365 * 86_400_000);
  });
});
