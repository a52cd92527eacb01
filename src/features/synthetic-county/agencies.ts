import type { Agency } from '../../domain/events/vocabulary.ts';
import type { AgencyInfo, RecordingKind } from './household.ts';
import { GP_STEMS, MARLSHIRE_TOWNS, SCHOOL_STEMS } from './names.ts';
import type { Rng } from './rng.ts';

export const HOME_AUTHORITY = { code: 'E06009999', name: 'Marlshire' } as const;
export const NEIGHBOUR_AUTHORITY = { code: 'E10009998', name: 'Wrekinford' } as const;
/** Somewhere else in England (for moves further afield): a fictional code. */
export const ELSEWHERE_AUTHORITY = { code: 'E06009990', name: 'elsewhere in England' } as const;

export interface CountyAgency extends AgencyInfo {
  agency: Agency;
  town?: string;
}

function make(id: string, name: string, kind: Agency['kind'], prefix: string, recording: RecordingKind, relationships: boolean,
  authority: string = HOME_AUTHORITY.code, town?: string): CountyAgency {
  return { id, prefix, recording, relationships, authority, agency: { id, name, kind, authority }, ...(town ? { town } : {}) };
}

/** The county's agencies. The fixed ones share ids with the demo partnership (src/features/demo). */
export interface CountyAgencies {
  all: CountyAgency[];
  frontDoor: CountyAgency;
  csc: CountyAgency;
  earlyHelp: CountyAgency;
  hv: CountyAgency;
  maternity: CountyAgency;
  hospital: CountyAgency;
  communityHealth: CountyAgency;
  police: CountyAgency;
  mentalHealth: CountyAgency;
  substanceMisuse: CountyAgency;
  housing: CountyAgency;
  charity: CountyAgency;
  neighbourCsc: CountyAgency;
  gps: CountyAgency[];
  primaries: CountyAgency[];
  secondaries: CountyAgency[];
  nurseries: CountyAgency[];
  byTown: Map<string, { gps: CountyAgency[]; primaries: CountyAgency[]; secondaries: CountyAgency[]; nurseries: CountyAgency[] }>;
}

