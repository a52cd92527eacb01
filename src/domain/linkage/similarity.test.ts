import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editDistanceUpToTwo, isAdjacentSwap, jaroWinkler, jaroWinklerCeiling } from './similarity.ts';

describe('Jaro-Winkler', () => {
  it('gives the published values for the textbook pairs', () => {
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.9611, 4);
    expect(jaroWinkler('dwayne', 'duane')).toBeCloseTo(0.84, 2);
    expect(jaroWinkler('dixon', 'dicksonx')).toBeCloseTo(0.8133, 4);
  });

  it('is 1 for the same name and 0 when nothing is shared', () => {
    expect(jaroWinkler('joanne', 'joanne')).toBe(1);
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
    expect(jaroWinkler('', 'abc')).toBe(0);
  });

  it('is symmetric, stays between 0 and 1, and never beats its length ceiling', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (a, b) => {
        const score = jaroWinkler(a, b);
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(1);
        expect(jaroWinkler(b, a)).toBeCloseTo(score, 12);
        if (a !== b) expect(score).toBeLessThanOrEqual(jaroWinklerCeiling(a.length, b.length) + 1e-12);
      }),
    );
  });

  it('gives the same answer for long strings as for short ones', () => {
    const long = 'the old rectory cottage, upper mill lane';
    expect(jaroWinkler(long, `${long}s`)).toBeGreaterThan(0.95);
  });
});

describe('edit distance', () => {
  it('counts a swap of neighbouring characters as one edit', () => {
    expect(isAdjacentSwap('20140305', '20143005')).toBe(true);
    expect(isAdjacentSwap('1234', '1243')).toBe(true);
    expect(isAdjacentSwap('1234', '4231')).toBe(false);
    expect(editDistanceUpToTwo('7999700', '7997900')).toBe(1);
    expect(editDistanceUpToTwo('7999700', '7999701')).toBe(1);
    expect(editDistanceUpToTwo('7999700', '1234567')).toBe(3);
  });
});
