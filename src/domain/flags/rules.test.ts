import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FLAG_CATEGORIES } from './categories.ts';
import { Family } from './family.test-helper.ts';
import { eventInstant } from './history.ts';
import { evaluateFlags, FLAG_CATALOGUE, flagCatalogue } from './index.ts';

const at = (s: string) => eventInstant(s);
const categoriesOf = (f: Family, person: string, when: string) => evaluateFlags(f.historyOf(person), at(when)).map((x) => x.category);
const rulesOf = (f: Family, person: string, when: string) => evaluateFlags(f.historyOf(person), at(when)).map((x) => x.ruleId);

function toddler() {
  return new Family().person('child', { birthDate: '2019-03-01' }).person('mum', { birthDate: '1990-01-01' })
    .person('dad', { birthDate: '1989-01-01' }).parentOf('mum', 'child').parentOf('dad', 'child').partners('mum', 'dad');
}

describe('was-not-brought', () => {
  it('a single WNB for a child on a neglect plan raises a flag', () => {
    const f = toddler();
    f.add('involvement-start', '2021-01-10', 'csc', ['child'], { service: 'child-protection', category: 'neglect', level: 4 });
    f.add('appointment', '2021-02-02', 'hospital', ['child'], { service: 'paediatrics', status: 'was-not-brought' });
    const flags = evaluateFlags(f.historyOf('child'), at('2021-02-02'));
    expect(flags.map((x) => x.ruleId)).toContain('wnb-child-on-plan');
    expect(flags.find((x) => x.ruleId === 'wnb-child-on-plan')?.explanation).toContain('child protection plan (neglect)');
  });

  it('the same single WNB once the plan has ended raises no flag', () => {
    const f = toddler();
    f.add('involvement-start', '2020-01-10', 'csc', ['child'], { service: 'child-protection', category: 'neglect', level: 4 });
    f.add('involvement-end', '2020-09-10', 'csc', ['child'], { service: 'child-protection', reason: 'stepped-down' });
    f.add('appointment', '2021-02-02', 'hospital', ['child'], { service: 'paediatrics', status: 'was-not-brought' });
    expect(categoriesOf(f, 'child', '2021-02-03')).not.toContain('was-not-brought');
  });

  it('three appointments not brought across two services, brought to under three in four, raise a pattern flag', () => {
    const f = toddler();
    f.add('appointment', '2021-01-05', 'hospital', ['child'], { service: 'paediatrics', status: 'attended' });
    f.add('appointment', '2021-02-05', 'community-health', ['child'], { service: 'speech-and-language', status: 'was-not-brought' });
    f.add('appointment', '2021-03-05', 'hospital', ['child'], { service: 'audiology', status: 'was-not-brought' });
    f.add('appointment', '2021-04-05', 'hospital', ['child'], { service: 'paediatrics', status: 'attended' });
    expect(rulesOf(f, 'child', '2021-04-06')).not.toContain('wnb-pattern');
    f.add('appointment', '2021-05-05', 'community-health', ['child'], { service: 'speech-and-language', status: 'was-not-brought' });
    const flag = evaluateFlags(f.historyOf('child'), at('2021-05-06')).find((x) => x.ruleId === 'wnb-pattern');
    expect(flag?.explanation).toContain('brought to 2 of 5 (40%)');
    expect(flag?.sources).toEqual(['community-health', 'hospital']);
  });

  it('three GP appointments not brought among many attended (over three in four) raise no pattern flag', () => {
    const f = toddler();
    for (let m = 1; m <= 12; m += 1) {
      f.add('appointment', `2021-${String(m).padStart(2, '0')}-10`, m % 2 ? 'gp' : 'hospital', ['child'],
        { service: m % 2 ? 'gp' : 'orthoptics', status: m === 3 || m === 6 || m === 9 ? 'was-not-brought' : 'attended' });
    }
    expect(categoriesOf(f, 'child', '2021-12-31')).not.toContain('was-not-brought');
  });

  it('two appointments not brought within six months for a child with an EHC plan raise a flag', () => {
    const f = toddler();
    f.add('involvement-start', '2021-01-01', 'school', ['child'], { service: 'ehcp' });
    f.add('appointment', '2021-02-05', 'community-health', ['child'], { service: 'physiotherapy', status: 'was-not-brought' });
    f.add('appointment', '2021-05-05', 'community-health', ['child'], { service: 'physiotherapy', status: 'was-not-brought' });
    expect(rulesOf(f, 'child', '2021-05-06')).toContain('wnb-additional-needs');
  });
});

