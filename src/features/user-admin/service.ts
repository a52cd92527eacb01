import { generateSecret, generateURI } from 'otplib';
import { z } from 'zod';
import type { Database } from '../../platform/db/database.ts';
import type { RequestContext } from '../../platform/access/context.ts';
import type { Clock } from '../../platform/clock.ts';
import { writeAudit } from '../../platform/audit/audit.ts';
import type { FieldError } from '../../platform/http/form-errors.ts';
import { ROLES } from '../../platform/http/access-rule.ts';
import { hashPassword, temporaryPassword } from '../sign-in/passwords.ts';
import { needsSecondFactor } from '../sign-in/service.ts';
import { userAdminRepository } from './repository.ts';

export const ROLE_NAMES: Record<(typeof ROLES)[number], string> = {
  'practitioner': 'Practitioner',
  'front-door-practitioner': 'Front-door practitioner',
  'team-manager': 'Team manager',
  'safeguarding-lead': 'Safeguarding lead',
  'partnership-analyst': 'Partnership analyst (aggregate figures only)',
  'system-administrator': 'System administrator (no records by default)',
};

const asArray = (v: unknown) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]);

export const newUserForm = z.object({
  username: z.string().trim().toLowerCase()
    .regex(/^[a-z0-9][a-z0-9._-]{2,63}$/, 'Enter a username of 3 to 64 letters, numbers, dots, hyphens or underscores'),
  displayName: z.string().trim().min(1, 'Enter the person’s full name').max(100, 'Full name must be 100 characters or fewer'),
  agencyId: z.string().min(1, 'Select the agency they work for'),
  teamId: z.string().optional().transform((v) => (v ? v : null)),
  roles: z.preprocess(asArray, z.array(z.enum(ROLES, { message: 'Select a role from the list' })).min(1, 'Select at least one role')),
});
export type NewUserForm = z.infer<typeof newUserForm>;

/** What an administrator hands over, once, by a secure route: never stored in the clear, never shown again. */
export interface Handover {
  userId: string;
  username: string;
  temporaryPassword: string;
  totpSecret: string | null;
  totpUri: string | null;
}

export type CreateOutcome =
  | { kind: 'created'; handover: Handover }
  | { kind: 'invalid'; errors: FieldError[] };

export type AccountChange = 'deactivate' | 'reactivate' | 'unlock' | 'reset';

/** Creating and managing staff accounts. Every change is audited in the same transaction. */
export function userAdminService(database: Database, clock: Clock) {
  async function credentials(username: string, roles: readonly string[]) {
    const password = temporaryPassword();
    const totpSecret = needsSecondFactor(roles) ? generateSecret() : null;
    return {
      password, passwordHash: await hashPassword(password), totpSecret,
      totpUri: totpSecret ? generateURI({ issuer: 'Kinsight', label: username, secret: totpSecret }) : null,
    };
  }

  return {
    async create(ctx: RequestContext, form: NewUserForm): Promise<CreateOutcome> {
      if (ctx.actor.kind !== 'user') throw new Error('only a signed-in administrator creates accounts');
      const createdBy = ctx.actor.userId;
      const repo = userAdminRepository(database.db);
      const errors: FieldError[] = [];
      if (await repo.usernameTaken(form.username)) errors.push({ field: 'username', text: 'That username is already in use: choose another' });
      const agencies = await repo.agencies();
      if (!agencies.some((a) => a.id === form.agencyId)) errors.push({ field: 'agencyId', text: 'Select the agency they work for' });
      if (form.teamId && !(await repo.teams()).some((t) => t.id === form.teamId && t.agencyId === form.agencyId)) {
        errors.push({ field: 'teamId', text: 'Select a team in the agency you chose, or no team' });
      }
      if (errors.length) return { kind: 'invalid', errors };
      const c = await credentials(form.username, form.roles);
      const userId = await database.db.transaction().execute(async (trx) => {
        const id = await userAdminRepository(trx).create({
          username: form.username, displayName: form.displayName, agencyId: form.agencyId, teamId: form.teamId,
          roles: form.roles, passwordHash: c.passwordHash, totpSecret: c.totpSecret, createdBy,
        });
        await writeAudit(trx, ctx, {
          action: 'administer', outcome: 'succeeded', subjectType: 'user', subjectId: id,
          details: { change: 'create', agencyId: form.agencyId, teamId: form.teamId, roles: form.roles },
        });
        return id;
      });
      return { kind: 'created', handover: { userId, username: form.username, temporaryPassword: c.password, totpSecret: c.totpSecret, totpUri: c.totpUri } };
    },

    /** Deactivate, reactivate, unlock or reset an account. Returns the handover for a reset; null when there is no such user. */
    async change(ctx: RequestContext, userId: string, change: AccountChange): Promise<{ handover: Handover | null } | null | 'own-account'> {
      if (ctx.actor.kind !== 'user') throw new Error('only a signed-in administrator changes accounts');
      if (change === 'deactivate' && ctx.actor.userId === userId) return 'own-account';
      const user = await userAdminRepository(database.db).find(userId);
      if (!user) return null;
      const now = clock.now();
      const c = change === 'reset' ? await credentials(user.username, user.roles) : null;
      await database.db.transaction().execute(async (trx) => {
        const repo = userAdminRepository(trx);
        switch (change) {
          case 'deactivate': await repo.setActive(userId, false, now); break;
          case 'reactivate': await repo.setActive(userId, true, now); break;
          case 'unlock': await repo.unlock(userId); break;
          case 'reset': await repo.resetCredentials(userId, c!.passwordHash, c!.totpSecret, now); break;
        }
        await writeAudit(trx, ctx, { action: 'administer', outcome: 'succeeded', subjectType: 'user', subjectId: userId, details: { change } });
      });
      return {
        handover: c ? { userId, username: user.username, temporaryPassword: c.password, totpSecret: c.totpSecret, totpUri: c.totpUri } : null,
      };
    },
  };
}
