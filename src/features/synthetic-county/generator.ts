import type { Agency, AgencyEvent } from '../../domain/events/vocabulary.ts';
import { buildAgencies, ELSEWHERE_AUTHORITY, HOME_AUTHORITY, NEIGHBOUR_AUTHORITY, type CountyAgencies, type CountyAgency } from './agencies.ts';
import { academicYearStart, ageYears, dayFromYmd, dayOf, isoDay, ymd } from './calendar.ts';
import { buildChildBFamily } from './child-b-family.ts';
import { CountyCounters, HouseholdBuilder, type CountyChunk, type FamilyGroup, type Person, type Place } from './household.ts';
import {
  GIVEN_FEMALE_ADULT, GIVEN_FEMALE_CHILD, GIVEN_MALE_ADULT, GIVEN_MALE_CHILD, MARLSHIRE_TOWNS, POSTCODE_INWARD_LETTERS,
  STREET_KINDS, STREET_STEMS, SURNAMES, WREKINFORD_TOWNS,
} from './names.ts';
import * as R from './rates.ts';
import { hashString, Rng } from './rng.ts';

export type { CountyChunk, TruthRow, FamilyGroup } from './household.ts';
export type { GrowingNeedsPattern } from './rates.ts';

export interface CountyOptions {
  /** Children (under 18) in the county's households when each first appears. */
  children: number;
  /** Years of events, ending on `end`. */
  years: number;
  /** Any number or text: the same seed gives the same county. */
  seed: number | string;
  /** Last day of the window (default 2025-03-31, the end of a reporting year). */
  end?: string;
  /** Include the family that follows the Child B review (004). Default true. */
  childB?: boolean;
}

export interface County {
  seed: number;
  window: { start: string; end: string };
  home: { authority: string; name: string };
  neighbour: { authority: string; name: string };
  /** Every agency, up front. */
  agencies: Agency[];
  /** The county, one household at a time: never all in memory. */
  households(): Generator<CountyChunk>;
}

/** Context shared by every household of one county. */
export interface CountyContext {
  seed: number;
  start: number;
  end: number;
  agencies: CountyAgencies;
  counters: CountyCounters;
}

const DEFAULT_END = '2025-03-31';
/** Households here are families, whose mothers are older than all women: scaling the ASFRs keeps the child population about steady (births about 4.8 per 100 children a year, as in England: ONS Births 2023 and mid-year estimates). */
const BIRTH_CALIBRATION = 2.1;

export function seedNumber(seed: number | string): number {
  return typeof seed === 'number' && Number.isInteger(seed) ? seed >>> 0 : hashString(String(seed));
}

/** Build the synthetic county of Marlshire: agencies now, households on demand. */
export function createCounty(options: CountyOptions): County {
  if (!(options.children >= 1)) throw new Error('children must be at least 1');
  if (!(options.years > 0 && options.years <= 30)) throw new Error('years must be between 0 and 30');
  const seed = seedNumber(options.seed);
  const end = dayOf(options.end ?? DEFAULT_END);
  const endYmd = ymd(end);
  const start = dayFromYmd(endYmd.y - Math.floor(options.years), endYmd.m, endYmd.d) + 1 - Math.round((options.years % 1) * 365.25);
  const agencies = buildAgencies(options.children, new Rng(seed, 0xa6e));
  const ctx: CountyContext = { seed, start, end, agencies, counters: new CountyCounters(seed) };
  const childB = options.childB ?? true;
  const target = options.children;
  return {
    seed,
    window: { start: isoDay(start), end: isoDay(end) },
    home: { authority: HOME_AUTHORITY.code, name: HOME_AUTHORITY.name },
    neighbour: { authority: NEIGHBOUR_AUTHORITY.code, name: NEIGHBOUR_AUTHORITY.name },
    agencies: agencies.all.map((a) => a.agency),
    *households() {
      const c: CountyContext = { ...ctx, counters: new CountyCounters(seed) };
      let children = 0;
      let index = 0;
      let expecting = 0;
      const expectingPerChild = R.FIRST_BIRTH_SHARE * 0.048 * (end - start) / 365.25;
      while (children < target) {
        if (childB && index === 2) {
          const chunk = buildChildBFamily(c, `H${++index}`, new Rng(seed, index, 0xb));
          children += chunk.stats.childrenAtStart;
          yield chunk;
          continue;
        }
        index++;
        const chunk = simulateHousehold(c, `H${index}`, new Rng(seed, index), 'with-children');
        children += chunk.stats.childrenAtStart;
        yield chunk;
        while (expecting < children * expectingPerChild) {
          expecting++;
          index++;
          yield simulateHousehold(c, `H${index}`, new Rng(seed, index), 'expecting');
        }
      }
    },
  };
}

/** The demonstration county: about 3,000 children over five years, with the Child B family. */
export function generateDemoCounty(options: { children?: number; years?: number; seed?: number | string } = {}): County {
  return createCounty({ children: options.children ?? 3000, years: options.years ?? 5, seed: options.seed ?? 'marlshire-demo', childB: true });
}

// ------------------------------------------------------------------ places

export function makePlace(rng: Rng, authority: string, from: number, tenure: Tenure, townName?: string): Place {
  const towns = authority === HOME_AUTHORITY.code ? MARLSHIRE_TOWNS : WREKINFORD_TOWNS;
  const area = authority === HOME_AUTHORITY.code ? 'MR' : authority === NEIGHBOUR_AUTHORITY.code ? 'WK' : rng.pick(['SY', 'TF', 'ST', 'WV', 'DY', 'B']);
  const town = townName ? (towns.find((t) => t.name === townName) ?? towns[0]) : towns[pickTownIndex(rng, towns)];
  const district = rng.pick(town?.districts ?? [1]);
  const L = POSTCODE_INWARD_LETTERS;
  const postcode = `${area}${district} ${rng.int(1, 9)}${L[rng.int(0, L.length - 1)]}${L[rng.int(0, L.length - 1)]}`;
  const street = `${rng.pick(STREET_STEMS)} ${rng.pick(STREET_KINDS)}`;
  const flat = tenure !== 'owner' && rng.chance(tenure === 'social' ? 0.35 : 0.3);
  const lines = flat ? [`Flat ${rng.int(1, 24)}`, `${rng.int(1, 180)} ${street}`] : [`${rng.int(1, 220)} ${street}`];
  const townLabel = area === 'MR' || area === 'WK' ? (town?.name ?? 'Marlbury') : rng.pick(['Shrewsbury', 'Telford', 'Wolverhampton', 'Stafford', 'Dudley']);
  return { address: { lines, town: townLabel, postcode }, authority, from };
}

function pickTownIndex(rng: Rng, towns: readonly { weight: number }[]): number {
  let total = 0;
  for (const t of towns) total += t.weight;
  let r = rng.next() * total;
  for (let i = 0; i < towns.length; i++) {
    r -= (towns[i] as { weight: number }).weight;
    if (r < 0) return i;
  }
  return towns.length - 1;
}

// ------------------------------------------------------------------ households

type Tenure = 'owner' | 'social' | 'private';

/** Everything the life simulation needs about a household beyond the builder. */
export interface Sim {
  h: HouseholdBuilder;
  rng: Rng;
  ctx: CountyContext;
  inDay: number;
  outDay: number;
  tenure: Tenure;
  /** GP practice per person index (parents may differ). */
  gp: (CountyAgency | null)[];
  mods: Mods;
  /** Open statutory / early help intervals per child index, for the census stats. */
  statuses: { person: number; kind: 'earlyHelp' | 'cin' | 'cp' | 'cla'; from: number; to: number }[];
}

interface Mods {
  childMissed: number; // multiplier on missed appointments for children
  adultMissed: number;
  childEd: number;
  injuryShare: number; // extra weight on injury and ingestion
  absence: number; // mean school absence
  nurseryAttendance: number;
  nurseryTwoYearOld: number;
  police: number;
}

const ORDINARY_MODS: Mods = { childMissed: 1, adultMissed: 1, childEd: 1, injuryShare: 0, absence: R.SCHOOL_OVERALL_ABSENCE, nurseryAttendance: R.NURSERY_ATTENDANCE_MEAN, nurseryTwoYearOld: R.NURSERY_TAKE_UP.twoYearOlds, police: 1 };

