/**
 * How a chronology says what happened, in practitioners' words. Pure.
 * Children are never said to "not attend": a child who missed an appointment
 * "was not brought" (004, learning point 8).
 */

export const EVENT_TYPE_LABELS: Record<string, string> = {
  contact: 'Contact',
  referral: 'Referral',
  decision: 'Decision',
  'lateral-check': 'Lateral check',
  appointment: 'Appointment',
  'unscheduled-care': 'Unscheduled care',
  admission: 'Hospital admission',
  attendance: 'Attendance',
  'education-status': 'Education status',
  'police-incident': 'Police incident',
  pregnancy: 'Pregnancy',
  birth: 'Birth',
  move: 'Move',
  'involvement-start': 'Involvement started',
  'involvement-end': 'Involvement ended',
  assessment: 'Assessment',
  attribute: 'Recorded need or risk',
  voice: 'Voice of the child',
  meeting: 'Meeting',
  concern: 'Concern',
  note: 'Note',
};

const words = (s: string | undefined) => (s ? s.replace(/-/g, ' ') : '');
const sentence = (s: string) => (s ? s.charAt(0).toUpperCase() + s.slice(1) : s);

const SETTINGS: Record<string, string> = {
  ed: 'emergency department', miu: 'minor injuries unit', ucc: 'urgent care centre', '111': 'NHS 111',
  'out-of-hours': 'out-of-hours GP', ambulance: 'ambulance',
};
const OUTCOMES: Record<string, string> = {
  nfa: 'no further action', universal: 'universal services', 'early-help': 'early help', 'cin-assessment': 'social work assessment (child in need)',
  'strategy-discussion': 'strategy discussion', 'added-to-open-case': 'added to an open case', transferred: 'transferred',
};

/** The appointment outcome as it must be said: "was not brought" for a child, whatever the sender coded. */
export function appointmentStatus(status: string, aboutAChild: boolean): string {
  switch (status) {
    case 'attended':
      return aboutAChild ? 'was brought' : 'attended';
    case 'was-not-brought':
      return aboutAChild ? 'was not brought' : 'did not attend';
    case 'did-not-attend':
      return aboutAChild ? 'was not brought' : 'did not attend';
    case 'cancelled-by-family':
      return 'cancelled by the family';
    case 'cancelled-by-service':
      return 'cancelled by the service';
    default:
      return words(status);
  }
}

/** One line saying what the event records, from its type and data. */
export function describeEvent(type: string, data: Record<string, unknown>, aboutAChild: boolean): string {
  const d = data as Record<string, string | number | boolean | undefined | Record<string, string>>;
  switch (type) {
    case 'contact':
    case 'referral':
      return sentence(`${type} to ${String(d.to)}: ${String(d.reason ?? '')}${d.requestedLevel ? ` (level ${String(d.requestedLevel)} requested)` : ''}`);
    case 'decision':
      return sentence(`Decision: ${OUTCOMES[String(d.outcome)] ?? words(String(d.outcome))}, level ${String(d.level)}${d.rationale ? `. ${String(d.rationale)}` : ''}`);
    case 'lateral-check':
      return `Checked with ${String(d.with)}: ${String(d.answer)}`;
    case 'appointment':
      return sentence(`${words(String(d.service))} appointment: ${appointmentStatus(String(d.status), aboutAChild)}`);
    case 'unscheduled-care': {
      const injury = d.injury as Record<string, string> | undefined;
      return sentence(`${SETTINGS[String(d.setting)] ?? String(d.setting)}: ${words(String(d.reason))}${injury ? ` (${injury.type}, ${injury.site})` : ''}`);
    }
    case 'admission':
      return `Admitted: ${String(d.reason)}${d.days !== undefined ? ` (${String(d.days)} days)` : ''}`;
    case 'attendance': {
      const possible = Number(d.possible);
      const rate = possible > 0 ? Math.round((Number(d.attended) / possible) * 100) : null;
      return sentence(`${String(d.setting)} attendance ${String(d.from)} to ${String(d.to)}: ${String(d.attended)} of ${String(possible)} sessions${rate !== null ? ` (${rate}%)` : ''}`);
    }
    case 'education-status':
      return sentence(words(String(d.status)));
    case 'police-incident':
      return sentence(`${words(String(d.category))}${d.childrenPresent ? ', children present' : ''}`);
    case 'pregnancy':
      return `Pregnancy: due ${String(d.expectedDate)}${Number(d.babies) > 1 ? `, ${String(d.babies)} babies` : ''}`;
    case 'birth':
      return 'Birth';
    case 'move':
      return `Moved${d.fromAuthority && d.fromAuthority !== d.authority ? ' into a new local authority area' : ''}`;
    case 'involvement-start':
      return sentence(`${words(String(d.service))} started${d.category ? ` (${String(d.category)})` : ''}${d.level ? `, level ${String(d.level)}` : ''}`);
    case 'involvement-end':
      return sentence(`${words(String(d.service))} ended: ${words(String(d.reason))}`);
    case 'assessment':
      return sentence(`${words(String(d.kind))} assessment${d.summary ? `: ${String(d.summary)}` : ''}`);
    case 'attribute':
      return sentence(`${words(String(d.attribute))}${d.detail ? `: ${String(d.detail)}` : ''}`);
    case 'voice': {
      const observed = d.observed as Record<string, string> | undefined;
      const parts = [d.said ? `Said: “${String(d.said)}”` : '', ...Object.entries(observed ?? {}).map(([k, v]) => `${sentence(k)}: ${v}`)];
      return parts.filter(Boolean).join('. ') || 'Voice of the child recorded';
    }
    case 'meeting':
      return sentence(`${words(String(d.kind)).replace(/^tac$/, 'TAC').replace(/^marac$/, 'MARAC').replace(/^cp conference$/, 'child protection conference')} meeting`);
    case 'concern':
      return sentence(`${String(d.severity)} concern: ${String(d.detail)}`);
    case 'note':
      return 'Note';
    default:
      return EVENT_TYPE_LABELS[type] ?? words(type);
  }
}
