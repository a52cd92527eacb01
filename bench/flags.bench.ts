import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { sql } from 'kysely';
import path from 'node:path';
import { evaluateFlags, FLAG_CATALOGUE, eventInstant } from '../src/domain/flags/index.ts';
import { addCalendarDays, londonDate, startOfLondonDay } from '../src/domain/timescales/working-days.ts';
import { replayScenario } from '../src/features/replay/service.ts';
import { replayScenario as engineReplay, raisedBy, type Scenario } from '../src/domain/flags/scenario-replay.test-helper.ts';
import { agencyMap, buildHistories, type EventFact, type FamilyData, type RecordFact } from '../src/features/flags/history.ts';
import { evaluateFlagsFor, recomputeFlags } from '../src/features/flags/service.ts';
import { flagsRepository } from '../src/features/flags/repository.ts';
import { createCounty, type CountyChunk } from '../src/features/synthetic-county/generator.ts';
import { loadCounty } from '../src/features/ingest/county-load.ts';
import { openScratchDatabase } from '../src/platform/db/scratch.ts';
import { systemContext } from '../src/platform/access/context.ts';
import { ManualClock } from '../src/platform/clock.ts';
import { latency, type BenchOptions, type BenchSuite } from './suite.ts';

/**
 * Concern flags: recall on every scenario in ../shared/scenarios, burden on
 * the synthetic county, and speed (incremental evaluation per event, full
 * recompute extrapolated to 300,000 children). See BENCHMARKS.md, "flags".
 */

const SEED = 20260701;
const EXCLUDED_FROM_BURDEN = new Set(['decision-overdue']);
const round = (x: number, places = 4) => Math.round(x * 10 ** places) / 10 ** places;

// ---- (a) Recall --------------------------------------------------------------------------

interface ScenarioRecall { met: number; total: number; unmet: string[]; seconds: number; method: string }

/**
 * Every scenario, with `kinsight replay FILE --check` semantics: a fresh
 * in-memory database, the real ingest path (and so the real linker), the
 * flag store, and an expectation met when a flag of its category about a
 * person holding the expected records was raised on or before `by`. Quick
 * mode uses the pure engine with people grouped by the scenario's truth
 * (the development harness), because a full replay takes about half a minute.
 */
export async function benchRecall(shared: string | undefined, quick: boolean, progress: (line: string) => void): Promise<Record<string, unknown>> {
  const dir = shared ? path.join(shared, 'scenarios') : undefined;
  if (!dir || !existsSync(dir)) return { skipped: 'no ../shared' };
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'schema.json').sort();
  const out: Record<string, ScenarioRecall> = {};
  let met = 0;
  let total = 0;
  for (const file of files) {
    const scenario: unknown = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    if ((scenario as { format?: unknown }).format !== 'kinsight-scenario/1') continue;
    progress(`flags recall: ${file}${quick ? ' (engine harness)' : ' (replay through ingest)'}`);
    const started = performance.now();
    let r: Omit<ScenarioRecall, 'seconds'>;
    if (quick) {
      const s = scenario as Scenario;
      const replay = engineReplay(s);
      const expect = s.expect ?? [];
      const unmet = expect.filter((x) => !raisedBy(replay, x.category, x.about, x.by)).map((x) => `${x.category} about ${x.about} by ${x.by}`);
      r = { met: expect.length - unmet.length, total: expect.length, unmet, method: 'pure engine, people grouped by truth' };
    } else {
      const { output } = await replayScenario(scenario);
      const unmet = output.expectations.filter((x) => !x.met).map((x) => `${x.category} about ${x.about} by ${x.by}`);
      r = { met: output.expectations.length - unmet.length, total: output.expectations.length, unmet, method: 'replay --check (ingest, linker, flag store)' };
    }
    out[file] = { ...r, seconds: round((performance.now() - started) / 1000, 1) };
    met += r.met;
    total += r.total;
  }
  return { scenarios: out, met, total };
}

// ---- (b) Burden --------------------------------------------------------------------------

