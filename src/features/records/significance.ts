import type { AgencyEvent } from '../../domain/events/vocabulary.ts';

/** Why an event is marked significant in a chronology (004 learning point 8). */
export type Significance = 'plan' | 'incident' | 'birth' | 'move' | 'unscheduled-care' | 'high-concern' | 'strategy';

const PLAN_SERVICES = new Set(['child-protection', 'child-in-need', 'looked-after', 'ehcp']);

/**
 * Whether an event is one a multi-agency chronology must make stand out: plans
 * starting or ending, incidents, births and pregnancies, moves, unscheduled
 * care and admissions, high concerns and strategy work. Null when it is not.
 */
export function significanceOf(event: AgencyEvent): Significance | null {
  switch (event.type) {
    case 'involvement-start':
    case 'involvement-end':
      return PLAN_SERVICES.has(event.data.service) ? 'plan' : null;
    case 'police-incident':
      return 'incident';
    case 'birth':
    case 'pregnancy':
      return 'birth';
    case 'move':
      return 'move';
    case 'unscheduled-care':
    case 'admission':
      return 'unscheduled-care';
    case 'concern':
      return event.data.severity === 'high' ? 'high-concern' : null;
    case 'decision':
      return event.data.outcome === 'strategy-discussion' ? 'strategy' : null;
    case 'meeting':
      return event.data.kind === 'strategy' || event.data.kind === 'cp-conference' ? 'strategy' : null;
    case 'contact':
    case 'referral':
    case 'lateral-check':
    case 'appointment':
    case 'attendance':
    case 'education-status':
    case 'assessment':
    case 'attribute':
    case 'voice':
    case 'note':
      return null;
  }
}

export const SIGNIFICANCE_LABELS: Record<Significance, string> = {
  plan: 'Plan',
  incident: 'Incident',
  birth: 'Birth or pregnancy',
  move: 'Move',
  'unscheduled-care': 'Unscheduled care',
  'high-concern': 'High concern',
  strategy: 'Strategy or conference',
};
