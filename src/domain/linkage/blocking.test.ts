import { describe, expect, it } from 'vitest';
import { BLOCKING_RULES, candidatePairs } from './blocking.ts';
import { Vocabulary, prepareRecord } from './prepare.ts';
import { syntheticChildren } from './synthetic.ts';
import { buildTable } from './table.ts';

const { records, truePerson } = syntheticChildren(3000, 5);
const vocabulary = new Vocabulary();
const prepared = records.map((record, i) => prepareRecord(record, i, 0, vocabulary));
const table = buildTable(prepared);

describe('blocking rules', () => {
  it('give two records the same integer key exactly when they give them the same text key', () => {
    const out = new Int32Array(3);
    // Disagreements are collected and asserted once: an expect per record and rule took seconds on a busy machine.
    const wrong: string[] = [];
    for (const rule of BLOCKING_RULES) {
      const byText = new Map<string, string>();
      let keyed = 0;
      for (let i = 0; i < prepared.length; i += 1) {
        const text = rule.key(prepared[i]!);
        const hasCode = rule.code(table, i, out);
        if (hasCode !== (text !== '')) wrong.push(`${rule.name}: record ${i} has ${hasCode ? 'an integer key but no text key' : 'a text key but no integer key'}`);
        if (!hasCode) continue;
        keyed += 1;
        const code = out.join(',');
        // One text key maps to one integer key and back.
        if ((byText.get(`t:${text}`) ?? code) !== code) wrong.push(`${rule.name}: text key ${text} has two integer keys`);
        if ((byText.get(`c:${code}`) ?? text) !== text) wrong.push(`${rule.name}: integer key ${code} has two text keys`);
        byText.set(`t:${text}`, code);
        byText.set(`c:${code}`, text);
      }
      if (rule.name !== 'same other identifier') expect(keyed, rule.name).toBeGreaterThan(1000);
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  it('propose each pair once, mostly true pairs kept, and far fewer pairs than all of them', () => {
    const { pairs } = candidatePairs(prepared, { mode: 'dedupe', table });
    const seen = new Set<number>();
    let truePairsFound = 0;
    for (let p = 0; p < pairs.length; p += 1) {
      const i = pairs.first[p] ?? 0;
      const j = pairs.second[p] ?? 0;
      expect(i).toBeLessThan(j);
      const key = i * prepared.length + j;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      if (truePerson[i] === truePerson[j]) truePairsFound += 1;
    }
    let truePairs = 0;
    const sizes = new Map<string, number>();
    for (const person of truePerson) if (person !== null) sizes.set(person, (sizes.get(person) ?? 0) + 1);
    for (const size of sizes.values()) truePairs += (size * (size - 1)) / 2;
    expect(truePairsFound / truePairs).toBeGreaterThan(0.99);
    expect(pairs.length).toBeLessThan(prepared.length * 5);
  });
});
