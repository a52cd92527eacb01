import type { Role } from '../../platform/http/access-rule.ts';

/**
 * The demonstration partnership: a fictional county, Marlshire, with the
 * agencies of a real local safeguarding children partnership. Everything here
 * is synthetic. These accounts are created only outside production, and a demo
 * account cannot sign in when NODE_ENV=production.
 */
export const DEMO_AUTHORITY = { code: 'E06009999', name: 'Marlshire' };

export const demoAgencies = [
  { id: 'marlshire-front-door', name: 'Marlshire Children’s Advice and Duty Service (front door)', kind: 'front-door' },
  { id: 'marlshire-csc', name: 'Marlshire Children’s Social Care', kind: 'childrens-social-care' },
  { id: 'marlshire-early-help', name: 'Marlshire Early Help', kind: 'early-help' },
  { id: 'marlshire-hv', name: 'Marlshire 0-19 Health Visiting Service', kind: 'health-visiting' },
  { id: 'marlshire-maternity', name: 'Marlshire General Hospital maternity', kind: 'maternity' },
  { id: 'marlshire-hospital', name: 'Marlshire General Hospital', kind: 'hospital' },
  { id: 'marlshire-police', name: 'Marlshire Police', kind: 'police' },
  { id: 'marlshire-partnership', name: 'Marlshire Safeguarding Children Partnership business unit', kind: 'other' },
] as const;

export const demoTeams = [
  { id: 'front-door-duty', agencyId: 'marlshire-front-door', name: 'Advice and duty team', kind: 'front-door' },
  { id: 'hv-north', agencyId: 'marlshire-hv', name: 'Health visiting, north locality', kind: 'general' },
  { id: 'eh-north', agencyId: 'marlshire-early-help', name: 'Early help, north locality', kind: 'early-help' },
  { id: 'partnership-unit', agencyId: 'marlshire-partnership', name: 'Business unit', kind: 'general' },
] as const;

/** The password every demo account shares; printed in the README, refused in production. */
export const DEMO_PASSWORD = 'kinsight-demo';

export interface DemoUser {
  username: string;
  displayName: string;
  agencyId: string;
  teamId: string | null;
  roles: Role[];
  /** Base32 TOTP secret; null for roles that never see personal data. */
  totpSecret: string | null;
}

export const demoUsers: DemoUser[] = [
  { username: 'hv.practitioner', displayName: 'Priya Shah', agencyId: 'marlshire-hv', teamId: 'hv-north',
    roles: ['practitioner'], totpSecret: '477YLLUIS3PA3ISC3AF44GY7YCYS5YQE' },
  { username: 'front.door', displayName: 'Sam Okafor', agencyId: 'marlshire-front-door', teamId: 'front-door-duty',
    roles: ['front-door-practitioner'], totpSecret: 'O24BFMD2T7PF2WNUPLIT3NOJ2JUBK5CA' },
  { username: 'team.manager', displayName: 'Alex Morgan', agencyId: 'marlshire-front-door', teamId: 'front-door-duty',
    roles: ['team-manager'], totpSecret: 'SRCLMPOKW53BOBIJTVHMNDYJM7XUI3AR' },
  { username: 'safeguarding.lead', displayName: 'Dr Helen Price', agencyId: 'marlshire-hospital', teamId: null,
    roles: ['safeguarding-lead'], totpSecret: 'E7WJ4O5OV4NREIM2462S6H2FT5RZAEFK' },
  { username: 'ed.nurse', displayName: 'Jamie Patel', agencyId: 'marlshire-hospital', teamId: null,
    roles: ['practitioner'], totpSecret: 'NWRV3ICZTY7QNEXZQ7NWH64GWRZMCPUN' },
  { username: 'analyst', displayName: 'Jordan Lee', agencyId: 'marlshire-partnership', teamId: 'partnership-unit',
    roles: ['partnership-analyst'], totpSecret: null },
  { username: 'admin', displayName: 'Chris Evans', agencyId: 'marlshire-partnership', teamId: 'partnership-unit',
    roles: ['system-administrator'], totpSecret: 'KCNNUKPU4YDNGZGR6M2THNJWT7SW2EIB' },
];
