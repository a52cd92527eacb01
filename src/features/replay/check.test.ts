import { describe, expect, it } from 'vitest';
import { checkReport } from './check.ts';

describe('replay --check', () => {
  const met = { category: 'prior-history', about: 'child-b', by: '2019-05-29', met: true, raisedAt: '2019-05-28' };
  it('exits 0 when every expectation is met', () => {
    const r = checkReport([met]);
    expect(r.exitCode).toBe(0);
    expect(r.lines).toEqual(['met   prior-history about child-b by 2019-05-29 (raised 2019-05-28)', '1 of 1 expectations met']);
  });
  it('exits non-zero and names the expectation when one is unmet', () => {
    const r = checkReport([met, { category: 'new-to-area', about: 'child-b', by: '2019-06-07', met: false }]);
    expect(r.exitCode).toBe(1);
    expect(r.lines).toContain('UNMET new-to-area about child-b by 2019-06-07');
    expect(r.lines.at(-1)).toBe('1 of 2 expectations met');
  });
  it('exits 0 for a scenario with no expectations', () => {
    expect(checkReport([]).exitCode).toBe(0);
  });
});
