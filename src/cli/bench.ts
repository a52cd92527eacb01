import type { Command } from 'commander';
import { runBenchmarks } from '../../bench/index.ts';

/** Adds `kinsight bench`: every suite in bench/*.bench.ts, figures as one JSON object. */
export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('run the benchmarks (bench/*.bench.ts) and print their figures; on PostgreSQL when BENCH_DATABASE_URL or DATABASE_URL is set')
    .option('--json', 'print one JSON object on stdout (progress goes to stderr)')
    .option('--quick', 'a smaller scale: every suite together in under a minute')
    .option('--only <names>', 'comma-separated suite names', (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean), [] as string[])
    .action(async (options: { json?: boolean; quick?: boolean; only: string[] }) => {
      const report = await runBenchmarks({
        quick: Boolean(options.quick),
        only: options.only,
        databaseUrl: process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL,
        progress: (line) => console.error(line),
      });
      if (options.json) {
        console.log(JSON.stringify(report));
      } else {
        console.log(JSON.stringify(report, null, 2));
      }
      if (Object.values(report.suites).some((s) => s.error)) process.exitCode = 1;
    });
}
