/**
 * The rates the synthetic county is drawn from, each with its source. Where no
 * national statistic exists (early help, nursery attendance, agencies' data
 * quality) the value is a stated modelling assumption. docs/synthetic-county.md
 * lists every one with its publication; the figures are rounded, as published.
 */

// ---------------------------------------------------------------- households
/**
 * Family type, families with dependent children. ONS, "Families and households
 * in the UK: 2023" (table 2, families by type with dependent children): about
 * 61% married or civil partner couples, 16% cohabiting couples, 23% lone parents.
 */
export const FAMILY_TYPE = { married: 61, cohabiting: 16, loneParent: 23 } as const;
/** Share of lone parents who are mothers. ONS, "Families and households in the UK: 2023": about 86%. */
export const LONE_PARENT_MOTHER_SHARE = 0.86;
/**
 * Stepfamilies as a share of couple families with dependent children. ONS, "2011
 * Census: Stepfamilies in England and Wales" (2014): 11%.
 */
export const STEPFAMILY_SHARE_OF_COUPLES = 0.11;
/**
 * Children living with grandparents or other relatives without a parent (kinship
 * care). Kinship (formerly Grandparents Plus), analysis of the 2021 Census for
 * England and Wales: about 1 in 100 children (141,000 in England).
 */
export const KINSHIP_CARE_SHARE = 0.01;
/**
 * Dependent children per family. ONS, "Families and households in the UK: 2023"
 * (table 3): one child about 45%, two 39%, three 12%, four or more 4%.
 */
export const CHILDREN_PER_FAMILY = { one: 45, two: 39, three: 12, fourPlus: 4 } as const;
/** Families with a non-dependent adult child (18-24) still at home. ONS, "Families and households in the UK: 2023" (young adults living with parents: about a third of 20-24 year-olds); modelled as 15% of families. */
export const ADULT_CHILD_AT_HOME_SHARE = 0.15;
/** Couples with dependent children separating, per year. ONS / Understanding Society-based estimates ("Families and the labour market" and Marriage Foundation analysis): about 2-3% a year; modelled 2.5%. */
export const SEPARATION_PER_YEAR = 0.025;
/** A lone parent's new partner moving in, per year. Modelling assumption (about 1 in 6 lone parents re-partner within five years; Understanding Society). */
export const NEW_PARTNER_PER_YEAR = 0.04;

// ---------------------------------------------------------------- births
/**
 * Age-specific fertility rates per woman per year. ONS, "Births in England and
 * Wales: 2023" (table 3, ASFRs per 1,000 women): under 20: 8, 20-24: 43,
 * 25-29: 79, 30-34: 99, 35-39: 60, 40-44: 14. Total fertility rate 1.44.
 */
export const ASFR = { under20: 0.008, '20-24': 0.043, '25-29': 0.079, '30-34': 0.099, '35-39': 0.06, '40-44': 0.014 } as const;
/**
 * Multiple maternities. ONS, "Births in England and Wales: 2023": 13.9 multiple
 * maternities per 1,000 maternities (almost all twins).
 */
export const MULTIPLE_MATERNITY_RATE = 0.0139;
/** Mean age of mothers at first birth. ONS, "Births in England and Wales: 2023": 29.0 years (all births 30.9). */
export const MEAN_AGE_FIRST_BIRTH = 29.0;
/** Share of births that are first births. ONS, "Births by parents' characteristics, 2022": about 42%. */
export const FIRST_BIRTH_SHARE = 0.42;
/**
 * Antenatal booking by 10 weeks of pregnancy. NHS Digital, "Maternity Services
 * Monthly Statistics" (2023): about 60%; the rest by 20 weeks. Antenatal
 * appointments: NICE NG201 (2021) schedule, 10 for a first pregnancy, 7 after.
 */
export const BOOKING_BY_10_WEEKS = 0.6;
export const ANTENATAL_APPOINTMENTS = { first: 10, later: 7 } as const;

// ---------------------------------------------------------------- moving home
/**
 * Households moving home in a year, by tenure. DLUHC, "English Housing Survey
 * 2022-23: headline report" (annex table on recent movers): private renters
 * about 14%, social renters 5%, owner occupiers 3%.
 */
