import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { County, CountyChunk } from './generator.ts';

/** Counts for summary.json: deterministic (no timings), so the same seed gives the same file. */
export interface CountySummary {
  format: 'kinsight-synthetic-county/1';
  seed: number;
  window: { start: string; end: string };
  home: { authority: string; name: string };
  neighbour: { authority: string; name: string };
  counts: { agencies: number; households: number; people: number; childrenAtStart: number; births: number; records: number; relationships: number; events: number; truth: number };
  families: { ordinary: number; 'growing-needs': number; byPattern: Record<string, number> };
  eventsByType: Record<string, number>;
  recordsByAgency: Record<string, number>;
  eventsByAgency: Record<string, number>;
  /** At each 31 March in the window: children, and per 10,000 children those in need (incl. CP and CLA), on a CP plan, looked after; share open to early help. */
  census: Record<string, { children: number; cinPer10k: number; cpPer10k: number; claPer10k: number; earlyHelpPercent: number }>;
}

export interface SummaryCollector {
  add(chunk: CountyChunk): void;
  result(): CountySummary;
}

/** Accumulate the summary from chunks as they stream past. */
export function summaryCollector(county: County): SummaryCollector {
  const counts = { agencies: county.agencies.length, households: 0, people: 0, childrenAtStart: 0, births: 0, records: 0, relationships: 0, events: 0, truth: 0 };
  const families = { ordinary: 0, 'growing-needs': 0, byPattern: {} as Record<string, number> };
  const eventsByType: Record<string, number> = {};
  const recordsByAgency: Record<string, number> = {};
  const eventsByAgency: Record<string, number> = {};
  for (const a of county.agencies) {
    recordsByAgency[a.id] = 0;
    eventsByAgency[a.id] = 0;
  }
  const census: Record<string, { children: number; cin: number; cp: number; cla: number; earlyHelp: number }> = {};
  return {
    add(chunk) {
      counts.households++;
      counts.people += chunk.stats.people;
      counts.childrenAtStart += chunk.stats.childrenAtStart;
      counts.births += chunk.stats.births;
      counts.records += chunk.records.length;
      counts.relationships += chunk.relationships.length;
      counts.events += chunk.events.length;
      counts.truth += chunk.truth.length;
      families[chunk.stats.group]++;
      if (chunk.stats.pattern) families.byPattern[chunk.stats.pattern] = (families.byPattern[chunk.stats.pattern] ?? 0) + 1;
      for (const r of chunk.records) recordsByAgency[r.agency] = (recordsByAgency[r.agency] ?? 0) + 1;
      for (const e of chunk.events) {
        eventsByType[e.type] = (eventsByType[e.type] ?? 0) + 1;
        eventsByAgency[e.agency] = (eventsByAgency[e.agency] ?? 0) + 1;
      }
      for (const [day, row] of Object.entries(chunk.stats.census)) {
        const c = (census[day] ??= { children: 0, cin: 0, cp: 0, cla: 0, earlyHelp: 0 });
        c.children += row.children;
        c.cin += row.cin;
        c.cp += row.cp;
        c.cla += row.cla;
        c.earlyHelp += row.earlyHelp;
      }
    },
    result() {
      const per10k = (n: number, d: number) => (d ? Math.round((n / d) * 100_000) / 10 : 0);
      const sortedTypes = Object.fromEntries(Object.entries(eventsByType).sort(([a], [b]) => (a < b ? -1 : 1)));
      const sortedPatterns = Object.fromEntries(Object.entries(families.byPattern).sort(([a], [b]) => (a < b ? -1 : 1)));
      return {
        format: 'kinsight-synthetic-county/1',
        seed: county.seed,
        window: county.window,
        home: county.home,
        neighbour: county.neighbour,
        counts,
        families: { ...families, byPattern: sortedPatterns },
        eventsByType: sortedTypes,
        recordsByAgency,
        eventsByAgency,
        census: Object.fromEntries(Object.keys(census).sort().map((day) => {
          const c = census[day] as { children: number; cin: number; cp: number; cla: number; earlyHelp: number };
          return [day, { children: c.children, cinPer10k: per10k(c.cin, c.children), cpPer10k: per10k(c.cp, c.children), claPer10k: per10k(c.cla, c.children), earlyHelpPercent: c.children ? Math.round((c.earlyHelp / c.children) * 10_000) / 100 : 0 }];
        })),
      };
    },
  };
}

/** A buffered NDJSON file that respects back-pressure. */
class NdjsonFile {
  private readonly stream: WriteStream;
  private buffer: string[] = [];
  private size = 0;
  constructor(path: string) {
    this.stream = createWriteStream(path, { encoding: 'utf8' });
  }
  push(value: unknown): void {
    const line = JSON.stringify(value);
    this.buffer.push(line);
    this.size += line.length + 1;
  }
  get pending(): number {
    return this.size;
  }
  async flush(): Promise<void> {
    if (!this.buffer.length) return;
    const text = this.buffer.join('\n') + '\n';
    this.buffer = [];
    this.size = 0;
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }
  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

export interface WriteProgress {
  households: number;
  childrenAtStart: number;
  events: number;
}

/**
 * Write the county as NDJSON files in `dir`: agencies.json, records.ndjson,
 * relationships.ndjson, events.ndjson (in time order within each household,
 * not globally), truth.ndjson (kept apart: never ingested) and summary.json.
 */
export async function writeCounty(county: County, dir: string, onProgress?: (p: WriteProgress) => void): Promise<CountySummary> {
  mkdirSync(dir, { recursive: true });
  const { writeFile } = await import('node:fs/promises');
  await writeFile(join(dir, 'agencies.json'), JSON.stringify({ home: county.home, neighbour: county.neighbour, window: county.window, agencies: county.agencies }, null, 2) + '\n');
  const files = {
    records: new NdjsonFile(join(dir, 'records.ndjson')),
    relationships: new NdjsonFile(join(dir, 'relationships.ndjson')),
    events: new NdjsonFile(join(dir, 'events.ndjson')),
    truth: new NdjsonFile(join(dir, 'truth.ndjson')),
  };
  const summary = summaryCollector(county);
  const progress: WriteProgress = { households: 0, childrenAtStart: 0, events: 0 };
  for (const chunk of county.households()) {
    summary.add(chunk);
    for (const r of chunk.records) files.records.push(r);
    for (const r of chunk.relationships) files.relationships.push(r);
    for (const e of chunk.events) files.events.push(e);
    for (const t of chunk.truth) files.truth.push(t);
    progress.households++;
    progress.childrenAtStart += chunk.stats.childrenAtStart;
    progress.events += chunk.events.length;
    if (files.events.pending > 1 << 20) {
      await Promise.all([files.records.flush(), files.relationships.flush(), files.events.flush(), files.truth.flush()]);
      onProgress?.(progress);
    }
  }
  await Promise.all(Object.values(files).map((f) => f.close()));
  onProgress?.(progress);
  const result = summary.result();
  await writeFile(join(dir, 'summary.json'), JSON.stringify(result, null, 2) + '\n');
  return result;
}
