import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDatabase, expectedEngine } from '../../../test/support/database.ts';
import type { Database } from '../../platform/db/database.ts';
import { ManualClock } from '../../platform/clock.ts';
import type { RequestContext } from '../../platform/access/context.ts';
import { filterVisiblePeople } from '../../platform/access/person-access.ts';
import { seedDemoPartnership } from './seed.ts';
import { loadDemoCounty } from './county.ts';
import { demoUsers } from './demo-partnership.ts';

const SMALL = { children: 25, years: 1, seed: 'demo-test' };

async function counts(database: Database) {
  const { rows } = await sql<{ events: number; records: number; people: number; agencies: number }>`
    select (select count(*) from event) as events, (select count(*) from agency_record) as records,
      (select count(*) from person) as people, (select count(*) from agency) as agencies`.execute(database.db);
  return rows[0]!;
}

describe(`the demo county (${expectedEngine})`, () => {
  let database: Database;
  const clock = new ManualClock(new Date('2025-04-01T09:00:00Z'));
  beforeAll(async () => {
    database = await openTestDatabase();
    await seedDemoPartnership(database.db);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('loads through ingest once: a second start adds nothing', async () => {
    const lines: string[] = [];
    const first = await loadDemoCounty(database.db, { clock, ...SMALL, progress: (l) => lines.push(l) });
    expect(first.loaded).toBe(true);
    expect(first.events).toBeGreaterThan(100);
    const after = await counts(database);
    expect(after.events).toBe(first.events);
    expect(after.records).toBe(first.records);
    expect(lines.at(-1)).toMatch(/^Demo county loaded: \d+ households/);
    // Flags are evaluated once the county is in, so the demo shows them on its pages.
    const raised = lines.find((l) => /flags raised for \d+ people/.test(l));
    expect(raised).toBeDefined();
    const { rows: stored } = await sql<{ n: number }>`select count(*) as n from flag`.execute(database.db);
    expect(Number(/… (\d+) flags raised/.exec(raised!)![1])).toBe(stored[0]!.n);
    expect(stored[0]!.n).toBeGreaterThan(0);

    const second = await loadDemoCounty(database.db, { clock, ...SMALL });
    expect(second.loaded).toBe(false);
    expect(await counts(database)).toEqual(after);
    const { rows } = await sql<{ name: string }>`select name from demo_state`.execute(database.db);
    expect(rows.map((r) => r.name)).toEqual(['synthetic-county']);
    // Nothing the county sent was refused (the demo partnership's own agencies were kept, not re-sent).
    const { rows: refused } = await sql<{ n: number }>`select count(*) as n from quarantine`.execute(database.db);
    expect(refused[0]!.n).toBe(0);
  });

  it('includes the Child B family, linked into one person per human across agencies', async () => {
    const { rows } = await sql<{ person_id: string; agencies: number }>`
      select l.person_id, count(distinct r.agency_id) as agencies
      from agency_record_version v join agency_record r on r.id = v.record_id
      join person_link l on l.record_id = r.id and l.unlinked_at is null
      where v.family_name = 'Dutton' and v.given_names like 'Mason%'
      group by l.person_id`.execute(database.db);
    expect(rows.length).toBeGreaterThan(0);
    expect(Math.max(...rows.map((r) => r.agencies))).toBeGreaterThan(2);
  });

  it('gives every demo user who works with records people their agency has a relationship with', async () => {
    const { rows } = await sql<{ id: string }>`select id from person`.execute(database.db);
    const everyone = rows.map((r) => r.id);
    for (const username of ['hv.practitioner', 'front.door', 'ed.nurse', 'safeguarding.lead']) {
      const u = demoUsers.find((d) => d.username === username)!;
      const { rows: ids } = await sql<{ id: string }>`select id from app_user where username = ${username}`.execute(database.db);
      const ctx: RequestContext = {
        actor: { kind: 'user', userId: ids[0]!.id, username, displayName: u.displayName, agencyId: u.agencyId, teamId: u.teamId, roles: u.roles },
        correlationId: 'demo-test', now: clock.now(),
      };
      const visible = await filterVisiblePeople(database.db, ctx, everyone, clock);
      expect(visible.size, username).toBeGreaterThan(0);
      expect(visible.size, username).toBeLessThan(everyone.length);
    }
  });
});
