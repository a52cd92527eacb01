import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../platform/db/database.ts';
import { migrateToLatest } from '../platform/db/migrate.ts';
import { systemClock } from '../platform/clock.ts';
import { findDuplicates } from '../domain/linkage/linker.ts';
import { nameFrequencies } from '../domain/linkage/incremental.ts';
import type { PersonRecord } from '../domain/linkage/person-record.ts';
import { DEFAULT_PARAMETERS } from '../domain/linkage/default-parameters.ts';
import { linkageRepository } from '../features/linkage-review/repository.ts';
import { linkageRecordOf } from '../features/records/linking.ts';

/**
 * `kinsight link --train`: estimate the linker's m and u from the records
 * Kinsight holds (u from random pairs and among candidates, m and the prior
 * by EM over candidate pairs: no labels), and store them with the common
 * names' frequencies. New records are linked with the newest stored row; until
 * one exists, with the documented defaults (src/domain/linkage/default-parameters.ts).
 */
export function registerLink(program: Command): void {
  program
    .command('link')
    .description('record linkage: --train estimates the model from the records held and stores it')
    .option('--train', 'estimate m, u and the prior by EM over candidate pairs and store them')
    .action(async (options: { train?: boolean }) => {
      if (!options.train) {
        console.error('Say what to do: kinsight link --train');
        process.exitCode = 1;
        return;
      }
      const config = loadConfig();
      const database = await openDatabase(config.database);
      try {
        await migrateToLatest(database.db);
        const repo = linkageRepository(database.db);
        const records: PersonRecord[] = [];
        let after = 0;
        for (;;) {
          const page = await repo.personRecordsPage(after, 20_000);
          if (page.length === 0) break;
          for (const r of page) records.push(linkageRecordOf(r.recordId, r.body));
          after = page[page.length - 1]!.recordId;
        }
        if (records.length < 100) {
          console.error(`Only ${records.length} records: too few to estimate from; the defaults stay in use.`);
          return;
        }
        const run = findDuplicates(records);
        const parameters = { ...run.model.parameters, familyGivenSameAddress: DEFAULT_PARAMETERS.familyGivenSameAddress };
        const id = await repo.insertParameters({
          trainedAt: systemClock.now(), source: 'kinsight link --train', parameters, nameFrequencies: nameFrequencies(run.vocabulary),
          records: records.length, candidatePairs: run.candidatePairCount, iterations: run.emIterations,
        });
        console.log(JSON.stringify({ stored: id, records: records.length, candidatePairs: run.candidatePairCount, emIterations: run.emIterations, prior: parameters.prior }, null, 2));
      } finally {
        await database.close();
      }
    });
}
