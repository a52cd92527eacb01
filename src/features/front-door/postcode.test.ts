import { describe, expect, it } from 'vitest';
import { postcodeDistrict } from './service.ts';

describe('the postcode district shown with a candidate match', () => {
  it('is the outward code, however the postcode was written, never the whole postcode', () => {
    expect(postcodeDistrict('ST4 7QP')).toBe('ST4');
    expect(postcodeDistrict('MR181PY')).toBe('MR18');
    expect(postcodeDistrict(' mr18 1py ')).toBe('MR18');
    expect(postcodeDistrict(null)).toBeNull();
    expect(postcodeDistrict('')).toBeNull();
  });
});