describe('unscheduled care and infant injury', () => {
  it('a bruise on a ten-week-old baby raises an infant-injury flag whatever the explanation', () => {
    const f = new Family().person('baby', { birthDate: '2021-01-01' });
    f.add('unscheduled-care', '2021-03-12T10:00:00Z', 'hospital', ['baby'], { setting: 'ed', reason: 'injury', injury: { type: 'bruise', site: 'cheek' } });
    const flag = evaluateFlags(f.historyOf('baby'), at('2021-03-12T12:00:00Z')).find((x) => x.category === 'infant-injury');
    expect(flag?.explanation).toContain('aged 10 weeks');
  });

  it('the same bruise on a nine-month-old raises no infant-injury flag', () => {
    const f = new Family().person('baby', { birthDate: '2021-01-01' });
    f.add('unscheduled-care', '2021-10-01T10:00:00Z', 'hospital', ['baby'], { setting: 'ed', reason: 'injury', injury: { type: 'bruise', site: 'cheek' } });
    expect(categoriesOf(f, 'baby', '2021-10-02')).toEqual([]);
  });

  it('a fall and a suspected ingestion four months apart in a two-year-old raise an unscheduled-care flag', () => {
    const f = toddler();
    f.add('unscheduled-care', '2021-06-01T10:00:00Z', 'hospital', ['child'], { setting: 'ed', reason: 'injury' });
    f.add('unscheduled-care', '2021-10-01T10:00:00Z', 'hospital', ['child'], { setting: 'ed', reason: 'ingestion' });
    expect(rulesOf(f, 'child', '2021-10-01T12:00:00Z')).toContain('unscheduled-repeat-injury');
  });

  it('an ambulance and the emergency department on the same day count as one attendance', () => {
    const f = toddler();
    f.add('unscheduled-care', '2021-06-01T10:00:00Z', 'hospital', ['child'], { setting: 'ambulance', reason: 'injury' });
    f.add('unscheduled-care', '2021-06-01T11:00:00Z', 'hospital', ['child'], { setting: 'ed', reason: 'injury' });
    expect(categoriesOf(f, 'child', '2021-06-02')).not.toContain('unscheduled-care');
  });
});

describe('unborn-baby-risk', () => {
  function pregnancy(babies = 1) {
    const f = new Family().person('unborn', { kind: 'unborn', expectedDate: '2022-03-01' }).person('mum', { birthDate: '1995-01-01' })
      .person('partner', { birthDate: '1994-01-01' }).parentOf('mum', 'unborn').partners('mum', 'partner');
    f.add('pregnancy', '2021-08-10', 'maternity', ['mum', 'unborn'], { expectedDate: '2022-03-01', gestationWeeks: 10, babies });
    return f;
  }

  it('previous children removed from the mother alone raises the flag at booking', () => {
    const f = pregnancy();
    f.add('attribute', '2015-01-01', 'away-csc', ['mum'], { attribute: 'previous-children-removed', count: 1 });
    expect(categoriesOf(f, 'unborn', '2021-08-10')).toContain('unborn-baby-risk');
  });

  it('a mother’s mental ill health alone raises no unborn flag', () => {
    const f = pregnancy();
    f.add('attribute', '2021-08-10', 'maternity', ['mum'], { attribute: 'mental-health' });
    expect(categoriesOf(f, 'unborn', '2021-08-11')).not.toContain('unborn-baby-risk');
  });

  it('mental ill health with a partner’s learning disability raises the flag', () => {
    const f = pregnancy();
    f.add('attribute', '2021-08-10', 'maternity', ['mum'], { attribute: 'mental-health' });
    f.add('attribute', '2021-08-10', 'maternity', ['partner'], { attribute: 'learning-disability' });
    expect(categoriesOf(f, 'unborn', '2021-08-11')).toContain('unborn-baby-risk');
  });

  it('twins alone raise no flag, but twins with one risk factor do', () => {
    const f = pregnancy(2);
    expect(categoriesOf(f, 'unborn', '2021-08-11')).not.toContain('unborn-baby-risk');
    f.add('attribute', '2021-08-10', 'maternity', ['mum'], { attribute: 'substance-misuse' });
    expect(categoriesOf(f, 'unborn', '2021-08-11')).toContain('unborn-baby-risk');
  });

  it('a care-experienced mother of nineteen raises the flag', () => {
    const f = pregnancy();
    f.person('mum', { birthDate: '2002-06-01' });
    f.add('attribute', '2021-08-10', 'maternity', ['mum'], { attribute: 'care-experienced' });
    expect(categoriesOf(f, 'unborn', '2021-08-11')).toContain('unborn-baby-risk');
  });
});

