import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateFebrlTexts } from './link-evaluation.ts';

const projectRoot = path.resolve(import.meta.dirname, '..', '..', '..');
const febrl = path.resolve(projectRoot, '..', 'shared', 'data', 'linkage', 'febrl');
const exists = existsSync(path.join(febrl, 'dataset3.csv'));
const read = (name: string) => readFileSync(path.join(febrl, name), 'utf8');

describe('linkage on the FEBRL benchmark files, unsupervised', () => {
  it.skipIf(!exists)(`links FEBRL4 across its two files with F1 of at least 0.99${exists ? '' : ' (skipped: no ../shared)'}`, () => {
    const result = evaluateFebrlTexts([read('dataset4a.csv'), read('dataset4b.csv')]);
    expect(result.truePairs).toBe(5000);
    expect(result.blockingRecall).toBeGreaterThan(0.99);
    expect(result.f1).toBeGreaterThanOrEqual(0.99);
  }, 30_000);

  it.skipIf(!exists)(`finds FEBRL3's duplicates with F1 of at least 0.98${exists ? '' : ' (skipped: no ../shared)'}`, () => {
    const result = evaluateFebrlTexts([read('dataset3.csv')]);
    expect(result.truePairs).toBe(6538);
    expect(result.f1).toBeGreaterThanOrEqual(0.98);
    expect(result.clusters?.share).toBeGreaterThan(0.95);
  }, 30_000);
});
