import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig } from '../config.ts';
import { startKinsight } from '../server.ts';
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

/** The `kinsight` command: serve, migrate, and (as issues land) replay, generate, link-eval, bench. */
const program = new Command()
  .name('kinsight')
  .description('Kinsight: a multi-agency child safeguarding platform')
  .showHelpAfterError();

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return n;
}

program
  .command('serve')
  .description('start the web application (migrations are applied first)')
  .option('--demo', 'create the demo partnership and its data if they are not there yet (not in production)')
  .option('-p, --port <port>', 'port to listen on (default: PORT or 3000)', port)
  .action(async (options: { demo?: boolean; port?: number }) => {
    const config = loadConfig();
    if (options.port !== undefined) config.port = options.port;
    const running = await startKinsight(config, {
      demo: Boolean(options.demo) && config.environment !== 'production',
      progress: (line) => console.error(line),
    });
    console.error(`Kinsight is running at ${running.url} (database: ${running.database.engine}). Press Ctrl+C to stop.`);
    const shutdown = async (signal: string) => {
      console.error(`${signal} received: stopping Kinsight…`);
      await running.stop();
      process.exit(0);
    };
    process.once('SIGINT', () => void shutdown('SIGINT'));
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
  });

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
