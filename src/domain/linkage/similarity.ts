import { distance } from 'fastest-levenshtein';

let matchedA = new Uint8Array(64);
let matchedB = new Uint8Array(64);

/**
 * Jaro-Winkler similarity (0..1) with the usual 0.1 prefix scale over up to
 * four characters, boosted only above 0.7. Written here because the JavaScript
 * packages for it are unmaintained. Strings of up to 31 characters keep their
 * matched positions in two integers, so a comparison allocates nothing.
 */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return a.length > 0 ? 1 : 0;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  const jaro = la < 32 && lb < 32 ? jaroShort(a, b, la, lb) : jaroLong(a, b, la, lb);
  if (jaro <= 0.7) return jaro;
  const limit = Math.min(4, la, lb);
  let prefix = 0;
  while (prefix < limit && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix += 1;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/** The most Jaro-Winkler could be for strings of these lengths: a cheap test before computing it. */
export function jaroWinklerCeiling(la: number, lb: number): number {
  if (la === 0 || lb === 0) return 0;
  const shorter = Math.min(la, lb);
  const jaro = (shorter / la + shorter / lb + 1) / 3;
  return jaro <= 0.7 ? jaro : jaro + 0.4 * (1 - jaro);
}

function jaroShort(a: string, b: string, la: number, lb: number): number {
  const window = Math.max(0, (Math.max(la, lb) >> 1) - 1);
  let flagsA = 0;
  let flagsB = 0;
  let matches = 0;
  for (let i = 0; i < la; i += 1) {
    const c = a.charCodeAt(i);
    const hi = Math.min(lb - 1, i + window);
    for (let j = Math.max(0, i - window); j <= hi; j += 1) {
      if ((flagsB & (1 << j)) === 0 && b.charCodeAt(j) === c) {
        flagsA |= 1 << i;
        flagsB |= 1 << j;
        matches += 1;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let halfTranspositions = 0;
  let k = 0;
  for (let i = 0; i < la; i += 1) {
    if ((flagsA & (1 << i)) === 0) continue;
    while ((flagsB & (1 << k)) === 0) k += 1;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) halfTranspositions += 1;
    k += 1;
  }
  return (matches / la + matches / lb + (matches - halfTranspositions / 2) / matches) / 3;
}

function jaroLong(a: string, b: string, la: number, lb: number): number {
  if (la > matchedA.length) matchedA = new Uint8Array(la * 2);
  if (lb > matchedB.length) matchedB = new Uint8Array(lb * 2);
  matchedA.fill(0, 0, la);
  matchedB.fill(0, 0, lb);
  const window = Math.max(0, (Math.max(la, lb) >> 1) - 1);
  let matches = 0;
  for (let i = 0; i < la; i += 1) {
    const c = a.charCodeAt(i);
    const hi = Math.min(lb - 1, i + window);
    for (let j = Math.max(0, i - window); j <= hi; j += 1) {
      if (matchedB[j] === 0 && b.charCodeAt(j) === c) {
        matchedA[i] = 1;
        matchedB[j] = 1;
        matches += 1;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let halfTranspositions = 0;
  let k = 0;
  for (let i = 0; i < la; i += 1) {
    if (matchedA[i] === 0) continue;
    while (matchedB[k] === 0) k += 1;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) halfTranspositions += 1;
    k += 1;
  }
  return (matches / la + matches / lb + (matches - halfTranspositions / 2) / matches) / 3;
}

/** Whether b is a with one pair of neighbouring characters swapped ("1234" / "1324"). */
export function isAdjacentSwap(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let first = -1;
  for (let i = 0; i < a.length; i += 1) {
    if (a.charCodeAt(i) === b.charCodeAt(i)) continue;
    if (first !== -1) {
      return i === first + 1 && a.charCodeAt(first) === b.charCodeAt(i) && a.charCodeAt(i) === b.charCodeAt(first) && a.slice(i + 1) === b.slice(i + 1);
    }
    first = i;
  }
  return false;
}

/** Number of positions that differ between two strings of equal length, or Infinity. */
export function hammingDistance(a: string, b: string): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let differences = 0;
  for (let i = 0; i < a.length; i += 1) if (a.charCodeAt(i) !== b.charCodeAt(i)) differences += 1;
  return differences;
}

/** Edit distance, counting a swap of neighbouring characters as one edit (optimal string alignment, at most 2). */
export function editDistanceUpToTwo(a: string, b: string): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > 2) return 3;
  if (isAdjacentSwap(a, b)) return 1;
  return Math.min(3, distance(a, b));
}
