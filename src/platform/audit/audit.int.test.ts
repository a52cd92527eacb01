import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/support/database.ts';
import type { Database } from '../db/database.ts';
import type { RequestContext } from '../access/context.ts';
import { writeAudit } from './audit.ts';

const ctx: RequestContext = {
  actor: { kind: 'user', userId: 'u-1', username: 'hv', displayName: 'HV', agencyId: 'hv', teamId: null, roles: ['practitioner'] },
  correlationId: 'corr-1',
  purpose: 'home visit preparation',
};

describe('the audit trail', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => database.close());

  it('records who did what to whose record, why, and with what outcome', async () => {
    await writeAudit(database.db, ctx, { action: 'read', outcome: 'allowed', subjectType: 'person', subjectId: 'p_1', personId: 'p_1' });
    const row = await database.db.selectFrom('audit_event').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      actor_kind: 'user', actor_id: 'u-1', actor_agency_id: 'hv', actor_roles: ['practitioner'],
      action: 'read', outcome: 'allowed', person_id: 'p_1', purpose: 'home visit preparation', correlation_id: 'corr-1',
    });
  });

  it('cannot be edited or deleted, even with SQL', async () => {
    await expect(sql`update audit_event set outcome = 'denied'`.execute(database.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_event`.execute(database.db)).rejects.toThrow(/append-only/);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from audit_event where outcome = 'allowed'`.execute(database.db);
    expect(rows[0]!.n).toBe(1);
  });

  it('rolls back with the action it records', async () => {
    await expect(
      database.db.transaction().execute(async (trx) => {
        await writeAudit(trx, ctx, { action: 'export', outcome: 'allowed', personId: 'p_2' });
        throw new Error('export failed');
      }),
    ).rejects.toThrow('export failed');
    const rows = await database.db.selectFrom('audit_event').select('id').where('person_id', '=', 'p_2').execute();
    expect(rows).toHaveLength(0);
  });
});