/** One household as the flag service would read it, with people identified by the generator's person keys (perfect linkage). */
export function familyOf(chunk: CountyChunk): { data: FamilyData; people: string[] } {
  const key = (agency: string, ref: string) => (ref.includes(':') ? ref : `${agency}:${ref}`);
  const personOf = new Map(chunk.truth.map((t) => [`${t.agency}:${t.localId}`, t.personKey]));
  const records: RecordFact[] = chunk.records.map((r) => ({
    personId: personOf.get(`${r.agency}:${r.localId}`)!, kind: r.kind,
    birthDate: r.kind === 'person' ? r.birthDate ?? null : null,
    expectedDate: r.kind === 'unborn' ? r.expectedDate ?? null : null,
    sex: r.sex ?? null,
  }));
  const relationships = chunk.relationships.flatMap((r) => {
    const from = personOf.get(key(r.agency, r.from));
    const to = personOf.get(key(r.agency, r.to));
    return from && to ? [{ from, to, type: r.type, fromDate: r.from_date ?? null }] : [];
  });
  const events: EventFact[] = chunk.events.map((e, i) => {
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(e.at);
    const at = eventInstant(e.at);
    return {
      id: i + 1, eventId: e.id, agencyId: e.agency, type: e.type, at, onDate: dateOnly ? e.at : londonDate(at),
      atPrecision: dateOnly ? 'date' : 'instant', subjects: e.subjects, data: e.data, text: e.text ?? null,
      personIds: [...new Set(e.subjects.flatMap((s) => personOf.get(key(e.agency, s)) ?? []))].sort(),
    };
  });
  return { data: { records, relationships, events }, people: [...new Set(records.map((r) => r.personId))].sort() };
}

const endOfDay = (date: string) => new Date(startOfLondonDay(addCalendarDays(date, 1)).getTime() - 1);

function isChildAt(facts: { kind: string; birthDate?: string }, today: string): boolean {
  if (facts.kind === 'unborn') return true;
  return !facts.birthDate || facts.birthDate > `${Number(today.slice(0, 4)) - 18}${today.slice(4)}`;
}

/**
 * Flags raised in a period for one household: the pure engine run for every
 * member at the end of each day that brought an event (as the ingest hook
 * does when the events arrive) and at the period's end. Returns the children
 * seen and, per child, the rules that fired.
 */
export function householdFlags(chunk: CountyChunk, from: string, to: string, agencies: ReturnType<typeof agencyMap>, home: string) {
  const { data, people } = familyOf(chunk);
  const days = new Set<string>([to]);
  for (const e of data.events) if (e.onDate >= from && e.onDate <= to) days.add(e.onDate);
  const children = new Set<string>();
  const fired = new Map<string, Set<string>>();
  for (const day of [...days].sort()) {
    const asAt = endOfDay(day);
    for (const { history } of buildHistories(data, people, asAt, agencies, home)) {
      if (!isChildAt(history.subject, day)) continue;
      children.add(history.subject.personId);
      for (const f of evaluateFlags(history, asAt)) {
        // A flag raised before the period is not this period's burden unless its evidence is new.
        if (londonDate(f.raisedAt) < from) continue;
        const set = fired.get(f.personId) ?? new Set<string>();
        set.add(f.ruleId);
        fired.set(f.personId, set);
      }
    }
  }
  return { children, fired };
}

/**
 * Burden on the synthetic county: the last 12 months of the window. The
 * generator's truth is used to group records into people (standing in for the
 * linker, measured on its own in the linkage suite) and to score: ordinary vs
 * growing-needs families. No rule sees the truth.
 */