export const MOVE_PER_YEAR = { owner: 0.03, social: 0.05, private: 0.14 } as const;
/** Tenure of families with dependent children. English Housing Survey 2022-23 (households with dependent children): owners about 59%, social 19%, private 22%. */
export const TENURE = { owner: 59, social: 19, private: 22 } as const;
/** Share of moves that leave the county (to the neighbouring authority or further), and that arrive from outside it. Modelling assumption from ONS internal migration estimates (about a fifth of moves cross a local authority boundary). */
export const MOVE_ACROSS_BOUNDARY_SHARE = 0.2;
/** Of moves across the boundary, the share to or from the neighbouring authority. Modelling assumption: most cross-boundary moves are short, to a neighbour. */
export const NEIGHBOUR_SHARE_OF_BOUNDARY_MOVES = 0.5;

// ---------------------------------------------------------------- primary care
/**
 * General practice appointments per person per year, by age. NHS Digital,
 * "Appointments in General Practice" (2023: about 30 million appointments a
 * month for about 62 million registered patients, so roughly 5.8 a year) with
 * the age profile of Hobbs et al., Lancet 2016 (CPRD consultation rates: highest
 * in under-5s and older adults). Under 5: 4.0; 5-17: 2.0; adults: 4.5.
 */
export const GP_APPOINTMENTS_PER_YEAR = { under5: 4.0, child: 2.0, adult: 4.5 } as const;
/** GP appointments not attended. NHS Digital, "Appointments in General Practice" (2023): about 4.3% DNA. */
export const GP_DNA_RATE = 0.043;
/** Patients registered with a GP. NHS Digital, "Patients Registered at a GP Practice": effectively all residents; modelled 98%. */
export const GP_REGISTERED = 0.98;

// ---------------------------------------------------------------- hospital
/**
 * Emergency department attendances per person per year, by age. NHS Digital,
 * "Hospital Accident and Emergency Activity, 2022-23" (attendances by age band:
 * under-5s have the highest rate of any age band under 80, about 0.55 a year;
 * children 5-17 about 0.28; adults 18-64 about 0.33).
 */
export const ED_ATTENDANCES_PER_YEAR = { under5: 0.55, child: 0.28, adult: 0.33 } as const;
/** Reasons for a child's ED attendance. NHS Digital, "Hospital A&E Activity 2022-23" (diagnosis groups for children): injury about a third; poisoning/ingestion about 1-2%. */
export const ED_REASON_CHILD = { illness: 62, injury: 35, ingestion: 1.5, other: 1.5 } as const;
export const ED_REASON_ADULT = { illness: 68, injury: 26, ingestion: 2, other: 4 } as const;
/** ED attendances followed by admission. NHS England, "A&E Attendances and Emergency Admissions" (2023): about 1 in 8 for children, 1 in 4 for adults (type 1). */
export const ED_ADMITTED = { child: 0.12, adult: 0.25 } as const;
/**
 * Outpatient courses (a referral and its series of appointments) per person per
 * year. NHS Digital, "Hospital Outpatient Activity 2022-23" (about 124 million
 * appointments a year in England, about 2.2 per person; children fewer). Modelled
 * as 0.12 courses a year for children and 0.3 for adults, each of 1-6 appointments.
 */
export const OUTPATIENT_COURSES_PER_YEAR = { child: 0.12, adult: 0.3 } as const;
/**
 * Outcome of an outpatient appointment. NHS Digital, "Hospital Outpatient
 * Activity" (2012-13 summary: 7.3% of appointments missed, 6.1% cancelled by
 * patients, 6.1% cancelled by hospitals; 2022-23 DNA rate about 7-8%).
 */
export const OUTPATIENT_OUTCOME = { attended: 80.5, missed: 7.4, cancelledByFamily: 6.1, cancelledByService: 6.0 } as const;

// ---------------------------------------------------------------- health visiting
/**
 * Mandated health visiting contacts delivered. OHID, "Health visitor service
 * delivery metrics, 2022 to 2023" (annual): new birth visit within 14 days about
 * 80%; 6-8 week review about 80%; 12-month review by 12 months about 74%;
 * 2-2.5 year review about 72%.
 */
export const HV_CONTACT_COVERAGE = { newBirth: 0.8, sixToEightWeeks: 0.8, oneYear: 0.74, twoYear: 0.72 } as const;

// ---------------------------------------------------------------- education
/**
 * Overall absence and persistent absence (missing 10% or more of sessions).
 * DfE, "Pupil absence in schools in England, 2023/24" (headline table): overall
 * absence 7.1%, persistent absence 20.0% (2022/23: 7.4% and 21.2%; 2018/19:
 * 4.7% and 10.9%).
 */
