import { describe, expect, it } from 'vitest';
import { mapFhirBundle, NHS_NUMBER_SYSTEM } from './fhir.ts';

const child = { resourceType: 'Patient', id: 'pat-1', birthDate: '2019-03-01', gender: 'male',
  identifier: [{ system: NHS_NUMBER_SYSTEM, value: '943 555 5209' }], name: [{ use: 'official', given: ['Kai'], family: 'Whitfield' }],
  address: [{ use: 'home', line: ['12 Hartley Road'], city: 'Stoke-on-Trent', postalCode: 'ST4 7QP' }] };
const adult = { resourceType: 'Patient', id: 'pat-2', birthDate: '1982-04-17', gender: 'female' };
const appointment = (id: string, status: string, patient: string, extra: object = {}) => ({
  resourceType: 'Appointment', id, status, start: '2021-05-04T09:30:00+01:00', participant: [{ actor: { reference: `Patient/${patient}` }, status: 'accepted' }],
  serviceType: [{ text: 'Paediatrics' }], ...extra,
});
const bundle = (...resources: object[]) => ({ resourceType: 'Bundle', type: 'collection', entry: resources.map((resource) => ({ resource })) });

describe('FHIR R4 bundles mapped to the vocabulary', () => {
  it('maps a Patient to a person record with the NHS number from the NHS number system, names, birth date, sex and address', () => {
    const m = mapFhirBundle(bundle(child), 'hospital');
    expect(m.issues).toEqual([]);
    expect(m.batch.records).toEqual([{
      agency: 'hospital', localId: 'pat-1', kind: 'person', name: { given: ['Kai'], family: 'Whitfield' }, birthDate: '2019-03-01', sex: 'male',
      nhsNumber: '9435555209', address: { lines: ['12 Hartley Road'], town: 'Stoke-on-Trent', postcode: 'ST4 7QP' },
    }]);
  });

  it('says a child who missed an appointment was not brought, and an adult did not attend', () => {
    const m = mapFhirBundle(bundle(child, adult, appointment('a1', 'noshow', 'pat-1'), appointment('a2', 'noshow', 'pat-2')), 'hospital');
    expect(m.batch.events.map((e) => (e as { data: { status: string } }).data.status)).toEqual(['was-not-brought', 'did-not-attend']);
    expect(m.batch.events[0]).toMatchObject({ id: 'appointment-a1', type: 'appointment', subjects: ['pat-1'], data: { service: 'paediatrics' } });
  });

  it('maps fulfilled to attended, and tells a family cancellation from a service one by the cancellation reason', () => {
    const reason = (code: string) => ({ cancelationReason: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason', code }] } });
    const m = mapFhirBundle(bundle(child, appointment('a1', 'fulfilled', 'pat-1'), appointment('a2', 'cancelled', 'pat-1', reason('pat-mv')), appointment('a3', 'cancelled', 'pat-1', reason('prov-pers'))), 'hospital');
    expect(m.batch.events.map((e) => (e as { data: { status: string } }).data.status)).toEqual(['attended', 'cancelled-by-family', 'cancelled-by-service']);
  });

  it('refuses a cancellation without a reason, and a no-show whose Patient is not in the bundle, with OperationOutcome issues', () => {
    const m = mapFhirBundle(bundle(appointment('a1', 'cancelled', 'pat-1'), appointment('a2', 'noshow', 'pat-9')), 'hospital');
    expect(m.batch.events).toEqual([]);
    expect(m.issues.map((i) => i.expression?.[0])).toEqual(['Bundle.entry[0].resource.cancelationReason', 'Bundle.entry[1].resource.participant']);
    expect(m.issues.every((i) => i.severity === 'error')).toBe(true);
  });

  it('maps an emergency encounter to unscheduled care and an inpatient one to an admission', () => {
    const m = mapFhirBundle(bundle(
      { resourceType: 'Encounter', id: 'e1', status: 'finished', class: { code: 'EMER' }, subject: { reference: 'Patient/pat-1' }, period: { start: '2020-03-12T19:40:00Z' }, reasonCode: [{ text: 'Suspected ingestion' }] },
      { resourceType: 'Encounter', id: 'e2', status: 'finished', class: { code: 'IMP' }, subject: { reference: 'Patient/pat-1' }, period: { start: '2020-06-01T10:00:00Z', end: '2020-06-04T10:00:00Z' }, reasonCode: [{ text: 'Faltering growth' }] },
    ), 'hospital');
    expect(m.batch.events).toEqual([
      { id: 'encounter-e1', at: '2020-03-12T19:40:00Z', agency: 'hospital', type: 'unscheduled-care', subjects: ['pat-1'], data: { setting: 'ed', reason: 'ingestion' } },
      { id: 'encounter-e2', at: '2020-06-01T10:00:00Z', agency: 'hospital', type: 'admission', subjects: ['pat-1'], data: { reason: 'faltering growth', days: 3 } },
    ]);
  });

  it('maps a RelatedPerson to a record and a relationship to the patient', () => {
    const m = mapFhirBundle(bundle(child, { resourceType: 'RelatedPerson', id: 'rp1', patient: { reference: 'Patient/pat-1' }, relationship: [{ coding: [{ code: 'MTH' }] }], name: [{ given: ['Joanne'], family: 'Harper' }] }), 'hospital');
    expect(m.batch.relationships).toEqual([{ agency: 'hospital', from: 'related-rp1', to: 'pat-1', type: 'parent-of' }]);
    expect(m.batch.records[1]).toMatchObject({ localId: 'related-rp1', name: { given: ['Joanne'], family: 'Harper' } });
  });

  it('turns an appointment entered in error into a retraction', () => {
    const m = mapFhirBundle(bundle(appointment('a1', 'entered-in-error', 'pat-1')), 'hospital');
    expect(m.batch.retractions).toEqual([{ agency: 'hospital', eventId: 'appointment-a1', reason: 'entered in error (FHIR Appointment.status)' }]);
  });

  it('refuses resources it does not understand, and anything that is not a Bundle', () => {
    expect(mapFhirBundle(bundle({ resourceType: 'Observation', id: 'o1' }), 'hospital').issues[0]).toMatchObject({ code: 'not-supported', expression: ['Bundle.entry[0].resource.resourceType'] });
    expect(mapFhirBundle({ resourceType: 'Patient', id: 'x' }, 'hospital').issues[0]).toMatchObject({ code: 'structure' });
  });
});
