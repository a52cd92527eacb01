/**
 * The shape every benchmark suite has. A suite lives in bench/<name>.bench.ts
 * and exports `suite`; `npm run bench` finds it there, so adding a suite
 * touches no shared file.
 */
export interface BenchOptions {
  /** Smaller scale, so that every suite together finishes in under a minute. */
  quick: boolean;
  /** PostgreSQL server to benchmark on (a scratch database is made and dropped); PGlite in memory when absent. */
  databaseUrl: string | undefined;
  /** Where ../shared is, or undefined when this clone has none. */
  shared: string | undefined;
  /** A progress line for the terminal (stderr), never part of the JSON. */
  progress(line: string): void;
}

export interface BenchSuite {
  name: string;
  /** One sentence: what it measures. */
  measures: string;
  run(options: BenchOptions): Promise<Record<string, unknown>>;
}

/** p-th percentile (0-100) of the values, by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Median, p95 and p99 in milliseconds, rounded to 0.01 ms. */
export function latency(ms: readonly number[]): { samples: number; p50: number; p95: number; p99: number } {
  const r = (x: number) => Math.round(x * 100) / 100;
  return { samples: ms.length, p50: r(percentile(ms, 50)), p95: r(percentile(ms, 95)), p99: r(percentile(ms, 99)) };
}