export const SCHOOL_OVERALL_ABSENCE = 0.071;
export const SCHOOL_PERSISTENT_ABSENCE = 0.2;
/** Possible sessions in a school year: 190 days, two sessions a day, by term (autumn, spring, summer). */
export const SCHOOL_SESSIONS = { autumn: 144, spring: 118, summer: 118 } as const;
/**
 * Take-up of funded early education. DfE, "Education provision: children under
 * 5 years of age, January 2024": 3- and 4-year-olds about 94%; eligible
 * 2-year-olds about 75% of the roughly 40% who are eligible (so about 30% of all
 * 2-year-olds).
 */
export const NURSERY_TAKE_UP = { twoYearOlds: 0.3, threeFour: 0.94 } as const;
/** Nursery attendance of funded sessions. No national statistic; modelled as a mean of 88% of sessions. */
export const NURSERY_ATTENDANCE_MEAN = 0.88;
/** Funded sessions a term: 15 hours a week as five 3-hour sessions over about 13 weeks. */
export const NURSERY_SESSIONS_PER_TERM = 65;

// ---------------------------------------------------------------- police and adult services
/**
 * Domestic abuse incidents and crimes recorded by the police. ONS, "Domestic
 * abuse in England and Wales overview: November 2023": 1.5 million in the year
 * ending March 2023, about 25 per 1,000 population. Modelled as 1.2% of ordinary
 * households with children a year (most abuse is concentrated in fewer
 * households: those are the domestic-abuse pattern).
 */
export const DA_INCIDENT_ORDINARY_PER_YEAR = 0.012;
/** Other police contact with an ordinary household (concern for welfare, other) per year. Modelling assumption. */
export const POLICE_OTHER_ORDINARY_PER_YEAR = 0.02;
/**
 * NHS Talking Therapies referrals per adult per year. NHS England, "NHS Talking
 * Therapies for anxiety and depression, annual reports, 2022-23": about 1.76
 * million referrals (about 4% of adults). Modelled 3% of parents a year.
 */
export const TALKING_THERAPIES_PER_ADULT_YEAR = 0.03;
/**
 * Adults starting substance misuse treatment. OHID, "Adult substance misuse
 * treatment statistics 2022 to 2023": about 133,000 new presentations (about
 * 0.3% of adults); about 1 in 4 adults in treatment lives with children.
 */
export const SUBSTANCE_TREATMENT_PER_ADULT_YEAR = 0.0015;
/** Households applying to the council's housing service in a year (register or homelessness). Modelling assumption from DLUHC "Local authority housing statistics 2022-23" (1.29 million households on registers, about 5% of households). */
export const HOUSING_APPLICATION_PER_YEAR = { social: 0.05, private: 0.04, owner: 0.005 } as const;
/** Families using the voluntary-sector family charity (baby bank, drop-in) in a year. Modelling assumption. */
export const CHARITY_PER_YEAR = 0.01;

// ---------------------------------------------------------------- children's social care
/**
 * Referrals to children's social care. DfE, "Children in need, reporting year
 * 2024" (headline table A1): 621,880 referrals, 518.5 per 10,000 children; 22.4%
 * re-referrals within 12 months; sources: police 29%, schools 21%, health 15%,
 * local authority 9%, individuals 8%, other 18%.
 */
export const REFERRALS_PER_10K_PER_YEAR = 518.5;
export const REFERRAL_SOURCES = { police: 29, school: 21, health: 15, localAuthority: 9, individual: 8, other: 18 } as const;
/** Children in need at 31 March per 10,000 children. DfE, "Children in need, reporting year 2024" (table A1): 332.9. */
export const CIN_PER_10K = 332.9;
/** Children on a child protection plan at 31 March per 10,000 children. DfE, "Children in need, reporting year 2024" (table D1): 41.6 (2020: 42.8). */
export const CP_PER_10K = 41.6;
/** Looked-after children at 31 March per 10,000 children. DfE, "Children looked after in England including adoptions, 2024": 70. */
export const CLA_PER_10K = 70;
/**
 * Initial category of abuse of child protection plans. DfE, "Children in need,
 * reporting year 2024" (table D3): neglect about 50%, emotional 37%, physical 7%,
 * sexual 4%, multiple 2%.
 */
