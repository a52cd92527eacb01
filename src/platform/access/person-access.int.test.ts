import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/support/database.ts';
import type { Database } from '../db/database.ts';
import { ManualClock } from '../clock.ts';
import { systemContext, type RequestContext } from './context.ts';
import { filterVisiblePeople, requirePersonAccess } from './person-access.ts';
import { seedDemoPartnership } from '../../features/demo/seed.ts';
import { ingestBatch } from '../../features/ingest/service.ts';
import { restrictionRepository } from '../../features/access-review/repository.ts';
import { NotFoundError, PersonAccessDenied } from '../errors.ts';

// Synthetic people only. Valid NHS numbers (mod 11): 9434765919, 9434765870.
const batch = {
  records: [
    { agency: 'marlshire-hv', localId: 'HV-1', kind: 'person', name: { given: ['Ava'], family: 'Testcase' }, birthDate: '2024-02-01', nhsNumber: '9434765919' },
    { agency: 'marlshire-hv', localId: 'HV-2', kind: 'person', name: { given: ['Mia'], family: 'Testcase' }, birthDate: '1995-06-01' },
    { agency: 'marlshire-hospital', localId: 'H-1', kind: 'person', name: { given: ['Ava'], family: 'Testcase' }, birthDate: '2024-02-01', nhsNumber: '9434765919' },
    { agency: 'marlshire-police', localId: 'POL-9', kind: 'person', name: { given: ['Zed'], family: 'Unrelated' }, birthDate: '1980-01-01' },
    { agency: 'marlshire-police', localId: 'POL-10', kind: 'person', name: { given: ['Kit'], family: 'Unrelated' }, birthDate: '2019-01-01', nhsNumber: '9434765870' },
  ],
  relationships: [{ agency: 'marlshire-hv', from: 'HV-2', to: 'HV-1', type: 'parent-of' }],
};

/** A stable UUID per test user name (user ids are UUIDs). */
function uuidFor(username: string): string {
  const hex = Buffer.from(username.padEnd(16, '.')).toString('hex').slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function user(username: string, agencyId: string, roles: string[], userId = uuidFor(username)): RequestContext {
  return {
    actor: { kind: 'user', userId, username, displayName: username, agencyId, teamId: null, roles: roles as never },
    correlationId: 'test',
  };
}

describe('who can see which person', () => {
  let database: Database;
  const clock = new ManualClock(new Date('2026-11-23T10:00:00Z'));
  let ava: string, mia: string, zed: string, kit: string;

  beforeAll(async () => {
    database = await openTestDatabase();
    await seedDemoPartnership(database.db);
    await ingestBatch(database.db, systemContext('test', 't'), batch, { clock });
    const links = await database.db
      .selectFrom('person_link')
      .innerJoin('agency_record', 'agency_record.id', 'person_link.record_id')
      .select(['person_link.person_id', 'agency_record.local_id'])
      .where('person_link.unlinked_at', 'is', null)
      .execute();
    const byLocal = Object.fromEntries(links.map((l) => [l.local_id, l.person_id]));
    ava = byLocal['HV-1']!;
    mia = byLocal['HV-2']!;
    zed = byLocal['POL-9']!;
    kit = byLocal['POL-10']!;
    expect(byLocal['H-1']).toBe(ava);
  });
  afterAll(async () => database.close());

  it('lets a practitioner see a child their agency holds a record of, and the child’s family', async () => {
    const seen = await filterVisiblePeople(database.db, user('hv', 'marlshire-hv', ['practitioner']), [ava, mia, zed], clock);
    expect([...seen].sort()).toEqual([ava, mia].sort());
  });

  it('hides a person the agency has no relationship with, exactly as if they did not exist', async () => {
    const ctx = user('hv', 'marlshire-hv', ['practitioner']);
    const denied = await requirePersonAccess(database.db, ctx, zed, clock).catch((e: unknown) => e);
    const missing = await requirePersonAccess(database.db, ctx, 'p_doesnotexist', clock).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(NotFoundError);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((denied as Error).message).toBe((missing as Error).message);
  });

  it('says who was refused which record, for the error handler to audit', async () => {
    const ctx = user('hv', 'marlshire-hv', ['practitioner']);
    const denied = await requirePersonAccess(database.db, ctx, zed, clock).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(PersonAccessDenied);
    expect(denied).toMatchObject({ personId: zed, context: ctx });
  });

  it('never shows people to partnership analysts or system administrators', async () => {
    expect((await filterVisiblePeople(database.db, user('a', 'marlshire-hv', ['partnership-analyst']), [ava], clock)).size).toBe(0);
    expect((await filterVisiblePeople(database.db, user('s', 'marlshire-hv', ['system-administrator']), [ava], clock)).size).toBe(0);
  });

  it('never shows people to an API client: systems send, they do not browse', async () => {
    const ctx: RequestContext = { actor: { kind: 'api-client', clientId: 'c', agencyId: 'marlshire-hv' }, correlationId: 't' };
    expect((await filterVisiblePeople(database.db, ctx, [ava], clock)).size).toBe(0);
  });

  it('opens a child to the front door while a recent referral about them is live, and not after', async () => {
    const frontDoor = user('fd', 'marlshire-front-door', ['front-door-practitioner']);
    expect((await filterVisiblePeople(database.db, frontDoor, [kit], clock)).size).toBe(0);
    await ingestBatch(database.db, systemContext('test', 't'), {
      events: [{ id: 'ref-1', at: '2026-11-20', agency: 'marlshire-police', type: 'referral', subjects: ['POL-10'],
        data: { to: 'marlshire-front-door', reason: 'Domestic abuse incident, child present' } }],
    }, { clock });
    expect([...(await filterVisiblePeople(database.db, frontDoor, [kit, zed], clock))]).toEqual([kit]);
    const later = new ManualClock(new Date('2027-01-30T10:00:00Z'));
    expect((await filterVisiblePeople(database.db, frontDoor, [kit], later)).size).toBe(0);
  });

  it('keeps a restricted record from everyone but the users named for it', async () => {
    const hv = user('hv', 'marlshire-hv', ['practitioner']);
    const named = user('named', 'marlshire-hv', ['practitioner'], '00000000-0000-0000-0000-000000000001');
    const namedUser = await database.db.insertInto('app_user').values({
      id: '00000000-0000-0000-0000-000000000001', username: 'named', display_name: 'Named', agency_id: 'marlshire-hv',
      team_id: null, roles: ['practitioner'], password_hash: null, totp_secret: null,
    }).returning('id').executeTakeFirstOrThrow();
    await restrictionRepository(database.db).restrict(mia, [namedUser.id], null, 'Refuge: address must not be disclosed');
    expect([...(await filterVisiblePeople(database.db, hv, [ava, mia], clock))]).toEqual([ava]);
    expect([...(await filterVisiblePeople(database.db, named, [mia], clock))]).toEqual([mia]);
  });
});
