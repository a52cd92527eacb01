/** A small family for tests: synthetic people, valid and invalid NHS numbers. */
export const agencies = [
  { id: 'hv', name: 'Marlshire Health Visiting', kind: 'health-visiting', authority: 'E06000021' },
  { id: 'gp', name: 'Fenton Surgery', kind: 'gp', authority: 'E06000021' },
  { id: 'police', name: 'Marlshire Police', kind: 'police', authority: 'E06000021' },
];

export const records = [
  { agency: 'hv', localId: 'HV-1', kind: 'person', name: { given: ['Kai'], family: 'Whitfield' }, birthDate: '2017-07-09', sex: 'male', nhsNumber: '9435555209', address: { lines: ['12 Hartley Road'], postcode: 'ST4 7QP' } },
  { agency: 'gp', localId: 'G-1', kind: 'person', name: { given: ['Kai', 'Daniel'], family: 'Whitfeld' }, birthDate: '2017-07-09', sex: 'male', nhsNumber: '9435555209' },
  { agency: 'hv', localId: 'HV-2', kind: 'person', name: { given: ['Joanne'], family: 'Harper' }, birthDate: '1982-04-17', sex: 'female', nhsNumber: '9434765919', address: { lines: ['12 Hartley Road'], postcode: 'ST4 7QP' } },
  // The same number with a wrong check digit: not trusted for linking.
  { agency: 'police', localId: 'P-1', kind: 'person', name: { given: ['Jo'], family: 'Harper' }, sex: 'female', nhsNumber: '9434765918' },
];

export const relationships = [{ agency: 'hv', from: 'HV-2', to: 'HV-1', type: 'parent-of', from_date: '2017-07-09' }];

export const events = [
  { id: 'hv-e1', at: '2019-08-01', agency: 'hv', type: 'appointment', subjects: ['HV-1'], data: { service: 'health-visiting', status: 'did-not-attend' } },
  { id: 'hv-e2', at: '2019-09-01T10:30:00+01:00', agency: 'hv', type: 'involvement-start', subjects: ['HV-1'], data: { service: 'early-help', level: 3 } },
  { id: 'p-e1', at: '2019-10-17', agency: 'police', type: 'police-incident', subjects: ['P-1', 'hv:HV-1'], data: { category: 'domestic-abuse', childrenPresent: true }, text: 'Officers attended a reported argument.' },
  { id: 'hv-e3', at: '2020-01-10', agency: 'hv', type: 'involvement-end', subjects: ['HV-1'], data: { service: 'early-help', reason: 'needs-met' } },
  { id: 'gp-e1', at: '2020-02-03', agency: 'gp', type: 'appointment', subjects: ['G-1'], data: { service: 'gp', status: 'attended' } },
];

export const batch = () => structuredClone({ agencies, records, relationships, events });