describe('prior-history, repeat-referral and new-to-area', () => {
  it('a contact about a child whose brother was on a child protection plan in another area surfaces that history', () => {
    const f = toddler().person('brother', { birthDate: '2014-01-01' }).parentOf('mum', 'brother');
    f.add('involvement-start', '2015-05-01', 'away-csc', ['brother'], { service: 'child-protection', category: 'physical', level: 4 });
    f.add('contact', '2021-06-01T09:00:00Z', 'front-door', ['child'], { to: 'front-door', reason: 'Neighbour worried' });
    const flag = evaluateFlags(f.historyOf('child'), at('2021-06-01T10:00:00Z')).find((x) => x.category === 'prior-history');
    expect(flag?.explanation).toContain('a child protection plan for physical for a brother or sister (2015)');
    expect(flag?.explanation).toContain('another area');
  });

  it('a contact about a child with no history raises no prior-history flag', () => {
    const f = toddler();
    f.add('contact', '2021-06-01T09:00:00Z', 'front-door', ['child'], { to: 'front-door', reason: 'Neighbour worried' });
    expect(categoriesOf(f, 'child', '2021-06-01T10:00:00Z')).not.toContain('prior-history');
  });

  it('a second referral within twelve months raises a repeat-referral flag; one after thirteen months does not', () => {
    const f = toddler();
    const first = f.add('referral', '2020-01-06T09:00:00Z', 'school', ['child'], { to: 'front-door', reason: 'Hungry' });
    f.add('decision', '2020-01-06T15:00:00Z', 'front-door', ['child'], { on: first, level: 1, outcome: 'universal' });
    f.add('referral', '2021-02-08T09:00:00Z', 'school', ['child'], { to: 'front-door', reason: 'Hungry again' });
    expect(categoriesOf(f, 'child', '2021-02-08T10:00:00Z')).not.toContain('repeat-referral');
    f.add('referral', '2021-03-08T09:00:00Z', 'police', ['child'], { to: 'front-door', reason: 'Concern for welfare' });
    expect(categoriesOf(f, 'child', '2021-03-08T10:00:00Z')).toContain('repeat-referral');
  });

  it('a referral between health services is not a safeguarding referral and raises nothing', () => {
    const f = toddler();
    f.add('referral', '2021-02-08T09:00:00Z', 'hv', ['child'], { to: 'community-health', reason: 'Speech delay' });
    f.add('referral', '2021-03-08T09:00:00Z', 'hv', ['child'], { to: 'community-health', reason: 'Motor delay' });
    expect(categoriesOf(f, 'child', '2021-03-20')).toEqual([]);
  });

  it('a move into the area with a child in need plan elsewhere raises one new-to-area flag, however many agencies record the move', () => {
    const f = toddler();
    f.add('involvement-start', '2020-02-01', 'away-csc', ['child'], { service: 'child-in-need', level: 4 });
    f.add('move', '2021-01-15', 'housing', ['child', 'mum'], { address: { town: 'Stoke' }, authority: 'E06000021', fromAuthority: 'E10000028' });
    f.add('move', '2021-02-01', 'gp', ['child', 'mum'], { address: { town: 'Stoke' }, authority: 'E06000021', fromAuthority: 'E10000028' });
    const early = evaluateFlags(f.historyOf('child'), at('2021-01-16')).filter((x) => x.category === 'new-to-area');
    const later = evaluateFlags(f.historyOf('child'), at('2021-02-02')).filter((x) => x.category === 'new-to-area');
    expect(early).toHaveLength(1);
    expect(later.map((x) => x.key)).toEqual(early.map((x) => x.key));
  });
});

