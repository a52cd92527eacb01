import { describe, expect, it } from 'vitest';
import { appointmentStatus, describeEvent } from './wording.ts';
import { timelineSvg } from './timeline-svg.ts';

describe('chronology wording and timeline', () => {
  it('says a child was not brought, whichever code the agency used, and an adult did not attend', () => {
    expect(appointmentStatus('did-not-attend', true)).toBe('was not brought');
    expect(appointmentStatus('was-not-brought', true)).toBe('was not brought');
    expect(appointmentStatus('did-not-attend', false)).toBe('did not attend');
    expect(describeEvent('appointment', { service: 'speech-and-language', status: 'did-not-attend' }, true)).toBe('Speech and language appointment: was not brought');
  });

  it('draws one lane per agency, marks significant events, and escapes what agencies wrote', () => {
    const svg = timelineSvg([
      { onDate: '2019-11-02', agencyId: 'hospital', agencyName: 'Hospital <ED>', label: 'Fall & head injury', significant: true },
      { onDate: '2020-01-10', agencyId: 'hv', agencyName: 'Health visiting', label: 'Visit', significant: false },
      { onDate: '2020-02-10', agencyId: 'hv', agencyName: 'Health visiting', label: 'Visit', significant: false },
    ], { titleId: 't', title: 'Timeline' });
    expect(svg).toContain('role="img"');
    expect(svg.match(/<path /g)).toHaveLength(1);
    expect(svg.match(/<circle /g)).toHaveLength(2);
    expect(svg).toContain('Hospital &lt;ED&gt;');
    expect(svg).toContain('Fall &amp; head injury');
    expect(svg).not.toContain('<ED>');
  });
});
