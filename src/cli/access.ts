import type { Command } from 'commander';
import { generate } from 'otplib';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../platform/db/database.ts';
import { migrateToLatest } from '../platform/db/migrate.ts';
import { demoUsers } from '../features/demo/demo-partnership.ts';
import { API_SCOPES, apiClientService, type ApiScope } from '../features/api-clients/service.ts';

/** `kinsight totp` (demo sign-in codes) and `kinsight api-clients issue` (keys for partner agencies' systems). */
export function registerAccessCommands(program: Command): void {
  program
    .command('totp <username>')
    .description("print a demo account's current one-time code (not in production)")
    .action(async (username: string) => {
      if (loadConfig().environment === 'production') throw new Error('Demo accounts do not exist in production.');
      const user = demoUsers.find((u) => u.username === username);
      if (!user) throw new Error(`No demo account is called ${username}. Demo accounts: ${demoUsers.map((u) => u.username).join(', ')}`);
      if (!user.totpSecret) throw new Error(`${username} signs in with a password alone (no code needed).`);
      console.log(await generate({ secret: user.totpSecret }));
    });

  const clients = program.command('api-clients').description("partner agencies' system credentials");
  clients
    .command('issue')
    .description('create an API client for an agency and print its key (shown once, stored only as a hash)')
    .requiredOption('--agency <id>', 'the agency the system sends for')
    .requiredOption('--name <name>', 'what the system is, e.g. "Hospital PAS"')
    .option('--scopes <list>', `comma-separated: ${API_SCOPES.join(', ')}`, API_SCOPES.join(','))
    .action(async (options: { agency: string; name: string; scopes: string }) => {
      const scopes = options.scopes.split(',').map((s) => s.trim());
      const unknown = scopes.filter((s) => !(API_SCOPES as readonly string[]).includes(s));
      if (unknown.length) throw new Error(`Unknown scope(s): ${unknown.join(', ')}. Choose from ${API_SCOPES.join(', ')}.`);
      const config = loadConfig();
      const database = await openDatabase(config.database);
      try {
        await migrateToLatest(database.db);
        const id = `${options.agency}-${Date.now().toString(36)}`;
        const key = await apiClientService(database.db).issueKey({
          id, agencyId: options.agency, name: options.name, scopes: scopes as ApiScope[],
        });
        console.error(`API client ${id} created for ${options.agency}. Its key (shown once; send it as the x-api-key header):`);
        console.log(key);
      } finally {
        await database.close();
      }
    });
}