function modsFor(pattern: R.GrowingNeedsPattern | undefined): Mods {
  if (!pattern) return ORDINARY_MODS;
  const base: Mods = { childMissed: 2, adultMissed: 2, childEd: 1.4, injuryShare: 0.1, absence: 0.12, nurseryAttendance: 0.72, nurseryTwoYearOld: 0.6, police: 2 };
  switch (pattern) {
    case 'was-not-brought': return { ...base, childMissed: 6, nurseryAttendance: 0.55, absence: 0.16 };
    case 'repeated-ed': return { ...base, childEd: 4, injuryShare: 0.5 };
    case 'early-help-closed-needs-unmet': return { ...base, childMissed: 3, absence: 0.15 };
    case 'domestic-abuse': return { ...base, police: 3 };
    case 'child-b-004': return { ...base, childMissed: 8, nurseryAttendance: 0.3 };
    case 'parental-mental-health':
    case 'substance-misuse':
    case 'parental-learning-disability':
    case 'cross-boundary':
    case 'previous-children-removed':
      return base;
  }
}

function pickGiven(rng: Rng, sex: 'female' | 'male', birth: number, end: number): string[] {
  const child = ageYears(birth, end) < 25;
  const list = sex === 'female' ? (child ? GIVEN_FEMALE_CHILD : GIVEN_FEMALE_ADULT) : child ? GIVEN_MALE_CHILD : GIVEN_MALE_ADULT;
  const first = rng.pick(list);
  const r = rng.next();
  if (r < 0.25) return [first];
  let middle = rng.pick(sex === 'female' ? GIVEN_FEMALE_ADULT : GIVEN_MALE_ADULT);
  if (middle === first) middle = rng.pick(list);
  if (r > 0.93) return [first, middle, rng.pick(list)];
  return [first, middle];
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Simulate one household's ten years (or however many) and hand it over as a chunk. */
export function simulateHousehold(ctx: CountyContext, key: string, rng: Rng, kind: 'with-children' | 'expecting'): CountyChunk {
  const { start, end } = ctx;
  const growing = rng.chance(R.GROWING_NEEDS_SHARE * (kind === 'expecting' ? 0.6 : 1));
  let pattern: R.GrowingNeedsPattern | undefined = growing ? rng.weighted(R.GROWING_NEEDS_PATTERNS) : undefined;
  if (kind === 'expecting' && pattern === 'was-not-brought') pattern = 'previous-children-removed';
  if (kind === 'with-children' && pattern === 'previous-children-removed') pattern = 'parental-learning-disability';
  const group: FamilyGroup = growing ? 'growing-needs' : 'ordinary';
  const h = new HouseholdBuilder(key, rng, ctx.counters, group, pattern);
  const tenure: Tenure = rng.weighted(growing ? { owner: 25, social: 40, private: 35 } : R.TENURE);

  // When the household is in the county.
  let inDay = start;
  const arrives = pattern === 'cross-boundary' || rng.chance(0.08);
  if (arrives) inDay = start + rng.int(30, Math.max(31, end - start - 60));
  const sim: Sim = { h, rng, ctx, inDay, outDay: end + 1, tenure, gp: [], mods: modsFor(pattern), statuses: [] };

  // Who lives here.
  const familyType = kind === 'expecting' ? (rng.chance(0.75) ? 'couple' : 'loneParent') : pickFamilyType(rng);
  const kinship = kind === 'with-children' && rng.chance(R.KINSHIP_CARE_SHARE);
  let nChildren = 0;
  if (kind === 'with-children') {
    const k = rng.weighted(R.CHILDREN_PER_FAMILY);
    nChildren = k === 'one' ? 1 : k === 'two' ? 2 : k === 'three' ? 3 : rng.int(4, 6);
  }
  const oldestAge = nChildren ? rng.next() * 18 : 0;
  const childBirths: number[] = [];
  let b = inDay - Math.floor(oldestAge * 365.25);
  for (let i = 0; i < nChildren; i++) {
    if (b > inDay) break;
    childBirths.push(b);
    if (rng.chance(R.MULTIPLE_MATERNITY_RATE) && i + 1 < nChildren) {
      childBirths.push(b);
      i++;
    }
    b += Math.round((1.3 + rng.next() * 4) * 365.25);
  }
  const ageAtFirst = clamp(R.MEAN_AGE_FIRST_BIRTH - (growing ? 4 : 0) + rng.normal() * 5.5, 16, 43);
  const firstBirth = childBirths[0] ?? inDay + rng.int(0, Math.max(0, end - inDay - 300));
  const motherBirth = firstBirth - Math.round(ageAtFirst * 365.25) - rng.int(0, 364);
  const familyName = rng.pick(SURNAMES);
  const married = familyType === 'married';
  const loneFather = familyType === 'loneParent' && !rng.chance(R.LONE_PARENT_MOTHER_SHARE);
  const stepfamily = (familyType === 'married' || familyType === 'cohabiting') && rng.chance(R.STEPFAMILY_SHARE_OF_COUPLES);

  let mother: Person | undefined;
  let father: Person | undefined;
  let carers: Person[] = [];
  const fatherFamily = married || familyType === 'cohabiting' || loneFather ? familyName : rng.pick(SURNAMES);
  const motherMaiden = married ? rng.pick(SURNAMES) : familyName;
  if (kinship) {
    const gmBirth = motherBirth - Math.round((24 + rng.next() * 8) * 365.25);
    const gm = h.addPerson({ sex: 'female', given: pickGiven(rng, 'female', gmBirth, end), family: familyName, birth: gmBirth, role: 'grandparent', joined: -Infinity, left: Infinity });
    carers = [gm];
    if (rng.chance(0.6)) {
      const gfBirth = gmBirth - rng.int(0, 6 * 365);
      carers.push(h.addPerson({ sex: 'male', given: pickGiven(rng, 'male', gfBirth, end), family: familyName, birth: gfBirth, role: 'grandparent', joined: -Infinity, left: Infinity }));
      h.relate(gm, carers[1] as Person, 'partner-of');
    }
  } else {
    if (!loneFather) {
      mother = h.addPerson({
        sex: 'female', given: pickGiven(rng, 'female', motherBirth, end),
        family: married && rng.chance(0.85) ? familyName : motherMaiden,
        ...(married ? { otherFamily: motherMaiden } : {}),
        birth: motherBirth, role: 'mother', joined: -Infinity, left: Infinity,
      });
    }
    if (familyType !== 'loneParent' || loneFather) {
      const fb = motherBirth - Math.round((2.5 + rng.normal() * 3.5) * 365.25);
      father = h.addPerson({ sex: 'male', given: pickGiven(rng, 'male', fb, end), family: fatherFamily, birth: Math.min(fb, firstBirth - 16 * 365), role: stepfamily ? 'partner' : 'father', joined: -Infinity, left: Infinity });
      if (mother) h.relate(mother, father, 'partner-of', stepfamily ? firstBirth + rng.int(365, 3000) : undefined);
    }
  }
  const parents = [mother, father].filter((p): p is Person => !!p);
  const bioParents = stepfamily ? parents.filter((p) => p.role === 'mother') : parents;
  const childFamily = kinship ? rng.pick([familyName, rng.pick(SURNAMES)]) : stepfamily ? rng.pick(SURNAMES) : familyType === 'loneParent' && !loneFather && rng.chance(0.4) ? rng.pick(SURNAMES) : familyType === 'cohabiting' && rng.chance(0.35) ? motherMaiden : fatherFamily;
  const children: Person[] = [];
  for (const cb of childBirths) {
    const sex = rng.chance(0.512) ? 'male' : 'female';
    const other = mother && mother.family !== childFamily ? mother.family : father && father.family !== childFamily ? father.family : undefined;
    const child = h.addPerson({ sex, given: pickGiven(rng, sex, cb, end), family: childFamily, ...(other ? { otherFamily: other } : {}), birth: cb, role: 'child', joined: -Infinity, left: Infinity });
    children.push(child);
    if (ageYears(cb, inDay) < 18) h.stats.childrenAtStart++;
    for (const p of bioParents) h.relate(p, child, 'parent-of');
    if (stepfamily && father) h.relate(father, child, 'step-parent-of');
    for (const g of carers) h.relate(g, child, 'carer-of');
  }
  for (let i = 0; i < children.length; i++) for (let j = i + 1; j < children.length; j++) h.relate(children[i] as Person, children[j] as Person, 'sibling-of');
  if (kind === 'with-children' && !kinship && rng.chance(R.ADULT_CHILD_AT_HOME_SHARE) && mother) {
    const ab = children[0] ? children[0].birth - rng.int(365 * 2, 365 * 6) : inDay - 19 * 365;
    if (ageYears(ab, inDay) < 26 && ab > motherBirth + 16 * 365) {
      const sex = rng.chance(0.55) ? 'male' : 'female';
      const adult = h.addPerson({ sex, given: pickGiven(rng, sex, ab, end), family: childFamily, birth: ab, role: 'child', joined: -Infinity, left: ab + Math.round((20 + rng.next() * 6) * 365.25) });
      for (const p of bioParents) h.relate(p, adult, 'parent-of');
      for (const c of children) h.relate(adult, c, 'sibling-of');
      children.unshift(adult);
    }
  }

  // Where they live, and moves.
  const firstPlaceAuthority = arrives ? (pattern === 'cross-boundary' || rng.chance(R.NEIGHBOUR_SHARE_OF_BOUNDARY_MOVES) ? NEIGHBOUR_AUTHORITY.code : ELSEWHERE_AUTHORITY.code) : HOME_AUTHORITY.code;
  const earliest = Math.min(...h.people.map((p) => p.birth)) + 18 * 365;
  if (arrives) h.places.push(makePlace(rng, firstPlaceAuthority, Math.max(earliest, inDay - rng.int(200, 2000)), tenure));
  h.places.push(makePlace(rng, HOME_AUTHORITY.code, arrives ? inDay : Math.max(earliest, start - rng.int(0, 3650)), tenure));
  const moveRate = R.MOVE_PER_YEAR[tenure] * (growing ? 1.6 : 1);
  for (let y = Math.max(start, inDay) + rng.int(30, 365); y < end; y += rng.int(200, 530)) {
    if (!rng.chance(moveRate * 1.0)) continue;
    if (rng.chance(R.MOVE_ACROSS_BOUNDARY_SHARE * 0.5)) {
      const to = rng.chance(R.NEIGHBOUR_SHARE_OF_BOUNDARY_MOVES) ? NEIGHBOUR_AUTHORITY.code : ELSEWHERE_AUTHORITY.code;
      h.places.push(makePlace(rng, to, y, tenure));
      sim.outDay = y;
      break;
    }
    const sameTown = rng.chance(0.7) ? h.places[h.places.length - 1]?.address.town : undefined;
    h.places.push(makePlace(rng, HOME_AUTHORITY.code, y, tenure, sameTown));
  }

  // Separations and new partners.
  if (father && mother && rng.chance(1 - Math.pow(1 - R.SEPARATION_PER_YEAR * (growing ? 2 : 1), (end - start) / 365.25))) {
    father.left = Math.max(start, inDay) + rng.int(30, Math.max(31, end - Math.max(start, inDay)));
  }
  const lone = mother && (!father || Number.isFinite(father.left)) ? mother : undefined;
  if (lone && rng.chance(1 - Math.pow(1 - R.NEW_PARTNER_PER_YEAR * (growing ? 1.5 : 1), (end - start) / 365.25))) {
    const from = Math.max(father?.left ?? start, Math.max(start, inDay)) + rng.int(60, 900);
    if (from < end && from < sim.outDay) {
      const pb = lone.birth + Math.round(rng.normal() * 5 * 365);
      const partner = h.addPerson({ sex: 'male', given: pickGiven(rng, 'male', pb, end), family: rng.pick(SURNAMES), birth: pb, role: 'partner', joined: from, left: Infinity });
      h.relate(lone, partner, 'partner-of', from);
      for (const c of children) if (ageYears(c.birth, from) < 18) h.relate(partner, c, 'step-parent-of', from);
      parents.push(partner);
    }
  }

  // GP practices.
  const homeTown = h.places[h.places.length - 1]?.address.town ?? 'Marlbury';
  const familyGp = pickLocal(rng, ctx.agencies, homeTown, 'gps');
  for (const p of h.people) {
    sim.gp[p.index] = rng.chance(R.GP_REGISTERED) ? (p.role === 'father' || p.role === 'partner') && rng.chance(0.12) ? pickLocal(rng, ctx.agencies, homeTown, 'gps') : familyGp : null;
  }

  // Births in the window (decided before anyone's life is simulated, so babies have lives too).
  const babyMother = mother && !kinship ? mother : undefined;
  if (babyMother) {
    const firstPregnancy = kind === 'expecting' ? firstBirth - 270 : undefined;
    planBirths(sim, babyMother, father && !Number.isFinite(father.left) ? father : father, children, firstPregnancy, childFamily);
  }

  // Ordinary life, then the growing needs.
  for (const p of h.people) personLife(sim, p);
  educationLife(sim, children.concat(h.people.filter((p) => p.role === 'child' && !children.includes(p))));
  householdLife(sim, parents, carers);
  if (pattern) growingNeeds(sim, pattern, parents.concat(carers));
  censusStats(sim);
  return h.finish(end);
}

function pickFamilyType(rng: Rng): 'married' | 'cohabiting' | 'loneParent' {
  return rng.weighted(R.FAMILY_TYPE);
}

export function pickLocal(rng: Rng, agencies: CountyAgencies, town: string, kind: 'gps' | 'primaries' | 'secondaries' | 'nurseries'): CountyAgency {
  const local = agencies.byTown.get(town)?.[kind];
  if (local && local.length && rng.chance(0.9)) return rng.pick(local);
  return rng.pick(agencies[kind]);
}

/** Present in the county: from the later of arrival, joining and birth, to the earlier of leaving and the end. */
export function span(sim: Sim, p: Person): [number, number] {
  return [Math.max(sim.ctx.start, sim.inDay, p.joined, p.birth), Math.min(sim.ctx.end, sim.outDay - 1, p.left - 1)];
}

function planBirths(sim: Sim, mother: Person, father: Person | undefined, children: Person[], firstPregnancyAt: number | undefined, childFamily: string): void {
  const { rng, ctx, h } = sim;
  const from = Math.max(ctx.start, sim.inDay);
  const to = Math.min(ctx.end, sim.outDay - 1);
  let t = firstPregnancyAt ?? from - rng.int(0, 200);
  let existing = children.filter((c) => ageYears(c.birth, from) < 18).length;
  let forced = firstPregnancyAt !== undefined;
  while (t < to) {
    const age = ageYears(mother.birth, t);
    const rate = age < 20 ? R.ASFR.under20 : age < 25 ? R.ASFR['20-24'] : age < 30 ? R.ASFR['25-29'] : age < 35 ? R.ASFR['30-34'] : age < 40 ? R.ASFR['35-39'] : age < 45 ? R.ASFR['40-44'] : 0;
    // Women in families with children already have had births; fewer further births the more they have.
    const perYear = rate * (existing === 0 ? 1.2 : existing === 1 ? 1.1 : existing === 2 ? 0.55 : 0.35) * (father && father.left > t ? 1 : 0.35);
    if (forced || rng.chance(perYear * 0.5 * BIRTH_CALIBRATION)) {
      forced = false;
      const lmp = t;
      const twins = rng.chance(R.MULTIPLE_MATERNITY_RATE);
      const expected = lmp + 280;
      const birth = expected + (twins ? -rng.int(14, 28) : Math.round(rng.normal() * 9));
      const babies: Person[] = [];
      for (let k = 0; k < (twins ? 2 : 1); k++) {
        const sex = rng.chance(0.512) ? 'male' : 'female';
        const other = mother.family !== childFamily ? mother.family : undefined;
        const baby = h.addPerson({ sex, given: pickGiven(rng, sex, birth, ctx.end), family: father && father.left > birth ? father.family : childFamily, ...(other ? { otherFamily: other } : {}), birth, role: 'child', joined: birth, left: Infinity });
        babies.push(baby);
        h.relate(mother, baby, 'parent-of');
        if (father && father.left > birth) h.relate(father, baby, 'parent-of');
        for (const c of children) h.relate(c, baby, 'sibling-of');
        sim.gp[baby.index] = sim.gp[mother.index] ?? null;
      }
      if (twins) h.relate(babies[0] as Person, babies[1] as Person, 'sibling-of');
      pregnancy(sim, mother, babies, lmp, expected, birth, existing === 0);
      children.push(...babies);
      existing += babies.length;
      t = birth + rng.int(300, 900);
    } else {
      t += 182;
    }
  }
}

/** A pregnancy as maternity records it: booking, antenatal care, the birth; and the unborn records. */
export function pregnancy(sim: Sim, mother: Person, babies: Person[], lmp: number, expected: number, birth: number, first: boolean, bookingAgency?: CountyAgency): void {
  const { rng, ctx, h } = sim;
  const mat = bookingAgency ?? ctx.agencies.maternity;
  const bookingWeeks = rng.chance(R.BOOKING_BY_10_WEEKS) ? rng.int(7, 10) : rng.int(11, 20);
  const booking = lmp + bookingWeeks * 7 + rng.int(0, 6);
  const [from, to] = span(sim, mother);
  if (booking >= from && booking <= to) {
    const m = h.ref(mat, mother, booking);
    const unborn = babies.map((b) => h.unbornRef(mat, b, expected, booking, rng.chance(0.3) ? mother.family : undefined));
    h.emit(booking, null, mat, 'pregnancy', [m, ...unborn], { expectedDate: isoDay(expected), gestationWeeks: bookingWeeks, babies: babies.length });
    const n = (first ? R.ANTENATAL_APPOINTMENTS.first : R.ANTENATAL_APPOINTMENTS.later) - 1;
    for (let i = 1; i <= n; i++) {
      const d = booking + Math.round(((birth - 7 - booking) * i) / (n + 1));
      if (d > to) break;
      const missed = rng.chance(0.05 * sim.mods.adultMissed);
      h.emit(d, null, mat, 'appointment', [m], { service: 'antenatal', status: missed ? 'did-not-attend' : 'attended' });
    }
  }
  if (birth >= from && birth <= to) {
    const m = h.ref(mat, mother, birth);
    const minute = rng.int(0, 1439);
    for (const baby of babies) {
      const unborn = h.unbornRef(mat, baby, expected, birth);
      const child = h.newbornRef(mat, baby, mother.family, birth);
      h.emit(birth, minute, mat, 'birth', [m, child], { unborn, child });
      h.stats.births++;
    }
  }
}

const CHILD_OUTPATIENT = ['paediatrics', 'ent', 'audiology', 'ophthalmology', 'orthopaedics', 'dermatology', 'speech-and-language', 'physiotherapy', 'dietetics', 'paediatrics'];
const ADULT_OUTPATIENT = ['orthopaedics', 'gynaecology', 'cardiology', 'dermatology', 'ophthalmology', 'general-surgery', 'gastroenterology', 'ent', 'rheumatology', 'urology'];
const COMMUNITY = new Set(['speech-and-language', 'physiotherapy', 'community-paediatrics']);
const INJURY_TYPES = ['bruise', 'laceration', 'fracture', 'burn', 'sprain', 'head injury', 'graze'];
const INJURY_SITES = ['forehead', 'head', 'face', 'arm', 'wrist', 'hand', 'leg', 'ankle', 'knee', 'chest'];
const ED_TEXT = {
  injury: ['Fall at home.', 'Fell from play equipment.', 'Fall in the park.', 'Injury during football.', 'Trapped finger in a door.', 'Fell down the stairs.'],
  illness: ['Fever and cough.', 'Vomiting and diarrhoea.', 'Breathing difficulty, wheeze.', 'Rash and fever.', 'Abdominal pain.', 'Earache.'],
  ingestion: ['Possible ingestion of a household product.', 'Found with an open packet of tablets.', 'Swallowed a button battery? X-ray clear.'],
  other: ['Attended for advice.', 'Foreign body in the nose.'],
} as const;

/** One outpatient course: a referral and its series of appointments. */
export function outpatientCourse(sim: Sim, p: Person, service: string, startDay: number, count: number, missedRate: number): void {
  const { rng, h, ctx } = sim;
  const [, to] = span(sim, p);
  const agency = COMMUNITY.has(service) ? ctx.agencies.communityHealth : ctx.agencies.hospital;
  const child = ageYears(p.birth, startDay) < 18;
  let d = startDay;
  for (let i = 0; i < count && d <= to; i++) {
    const o = R.OUTPATIENT_OUTCOME;
    const missedW = o.missed * missedRate;
    const r = rng.next() * (o.attended + missedW + o.cancelledByFamily + o.cancelledByService);
    const status = r < o.attended ? 'attended' : r < o.attended + missedW ? (child ? 'was-not-brought' : 'did-not-attend') : r < o.attended + missedW + o.cancelledByFamily ? 'cancelled-by-family' : 'cancelled-by-service';
    h.emit(d, null, agency, 'appointment', [h.ref(agency, p, d)], { service, status });
    d += rng.int(21, 75);
  }
}

/** Yearly slices of a person's time here, with their age in each. */
function* yearSlices(from: number, to: number, birth: number): Generator<[number, number, number]> {
  for (let a = from; a <= to; a += 365) {
    const b = Math.min(to, a + 364);
    yield [a, b, ageYears(birth, (a + b) / 2)];
  }
}

function personLife(sim: Sim, p: Person): void {
  const { rng, h, ctx, mods } = sim;
  const [from, to] = span(sim, p);
  if (from > to) return;
  const gp = sim.gp[p.index];
  if (gp) h.ref(gp, p, from);
  for (const [a, b, age] of yearSlices(from, to, p.birth)) {
    const frac = (b - a + 1) / 365;
    const child = age < 18;
    // General practice.
    if (gp) {
      const n = rng.poisson(frac * (age < 5 ? R.GP_APPOINTMENTS_PER_YEAR.under5 : child ? R.GP_APPOINTMENTS_PER_YEAR.child : R.GP_APPOINTMENTS_PER_YEAR.adult));
      for (let i = 0; i < n; i++) {
        const d = rng.int(a, b);
        const missed = rng.chance(R.GP_DNA_RATE * (child ? mods.childMissed : mods.adultMissed));
        h.emit(d, null, gp, 'appointment', [h.ref(gp, p, d)], { service: 'gp', status: missed ? (child ? 'was-not-brought' : 'did-not-attend') : 'attended' });
      }
    }
    // Emergency department.
    const edRate = (age < 5 ? R.ED_ATTENDANCES_PER_YEAR.under5 : child ? R.ED_ATTENDANCES_PER_YEAR.child : R.ED_ATTENDANCES_PER_YEAR.adult) * (child ? mods.childEd : 1);
    const ed = rng.poisson(frac * edRate);
    for (let i = 0; i < ed; i++) edAttendance(sim, p, rng.int(a, b), child);
    // Outpatients.
    const courses = rng.poisson(frac * (child ? R.OUTPATIENT_COURSES_PER_YEAR.child : R.OUTPATIENT_COURSES_PER_YEAR.adult));
    for (let i = 0; i < courses; i++) {
      outpatientCourse(sim, p, rng.pick(child ? CHILD_OUTPATIENT : ADULT_OUTPATIENT), rng.int(a, b), rng.int(1, 6), child ? mods.childMissed : mods.adultMissed);
    }
  }
  // Health visiting: mandated contacts.
  if (p.role === 'child') {
    const hv = ctx.agencies.hv;
    const contacts: [number, number, number][] = [
      [10, 14, R.HV_CONTACT_COVERAGE.newBirth], [42, 56, R.HV_CONTACT_COVERAGE.sixToEightWeeks],
      [270, 365, R.HV_CONTACT_COVERAGE.oneYear], [730, 913, R.HV_CONTACT_COVERAGE.twoYear],
    ];
    let mumRef = false;
    for (const [lo, hi, coverage] of contacts) {
      const d = p.birth + rng.int(lo, hi);
      if (d < from || d > to) continue;
      const seen = rng.chance(coverage + (1 - coverage) * 0.6);
      const status = seen ? 'attended' : rng.chance(0.5 * mods.childMissed > 1 ? 0.8 : 0.5) ? 'was-not-brought' : 'cancelled-by-family';
      const subjects = [h.ref(hv, p, d)];
      if (!mumRef) {
        const mum = h.people.find((q) => q.role === 'mother' && q.left > d);
        if (mum) h.ref(hv, mum, d);
        mumRef = true;
      }
      h.emit(d, null, hv, 'appointment', subjects, { service: 'health-visiting', status });
    }
  }
}

export function edAttendance(sim: Sim, p: Person, d: number, child: boolean, forced?: 'injury' | 'ingestion' | 'illness'): void {
  const { rng, h, ctx, mods } = sim;
  const w = child ? R.ED_REASON_CHILD : R.ED_REASON_ADULT;
  const reason = forced ?? (rng.chance(mods.injuryShare) ? (rng.chance(0.8) ? 'injury' : 'ingestion') : rng.weighted(w));
  const minute = clamp(Math.round(14 * 60 + rng.normal() * 300), 0, 1439);
  const hosp = ctx.agencies.hospital;
  const ref = h.ref(hosp, p, d);
  const text = rng.pick(ED_TEXT[reason]);
  if (reason === 'injury') {
    h.emit(d, minute, hosp, 'unscheduled-care', [ref], { setting: 'ed', reason, injury: { type: rng.pick(INJURY_TYPES), site: rng.pick(INJURY_SITES) } }, text);
  } else {
    h.emit(d, minute, hosp, 'unscheduled-care', [ref], { setting: 'ed', reason }, text);
  }
  if (rng.chance(child ? R.ED_ADMITTED.child : R.ED_ADMITTED.adult)) {
    h.emit(d, Math.min(1439, minute + rng.int(60, 300)), hosp, 'admission', [ref], { reason: reason === 'injury' ? 'Observation after injury' : 'Admitted from the emergency department', days: rng.int(0, 4) });
  }
}

const TERMS: { name: keyof typeof R.SCHOOL_SESSIONS; from: [number, number]; to: [number, number] }[] = [
  { name: 'autumn', from: [9, 2], to: [12, 19] },
  { name: 'spring', from: [1, 6], to: [3, 28] },
  { name: 'summer', from: [4, 15], to: [7, 21] },
];

function educationLife(sim: Sim, children: Person[]): void {
  const { rng, h, ctx, mods } = sim;
  for (const c of children) {
    const [from, to] = span(sim, c);
    if (from > to || ageYears(c.birth, from) >= 17) continue;
    // A persistent absence trait: most children miss little, a minority miss a lot.
    const trait = rng.proportion(mods.absence, 6);
    const nurseryAttend = clamp(mods.nurseryAttendance + rng.normal() * 0.08, 0.1, 1);
    const twoYearPlace = rng.chance(mods.nurseryTwoYearOld);
    const threePlace = rng.chance(R.NURSERY_TAKE_UP.threeFour);
    let school: CountyAgency | undefined;
    let schoolPhase = '';
    let schoolTown = '';
    let nursery: CountyAgency | undefined;
    let nurseryTown = '';
    const cb = ymd(c.birth);
    const receptionYear = (cb.m >= 9 ? cb.y + 1 : cb.y) + 4; // the September after the child turns 4
    for (let ay = academicYearStart(from); ay <= to; ay = dayFromYmd(ymd(ay).y + 1, 9, 1)) {
      const year = ymd(ay).y;
      const yearGroup = year - receptionYear; // 0 = reception, 11 = year 11
      if (yearGroup > 11) break;
      const yearAbsence = clamp(trait * Math.exp(rng.normal() * 0.35), 0, 0.95);
      for (const term of TERMS) {
        const ty = term.name === 'autumn' ? year : year + 1;
        const tFrom = dayFromYmd(ty, term.from[0], term.from[1]);
        const tTo = dayFromYmd(ty, term.to[0], term.to[1]);
        if (tTo < from || tTo > to) continue;
        const town = sim.h.placeOn(tFrom).address.town;
        if (yearGroup >= 0) {
          const phase = yearGroup >= 7 ? 'secondary' : 'primary';
          if (!school || phase !== schoolPhase || (town !== schoolTown && rng.chance(0.8))) {
            school = pickLocal(rng, ctx.agencies, town, phase === 'secondary' ? 'secondaries' : 'primaries');
            schoolPhase = phase;
            schoolTown = town;
            const ref = h.ref(school, c, tFrom);
            for (const p of h.people) if ((p.role === 'mother' || p.role === 'father' || p.role === 'grandparent') && p.left > tFrom && rng.chance(0.9)) h.ref(school, p, tFrom, true);
            if (tFrom >= from) h.emit(tFrom, null, school, 'education-status', [ref], { status: 'on-roll' });
          }
          const possible = R.SCHOOL_SESSIONS[term.name];
          const missed = Math.min(possible, Math.round(possible * yearAbsence * (0.6 + rng.next() * 0.8)));
          h.emit(tTo, null, school, 'attendance', [h.ref(school, c, tTo)], { setting: 'school', from: isoDay(Math.max(tFrom, from)), to: isoDay(tTo), possible, attended: possible - missed });
        } else {
          // Early years: funded places from the term after the second (some) or third birthday.
          const age = ageYears(c.birth, tFrom);
          if (!((age >= 2 && twoYearPlace) || (age >= 3 && threePlace))) continue;
          if (!nursery || (town !== nurseryTown && rng.chance(0.8))) {
            nursery = pickLocal(rng, ctx.agencies, town, 'nurseries');
            nurseryTown = town;
            const ref = h.ref(nursery, c, tFrom);
            for (const p of h.people) if ((p.role === 'mother' || p.role === 'father' || p.role === 'grandparent') && p.left > tFrom && rng.chance(0.8)) h.ref(nursery, p, tFrom, true);
            if (tFrom >= from) h.emit(tFrom, null, nursery, 'education-status', [ref], { status: 'on-roll' });
          }
          const possible = R.NURSERY_SESSIONS_PER_TERM;
          const attended = Math.round(possible * clamp(nurseryAttend + rng.normal() * 0.06, 0, 1));
          h.emit(tTo, null, nursery, 'attendance', [h.ref(nursery, c, tTo)], { setting: 'nursery', from: isoDay(Math.max(tFrom, from)), to: isoDay(tTo), possible, attended });
        }
      }
    }
  }
}

/** Ordinary household life beyond health and school: moves, police, adult services, housing, the charity, the front door. */
function householdLife(sim: Sim, parents: Person[], carers: Person[]): void {
  const { rng, h, ctx, mods } = sim;
  const A = ctx.agencies;
  const adults = parents.concat(carers);
  const from = Math.max(ctx.start, sim.inDay);
  const to = Math.min(ctx.end, sim.outDay - 1);
  // Moves as the GP records them (new address) and arrival from outside.
  for (let i = 0; i < h.places.length; i++) {
    const place = h.places[i] as Place;
    const prev = h.places[i - 1];
    if (!prev || place.from < from || place.from > ctx.end) continue;
    const gp = sim.gp[adults[0]?.index ?? 0];
    const movers = h.people.filter((p) => p.joined <= place.from && p.left > place.from && p.birth <= place.from);
    const agency = gp && place.authority === HOME_AUTHORITY.code ? gp : A.hv;
    const subjects = movers.filter((p) => agency !== A.hv || ageYears(p.birth, place.from) < 5 || p.role === 'mother').map((p) => h.ref(agency, p, place.from));
    if (!subjects.length) continue;
    h.emit(place.from, null, agency, 'move', subjects, {
      address: { ...place.address, from: isoDay(place.from) }, authority: place.authority,
      ...(prev.authority !== place.authority ? { fromAuthority: prev.authority } : {}),
    }, place.authority !== HOME_AUTHORITY.code ? 'Family moving out of the area; records to follow.' : prev.authority !== HOME_AUTHORITY.code ? 'New registration: family moved into the area.' : 'Change of address.');
  }
  const years = (to - from + 1) / 365.25;
  if (years <= 0) return;
  const kids = (d: number) => h.people.filter((p) => p.role === 'child' && p.birth <= d && p.joined <= d && p.left > d && ageYears(p.birth, d) < 18);
  const here = (d: number) => adults.filter((p) => p.joined <= d && p.left > d);
  // Police.
  const da = rng.poisson(years * R.DA_INCIDENT_ORDINARY_PER_YEAR * (sim.h.group === 'ordinary' ? 1 : 0.5));
  for (let i = 0; i < da; i++) policeIncident(sim, rng.int(from, to), 'domestic-abuse', here, kids);
  const other = rng.poisson(years * R.POLICE_OTHER_ORDINARY_PER_YEAR * mods.police);
  for (let i = 0; i < other; i++) policeIncident(sim, rng.int(from, to), rng.pick(['concern-for-welfare', 'other', 'other', 'violence'] as const), here, kids);
  // Adult mental health (NHS Talking Therapies) and substance misuse treatment.
  for (const a of adults) {
    const [af, at] = span(sim, a);
    if (af > at) continue;
    const y = (at - af + 1) / 365.25;
    for (let i = rng.poisson(y * R.TALKING_THERAPIES_PER_ADULT_YEAR); i > 0; i--) talkingTherapies(sim, a, rng.int(af, at));
    for (let i = rng.poisson(y * R.SUBSTANCE_TREATMENT_PER_ADULT_YEAR); i > 0; i--) substanceTreatment(sim, a, rng.int(af, at), false);
  }
  // Housing and the charity.
  for (let i = rng.poisson(years * R.HOUSING_APPLICATION_PER_YEAR[sim.tenure]); i > 0; i--) {
    const d = rng.int(from, to);
    const subjects = here(d).concat(kids(d)).map((p) => h.ref(A.housing, p, d));
    if (subjects.length) h.emit(d, null, A.housing, 'note', subjects, undefined as never, rng.pick(['Housing register application.', 'Approach as threatened with homelessness: section 21 notice served. Prevention duty accepted.', 'Repairs and overcrowding: transfer application.']));
  }
  for (let i = rng.poisson(years * R.CHARITY_PER_YEAR * (sim.h.group === 'ordinary' ? 1 : 3)); i > 0; i--) {
    const d = rng.int(from, to);
    const subjects = here(d).slice(0, 1).concat(kids(d)).map((p) => h.ref(A.charity, p, d));
    if (subjects.length) h.emit(d, null, A.charity, 'note', subjects, undefined as never, rng.pick(['Baby bank: clothes and nappies.', 'Drop-in: food parcel and advice on benefits.', 'Parent and toddler group.']));
  }
  // One-off contacts with the front door about ordinary families: most end in no further action or universal services.
  if (sim.h.group === 'ordinary') {
    const childYears = h.people.filter((p) => p.role === 'child').reduce((s, p) => {
      const [f, t] = span(sim, p);
      return s + Math.max(0, Math.min(t, p.birth + 18 * 365) - f) / 365.25;
    }, 0);
    for (let i = rng.poisson(childYears * 0.018); i > 0; i--) {
      const d = rng.int(from, to);
      const ks = kids(d);
      if (!ks.length) continue;
      const source = rng.weighted({ police: 29, school: 21, health: 15, individual: 8 });
      frontDoorContact(sim, d, source, ks, 'contact', rng.pick(['Concern raised about a child; parents engaging.', 'Child disclosed an argument at home; no injuries.', 'Anonymous call about children left alone; checked, older sibling was present.', 'Request for advice about support with behaviour.']), rng.chance(0.6) ? 'nfa' : 'universal', 1);
    }
  }
}

export function policeIncident(sim: Sim, d: number, category: 'domestic-abuse' | 'violence' | 'concern-for-welfare' | 'criminal-exploitation' | 'sexual-offence' | 'other',
  here: (d: number) => Person[], kids: (d: number) => Person[], notify = category === 'domestic-abuse'): string | undefined {
  const { rng, h, ctx } = sim;
  const police = ctx.agencies.police;
  const adults = here(d);
  if (!adults.length) return undefined;
  const present = kids(d).filter(() => rng.chance(0.7));
  const subjects = adults.slice(0, 2).map((p) => h.ref(police, p, d)).concat(present.map((p) => h.ref(police, p, d)));
  const minute = clamp(Math.round(21 * 60 + rng.normal() * 180), 0, 1439);
  const id = h.emit(d, minute, police, 'police-incident', subjects, { category, childrenPresent: present.length > 0 ? present.length : false });
  if (notify && present.length) {
    frontDoorContact(sim, d + 1, 'police', present, 'contact', 'Domestic abuse notification: children present at the incident.', rng.chance(0.7) ? 'nfa' : 'universal', 1);
  }
  return id;
}

function talkingTherapies(sim: Sim, a: Person, d: number): void {
  const { rng, h, ctx, mods } = sim;
  const mh = ctx.agencies.mentalHealth;
  const [, to] = span(sim, a);
  const ref = h.ref(mh, a, d);
  h.emit(d, null, mh, 'involvement-start', [ref], { service: 'talking-therapies' });
  h.emit(d, null, mh, 'assessment', [ref], { kind: 'talking-therapies-assessment', summary: 'Mild to moderate anxiety and low mood. Offered a course of guided self-help.' });
  let t = d;
  for (let i = rng.int(3, 8); i > 0 && t + 14 <= to; i--) {
    t += rng.int(7, 21);
    h.emit(t, null, mh, 'appointment', [ref], { service: 'talking-therapies', status: rng.chance(0.1 * mods.adultMissed) ? 'did-not-attend' : 'attended' });
  }
  if (t + 7 <= to) h.emit(t + 7, null, mh, 'involvement-end', [ref], { service: 'talking-therapies', reason: rng.chance(0.7) ? 'needs-met' : 'non-engagement' });
}

export function substanceTreatment(sim: Sim, a: Person, d: number, flagged: boolean): void {
  const { rng, h, ctx } = sim;
  const sm = ctx.agencies.substanceMisuse;
  const [, to] = span(sim, a);
  const ref = h.ref(sm, a, d);
  h.emit(d, null, sm, 'involvement-start', [ref], { service: 'drug-and-alcohol-treatment' });
  h.emit(d, null, sm, 'attribute', [ref], { attribute: 'substance-misuse', detail: rng.pick(['Alcohol dependence.', 'Cannabis and cocaine use.', 'Opiate use; started on opioid substitution therapy.']) });
  let t = d;
  for (let i = rng.int(4, 12); i > 0 && t + 14 <= to; i--) {
    t += rng.int(7, 28);
    h.emit(t, null, sm, 'appointment', [ref], { service: 'key-worker', status: rng.chance(flagged ? 0.3 : 0.15) ? 'did-not-attend' : 'attended' });
  }
  if (t + 14 <= to) h.emit(t + 14, null, sm, 'involvement-end', [ref], { service: 'drug-and-alcohol-treatment', reason: rng.weighted({ 'needs-met': 45, 'non-engagement': 40, other: 15 }) });
}

/** A contact or referral to the front door and its decision (next working day). Returns the decision day. */
export function frontDoorContact(sim: Sim, d: number, source: 'police' | 'school' | 'health' | 'individual' | 'localAuthority' | 'other', children: Person[], type: 'contact' | 'referral', reason: string,
  outcome: 'nfa' | 'universal' | 'early-help' | 'cin-assessment' | 'strategy-discussion' | 'added-to-open-case', level: number, rationale?: string): number {
  const { rng, h, ctx } = sim;
  const A = ctx.agencies;
  const fd = A.frontDoor;
  let agency: CountyAgency = fd;
  let text: string | undefined;
  if (source === 'police') agency = A.police;
  else if (source === 'health') agency = rng.pick([A.hospital, A.hv, sim.gp[children[0]?.index ?? 0] ?? A.hospital]);
  else if (source === 'school') {
    const c = children.find((k) => ageYears(k.birth, d) >= 4) ?? children[0];
    agency = pickLocal(rng, A, h.placeOn(d).address.town, c && ageYears(c.birth, d) >= 11 ? 'secondaries' : c && ageYears(c.birth, d) >= 4 ? 'primaries' : 'nurseries');
  } else if (source === 'localAuthority') agency = rng.pick([A.housing, A.earlyHelp]);
  else if (source === 'other') agency = rng.pick([A.charity, A.mentalHealth, fd]);
  else text = rng.pick(['Call from a neighbour.', 'Call from a relative.', 'Anonymous call from a member of the public.']);
  if (d > ctx.end) return d;
  const subjects = children.map((c) => h.ref(agency, c, d));
  const id = h.emit(d, rng.int(8 * 60, 17 * 60), agency, type, subjects, { to: fd.id, reason, requestedLevel: clamp(level, 1, 4) }, text);
  let dd = d + (rng.chance(0.8) ? 0 : 1);
  const wd = new Date(dd * 86_400_000).getUTCDay();
  if (wd === 6) dd += 2;
  if (wd === 0) dd += 1;
  if (dd > ctx.end) return dd;
  const fdSubjects = children.map((c) => h.ref(fd, c, dd));
  h.emit(dd, rng.int(9 * 60, 18 * 60), fd, 'decision', fdSubjects, { on: id, level: clamp(level, 1, 4), outcome, ...(rationale ? { rationale } : {}) });
  return dd;
}

// ------------------------------------------------------------------ growing needs

const PATTERN_REASON: Record<Exclude<R.GrowingNeedsPattern, 'child-b-004'>, string[]> = {
  'domestic-abuse': ['Domestic abuse incident, children present; mother has bruising to her arm.', 'Repeat domestic abuse call-out; children upstairs during the argument.'],
  'parental-mental-health': ['Mother’s mental health deteriorating; children missing school and home conditions poor.', 'Parent detained under the Mental Health Act; who is caring for the children?'],
  'substance-misuse': ['Parent appeared under the influence at school pick-up.', 'Drug paraphernalia seen in the home during a visit.'],
  'was-not-brought': ['Child repeatedly not brought to health appointments; developmental needs not being met.', 'Several missed paediatric and therapy appointments; discharge letters sent.'],
  'repeated-ed': ['Third attendance at the emergency department in two months with injuries; explanations vary.', 'Repeated unscheduled care; ingestion of medication.'],
  'parental-learning-disability': ['Parent with learning disability struggling with routines; child’s needs not consistently met.', 'Support needed with letters, appointments and money; child’s development behind.'],
  'early-help-closed-needs-unmet': ['Concerns continue after early help closed: attendance poor, child hungry at school.', 'Further worries from school: child unkempt and tired.'],
  'cross-boundary': ['Family new to the area with a history of children’s social care involvement elsewhere.', 'Transfer-in: family known to Wrekinford children’s social care.'],
  'previous-children-removed': ['Pregnant mother whose older children were removed through care proceedings.', 'Unborn baby: previous children removed; pre-birth assessment requested.'],
};

/** A minority of families whose needs grow: signals in agencies' data, then early help, child in need, child protection. */
function growingNeeds(sim: Sim, pattern: R.GrowingNeedsPattern, adults: Person[]): void {
  const { rng, h, ctx } = sim;
  const A = ctx.agencies;
  const from = Math.max(ctx.start, sim.inDay);
  const to = Math.min(ctx.end, sim.outDay - 1);
  if (from >= to || pattern === 'child-b-004') return;
  const kids = (d: number) => h.people.filter((p) => p.role === 'child' && p.birth <= d && p.joined <= d && p.left > d && ageYears(p.birth, d) < 18);
  const here = (d: number) => adults.filter((p) => p.joined <= d && p.left > d);
  const mother = adults.find((p) => p.role === 'mother' || p.role === 'grandparent') ?? adults[0];
  const partner = adults.find((p) => p !== mother && p.role !== 'grandparent');
  // Some families' needs began before the window: their children's social care history (not their ordinary life) is in the data from up to two years before.
  const onset = from === ctx.start && rng.chance(0.4) ? from - rng.int(0, 730) : from + rng.int(0, Math.max(0, Math.floor((to - from) * 0.8)));
  const years = (to - onset) / 365.25;

  // The pattern's own signals in the agencies' data.
  switch (pattern) {
    case 'domestic-abuse':
      for (let i = rng.poisson(years * 2.2); i > 0; i--) policeIncident(sim, rng.int(onset, to), 'domestic-abuse', here, kids, false);
      if (mother) attribute(sim, A.police, mother, onset + 10, 'domestic-abuse-victim', 'Victim of domestic abuse by partner; DASH completed.');
      if (partner) attribute(sim, A.police, partner, onset + 10, 'domestic-abuse-perpetrator', 'Named as perpetrator in repeat domestic abuse incidents.');
      break;
    case 'parental-mental-health':
      if (mother) {
        const gp = sim.gp[mother.index];
        if (gp) attribute(sim, gp, mother, onset, 'mental-health', rng.pick(['Recurrent depression.', 'Bipolar affective disorder.', 'Post-natal depression, severe.', 'Emotionally unstable personality disorder.']));
        const mh = A.mentalHealth;
        const ref = h.ref(mh, mother, onset + 20);
        h.emit(onset + 20, null, mh, 'involvement-start', [ref], { service: 'community-mental-health-team' });
        for (let t = onset + 40; t < to; t += rng.int(20, 60)) h.emit(t, null, mh, 'appointment', [ref], { service: 'community-mental-health', status: rng.chance(0.3) ? 'did-not-attend' : 'attended' });
        for (let i = rng.poisson(years * 0.6); i > 0; i--) policeIncident(sim, rng.int(onset, to), 'concern-for-welfare', here, kids, false);
      }
      break;
    case 'substance-misuse': {
      const who = rng.chance(0.6) && partner ? partner : mother;
      if (who) substanceTreatment(sim, who, onset + rng.int(0, 200), true);
      for (let i = rng.poisson(years * 0.8); i > 0; i--) policeIncident(sim, rng.int(onset, to), 'other', here, kids, false);
      break;
    }
    case 'was-not-brought': {
      const c = kids(onset).sort((a, b) => b.birth - a.birth)[0];
      if (c) {
        attribute(sim, A.communityHealth, c, onset + 30, 'additional-needs', rng.pick(['Global developmental delay.', 'Speech and language delay; social communication difficulties.', 'Faltering growth; feeding difficulties.']));
        for (const s of ['community-paediatrics', 'speech-and-language', 'physiotherapy', 'audiology', 'dietetics']) {
          if (rng.chance(0.7)) outpatientCourse(sim, c, s, onset + rng.int(30, 400), rng.int(3, 8), 6);
        }
      }
      break;
    }
    case 'repeated-ed':
      for (const c of kids(onset)) for (let i = rng.poisson(years * 1.5); i > 0; i--) edAttendance(sim, c, rng.int(onset, to), true, rng.chance(0.25) ? 'ingestion' : 'injury');
      break;
    case 'parental-learning-disability': {
      const who = partner && rng.chance(0.5) ? partner : mother;
      const gp = who ? sim.gp[who.index] : null;
      if (who && gp) attribute(sim, gp, who, onset, 'learning-disability', 'Mild learning disability; needs help with letters, forms and appointments.');
      break;
    }
    case 'cross-boundary':
      neighbourHistory(sim, kids, here, Math.max(ctx.start - 3 * 365, sim.inDay - rng.int(365, 5 * 365)), sim.inDay);
      break;
    case 'previous-children-removed':
      if (mother) {
        const n = rng.int(1, 5);
        attribute(sim, rng.chance(0.5) ? A.neighbourCsc : A.csc, mother, Math.min(from, onset) - rng.int(400, 3000), 'previous-children-removed', `${n} older ${n === 1 ? 'child' : 'children'} removed through care proceedings.`, n);
        const gp = sim.gp[mother.index];
        if (gp) attribute(sim, gp, mother, onset, 'mental-health', 'Anxiety and depression.');
      }
      break;
    case 'early-help-closed-needs-unmet':
      break;
  }

  // The front door, early help and children's social care.
  let t = onset + rng.int(30, 120);
  let level = pattern === 'previous-children-removed' || pattern === 'cross-boundary' ? 3 : 2;
  let openEh: { until: number } | undefined;
  let episodes = 0;
  const reasons = PATTERN_REASON[pattern];
  while (t < to && episodes < 8) {
    episodes++;
    const ks = kids(t);
    if (!ks.length) {
      t += 180;
      if (episodes > 3) break;
      continue;
    }
    const source = rng.weighted(R.REFERRAL_SOURCES);
    const reason = rng.pick(reasons);
    if (openEh && t < openEh.until && rng.chance(0.5)) {
      frontDoorContact(sim, t, source, ks, 'referral', reason, 'added-to-open-case', level, 'Already open to early help: added to the open case.');
      t = openEh.until + rng.int(30, 200);
      continue;
    }
    const outcome = level <= 2 ? rng.weighted({ nfa: 20, universal: 15, 'early-help': 55, 'cin-assessment': 10 })
      : level === 3 ? rng.weighted({ 'early-help': 50, 'cin-assessment': 40, 'strategy-discussion': 10 })
        : rng.weighted({ 'cin-assessment': 45, 'strategy-discussion': 55 });
    const decided = frontDoorContact(sim, t, source, ks, 'referral', reason, outcome, level);
    let next: number;
    let escalate = 0.45;
    if (outcome === 'nfa' || outcome === 'universal') {
      next = decided + rng.int(90, 400);
    } else if (outcome === 'early-help') {
      const r = earlyHelpEpisode(sim, decided, ks, pattern, here);
      openEh = { until: r.end };
      next = r.end + (r.reason === 'stepped-up' ? 7 : rng.int(60, 420));
      if (r.reason === 'stepped-up') level = 4;
      if (r.reason === 'needs-met' || r.reason === 'most-needs-met') escalate = pattern === 'early-help-closed-needs-unmet' ? 0.8 : 0.3;
    } else {
      const r = socialCareEpisode(sim, decided, ks, outcome === 'strategy-discussion', pattern, adults);
      next = r + rng.int(90, 500);
    }
    if (rng.chance(escalate)) level = Math.min(4, level + 1);
    else if (rng.chance(0.35)) break; // needs met: the family does not come back
    t = next;
  }
}

function attribute(sim: Sim, agency: CountyAgency, p: Person, d: number, attr: 'learning-disability' | 'mental-health' | 'substance-misuse' | 'domestic-abuse-victim' | 'domestic-abuse-perpetrator' | 'previous-children-removed' | 'additional-needs', detail: string, count?: number): void {
  const neighbourHistory = agency.authority !== HOME_AUTHORITY.code;
  if (!neighbourHistory && (d < Math.max(sim.ctx.start, sim.inDay) || d > Math.min(sim.ctx.end, sim.outDay - 1))) return;
  if (d > sim.ctx.end || d < p.birth) return;
  sim.h.emit(d, null, agency, 'attribute', [sim.h.ref(agency, p, d)], { attribute: attr, detail, ...(count !== undefined ? { count } : {}) });
}

function earlyHelpEpisode(sim: Sim, d: number, ks: Person[], pattern: R.GrowingNeedsPattern, here: (d: number) => Person[]): { end: number; reason: 'needs-met' | 'most-needs-met' | 'needs-not-reduced' | 'non-engagement' | 'stepped-up' | 'moved' } {
  const { rng, h, ctx } = sim;
  const eh = ctx.agencies.earlyHelp;
  const to = Math.min(ctx.end, sim.outDay - 1);
  const s = d + rng.int(3, 21);
  const duration = rng.int(120, 360);
  const end = s + duration;
  if (s > to) return { end: s, reason: 'moved' };
  const subjects = ks.map((c) => h.ref(eh, c, s));
  for (const a of here(s)) h.ref(eh, a, s);
  h.emit(s, null, eh, 'involvement-start', subjects, { service: 'early-help', level: 3 });
  for (const c of ks) sim.statuses.push({ person: c.index, kind: 'earlyHelp', from: s, to: Math.min(end, to) });
  if (s + 21 <= to) h.emit(s + 21, null, eh, 'assessment', subjects, { kind: 'early-help', summary: 'Early help assessment completed with the family. Plan agreed.' });
  for (let m = s + rng.int(28, 42); m < Math.min(end, to); m += rng.int(42, 56)) {
    const absent = rng.chance(0.5) ? ['marlshire-hospital'] : [];
    h.emit(m, null, eh, 'meeting', subjects, { kind: 'tac', attendees: [eh.id, ctx.agencies.hv.id], ...(absent.length ? { absent } : {}) });
    if (rng.chance(0.3)) h.emit(m, null, eh, 'voice', [subjects[0] as string], { said: rng.pick(['I like it when mum takes me to the park.', 'I don’t like it when they shout.', 'I’m hungry at school sometimes.', 'It’s okay at home.']) });
  }
  if (end > to) return { end, reason: 'moved' };
  const reason = pattern === 'early-help-closed-needs-unmet'
    ? rng.weighted({ 'needs-met': 55, 'non-engagement': 45 } as const)
    : rng.weighted({ 'needs-met': 32, 'most-needs-met': 20, 'needs-not-reduced': 12, 'non-engagement': 18, 'stepped-up': 13, moved: 5 } as const);
  h.emit(end, null, eh, 'involvement-end', subjects, { service: 'early-help', reason }, reason === 'needs-met' ? 'Case closed: positive progress.' : undefined);
  return { end, reason };
}

/** Child and family assessment, then child in need, or a strategy discussion and child protection. Returns when it ends. */
function socialCareEpisode(sim: Sim, d: number, ks: Person[], strategy: boolean, pattern: R.GrowingNeedsPattern, adults: Person[]): number {
  const { rng, h, ctx } = sim;
  const csc = ctx.agencies.csc;
  const to = Math.min(ctx.end, sim.outDay - 1);
  const subjects = ks.map((c) => h.ref(csc, c, d));
  for (const a of adults) if (a.joined <= d && a.left > d) h.ref(csc, a, d);
  let t = d;
  let cp: boolean;
  if (strategy) {
    t += rng.int(0, 3);
    if (t > to) return t;
    h.emit(t, null, csc, 'meeting', subjects, { kind: 'strategy', attendees: [csc.id, ctx.agencies.police.id, ctx.agencies.hospital.id] });
    t += rng.int(5, 15);
    if (t > to) return t;
    h.emit(t, null, csc, 'assessment', subjects, { kind: 's47-enquiry', summary: 'Section 47 enquiry completed.' });
    cp = rng.chance(0.6);
  } else {
    t += rng.int(15, 45);
    if (t > to) return t;
    h.emit(t, null, csc, 'assessment', subjects, { kind: 'child-and-family', summary: 'Child and family assessment completed.' });
    if (rng.chance(R.ASSESSMENT_NOT_IN_NEED)) return t;
    cp = rng.chance(0.08);
  }
  if (pattern === 'parental-learning-disability' && t + 60 <= to) {
    const parent = adults.find((a) => a.joined <= t && a.left > t);
    if (parent) h.emit(t + 60, null, csc, 'assessment', [h.ref(csc, parent, t)], { kind: 'pams', summary: 'Parenting assessment (PAMS): can learn routine care with repetition and support.' });
  }
  if (cp) {
    t += rng.int(5, 15);
    if (t > to) return t;
    const category = rng.weighted(R.CP_CATEGORY);
    h.emit(t, null, csc, 'meeting', subjects, { kind: 'cp-conference', attendees: [csc.id, ctx.agencies.police.id, ctx.agencies.hv.id] });
    h.emit(t, null, csc, 'involvement-start', subjects, { service: 'child-protection', category, level: 4 });
    const months = clamp(Math.round(Math.exp(Math.log(9) + rng.normal() * 0.55)), 3, 30);
    const end = t + months * 30;
    for (let m = t + 42; m < Math.min(end, to); m += 42) h.emit(m, null, csc, 'meeting', subjects, { kind: 'core-group', attendees: [csc.id, ctx.agencies.hv.id] });
    for (let m = t + 90; m < Math.min(end, to); m += 180) h.emit(m, null, csc, 'meeting', subjects, { kind: 'cp-conference', attendees: [csc.id, ctx.agencies.police.id] });
    for (const c of ks) sim.statuses.push({ person: c.index, kind: 'cp', from: t, to: Math.min(end, to) });
    if (rng.chance(0.4)) {
      const removed = ks.filter(() => rng.chance(0.7));
      const la = t + rng.int(20, Math.max(21, months * 30 - 1));
      if (removed.length && la < to) {
        const laEnd = la + rng.int(400, 2500);
        h.emit(la, null, csc, 'involvement-start', removed.map((c) => h.ref(csc, c, la)), { service: 'looked-after', level: 4 });
        for (const c of removed) sim.statuses.push({ person: c.index, kind: 'cla', from: la, to: Math.min(laEnd, to) });
        if (laEnd < to) h.emit(laEnd, null, csc, 'involvement-end', removed.map((c) => h.ref(csc, c, la)), { service: 'looked-after', reason: 'other' }, 'Returned home to parents under a supervision order.');
      }
    }
    if (end > to) return end;
    h.emit(end, null, csc, 'involvement-end', subjects, { service: 'child-protection', reason: 'stepped-down' });
    t = end;
  }
  h.emit(t, null, csc, 'involvement-start', subjects, { service: 'child-in-need', level: 4 });
  const end = t + rng.int(240, 720);
  for (let m = t + 90; m < Math.min(end, to); m += 90) h.emit(m, null, csc, 'meeting', subjects, { kind: 'cin-review', attendees: [csc.id] });
  for (const c of ks) sim.statuses.push({ person: c.index, kind: 'cin', from: t, to: Math.min(end, to) });
  if (end > to) return end;
  h.emit(end, null, csc, 'involvement-end', subjects, { service: 'child-in-need', reason: rng.weighted({ 'needs-met': 45, 'most-needs-met': 30, 'stepped-down': 20, 'non-engagement': 5 }) });
  return end;
}

/** History in the neighbouring authority before the family moved to Marlshire. */
function neighbourHistory(sim: Sim, kids: (d: number) => Person[], here: (d: number) => Person[], from: number, arrival: number): void {
  const { rng, h, ctx } = sim;
  const w = ctx.agencies.neighbourCsc;
  const ks = kids(from).length ? kids(from) : kids(arrival);
  if (!ks.length) return;
  const subjects = ks.map((c) => h.ref(w, c, from));
  for (const a of here(from)) h.ref(w, a, from);
  const plan = rng.chance(0.35);
  const category = rng.weighted(R.CP_CATEGORY);
  h.emit(from, null, w, 'involvement-start', subjects, plan ? { service: 'child-protection', category, level: 4 } : { service: 'child-in-need', level: 4 });
  const end = Math.min(arrival - 1, from + rng.int(120, 600));
  h.emit(end, null, w, 'involvement-end', subjects, { service: plan ? 'child-protection' : 'child-in-need', reason: end >= arrival - 1 ? 'moved' : 'most-needs-met' });
  if (rng.chance(0.5) && arrival <= ctx.end) {
    // A transfer-in referral: sometimes the history travels with the family.
    const fd = ctx.agencies.frontDoor;
    const id = h.emit(arrival, 600, w, 'referral', subjects, { to: fd.id, reason: 'Family moving to Marlshire: previously known to Wrekinford children’s social care.', requestedLevel: 3 });
    h.emit(arrival + 1, 600, fd, 'decision', ks.map((c) => h.ref(fd, c, arrival + 1)), { on: id, level: 2, outcome: 'universal', rationale: 'Case closed in Wrekinford; no current concerns. Universal services.' });
  }
}

function censusStats(sim: Sim): void {
  const { ctx, h } = sim;
  const first = ymd(ctx.start);
  for (let y = first.m > 3 || (first.m === 3 && first.d > 31) ? first.y + 1 : first.y; ; y++) {
    const day = dayFromYmd(y, 3, 31);
    if (day > ctx.end) break;
    if (day < ctx.start) continue;
    const key = isoDay(day);
    const row = { children: 0, cin: 0, cp: 0, cla: 0, earlyHelp: 0 };
    for (const p of h.people) {
      if (p.role !== 'child') continue;
      const [f, t] = span(sim, p);
      if (day < f || day > t || ageYears(p.birth, day) >= 18) continue;
      row.children++;
      const open = sim.statuses.filter((s) => s.person === p.index && s.from <= day && s.to >= day);
      if (open.some((s) => s.kind === 'cp')) row.cp++;
      if (open.some((s) => s.kind === 'cla')) row.cla++;
      if (open.some((s) => s.kind !== 'earlyHelp')) row.cin++;
      if (open.some((s) => s.kind === 'earlyHelp')) row.earlyHelp++;
    }
    if (row.children) h.stats.census[key] = row;
  }
}

export type { AgencyEvent };
