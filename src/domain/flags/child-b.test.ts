import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { raisedBy, replayScenario, type Replay, type Scenario } from './scenario-replay.test-helper.ts';

const shared = path.resolve(import.meta.dirname, '../../../../shared');
const childBFile = path.join(shared, 'scenarios', 'child-b.json');
const hasShared = fs.existsSync(childBFile);

// Development harness for recall. It groups records into people by their `truth` key, which only a
// test may do: the real replay (`kinsight replay`) links records itself from NHS number, names and
// dates of birth, and strips `truth`, `incident` and `expect` before anything reaches Kinsight.
describe('the Child B replay (004, Stoke-on-Trent)', () => {
  let scenario: Scenario;
  let replay: Replay;

  beforeAll(() => {
    if (!hasShared) return;
    scenario = JSON.parse(fs.readFileSync(childBFile, 'utf8')) as Scenario;
    replay = replayScenario(scenario);
  });

  it.skipIf(!hasShared)('raises every flag the review says was missed, no later than the review says it should have been (skipped: no ../shared)', () => {
    const unmet = (scenario.expect ?? [])
      .filter((x) => !raisedBy(replay, x.category, x.about, x.by))
      .map((x) => `${x.category} about ${x.about} by ${x.by}`);
    expect(unmet).toEqual([]);
  });

  it.skipIf(!hasShared)('raises the unborn-baby flag for each twin at the booking appointment itself, from history recorded years before (skipped: no ../shared)', () => {
    for (const twin of ['twins-unborn-1', 'twins-unborn-2']) {
      const r = raisedBy(replay, 'unborn-baby-risk', twin, '2019-09-05');
      expect(r?.finding.ruleId, twin).toBe('unborn-risk-factors');
      // Known at booking from the earlier records: five children removed (e1) and father's learning disability (e9).
      expect(r?.finding.evidence).toEqual(expect.arrayContaining(['e50', 'e1', 'e9']));
    }
  });

  it.skipIf(!hasShared)('never raises a flag about the adults themselves (skipped: no ../shared)', () => {
    const adults = ['mother', 'father', 'elder-son', 'elder-daughter', 'elder-daughter-partner'].map((t) => replay.personOf(t));
    expect(replay.raised.filter((r) => adults.includes(r.finding.personId))).toEqual([]);
  });

  it.skipIf(!hasShared)('re-evaluating the same open concern keeps one key: one new-to-area flag per move, however many agencies record it (skipped: no ../shared)', () => {
    const moves = replay.raised.filter((r) => r.finding.category === 'new-to-area' && r.finding.personId === replay.personOf('child-b'));
    expect(moves.map((r) => r.finding.key.split(':').pop())).toEqual(['e21', 'e32']);
  });

  it.skipIf(!hasShared)('every finding explains itself without personal names and cites its evidence (skipped: no ../shared)', () => {
    const names = ['Kai', 'Joanne', 'Jo ', 'Daniel', 'Danny', 'Alfie', 'Archie', 'Harper', 'Whitfield'];
    for (const { finding } of replay.raised) {
      expect(finding.evidence.length).toBeGreaterThan(0);
      expect(finding.sources.length).toBeGreaterThan(0);
      for (const n of names) expect(finding.explanation, finding.key).not.toContain(n);
      expect(finding.explanation).not.toMatch(/did not attend|failed to attend/i);
      expect(finding.reviewBy.getTime()).toBeGreaterThanOrEqual(finding.raisedAt.getTime());
    }
  });
});