export function benchBurden(children: number, years: number, seed = SEED, progress: (line: string) => void = () => {}): Record<string, unknown> {
  const started = performance.now();
  const county = createCounty({ children, years, seed });
  const agencies = agencyMap(county.agencies.map((a) => ({ id: a.id, name: a.name, kind: a.kind, authority: a.authority })));
  const home = county.home.authority;
  const to = county.window.end;
  const from = addCalendarDays(to, -364);
  const rules = FLAG_CATALOGUE.map((r) => r.id);
  const category = new Map(FLAG_CATALOGUE.map((r) => [r.id, r.category]));
  const counted = (ids: Iterable<string>) => [...ids].some((id) => !EXCLUDED_FROM_BURDEN.has(category.get(id)!));
  const ordinary = { families: 0, children: 0, childrenFlagged: 0, familiesFlagged: 0, byRuleChildren: new Map<string, number>(), byRuleFamilies: new Map<string, number>() };
  const growing = { families: 0, familiesFlaggedInYear: 0, familiesFlaggedInWindow: 0, byRuleFamilies: new Map<string, number>(), byPattern: new Map<string, { families: number; flagged: number }>() };
  const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  let households = 0;
  for (const chunk of county.households()) {
    households += 1;
    if (households % 2000 === 0) progress(`flags burden: ${households} households`);
    const { children: kids, fired } = householdFlags(chunk, from, to, agencies, home);
    if (kids.size === 0) continue;
    const familyRules = new Set([...fired.values()].flatMap((s) => [...s]));
    if (chunk.stats.group === 'ordinary') {
      ordinary.families += 1;
      ordinary.children += kids.size;
      for (const child of kids) {
        const mine = fired.get(child);
        if (!mine) continue;
        if (counted(mine)) ordinary.childrenFlagged += 1;
        for (const rule of mine) add(ordinary.byRuleChildren, rule);
      }
      if (counted(familyRules)) ordinary.familiesFlagged += 1;
      for (const rule of familyRules) add(ordinary.byRuleFamilies, rule);
    } else {
      growing.families += 1;
      const pattern = chunk.stats.pattern ?? 'unknown';
      const p = growing.byPattern.get(pattern) ?? { families: 0, flagged: 0 };
      p.families += 1;
      if (counted(familyRules)) growing.familiesFlaggedInYear += 1;
      for (const rule of familyRules) add(growing.byRuleFamilies, rule);
      // Growing needs may have shown in any year of the window: flagged at any time in it.
      const whole = counted(familyRules) ? familyRules : new Set([...householdFlags(chunk, county.window.start, to, agencies, home).fired.values()].flatMap((s) => [...s]));
      if (counted(whole)) {
        growing.familiesFlaggedInWindow += 1;
        p.flagged += 1;
      }
      growing.byPattern.set(pattern, p);
    }
  }
  const share = (n: number, d: number) => (d === 0 ? 0 : round(n / d));
  const perRule = Object.fromEntries(rules.map((id) => [id, {
    category: category.get(id),
    ordinaryChildren: share(ordinary.byRuleChildren.get(id) ?? 0, ordinary.children),
    ordinaryFamilies: share(ordinary.byRuleFamilies.get(id) ?? 0, ordinary.families),
    growingNeedsFamiliesInYear: share(growing.byRuleFamilies.get(id) ?? 0, growing.families),
  }]));
  return {
    scale: { children, years, seed, households, period: `${from}..${to}` },
    method: 'pure engine (what production runs) on histories built by the production history builder; people from the generator truth',
    ordinary: {
      families: ordinary.families, children: ordinary.children,
      childrenFlaggedShare: share(ordinary.childrenFlagged, ordinary.children),
      familiesFlaggedShare: share(ordinary.familiesFlagged, ordinary.families),
    },
    growingNeeds: {
      families: growing.families,
      flaggedInYearShare: share(growing.familiesFlaggedInYear, growing.families),
      flaggedInWindowShare: share(growing.familiesFlaggedInWindow, growing.families),
      byPattern: Object.fromEntries([...growing.byPattern].sort().map(([k, v]) => [k, { families: v.families, flaggedInWindowShare: share(v.flagged, v.families) }])),
    },
    perRule,
    excluded: [...EXCLUDED_FROM_BURDEN],
    seconds: round((performance.now() - started) / 1000, 1),
  };
}

// ---- (c) Speed ---------------------------------------------------------------------------

/**
 * Speed on the database path production uses: the county loaded through
 * ingest (bulk), then a full recompute as at the window's end (timed, and
 * extrapolated linearly to 300,000 children), then the incremental
 * evaluation the ingest hook runs after an event: `evaluateFlagsFor` the
 * event's people (and their families) with the clock at the event, for a
 * seeded sample of the last year's events.
 */
