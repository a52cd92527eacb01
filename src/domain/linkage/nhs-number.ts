/** Digits only, or null when the text cannot be a ten-digit NHS number. */
export function normaliseNhsNumber(text: string | undefined): string | null {
  if (!text) return null;
  const digits = text.replace(/[\s-]/g, '');
  return /^\d{10}$/.test(digits) ? digits : null;
}

/** Whether a ten-digit NHS number passes the modulus 11 check digit. */
export function isValidNhsNumber(text: string | undefined): boolean {
  const digits = normaliseNhsNumber(text);
  if (!digits) return false;
  let total = 0;
  for (let i = 0; i < 9; i += 1) total += (digits.charCodeAt(i) - 48) * (10 - i);
  const check = 11 - (total % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === digits.charCodeAt(9) - 48;
}