describe('household-adult-risk', () => {
  it('a parent’s learning disability with the other parent’s mental ill health raises a flag about the child', () => {
    const f = toddler();
    f.add('attribute', '2021-01-01', 'amh', ['mum'], { attribute: 'mental-health' });
    expect(categoriesOf(f, 'child', '2021-01-02')).not.toContain('household-adult-risk');
    f.add('attribute', '2021-02-01', 'gp', ['dad'], { attribute: 'learning-disability' });
    expect(categoriesOf(f, 'child', '2021-02-02')).toContain('household-adult-risk');
    expect(categoriesOf(f, 'mum', '2021-02-02')).toEqual([]);
  });

  it('repeated domestic abuse incidents the police attended link to the children in the household; one alone does not', () => {
    const f = toddler();
    f.add('police-incident', '2021-03-03T22:00:00Z', 'police', ['mum', 'dad'], { category: 'domestic-abuse', childrenPresent: true });
    expect(rulesOf(f, 'child', '2021-03-04')).not.toContain('household-domestic-abuse-incident');
    f.add('police-incident', '2021-09-20T23:00:00Z', 'police', ['mum', 'dad'], { category: 'domestic-abuse', childrenPresent: true });
    expect(rulesOf(f, 'child', '2021-09-21')).toContain('household-domestic-abuse-incident');
    expect(rulesOf(f, 'child', '2022-09-21')).not.toContain('household-domestic-abuse-incident');
  });

  it('a MARAC about the household raises the flag on its own', () => {
    const f = toddler();
    f.add('meeting', '2021-03-10', 'police', ['mum'], { kind: 'marac' });
    expect(rulesOf(f, 'child', '2021-03-11')).toContain('household-domestic-abuse-incident');
  });

  it('a parent’s new partner recorded as a risk to children raises a flag', () => {
    const f = new Family().person('child', { birthDate: '2018-01-01' }).person('mum', { birthDate: '1990-01-01' })
      .person('partner', { birthDate: '1980-01-01' }).parentOf('mum', 'child').partners('mum', 'partner');
    f.add('attribute', '2021-03-03', 'away-police', ['partner'], { attribute: 'risk-to-children' });
    expect(rulesOf(f, 'child', '2021-03-04')).toContain('household-risk-to-children');
  });
});

describe('cumulative-concern and disengagement', () => {
  it('concerns from school, the police and the hospital within a year add up to a flag', () => {
    const f = toddler();
    f.add('concern', '2021-01-10', 'nursery', ['child'], { detail: 'Often hungry', severity: 'low' });
    f.add('unscheduled-care', '2021-03-10T10:00:00Z', 'hospital', ['child'], { setting: 'ed', reason: 'injury' });
    f.add('police-incident', '2021-05-10T22:00:00Z', 'police', ['mum'], { category: 'concern-for-welfare' });
    expect(categoriesOf(f, 'child', '2021-05-11')).not.toContain('cumulative-concern');
    f.add('appointment', '2021-06-10', 'community-health', ['child'], { service: 'speech-and-language', status: 'was-not-brought' });
    expect(categoriesOf(f, 'child', '2021-06-11')).toContain('cumulative-concern');
  });

  it('early help closed for non-engagement raises a disengagement flag', () => {
    const f = toddler();
    f.add('involvement-start', '2021-01-10', 'early-help', ['child'], { service: 'early-help', level: 3 });
    f.add('involvement-end', '2021-03-10', 'early-help', ['child'], { service: 'early-help', reason: 'non-engagement' });
    expect(categoriesOf(f, 'child', '2021-03-11')).toContain('disengagement');
  });

  it('early help stepped down while a parent disengages from mental health support and appointments are missed raises a flag', () => {
    const f = toddler();
    f.add('involvement-start', '2021-01-10', 'early-help', ['child'], { service: 'early-help', level: 3 });
    f.add('involvement-end', '2021-02-10', 'amh', ['mum'], { service: 'talking-therapies', reason: 'non-engagement' });
    f.add('appointment', '2021-02-20', 'community-health', ['child'], { service: 'speech-and-language', status: 'was-not-brought' });
    f.add('appointment', '2021-03-02', 'community-health', ['child'], { service: 'speech-and-language', status: 'cancelled-by-family' });
    f.add('involvement-end', '2021-04-10', 'early-help', ['child'], { service: 'early-help', reason: 'stepped-down' });
    const flag = evaluateFlags(f.historyOf('child'), at('2021-04-11')).find((x) => x.ruleId === 'closure-with-concerns');
    expect(flag?.explanation).toContain('a parent not engaging with their own support');
  });
});

