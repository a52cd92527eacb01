import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { openDatabase, type Database } from '../platform/db/database.ts';
import { systemClock } from '../platform/clock.ts';
import { writeAudit } from '../platform/audit/audit.ts';
import type { RequestContext } from '../platform/access/context.ts';
import { signInService } from '../features/sign-in/service.ts';

export interface UsersCommandDependencies {
  /** The database to change, and whether this is production (tests pass their own). */
  open(): Promise<{ database: Database; production: boolean; close(): Promise<void> }>;
}

const fromEnvironment: UsersCommandDependencies = {
  async open() {
    const config = loadConfig();
    const database = await openDatabase(config.database);
    return { database, production: config.environment === 'production', close: () => database.close() };
  },
};

/**
 * `kinsight users link-oidc USERNAME SUBJECT` and `kinsight users unlink-oidc USERNAME`:
 * which Kinsight account an identity provider's subject signs in to. Accounts
 * are made by administrators; OIDC sign-in never creates one. Each change is audited.
 */
export function registerUsers(program: Command, deps: UsersCommandDependencies = fromEnvironment): void {
  const users = program.command('users').description('administer Kinsight user accounts');

  async function change(username: string, subject: string | null): Promise<void> {
    const opened = await deps.open();
    try {
      const service = signInService(opened.database.db, systemClock, { production: opened.production });
      const outcome = await service.linkOidcSubject(username, subject);
      const ctx: RequestContext = { actor: { kind: 'system', process: 'kinsight users' }, correlationId: randomUUID() };
      switch (outcome.kind) {
        case 'unknown-user':
          console.error(`kinsight: there is no user called ${username}`);
          process.exitCode = 1;
          return;
        case 'subject-in-use':
          console.error('kinsight: that subject is already linked to another user: unlink it there first (kinsight users unlink-oidc USERNAME)');
          process.exitCode = 1;
          return;
        case 'linked':
          await writeAudit(opened.database.db, ctx, {
            action: 'administer', outcome: 'succeeded', subjectType: 'user', subjectId: outcome.user.id,
            details: { change: 'link-oidc', replacedEarlierLink: outcome.replacedEarlierLink },
          });
          console.log(`${outcome.user.username} now signs in with that organisation account${outcome.replacedEarlierLink ? ' (the earlier link is replaced)' : ''}.`);
          if (!outcome.user.active) console.log(`Note: ${outcome.user.username} is not active, so cannot sign in until made active.`);
          return;
        case 'unlinked':
          await writeAudit(opened.database.db, ctx, {
            action: 'administer', outcome: 'succeeded', subjectType: 'user', subjectId: outcome.user.id, details: { change: 'unlink-oidc' },
          });
          console.log(`${outcome.user.username} can no longer sign in with an organisation account.`);
          return;
      }
    } finally {
      await opened.close();
    }
  }

  users
    .command('link-oidc')
    .description('let a user sign in with their organisation account (OIDC): SUBJECT is the identity provider\'s "sub" for them')
    .argument('<username>', 'the Kinsight username')
    .argument('<subject>', 'the subject identifier the identity provider gives this person')
    .action(async (username: string, subject: string) => {
      if (subject.trim() !== subject || subject.length === 0 || subject.length > 255) {
        console.error('kinsight: the subject must be 1 to 255 characters with no surrounding spaces');
        process.exitCode = 1;
        return;
      }
      await change(username, subject);
    });

  users
    .command('unlink-oidc')
    .description('stop a user signing in with their organisation account')
    .argument('<username>', 'the Kinsight username')
    .action(async (username: string) => change(username, null));
}
