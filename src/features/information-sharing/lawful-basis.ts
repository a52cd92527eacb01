/**
 * The lawful bases a practitioner can cite when sharing for safeguarding, and
 * the reasons for not sharing. Record the decision and the reasons whether or
 * not you share ("Information sharing: advice for practitioners", HM Government
 * 2024, the seven golden rules).
 */
export const LAWFUL_BASES = {
  'uk-gdpr-6-1-e': 'UK GDPR Article 6(1)(e): a task in the public interest or official authority',
  'uk-gdpr-6-1-c': 'UK GDPR Article 6(1)(c): a legal obligation',
  'uk-gdpr-6-1-d': 'UK GDPR Article 6(1)(d): vital interests (life at risk)',
  'uk-gdpr-9-2-g': 'UK GDPR Article 9(2)(g): substantial public interest (special category data)',
  'dpa-2018-sch1-18': 'Data Protection Act 2018, Schedule 1, paragraph 18: safeguarding of children and individuals at risk',
  'children-act-1989-s47': 'Children Act 1989, section 47: enquiries where a child may be suffering significant harm',
  'children-act-2004-s11': 'Children Act 2004, section 11: duty to safeguard and promote welfare',
  'uk-gdpr-6-1-a': 'UK GDPR Article 6(1)(a): consent',
} as const;
export type LawfulBasis = keyof typeof LAWFUL_BASES;

export const CONSENT = {
  given: 'Consent was sought and given',
  refused: 'Consent was sought and refused: shared without it because of the risk to the child',
  'not-sought': 'Consent was not sought',
} as const;

export const REASONS_NOT_SHARED = {
  'more-detrimental': 'Disclosure would be more detrimental to the child than not disclosing (Children’s Wellbeing and Schools Act 2026, s16LA)',
  'not-necessary': 'Sharing is not necessary or proportionate for the purpose',
  'no-lawful-basis': 'There is no lawful basis to share',
  'already-known': 'The agency already holds this information',
} as const;
