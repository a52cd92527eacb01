import type {
  Address, Appointment, Bundle, CodeableConcept, Encounter, HumanName, Identifier, OperationOutcome, OperationOutcomeIssue,
  FhirResource, Patient, RelatedPerson,
} from 'fhir/r4.js';

/**
 * FHIR R4 from health systems, mapped to the event vocabulary. Pure: no I/O.
 * What Kinsight does not understand is refused with an OperationOutcome issue
 * naming the entry and the element, never guessed.
 */

export const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';

/** Where each produced item came from, so ingest's answer can point back at the bundle entry. */
export interface FhirMapping {
  batch: { records: unknown[]; relationships: unknown[]; events: unknown[]; retractions: unknown[] };
  /** For each produced item, keyed "records[0]" etc., the bundle entry it came from. */
  sources: Map<string, number>;
  issues: OperationOutcomeIssue[];
  /** Entries refused whole, with the resource as sent: kept in quarantine so an operator can correct and resubmit them. */
  refused: { entry: number; resource: unknown; reasons: { path: string; expected: string }[] }[];
}

export function operationOutcome(issues: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues };
}

export function fhirIssue(severity: OperationOutcomeIssue['severity'], code: OperationOutcomeIssue['code'], diagnostics: string, expression?: string): OperationOutcomeIssue {
  return { severity, code, diagnostics, ...(expression ? { expression: [expression] } : {}) };
}

const isoDate = (d: string | undefined) => (d && /^\d{4}-\d{2}-\d{2}$/.test(d) ? d : undefined);
const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'other';

function name(names: HumanName[] | undefined) {
  const n = names?.find((x) => x.use === 'official') ?? names?.[0];
  if (!n) return undefined;
  const given = n.given?.filter((g) => g.trim().length > 0);
  return { ...(given?.length ? { given } : {}), ...(n.family ? { family: n.family } : {}) };
}

function address(addresses: Address[] | undefined) {
  const a = addresses?.find((x) => x.use === 'home' && !x.period?.end) ?? addresses?.[0];
  if (!a) return undefined;
  return {
    ...(a.line?.length ? { lines: a.line } : {}),
    ...(a.city ? { town: a.city } : {}),
    ...(a.postalCode ? { postcode: a.postalCode } : {}),
    ...(isoDate(a.period?.start) ? { from: a.period!.start } : {}),
  };
}

const nhsNumber = (ids: Identifier[] | undefined) => ids?.find((i) => i.system === NHS_NUMBER_SYSTEM)?.value?.replace(/\s/g, '');

const SEX: Record<string, string> = { female: 'female', male: 'male', other: 'other', unknown: 'unknown' };

function personRecord(agency: string, localId: string, r: Patient | RelatedPerson) {
  const n = name(r.name);
  const a = address(r.address);
  const nhs = nhsNumber(r.identifier);
  return {
    agency, localId, kind: 'person',
    ...(n && Object.keys(n).length ? { name: n } : {}),
    ...(r.birthDate ? { birthDate: r.birthDate } : {}),
    ...(r.gender ? { sex: SEX[r.gender] ?? 'unknown' } : {}),
    ...(nhs ? { nhsNumber: nhs } : {}),
    ...(a && Object.keys(a).length ? { address: a } : {}),
  };
}

/** v3 RoleCode (and plain words) to the vocabulary's relationship, read as "related person ... of patient". */
function relationshipType(concepts: CodeableConcept[] | undefined): string {
  const codes = (concepts ?? []).flatMap((c) => [...(c.coding ?? []).map((x) => x.code ?? ''), c.text ?? '']).map((x) => x.toUpperCase());
  if (codes.some((c) => ['STPMTH', 'STPFTH', 'STPPRN'].includes(c))) return 'step-parent-of';
  if (codes.some((c) => ['MTH', 'FTH', 'PRN', 'NMTH', 'NFTH', 'NPRN', 'ADOPTMTH', 'ADOPTFTH', 'GESTM', 'MOTHER', 'FATHER', 'PARENT'].includes(c))) return 'parent-of';
  if (codes.some((c) => ['SIB', 'BRO', 'SIS', 'HSIB', 'NSIB', 'TWIN'].includes(c))) return 'sibling-of';
  if (codes.some((c) => ['SPS', 'HUSB', 'WIFE', 'DOMPART', 'SIGOTHR', 'PARTNER'].includes(c))) return 'partner-of';
  if (codes.some((c) => ['GUARD', 'C', 'CAREGIVER', 'FSTPRN'].includes(c))) return 'carer-of';
  if (codes.some((c) => ['ROOM', 'HHMEMBER'].includes(c))) return 'household-member-of';
  return 'relative-of';
}

