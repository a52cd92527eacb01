import { Command } from 'commander';
import { ConfigError, loadConfig } from '../config.ts';
import { openDatabase } from '../platform/db/database.ts';
import { migrateToLatest } from '../platform/db/migrate.ts';
import { registerAccessCommands } from './access.ts';
import { registerReplay } from './replay.ts';
import { registerLinkEval } from './link-eval.ts';
import { registerLink } from './link.ts';
import { registerUsers } from './users.ts';
import { registerGenerate } from './generate.ts';
import { registerFlags } from './flags.ts';
import { registerBench } from './bench.ts';
import { registerCounty } from './county.ts';
import { registerServe } from './serve.ts';

/** The `kinsight` command: serve, migrate, and (as issues land) replay, generate, link-eval, bench. */
const program = new Command()
  .name('kinsight')
  .description('Kinsight: a multi-agency child safeguarding platform')
  .showHelpAfterError();

registerServe(program);

program
  .command('migrate')
  .description('bring the database schema up to date and exit')
  .action(async () => {
    const config = loadConfig();
    const database = await openDatabase(config.database);
    try {
      const applied = await migrateToLatest(database.db);
      console.error(applied.length ? `Applied: ${applied.join(', ')}` : 'Database schema is up to date.');
    } finally {
      await database.close();
    }
  });

registerLinkEval(program);
registerLink(program);

registerReplay(program);

registerUsers(program);

registerAccessCommands(program);
registerGenerate(program);
registerFlags(program);
registerBench(program);
registerCounty(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error(`kinsight: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exitCode = 1;
}
