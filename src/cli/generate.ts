import { resolve } from 'node:path';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { createCounty } from '../features/synthetic-county/generator.ts';
import { writeCounty } from '../features/synthetic-county/writer.ts';
import { positiveInt, years } from './options.ts';

/** Adds `kinsight generate`: the synthetic county of Marlshire as NDJSON files, deterministic by seed. */
export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('generate a synthetic county (Marlshire) as NDJSON in the kinsight-scenario vocabulary, with a separate truth file')
    .option('--children <n>', 'children in the county (under 18 when each household first appears)', positiveInt, 3000)
    .option('--years <y>', 'years of events, ending 31 March 2025', years, 10)
    .option('--seed <s>', 'seed: the same seed gives byte-identical output', '1')
    .option('--out <dir>', 'output folder (default: data/county-<seed>)')
    .option('--no-child-b', 'leave out the family that follows the Child B review (004)')
    .action(async (options: { children: number; years: number; seed: string; out?: string; childB: boolean }) => {
      const seed = /^[0-9]+$/.test(options.seed) ? Number(options.seed) : options.seed;
      const county = createCounty({ children: options.children, years: options.years, seed, childB: options.childB });
      const dir = resolve(options.out ?? `data/county-${options.seed}`);
      const bar = new cliProgress.SingleBar(
        { format: 'Generating Marlshire |{bar}| {percentage}% | {value}/{total} children | {events} events | {eta_formatted} left', stream: process.stderr, fps: 5, etaBuffer: 50, noTTYOutput: true, notTTYSchedule: 10_000 },
        cliProgress.Presets.shades_classic,
      );
      bar.start(options.children, 0, { events: 0 });
      const started = process.hrtime.bigint();
      const summary = await writeCounty(county, dir, (p) => bar.update(Math.min(p.childrenAtStart, options.children), { events: p.events.toLocaleString('en-GB') }));
      bar.stop();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const c = summary.counts;
      const lines = [
        `Marlshire synthetic county written to ${dir}`,
        `window            ${summary.window.start} to ${summary.window.end}`,
        `agencies          ${c.agencies.toLocaleString('en-GB')}`,
        `households        ${c.households.toLocaleString('en-GB')} (ordinary ${summary.families.ordinary.toLocaleString('en-GB')}, growing needs ${summary.families['growing-needs'].toLocaleString('en-GB')})`,
        `people            ${c.people.toLocaleString('en-GB')} (children at start ${c.childrenAtStart.toLocaleString('en-GB')}, births ${c.births.toLocaleString('en-GB')})`,
        `records           ${c.records.toLocaleString('en-GB')}`,
        `relationships     ${c.relationships.toLocaleString('en-GB')}`,
        `events            ${c.events.toLocaleString('en-GB')}`,
        `truth rows        ${c.truth.toLocaleString('en-GB')} (truth.ndjson: for scoring only, never ingest it)`,
        `seconds           ${seconds.toFixed(1)}`,
        `events per second ${Math.round(c.events / seconds).toLocaleString('en-GB')}`,
        '',
        'At 31 March      children  CIN/10k  CP/10k  CLA/10k  early help %',
        ...Object.entries(summary.census).map(([day, r]) => `${day}      ${String(r.children).padStart(8)}  ${r.cinPer10k.toFixed(1).padStart(7)}  ${r.cpPer10k.toFixed(1).padStart(6)}  ${r.claPer10k.toFixed(1).padStart(7)}  ${r.earlyHelpPercent.toFixed(2).padStart(12)}`),
        '',
        'Events by type:',
        ...Object.entries(summary.eventsByType).map(([type, n]) => `  ${type.padEnd(18)} ${n.toLocaleString('en-GB')}`),
        '',
        `Full summary: ${resolve(dir, 'summary.json')}`,
      ];
      console.log(lines.join('\n'));
    });
}