describe('missing-education', () => {
  it('a school child attending under half their sessions two terms running raises a flag; one term alone does not', () => {
    const f = new Family().person('child', { birthDate: '2012-01-01' });
    f.add('attendance', '2021-12-17', 'school', ['child'], { setting: 'school', from: '2021-09-02', to: '2021-12-17', possible: 140, attended: 63 });
    expect(categoriesOf(f, 'child', '2021-12-18')).not.toContain('missing-education');
    f.add('attendance', '2022-03-31', 'school', ['child'], { setting: 'school', from: '2022-01-04', to: '2022-03-31', possible: 118, attended: 50 });
    expect(categoriesOf(f, 'child', '2022-04-01')).toContain('missing-education');
  });

  it('a school child attending 45% of sessions with a social worker raises a flag at once', () => {
    const f = new Family().person('child', { birthDate: '2012-01-01' });
    f.add('involvement-start', '2021-06-01', 'csc', ['child'], { service: 'child-in-need' });
    f.add('attendance', '2021-12-17', 'school', ['child'], { setting: 'school', from: '2021-09-02', to: '2021-12-17', possible: 140, attended: 63 });
    expect(categoriesOf(f, 'child', '2021-12-18')).toContain('missing-education');
  });

  it('85% attendance raises a flag only for a child with an EHC plan', () => {
    const f = new Family().person('child', { birthDate: '2012-01-01' });
    f.add('attendance', '2021-12-17', 'school', ['child'], { setting: 'school', from: '2021-09-02', to: '2021-12-17', possible: 140, attended: 119 });
    expect(categoriesOf(f, 'child', '2021-12-18')).not.toContain('missing-education');
    f.add('involvement-start', '2021-01-01', 'school', ['child'], { service: 'ehcp' });
    expect(categoriesOf(f, 'child', '2021-12-18')).toContain('missing-education');
  });

  it('withdrawal to home education of a child with an EHC plan raises a flag', () => {
    const f = new Family().person('child', { birthDate: '2016-01-01' });
    f.add('involvement-start', '2021-01-01', 'school', ['child'], { service: 'ehcp' });
    f.add('education-status', '2022-11-08', 'school', ['child'], { status: 'elective-home-education' });
    expect(rulesOf(f, 'child', '2022-11-09')).toContain('missing-education-status');
  });
});

describe('decision-overdue', () => {
  it('a referral received on the Friday before a bank holiday is overdue only after the end of Tuesday', () => {
    const f = toddler();
    f.add('referral', '2021-05-28T16:00:00+01:00', 'school', ['child'], { to: 'front-door', reason: 'Bruise' });
    expect(categoriesOf(f, 'child', '2021-06-01T23:30:00+01:00')).not.toContain('decision-overdue');
    const flags = evaluateFlags(f.historyOf('child'), at('2021-06-02T00:30:00+01:00')).filter((x) => x.category === 'decision-overdue');
    expect(flags).toHaveLength(1);
    expect(flags[0]?.raisedAt.toISOString()).toBe('2021-06-01T23:00:00.000Z');
  });

  it('a referral decided the next working day is never overdue', () => {
    const f = toddler();
    const r = f.add('referral', '2021-05-28T16:00:00+01:00', 'school', ['child'], { to: 'front-door', reason: 'Bruise' });
    f.add('decision', '2021-06-01T10:00:00+01:00', 'front-door', ['child'], { on: r, level: 2, outcome: 'early-help' });
    expect(categoriesOf(f, 'child', '2021-07-01')).not.toContain('decision-overdue');
  });
});

