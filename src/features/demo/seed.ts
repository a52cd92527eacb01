import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { administrationRepository } from '../administration/repository.ts';
import { hashPassword } from '../sign-in/passwords.ts';
import { DEMO_AUTHORITY, DEMO_PASSWORD, demoAgencies, demoTeams, demoUsers } from './demo-partnership.ts';


export interface SeedResult {
  agenciesAdded: number;
  teamsAdded: number;
  usersAdded: number;
}

/**
 * Create the demo partnership's agencies, teams and accounts. Idempotent:
 * running it again adds nothing and changes nothing already there.
 */
export async function seedDemoPartnership(db: Kysely<DB>): Promise<SeedResult> {
  const repo = administrationRepository(db);
  const result: SeedResult = { agenciesAdded: 0, teamsAdded: 0, usersAdded: 0 };
  for (const agency of demoAgencies) {
    if (await repo.addAgencyIfAbsent({ ...agency, authorityCode: DEMO_AUTHORITY.code })) result.agenciesAdded++;
  }
  for (const team of demoTeams) {
    if (await repo.addTeamIfAbsent(team)) result.teamsAdded++;
  }
  const existing = new Set(await repo.usernames());
  const passwordHash = demoUsers.some((u) => !existing.has(u.username)) ? await hashPassword(DEMO_PASSWORD) : null;
  for (const user of demoUsers) {
    if (existing.has(user.username)) continue;
    const added = await repo.addUserIfAbsent({ ...user, passwordHash, demo: true });
    if (added) result.usersAdded++;
  }
  return result;
}