const patientId = (reference: string | undefined) => (reference?.startsWith('Patient/') ? reference.slice('Patient/'.length) : undefined);

function ageInYears(birthDate: string, on: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = on.slice(0, 10).split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** Map a FHIR R4 Bundle from the agency's system. Entries Kinsight cannot use become issues; the rest a batch. */
export function mapFhirBundle(input: unknown, agency: string): FhirMapping {
  const out: FhirMapping = { batch: { records: [], relationships: [], events: [], retractions: [] }, sources: new Map(), issues: [], refused: [] };
  const bundle = input as Bundle<FhirResource>;
  if (!bundle || typeof bundle !== 'object' || bundle.resourceType !== 'Bundle') {
    out.issues.push(fhirIssue('error', 'structure', 'The body must be a FHIR R4 Bundle (resourceType "Bundle")', 'Bundle.resourceType'));
    return out;
  }
  if (!Array.isArray(bundle.entry) || bundle.entry.length === 0) {
    out.issues.push(fhirIssue('error', 'required', 'The Bundle has no entries', 'Bundle.entry'));
    return out;
  }
  const add = (group: keyof FhirMapping['batch'], item: unknown, entry: number) => {
    out.sources.set(`${group}[${out.batch[group].length}]`, entry);
    out.batch[group].push(item);
  };
  const patients = new Map<string, Patient>();
  for (const e of bundle.entry) if (e.resource?.resourceType === 'Patient' && e.resource.id) patients.set(e.resource.id, e.resource);

  bundle.entry.forEach((entry, i) => {
    const before = out.issues.length;
    mapEntry(entry, i);
    const refusedHere = out.issues.slice(before).filter((issue) => issue.severity === 'error');
    if (refusedHere.length > 0 && entry && typeof entry === 'object') {
      out.refused.push({
        entry: i, resource: entry.resource ?? null,
        reasons: refusedHere.map((issue) => ({ path: issue.expression?.[0] ?? `Bundle.entry[${i}]`, expected: issue.diagnostics ?? issue.code })),
      });
    }
  });
  return out;

  function mapEntry(entry: NonNullable<Bundle<FhirResource>['entry']>[number], i: number): void {
    const where = `Bundle.entry[${i}].resource`;
    const resource = entry.resource as FhirResource | undefined;
    if (!resource || typeof resource !== 'object') {
      out.issues.push(fhirIssue('error', 'required', 'The entry has no resource', `Bundle.entry[${i}]`));
      return;
    }
    if (!resource.id) {
      out.issues.push(fhirIssue('error', 'required', `A ${resource.resourceType} needs its id (Kinsight keys what it stores by it)`, `${where}.id`));
      return;
    }
    const refuse = (code: OperationOutcomeIssue['code'], diagnostics: string, element: string): void => {
      out.issues.push(fhirIssue('error', code, diagnostics, `${where}.${element}`));
    };
    if (resource.resourceType === 'Patient') {
      add('records', personRecord(agency, resource.id, resource), i);
    } else if (resource.resourceType === 'RelatedPerson') {
      const rp = resource;
      const patient = patientId(rp.patient?.reference);
      if (!patient) return refuse('required', 'A RelatedPerson must reference its Patient as "Patient/id"', 'patient.reference');
      const localId = `related-${rp.id}`;
      add('records', personRecord(agency, localId, rp), i);
      add('relationships', { agency, from: localId, to: patient, type: relationshipType(rp.relationship), ...(isoDate(rp.period?.start) ? { from_date: rp.period!.start } : {}) }, i);
    } else if (resource.resourceType === 'Appointment') {
      mapAppointment(resource, i, agency, patients, add, refuse);
    } else if (resource.resourceType === 'Encounter') {
      mapEncounter(resource, i, agency, add, refuse);
    } else {
      out.issues.push(fhirIssue('error', 'not-supported', `Kinsight does not take ${resource.resourceType} resources`, `${where}.resourceType`));
    }
  }
}

type Add = (group: keyof FhirMapping['batch'], item: unknown, entry: number) => void;
type Refuse = (code: OperationOutcomeIssue['code'], diagnostics: string, element: string) => void;

function mapAppointment(a: Appointment, i: number, agency: string, patients: Map<string, Patient>, add: Add, refuse: Refuse): void {
  const subjects = (a.participant ?? []).map((p) => patientId(p.actor?.reference)).filter((x): x is string => Boolean(x));
  if (subjects.length === 0) return refuse('required', 'An Appointment needs a participant whose actor is "Patient/id"', 'participant');
  const id = `appointment-${a.id}`;
  if (a.status === 'entered-in-error') {
    add('retractions', { agency, eventId: id, reason: 'entered in error (FHIR Appointment.status)' }, i);
    return;
  }
  if (!a.start) return refuse('required', 'An Appointment with an outcome needs its start', 'start');
  const code = a.serviceType?.[0]?.coding?.[0]?.code ?? a.serviceType?.[0]?.text ?? a.specialty?.[0]?.coding?.[0]?.display;
  const service = code ? slug(code) : 'outpatient';
  let status: string;
  switch (a.status) {
    case 'fulfilled':
    case 'arrived':
    case 'checked-in':
      status = 'attended';
      break;
    case 'noshow': {
      // A child is not brought; only an adult does not attend. Without a birth date Kinsight cannot tell.
      const birthDate = patients.get(subjects[0]!)?.birthDate;
      if (!birthDate) return refuse('required', 'A missed appointment needs the Patient (with birthDate) in the same Bundle, to tell a child who was not brought from an adult who did not attend', 'participant');
      status = ageInYears(birthDate, a.start) < 18 ? 'was-not-brought' : 'did-not-attend';
      break;
    }
    case 'cancelled': {
      const reason = a.cancelationReason?.coding?.[0]?.code;
      if (!reason) return refuse('required', 'A cancelled Appointment needs cancelationReason (http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason) to tell the family from the service', 'cancelationReason');
      status = reason.startsWith('pat') ? 'cancelled-by-family' : 'cancelled-by-service';
      break;
    }
    case 'booked':
    case 'pending':
    case 'proposed':
    case 'waitlist':
    default:
      return refuse('not-supported', `An Appointment with status "${String(a.status)}" has no outcome yet; send it when it is fulfilled, noshow, cancelled or entered-in-error`, 'status');
  }
  add('events', { id, at: a.start, agency, type: 'appointment', subjects, data: { service, status } }, i);
}

const UNSCHEDULED_REASONS: Record<string, string> = { injury: 'injury', ingestion: 'ingestion', poisoning: 'ingestion', illness: 'illness' };

function mapEncounter(e: Encounter, i: number, agency: string, add: Add, refuse: Refuse): void {
  const subject = patientId(e.subject?.reference);
  if (!subject) return refuse('required', 'An Encounter needs its subject as "Patient/id"', 'subject.reference');
  const start = e.period?.start;
  if (!start) return refuse('required', 'An Encounter needs period.start', 'period.start');
  if (e.status === 'entered-in-error') {
    add('retractions', { agency, eventId: `encounter-${e.id}`, reason: 'entered in error (FHIR Encounter.status)' }, i);
    return;
  }
  const reasonText = (e.reasonCode?.[0]?.text ?? e.reasonCode?.[0]?.coding?.[0]?.display ?? '').toLowerCase();
  const classCode = e.class?.code;
  if (classCode === 'EMER') {
    const reason = Object.entries(UNSCHEDULED_REASONS).find(([word]) => reasonText.includes(word))?.[1] ?? 'other';
    add('events', { id: `encounter-${e.id}`, at: start, agency, type: 'unscheduled-care', subjects: [subject], data: { setting: 'ed', reason } }, i);
    return;
  }
  if (classCode === 'IMP' || classCode === 'ACUTE' || classCode === 'NONAC') {
    const end = e.period?.end;
    const days = end ? Math.max(0, Math.round((Date.parse(end) - Date.parse(start)) / 86_400_000)) : undefined;
    add('events', {
      id: `encounter-${e.id}`, at: start, agency, type: 'admission', subjects: [subject],
      data: { reason: reasonText || 'not recorded', ...(days !== undefined ? { days } : {}) },
    }, i);
    return;
  }
  refuse('not-supported', `Kinsight takes emergency (EMER) and inpatient (IMP) encounters, not class "${String(classCode)}"`, 'class.code');
}
