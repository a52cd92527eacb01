import { chainStart, dayOf, days, type EventOf, type RuleContext } from '../context.ts';
import type { FlagRule } from '../engine.ts';
import { additionalNeedsEvidence, openInvolvements } from './common.ts';

/** Identified needs or a social worker: attendance matters more, and a lower bar applies. */
function vulnerability(ctx: RuleContext, at: Date) {
  const needs = additionalNeedsEvidence(ctx, at);
  const open = openInvolvements(ctx, ctx.subjectId, at);
  const plan = ['child-protection', 'child-in-need', 'looked-after'].map((s) => open.get(s)).find((e) => e !== undefined);
  return { needs, plan, any: needs.length > 0 || plan !== undefined };
}

/**
 * Compulsory school age in England (Education Act 1996 s8): from the prescribed day (31 December, 31 March or
 * 31 August) on or after the fifth birthday, until the last Friday in June of the school year in which the child
 * turns 16 (taken here as 30 June).
 */
export function isCompulsorySchoolAge(birthDate: string | undefined, on: string): boolean {
  if (!birthDate) return false;
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  const fifth = `${y + 5}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const prescribed = [`${y + 5}-03-31`, `${y + 5}-08-31`, `${y + 5}-12-31`, `${y + 6}-03-31`].find((p) => p >= fifth) as string;
  const leaving = `${m <= 8 ? y + 16 : y + 17}-06-30`;
  return on >= prescribed && on <= leaving;
}

function share(e: EventOf<'attendance'>): number | undefined {
  return e.event.data.possible > 0 ? e.event.data.attended / e.event.data.possible : undefined;
}

/**
 * Attendance below the national "severely absent" line (under 50%) in two
 * returns in a row, or for a child with identified needs or a social worker
 * below the "persistently absent" line (under 90%); for a child under school
 * age, a nursery place attended less than half the time by a child with
 * identified needs.
 *
 * Version 2: one term under 50% alone no longer fires. About 2% of pupils in
 * England are severely absent in a year (DfE, Pupil absence in schools in
 * England, 2022/23), so a single term below the line, with nothing else
 * known, is for the school's attendance procedures, not a multi-agency flag;
 * the reviews' learning is about absence alongside identified needs or
 * neglect (004 learning point 9, 4.2.4), which the 90% line keeps. On the
 * synthetic county v1 flagged 1.5% of children in ordinary families.
 */
export const lowAttendance: FlagRule = {
  id: 'missing-education-attendance',
  version: 2,
  category: 'missing-education',
  title: 'Not brought to school or nursery',
  description:
    'School attendance under 50% (severely absent) in the latest two returns, or under 90% (persistently absent) in the latest for a child with additional needs, ' +
    'an EHC plan or a social worker; or the latest nursery attendance is under 50% for a child with identified additional needs.',
  learning: [
    { source: '004_a9f449d4e917b1ec.txt', where: 'learning point 9',
      quote: 'There should be respectful challenge with parents where children (under compulsory school age) with identified learning and communication needs who have educational provisions put in place and are not brought.' },
    { source: '004_a9f449d4e917b1ec.txt', where: '4.2.4', quote: 'The focus on compulsory school attendance seemed to be a barrier to practitioners fully considering neglect' },
    { source: '003_6127deaaf3600311.txt', where: 'recommendations', quote: 'awareness of safeguarding risks of low attendance' },
    { source: 'Department for Education, Working together to improve school attendance (2024)', where: 'persistent absence is missing 10% or more of sessions; severe absence is missing 50% or more (paraphrased)' },
    { source: 'Department for Education, Pupil absence in schools in England (2022/23)', where: 'about 2% of pupils severely absent (paraphrased): one term alone is too common to flag' },
  ],
  parameters: { severeBelow: 0.5, severeReturnsInARow: 2, persistentBelow: 0.9, nurseryBelow: 0.5, episodeGapDays: 200, reviewWithinWorkingDays: 5 },
  evaluate(ctx) {
    if (!ctx.isBornChild()) return [];
    const p = this.parameters;
    const returns = ctx.ofType('attendance', [ctx.subjectId]);
    const severe = (e: EventOf<'attendance'> | undefined) => e !== undefined && (share(e) ?? 1) < (p.severeBelow as number);
    const qualifies = (e: EventOf<'attendance'>): boolean => {
      const s = share(e);
      if (s === undefined) return false;
      const v = vulnerability(ctx, e.at);
      if (e.event.data.setting === 'school') {
        if (v.any && s < (p.persistentBelow as number)) return true;
        // Severe absence alone: this return and the ones before it from school, all under the line.
        const schoolReturns = returns.filter((r) => r.event.data.setting === 'school' && r.at.getTime() <= e.at.getTime());
        const run = schoolReturns.slice(-(p.severeReturnsInARow as number));
        return run.length === (p.severeReturnsInARow as number) && run.every(severe);
      }
      return v.needs.length > 0 && s < (p.nurseryBelow as number);
    };
    const latest = returns[returns.length - 1];
    if (!latest || !qualifies(latest)) return [];
    const low = returns.filter(qualifies);
    const start = chainStart(low, days(p.episodeGapDays as number));
    const v = vulnerability(ctx, latest.at);
    const pct = Math.round((share(latest) ?? 0) * 100);
    const setting = latest.event.data.setting;
    const needWords = v.plan ? ' This child has a social worker.' : v.needs.length > 0 ? ' This child has identified additional needs.' : '';
    return [{
      episode: start?.event.id ?? latest.event.id,
      evidence: [...v.needs.slice(-1), ...low.filter((e) => latest.at.getTime() - e.at.getTime() <= days(p.episodeGapDays as number))],
      explanation:
        `This child attended ${pct}% of ${setting} sessions from ${latest.event.data.from} to ${latest.event.data.to} ` +
        `(${latest.event.data.attended} of ${latest.event.data.possible}), recorded by ${ctx.agencyLabel(latest.agency.id)}.${needWords} ` +
        (setting === 'nursery'
          ? 'Attendance below school age cannot be enforced, but a child with identified needs who is not brought to the provision put in place is missing help they need: challenge this respectfully with the parents and tell the other services involved.'
          : 'Find out why with the family, involve the attendance service, and consider whether this is part of wider neglect.'),
    }];
  },
};

/**
 * A child missing education: recorded as missing education, off roll at
 * compulsory school age, or withdrawn to home education while they have an
 * EHC plan, additional needs or a social worker.
 */
export const missingFromEducation: FlagRule = {
  id: 'missing-education-status',
  version: 1,
  category: 'missing-education',
  title: 'Missing education',
  description:
    'The latest education status of a child is "missing education"; or "not on roll" for a child of compulsory school age; or ' +
    '"elective home education" for a child with an EHC plan, additional needs or a social worker.',
  learning: [
    { source: '001_56b13d4b1f00c0fb.txt', where: 'practice review, Child H', quote: 'Child H was not identified by any agency as a child' },
    { source: '004_a9f449d4e917b1ec.txt', where: 'timeline 2022', quote: 'Mother sent school transport away as she was now home schooling.' },
    { source: '003_6127deaaf3600311.txt', where: 'Somerset context', quote: 'CHILDREN MISSING OUT ON EDUCATION' },
    { source: 'Department for Education, Children missing education (2016) and Elective home education (2019)', where: 'local authorities must identify children of compulsory school age not registered at school; a child at a special school needs the authority’s consent to be removed for home education (paraphrased)' },
  ],
  parameters: { compulsorySchoolAge: 'Education Act 1996 s8: prescribed day after 5th birthday to June of the year 16', reviewWithinWorkingDays: 2 },
  evaluate(ctx) {
    if (!ctx.isBornChild()) return [];
    const statuses = ctx.ofType('education-status', [ctx.subjectId]);
    const latest = statuses[statuses.length - 1];
    if (!latest) return [];
    const status = latest.event.data.status;
    const compulsory = isCompulsorySchoolAge(ctx.subject.birthDate, dayOf(latest.at));
    const v = vulnerability(ctx, latest.at);
    let why: string | undefined;
    if (status === 'missing-education') why = 'is recorded as missing education';
    else if (status === 'not-on-roll' && compulsory) why = 'is of compulsory school age and not on a school roll';
    else if (status === 'elective-home-education' && v.any) {
      why = `has been withdrawn to home education while ${v.plan ? 'they have a social worker' : 'they have an EHC plan or identified additional needs'}`;
    }
    if (!why) return [];
    return [{
      episode: latest.event.id,
      evidence: [...v.needs.slice(-1), ...(v.plan ? [v.plan] : []), latest],
      explanation:
        `This child ${why} (${ctx.agencyLabel(latest.agency.id)}, ${dayOf(latest.at)}). Children out of education can be hidden from the ` +
        'people who would notice harm. Make sure the children missing education team knows, see the child, and check that the education ' +
        'offered meets their needs.',
    }];
  },
};