export function buildAgencies(children: number, rng: Rng): CountyAgencies {
  const frontDoor = make('marlshire-front-door', 'Marlshire Children’s Advice and Duty Service (front door)', 'front-door', 'LCS', 'council', true);
  const csc = make('marlshire-csc', 'Marlshire Children’s Social Care', 'childrens-social-care', 'CSC', 'council', true);
  const earlyHelp = make('marlshire-early-help', 'Marlshire Early Help', 'early-help', 'EHM', 'council', true);
  const hv = make('marlshire-hv', 'Marlshire 0-19 Health Visiting Service', 'health-visiting', 'HV', 'health', true);
  const maternity = make('marlshire-maternity', 'Marlshire General Hospital maternity', 'maternity', 'MAT', 'health', true);
  const hospital = make('marlshire-hospital', 'Marlshire General Hospital (emergency department, wards and outpatient clinics)', 'hospital', 'RMG', 'health', false);
  const communityHealth = make('marlshire-community-health', 'Marlshire Children’s Community Health Services (community paediatrics and therapies)', 'community-health', 'CCH', 'health', false);
  const police = make('marlshire-police', 'Marlshire Police', 'police', 'MP', 'police', false);
  const mentalHealth = make('marlshire-mental-health', 'Marlshire Adult Mental Health Services (NHS Talking Therapies and community mental health)', 'adult-mental-health', 'AMH', 'health', false);
  const substanceMisuse = make('marlshire-recovery', 'Marlshire Recovery Service (adult drug and alcohol treatment)', 'substance-misuse', 'RSV', 'health', false);
  const housing = make('marlshire-housing', 'Marlshire Council Housing Solutions', 'housing', 'HS', 'housing', true);
  const charity = make('marlshire-family-trust', 'Marlshire Family Trust (drop-in and baby bank)', 'voluntary-sector', 'MFT', 'charity', true);
  const neighbourCsc = make('wrekinford-csc', 'Wrekinford Council Children’s Social Care', 'childrens-social-care', 'WCS', 'council', true, NEIGHBOUR_AUTHORITY.code);

  const byTown: CountyAgencies['byTown'] = new Map();
  for (const t of MARLSHIRE_TOWNS) byTown.set(t.name, { gps: [], primaries: [], secondaries: [], nurseries: [] });
  const townWeights = Object.fromEntries(MARLSHIRE_TOWNS.map((t) => [t.name, t.weight])) as Record<string, number>;
  const usedNames = new Map<string, number>();
  const uniqueName = (base: string, town: string) => {
    const seen = usedNames.get(base) ?? 0;
    usedNames.set(base, seen + 1);
    if (!seen) return base;
    const local = `${base}, ${town}`;
    const n = usedNames.get(local) ?? 0;
    usedNames.set(local, n + 1);
    return n ? `${local} (${n + 1})` : local;
  };
  // Every town gets at least one of each; the rest are spread by population.
  const spread = (count: number, build: (i: number, town: string) => CountyAgency, list: (t: string) => CountyAgency[]) => {
    const out: CountyAgency[] = [];
    for (let i = 0; i < count; i++) {
      const town = i < MARLSHIRE_TOWNS.length ? (MARLSHIRE_TOWNS[i]?.name as string) : rng.weighted(townWeights);
      const a = build(i, town);
      out.push(a);
      list(town).push(a);
    }
    return out;
  };
  const towns = MARLSHIRE_TOWNS.length;
  const pad = (n: number) => String(n + 1).padStart(3, '0');
  const entry = (town: string) => byTown.get(town) as NonNullable<ReturnType<typeof byTown.get>>;
  // About 9,500 registered patients per practice (NHS Digital, Patients Registered at a GP Practice 2024) and roughly 4.5 people per child in the population.
  const gps = spread(Math.max(towns, Math.round((children * 4.5) / 9500)), (i, town) =>
    make(`marlshire-gp-${pad(i)}`, uniqueName(`${rng.pick(GP_STEMS)} ${rng.pick(['Surgery', 'Medical Centre', 'Health Centre', 'Medical Practice'])}`, town),
      'gp', `G${pad(i)}-`, 'gp', false, HOME_AUTHORITY.code, town), (t) => entry(t).gps);
  // About 280 pupils per primary and 1,000 per secondary school (DfE, Schools, pupils and their characteristics 2024).
  const primaries = spread(Math.max(towns, Math.round((children * 0.39) / 280)), (i, town) =>
    make(`marlshire-school-p${pad(i)}`, uniqueName(`${rng.pick(SCHOOL_STEMS)} ${rng.pick(['Primary School', 'Primary Academy', 'Infant and Junior School', 'CE Primary School'])}`, town),
      'school', `P${pad(i)}-`, 'education', true, HOME_AUTHORITY.code, town), (t) => entry(t).primaries);
  const secondaries = spread(Math.max(towns, Math.round((children * 0.28) / 1000)), (i, town) =>
    make(`marlshire-school-s${pad(i)}`, uniqueName(`${rng.pick(SCHOOL_STEMS)} ${rng.pick(['Academy', 'High School', 'School', 'Community College'])}`, town),
      'school', `S${pad(i)}-`, 'education', true, HOME_AUTHORITY.code, town), (t) => entry(t).secondaries);
  const nurseries = spread(Math.max(towns, Math.round((children * 0.09) / 60)), (i, town) =>
    make(`marlshire-nursery-${pad(i)}`, uniqueName(`${rng.pick(SCHOOL_STEMS)} ${rng.pick(['Nursery', 'Day Nursery', 'Nursery School', 'Pre-school'])}`, town),
      'nursery', `N${pad(i)}-`, 'education', true, HOME_AUTHORITY.code, town), (t) => entry(t).nurseries);

  const fixed = [frontDoor, csc, earlyHelp, hv, maternity, hospital, communityHealth, police, mentalHealth, substanceMisuse, housing, charity, neighbourCsc];
  return {
    all: [...fixed, ...gps, ...primaries, ...secondaries, ...nurseries],
    frontDoor, csc, earlyHelp, hv, maternity, hospital, communityHealth, police, mentalHealth, substanceMisuse, housing, charity, neighbourCsc,
    gps, primaries, secondaries, nurseries, byTown,
  };
}
