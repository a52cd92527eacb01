import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidNhsNumber } from './nhs-number.ts';
import { seededRandom } from './linker.ts';
import { syntheticNhsNumber } from './synthetic.ts';

describe('NHS number check digit', () => {
  it('accepts a number whose modulus 11 check digit is right, with or without spaces', () => {
    expect(isValidNhsNumber('9434765919')).toBe(true);
    expect(isValidNhsNumber('943 476 5919')).toBe(true);
  });

  it('rejects a mistyped digit, a wrong length and letters', () => {
    expect(isValidNhsNumber('9434765918')).toBe(false);
    expect(isValidNhsNumber('943476591')).toBe(false);
    expect(isValidNhsNumber('94347659AB')).toBe(false);
    expect(isValidNhsNumber(undefined)).toBe(false);
  });

  it('catches every single-digit slip in a valid number', () => {
    const random = seededRandom(1);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 9 }), (position, shift) => {
        const number = syntheticNhsNumber(random);
        expect(isValidNhsNumber(number)).toBe(true);
        const digit = (Number(number[position]) + shift) % 10;
        const slipped = number.slice(0, position) + String(digit) + number.slice(position + 1);
        expect(isValidNhsNumber(slipped)).toBe(false);
      }),
    );
  });
});
