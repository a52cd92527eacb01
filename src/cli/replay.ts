import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { replayScenario } from '../features/replay/service.ts';
import { checkReport } from '../features/replay/check.ts';

/** `kinsight replay FILE --json | --check`: a scenario through the real ingest path (../shared/scenarios/FORMAT.md). */
export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('replay a scenario file through ingest with the clock set to each event, and report people, flags and expectations')
    .argument('<file>', 'a kinsight-scenario/1 JSON file')
    .option('--json', 'print one JSON object: scenario, people, flags, expectations')
    .option('--check', 'print one line per expectation; exit 1 if any is unmet')
    .action(async (file: string, options: { json?: boolean; check?: boolean }) => {
      const scenario: unknown = JSON.parse(await fs.readFile(file, 'utf8'));
      const { output, rejected } = await replayScenario(scenario);
      for (const r of rejected) {
        console.error(`rejected ${r.kind}[${r.index}]${r.key ? ` ${r.key}` : ''}: ${(r.reasons ?? []).map((x) => `${x.path} ${x.expected}`).join('; ')}`);
      }
      if (options.check) {
        const check = checkReport(output.expectations);
        for (const line of check.lines) console.log(line);
        if (check.exitCode !== 0) process.exitCode = check.exitCode;
        if (!options.json) return;
      }
      console.log(JSON.stringify(output, null, options.check ? 0 : 2));
    });
}
