import { InvalidArgumentError } from 'commander';

/** Option parsers shared by the commands that take a county's size. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
}

export function years(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 30) throw new InvalidArgumentError('must be a number of years from 1 to 30');
  return n;
}
