import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { evaluateFebrlTexts, type LinkageEvaluation } from '../domain/linkage/link-evaluation.ts';

function percent(value: number): string {
  return `${(value * 100).toFixed(2)}%`;
}

function table(result: LinkageEvaluation): string {
  const rows: [string, string][] = [
    ['task', result.task],
    ['records', result.records.toLocaleString('en-GB')],
    ['candidate pairs', result.candidatePairs.toLocaleString('en-GB')],
    ['true pairs', result.truePairs.toLocaleString('en-GB')],
    ['predicted pairs', result.predictedPairs.toLocaleString('en-GB')],
    ['held for review', result.reviewPairs.toLocaleString('en-GB')],
    ['blocking recall', percent(result.blockingRecall)],
    ['precision', percent(result.precision)],
    ['recall', percent(result.recall)],
    ['F1', result.f1.toFixed(4)],
  ];
  if (result.directLinks) rows.push(['F1 of direct links (before grouping)', result.directLinks.f1.toFixed(4)]);
  if (result.clusters) {
    rows.push(['people found whole and alone', `${result.clusters.exactlyRecovered.toLocaleString('en-GB')} of ${result.clusters.truePeople.toLocaleString('en-GB')} (${percent(result.clusters.share)})`]);
    rows.push(['merges refused (chaining guard)', String(result.clusters.refusedMerges)]);
  }
  rows.push(
    ['seconds (end to end)', result.seconds.toFixed(2)],
    ['comparisons per second', Math.round(result.comparisonsPerSecond).toLocaleString('en-GB')],
  );
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}

/** Adds `kinsight link-eval FILE [FILE2] [--json]`: run the linker on FEBRL-format files and score it against their record ids. */
export function registerLinkEval(program: Command): void {
  program
    .command('link-eval')
    .description('measure record linkage on FEBRL-format CSV files: two files are linked across, one is searched for duplicates')
    .argument('<file>', 'a FEBRL-format CSV file')
    .argument('[file2]', 'a second file to link the first to')
    .option('--json', 'print the figures as JSON')
    .action((file: string, file2: string | undefined, options: { json?: boolean }) => {
      const texts = [file, file2].filter((name): name is string => name !== undefined).map((name) => readFileSync(name, 'utf8'));
      const result = evaluateFebrlTexts(texts);
      console.log(options.json ? JSON.stringify(result, null, 2) : table(result));
    });
}
