/**
 * NHS numbers: ten digits, the last a modulus 11 check digit. Synthetic numbers
 * are generated from a serial number through a fixed permutation, so they are
 * unique, deterministic and look scattered. They all begin with 9, a range not
 * issued to patients in England (England issues numbers beginning 4 to 7 from
 * its ranges; 999 is the reserved test range), so they cannot be a real person's.
 */

/** The modulus 11 check digit for nine digits, or null when the number would be invalid (check digit 10). */
export function nhsCheckDigit(nineDigits: string): number | null {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(nineDigits[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  if (check === 10) return null;
  return check;
}

/** True when a ten-digit string passes the modulus 11 check. */
export function isValidNhsNumber(value: string): boolean {
  if (!/^[0-9]{10}$/.test(value)) return false;
  const check = nhsCheckDigit(value.slice(0, 9));
  return check !== null && check === Number(value[9]);
}

const SPACE = 100_000_000; // eight free digits after the leading 9
const MULTIPLIER = 48_271_597; // odd and not a multiple of 5: coprime with 10^8, so the map is a permutation

/**
 * The NHS number for a person's serial number (0, 1, 2, ...). Unique for serials
 * below 9,000,000: each serial owns eleven candidate slots and at most one in
 * eleven-ish candidates has an invalid check digit, so one slot always works.
 */
export function syntheticNhsNumber(serial: number, salt = 0): string {
  for (let j = 0; j < 11; j++) {
    const slot = serial * 11 + j;
    const scrambled = (((slot * MULTIPLIER) % SPACE) + salt) % SPACE; // exact: below 2^53 for serials under 9,000,000
    const nine = '9' + String(scrambled).padStart(8, '0');
    const check = nhsCheckDigit(nine);
    if (check !== null) return nine + String(check);
  }
  throw new Error('no valid NHS number in eleven candidates');
}