describe('the engine', () => {
  it('never looks at events after the clock', () => {
    const f = new Family().person('baby', { birthDate: '2021-01-01' });
    f.add('unscheduled-care', '2021-03-12T10:00:00Z', 'hospital', ['baby'], { setting: 'ed', reason: 'injury' });
    expect(evaluateFlags(f.historyOf('baby'), at('2021-03-12T09:59:59Z'))).toEqual([]);
    expect(evaluateFlags(f.historyOf('baby'), at('2021-03-12T10:00:00Z'))).toHaveLength(1);
  });

  it('gives the same findings for the same history and clock, whatever order the events come in', () => {
    const f = toddler();
    f.add('attribute', '2021-01-01', 'amh', ['mum'], { attribute: 'mental-health' });
    f.add('attribute', '2021-02-01', 'gp', ['dad'], { attribute: 'substance-misuse' });
    f.add('police-incident', '2021-03-03T22:00:00Z', 'police', ['mum', 'dad'], { category: 'domestic-abuse' });
    const h = f.historyOf('child');
    const reversed = { ...h, events: [...h.events].reverse() };
    expect(evaluateFlags(reversed, at('2021-04-01'))).toEqual(evaluateFlags(h, at('2021-04-01')));
  });

  it('keeps an open flag’s key while the pattern continues and evidence grows', () => {
    const f = toddler();
    f.add('involvement-start', '2021-01-01', 'school', ['child'], { service: 'ehcp' });
    f.add('appointment', '2021-02-05', 'community-health', ['child'], { service: 'physiotherapy', status: 'was-not-brought' });
    f.add('appointment', '2021-03-05', 'community-health', ['child'], { service: 'physiotherapy', status: 'was-not-brought' });
    const first = evaluateFlags(f.historyOf('child'), at('2021-03-06')).find((x) => x.ruleId === 'wnb-additional-needs');
    f.add('appointment', '2021-04-05', 'hospital', ['child'], { service: 'audiology', status: 'was-not-brought' });
    const again = evaluateFlags(f.historyOf('child'), at('2021-04-06')).find((x) => x.ruleId === 'wnb-additional-needs');
    expect(again?.key).toBe(first?.key);
    expect(again?.evidence.length).toBeGreaterThan(first?.evidence.length ?? 0);
  });

  it('has at least one rule for every flag category, and no rule outside them', () => {
    const covered = new Set(FLAG_CATALOGUE.map((r) => r.category));
    expect([...covered].sort()).toEqual([...FLAG_CATEGORIES].sort());
  });

  it('gives every rule a unique id, a description, parameters with a review time, and a citation of the seed documents', () => {
    const entries = flagCatalogue();
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
    for (const e of entries) {
      expect(e.description.length, e.id).toBeGreaterThan(40);
      expect(e.parameters.reviewWithinWorkingDays, e.id).toBeTypeOf('number');
      expect(e.learning.some((c) => c.source.endsWith('.txt')), e.id).toBe(true);
    }
  });

  const seeds = path.resolve(import.meta.dirname, '../../../../shared/seeds');
  it.skipIf(!fs.existsSync(seeds))('quotes the seed documents word for word (skipped: no ../shared)', () => {
    const norm = (s: string) => s.replace(/[‘’]/g, "'").replace(/[“”]/g, '"').replace(/\s+/g, ' ').toLowerCase();
    const texts = new Map(fs.readdirSync(seeds).map((n) => [n, norm(fs.readFileSync(path.join(seeds, n), 'utf8'))]));
    const missing: string[] = [];
    for (const rule of FLAG_CATALOGUE) {
      for (const c of rule.learning) {
        if (!c.quote || !c.source.endsWith('.txt')) continue;
        for (const part of c.quote.split(' ... ')) {
          if (!texts.get(c.source)?.includes(norm(part))) missing.push(`${rule.id}: ${c.source} "${part}"`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('compulsory school age', () => {
  it('starts on the prescribed day after the fifth birthday and ends in the June of the school year the child turns 16', async () => {
    const { isCompulsorySchoolAge } = await import('./rules/education.ts');
    expect(isCompulsorySchoolAge('2017-07-09', '2022-07-22')).toBe(false);
    expect(isCompulsorySchoolAge('2017-07-09', '2022-09-05')).toBe(true);
    expect(isCompulsorySchoolAge('2017-12-31', '2022-12-31')).toBe(true);
    expect(isCompulsorySchoolAge('2006-10-01', '2023-06-30')).toBe(true);
    expect(isCompulsorySchoolAge('2006-10-01', '2023-07-01')).toBe(false);
  });
});

describe('involvements', () => {
  it('a plan transferred between authorities ends when the first authority closes it, so a later missed appointment is not "on a plan"', () => {
    const f = toddler();
    f.add('involvement-start', '2018-01-18', 'away-csc', ['child'], { service: 'child-in-need', level: 4 });
    f.add('involvement-start', '2018-09-05', 'csc', ['child'], { service: 'child-in-need', level: 4 });
    f.add('involvement-end', '2018-10-16', 'csc', ['child'], { service: 'child-in-need', reason: 'moved' });
    f.add('appointment', '2018-12-05', 'hospital', ['child'], { service: 'paediatrics', status: 'was-not-brought' });
    expect(rulesOf(f, 'child', '2018-12-06')).toContain('wnb-child-on-plan');
    f.add('involvement-end', '2019-02-21', 'away-csc', ['child'], { service: 'child-in-need', reason: 'most-needs-met' });
    f.add('appointment', '2019-09-17', 'hospital', ['child'], { service: 'paediatrics', status: 'was-not-brought' });
    expect(rulesOf(f, 'child', '2019-09-18')).not.toContain('wnb-child-on-plan');
  });
});