export const CP_CATEGORY = { neglect: 50, emotional: 37, physical: 7, sexual: 4, multiple: 2 } as const;
/** Outcome of a referral (DfE CIN 2024: about 7% of referrals NFA at the front door; about 28% of assessments find the child not in need). */
export const ASSESSMENT_NOT_IN_NEED = 0.28;
/** Early help: no national statistic. Modelled: about 2-3% of children open to early help at any time (local partnership annual reports). */
export const EARLY_HELP_OPEN_SHARE = 0.025;

// ---------------------------------------------------------------- growing needs
/**
 * Households whose needs grow through early help and children's social care in
 * the window, and the patterns the case reviews describe (002, 004 and the
 * others in shared/seeds), by weight. The share is calibrated so that child
 * protection and child in need prevalence come out near the DfE rates above.
 */
export const GROWING_NEEDS_SHARE = 0.13;
export const GROWING_NEEDS_PATTERNS = {
  'domestic-abuse': 24,
  'parental-mental-health': 18,
  'substance-misuse': 10,
  'was-not-brought': 12,
  'repeated-ed': 8,
  'parental-learning-disability': 6,
  'early-help-closed-needs-unmet': 12,
  'cross-boundary': 6,
  'previous-children-removed': 4,
} as const;
export type GrowingNeedsPattern = keyof typeof GROWING_NEEDS_PATTERNS | 'child-b-004';

// ---------------------------------------------------------------- agencies' data quality (modelling assumptions)
/**
 * How each kind of agency records a person. Modelling assumptions informed by
 * the linkage literature (Harron et al., "Challenges in administrative data
 * linkage for research", Big Data & Society 2017) and by the reviews themselves
 * (004: the same child recorded under two surnames; parents' dates of birth
 * missing in education records; NHS numbers only in health).
 */
export interface RecordingProfile {
  nhsNumber: number; // share of records carrying the NHS number
  middleNames: number; // share keeping middle names
  nickname: number; // share using a short form of the first name
  typo: number; // share with a one-character slip in a name
  birthDate: number; // share with a date of birth
  birthDateSlip: number; // share whose date of birth has a slip (day/month swapped, digit wrong)
  sex: number; // share recording sex
  address: number; // share with an address
  updatesAddress: number; // share kept up to date when the family moves
}
export const RECORDING: Readonly<Record<'gp' | 'health' | 'education' | 'educationContact' | 'police' | 'council' | 'housing' | 'charity', RecordingProfile>> = {
  gp: { nhsNumber: 0.995, middleNames: 0.9, nickname: 0.01, typo: 0.01, birthDate: 1, birthDateSlip: 0.002, sex: 1, address: 1, updatesAddress: 0.9 },
  health: { nhsNumber: 0.96, middleNames: 0.8, nickname: 0.03, typo: 0.02, birthDate: 0.995, birthDateSlip: 0.005, sex: 0.99, address: 0.98, updatesAddress: 0.6 },
  education: { nhsNumber: 0, middleNames: 0.7, nickname: 0.06, typo: 0.02, birthDate: 1, birthDateSlip: 0.004, sex: 1, address: 0.98, updatesAddress: 0.7 },
  educationContact: { nhsNumber: 0, middleNames: 0, nickname: 0.15, typo: 0.03, birthDate: 0.1, birthDateSlip: 0.01, sex: 0.6, address: 0.9, updatesAddress: 0.6 },
  police: { nhsNumber: 0, middleNames: 0.35, nickname: 0.1, typo: 0.04, birthDate: 0.85, birthDateSlip: 0.01, sex: 0.95, address: 0.85, updatesAddress: 0.2 },
  council: { nhsNumber: 0.4, middleNames: 0.45, nickname: 0.08, typo: 0.03, birthDate: 0.93, birthDateSlip: 0.006, sex: 0.95, address: 0.95, updatesAddress: 0.5 },
  housing: { nhsNumber: 0, middleNames: 0.25, nickname: 0.05, typo: 0.03, birthDate: 0.85, birthDateSlip: 0.006, sex: 0.8, address: 1, updatesAddress: 0.4 },
  charity: { nhsNumber: 0, middleNames: 0.05, nickname: 0.3, typo: 0.05, birthDate: 0.4, birthDateSlip: 0.02, sex: 0.5, address: 0.7, updatesAddress: 0.1 },
};
/** Agencies that record a child under the other parent's surname, or a married woman under her previous surname. Modelling assumption (004: Kai Harper / Kai Whitfield). */
export const OTHER_SURNAME_SHARE = 0.12;