export async function benchSpeed(options: BenchOptions, children: number, years: number, samples: number): Promise<Record<string, unknown>> {
  const database = await openScratchDatabase(options.databaseUrl);
  try {
    const db = database.db;
    const county = createCounty({ children, years, seed: SEED });
    const clock = new ManualClock(endOfDay(county.window.end));
    const loaded = await loadCounty(db, systemContext('bench', 'flags-load'), county, {
      clock, onProgress: (p) => options.progress(`flags speed: loaded ${p.households} households, ${p.events} events`),
    });
    const asAt = endOfDay(county.window.end);
    // FLAGS_BENCH_WORKERS=N: the recompute in N worker threads whatever the county's size (PostgreSQL; the CLI uses them from 20,000 families).
    const workerCount = Number(process.env.FLAGS_BENCH_WORKERS ?? 0);
    let workers: { count: number; url: string; minFamilies: number } | undefined;
    if (workerCount > 0 && options.databaseUrl) {
      const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(db);
      const url = new URL(options.databaseUrl);
      url.pathname = `/${rows[0]!.name}`;
      workers = { count: workerCount, url: url.toString(), minFamilies: 1 };
    }
    // CPU seconds of this process (all its threads) as well as wall time: the machine is shared, and wall time moves with its load.
    const cpu = (from: NodeJS.CpuUsage) => { const u = process.cpuUsage(from); return round((u.user + u.system) / 1e6, 2); };
    options.progress('flags speed: full recompute');
    const started = performance.now();
    const cpu0 = process.cpuUsage();
    const full = await recomputeFlags(db, asAt, workers ? { workers } : {});
    const recomputeSeconds = (performance.now() - started) / 1000;
    const recomputeCpu = cpu(cpu0);
    // The daily run: the same clock again, nothing new, so nothing to write.
    options.progress('flags speed: full recompute again (steady state)');
    const againStarted = performance.now();
    const cpu1 = process.cpuUsage();
    await recomputeFlags(db, asAt, workers ? { workers } : {});
    const againSeconds = (performance.now() - againStarted) / 1000;
    const againCpu = cpu(cpu1);

    // A seeded sample of the last year's events, as they would arrive.
    const from = addCalendarDays(county.window.end, -364);
    const candidates: { agency: string; id: string; at: Date }[] = [];
    for (const chunk of createCounty({ children, years, seed: SEED }).households()) {
      for (const e of chunk.events) if (e.at.slice(0, 10) >= from) candidates.push({ agency: e.agency, id: e.id, at: eventInstant(e.at) });
    }
    let state = 12345;
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const sample = Array.from({ length: Math.min(samples, candidates.length) }, () => candidates[Math.floor(next() * candidates.length)]!);
    const repo = flagsRepository(db);
    const ms: number[] = [];
    options.progress(`flags speed: ${sample.length} incremental evaluations`);
    for (const e of sample) {
      const people = await repo.peopleOfEvents([{ agency: e.agency, eventId: e.id }]);
      const t = performance.now();
      await evaluateFlagsFor(db, people, e.at);
      ms.push(performance.now() - t);
    }
    // As the ingest hook runs it: once per batch for the distinct people the batch touched, amortised over its events.
    const batchSize = 50;
    const batchMs: number[] = [];
    const batches = Math.max(1, Math.floor(sample.length / batchSize));
    options.progress(`flags speed: ${batches} batches of ${batchSize} events`);
    for (let b = 0; b < batches; b += 1) {
      const events = Array.from({ length: batchSize }, () => candidates[Math.floor(next() * candidates.length)]!);
      const people = await repo.peopleOfEvents(events.map((e) => ({ agency: e.agency, eventId: e.id })));
      const at = new Date(Math.max(...events.map((e) => e.at.getTime())));
      const t = performance.now();
      await evaluateFlagsFor(db, people, at);
      batchMs.push((performance.now() - t) / batchSize);
    }
    const perChild = recomputeSeconds / children;
    return {
      engine: options.databaseUrl ? 'postgres' : 'pglite',
      scale: { children, years, seed: SEED, households: loaded.households, records: loaded.records, events: loaded.events, people: full.people },
      loadSeconds: round(loaded.ingestSeconds, 1),
      fullRecompute: {
        seconds: round(recomputeSeconds, 1), evaluated: full.evaluated, raised: full.raised,
        extrapolatedTo300kSeconds: round(perChild * 300_000, 1), targetSeconds: 120,
        againSeconds: round(againSeconds, 1), againExtrapolatedTo300kSeconds: round((againSeconds / children) * 300_000, 1),
        nodeCpuSeconds: recomputeCpu, againNodeCpuSeconds: againCpu, workers: workers?.count ?? 0,
        loadAverage: loadavg().map((x) => round(x, 1)),
      },
      incrementalPerEventMs: { ...latency(ms), targetP99: 5, method: 'one event per evaluation (a single-event ingest): the target is held against this p99' },
      incrementalPerEventInBatchesMs: { ...latency(batchMs), batchSize, method: 'evaluateFlagsFor once per batch of events, time divided by the events' },
    };
  } finally {
    await database.close();
  }
}

export const suite: BenchSuite = {
  name: 'flags',
  measures: 'concern flags: recall on every scenario (replay --check), burden on the synthetic county, incremental evaluation per event and full recompute time',
  async run(options) {
    const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
    // FLAGS_BENCH_PARTS=speed (or recall,burden) runs only those parts; all three by default.
    const parts = new Set((process.env.FLAGS_BENCH_PARTS ?? 'recall,burden,speed').split(',').map((s) => s.trim()));
    const recall = parts.has('recall') ? await benchRecall(options.shared, options.quick, options.progress) : { skipped: 'FLAGS_BENCH_PARTS' };
    if (parts.has('burden')) options.progress('flags burden');
    const burden = parts.has('burden')
      ? benchBurden(options.quick ? 300 : env('FLAGS_BENCH_BURDEN_CHILDREN', 10_000), options.quick ? 2 : 3, SEED, options.progress)
      : { skipped: 'FLAGS_BENCH_PARTS' };
    const speed = parts.has('speed')
      ? await benchSpeed(options, options.quick ? 40 : env('FLAGS_BENCH_SPEED_CHILDREN', 1000), 2, options.quick ? 20 : env('FLAGS_BENCH_SPEED_SAMPLES', 300))
      : { skipped: 'FLAGS_BENCH_PARTS' };
    return { recall, burden, speed };
  },
};
