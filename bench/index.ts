import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchOptions, BenchSuite } from './suite.ts';
import { closeSharedCounties } from './county-db.ts';

const benchDir = import.meta.dirname;

/** Every suite in bench/*.bench.ts, in name order. */
export async function benchSuites(): Promise<BenchSuite[]> {
  const files = readdirSync(benchDir).filter((f) => f.endsWith('.bench.ts')).sort();
  const suites: BenchSuite[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(path.join(benchDir, file)).href)) as { suite?: BenchSuite };
    if (!module.suite) throw new Error(`bench/${file} exports no suite`);
    suites.push(module.suite);
  }
  return suites;
}

export interface BenchReport {
  startedAt: string;
  quick: boolean;
  engine: 'postgres' | 'pglite';
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string };
  suites: Record<string, { measures: string; seconds: number; figures?: Record<string, unknown>; error?: string }>;
}

/** Run the named suites (all when none are named) one after another, and report their figures. */
export async function runBenchmarks(options: { quick: boolean; only: string[]; databaseUrl: string | undefined; progress(line: string): void }): Promise<BenchReport> {
  const all = await benchSuites();
  const unknown = options.only.filter((name) => !all.some((s) => s.name === name));
  if (unknown.length) throw new Error(`no such benchmark: ${unknown.join(', ')} (there are: ${all.map((s) => s.name).join(', ')})`);
  const chosen = options.only.length ? all.filter((s) => options.only.includes(s.name)) : all;
  const sharedDir = path.resolve(benchDir, '..', '..', 'shared');
  const suiteOptions: BenchOptions = {
    quick: options.quick,
    databaseUrl: options.databaseUrl,
    shared: existsSync(sharedDir) ? sharedDir : undefined,
    progress: options.progress,
  };
  const cpus = os.cpus();
  const report: BenchReport = {
    startedAt: new Date().toISOString(),
    quick: options.quick,
    engine: options.databaseUrl ? 'postgres' : 'pglite',
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
    },
    suites: {},
  };
  try {
    await runEach(chosen, suiteOptions, report, options.progress);
  } finally {
    await closeSharedCounties();
  }
  return report;
}

async function runEach(chosen: BenchSuite[], suiteOptions: BenchOptions, report: BenchReport, progress: (line: string) => void): Promise<void> {
  for (const suite of chosen) {
    progress(`== ${suite.name}: ${suite.measures}`);
    const started = performance.now();
    try {
      const figures = await suite.run(suiteOptions);
      report.suites[suite.name] = { measures: suite.measures, seconds: round((performance.now() - started) / 1000), figures };
    } catch (error) {
      // One broken suite must not hide the others' figures; the command still exits non-zero.
      report.suites[suite.name] = { measures: suite.measures, seconds: round((performance.now() - started) / 1000), error: error instanceof Error ? error.message : String(error) };
    }
  }
}

const round = (x: number) => Math.round(x * 100) / 100;
