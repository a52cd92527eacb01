import { sql, type Kysely } from 'kysely';
import type { DB } from '../src/platform/db/schema.ts';
import type { RequestContext } from '../src/platform/access/context.ts';
import { systemClock } from '../src/platform/clock.ts';
import { seedDemoPartnership } from '../src/features/demo/seed.ts';
import { demoUsers } from '../src/features/demo/demo-partnership.ts';
import { CHRONOLOGY_PAGE_SIZE, familyChronology, parseFilters, personChronology } from '../src/features/chronology/service.ts';
import { latency, type BenchSuite } from './suite.ts';
import { loadedCounty } from './county-db.ts';
import { prepared } from '../src/platform/db/prepared.ts';

/**
 * The raw indexed query for the same rows the service shows: visible events of
 * these people, newest first, one page (and one more, to tell whether there
 * are more). With `audited`, the same query also writes one audit row in the
 * same statement: the floor for any audited read, since the audit row must be
 * committed (the WAL flushed to disk) before the answer goes back, and a plain
 * read commits nothing. With `asPrepared`, it is a prepared statement, as the
 * service's is (platform/db/prepared.ts): the raw query with the same help,
 * so the app's own overhead is not hidden by a saving the raw query could have too.
 */
async function rawChronology(db: Kysely<DB>, personIds: string[], audited = false, asPrepared = false): Promise<number> {
  const audit = audited
    ? sql`with audit as (insert into audit_event (correlation_id, actor_kind, actor_id, action, outcome, subject_type, person_id)
                   values ('bench-raw', 'system', 'bench-chronology', 'read', 'allowed', 'chronology', ${personIds[0] ?? null}))`
    : sql``;
  const query = sql<{ id: number }>`
    ${audit}
    select e.id, e.event_id, e.agency_id, a.name, e.type, e.at, e.on_date, e.at_precision, e.significant, e.data, e.text, e.version
    from event e join agency a on a.id = e.agency_id
    where e.id in (select s.event_row_id from event_subject s where s.person_id = any(${personIds}::text[]))
      and not exists (select 1 from event s where s.supersedes = e.id)
      and not exists (select 1 from event_retraction r where r.event_row_id = e.id)
    order by e.at desc, e.id desc
    limit ${CHRONOLOGY_PAGE_SIZE + 1}`;
  const { rows } = await (asPrepared ? prepared(query) : query).execute(db);
  return rows.length;
}

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await f();
  return performance.now() - t;
}

/**
 * Child and family chronology latency through the app's service (access
 * check, the first page of the chronology and its people, wording, audit
 * rows: one statement) against the raw indexed SQL for the same rows, for a
 * health visitor (a demo user) opening children and families her agency knows.
 */
export const suite: BenchSuite = {
  name: 'chronology',
  measures: 'child and family chronology latency (p50/p95/p99) through the service, and the ratio to the raw indexed SQL',
  async run(options) {
    const size = options.quick
      ? { children: 150, years: 5 } // the same as pages' quick county: loaded once for both
      : { children: Number(process.env.BENCH_CHRONOLOGY_CHILDREN ?? 5000), years: Number(process.env.BENCH_CHRONOLOGY_YEARS ?? 10) };
    const samples = options.quick ? 40 : 300;
    const loaded = await loadedCounty(options, size, 'chronology');
    const { database, result } = loaded;
    // A county loaded before (BENCH_COUNTY_DATABASE_URL) has its own size.
    const county = (loaded as { size?: { children: number; years: number } }).size ?? size;
    const db = database.db;
    try {
      await seedDemoPartnership(db);
      const u = demoUsers.find((d) => d.username === 'hv.practitioner')!;
      const user = await db.selectFrom('app_user').select('id').where('username', '=', u.username).executeTakeFirstOrThrow();
      const ctx: RequestContext = {
        actor: { kind: 'user', userId: user.id, username: u.username, displayName: u.displayName, agencyId: u.agencyId, teamId: u.teamId, roles: u.roles },
        correlationId: 'bench-chronology',
      };
      // Children (born in the last 18 years) the health visitors hold a record of, and their families.
      const { rows: children } = await sql<{ person_id: string }>`
        select distinct pa.person_id from person_agency pa
        join person_link l on l.person_id = pa.person_id and l.unlinked_at is null
        join agency_record_version v on v.record_id = l.record_id
        where pa.agency_id = ${u.agencyId} and v.birth_date > current_date - interval '18 years'
        order by pa.person_id limit ${samples}`.execute(db);
      const { rows: families } = await sql<{ family_id: string; members: string[] }>`
        select f.family_id, array_agg(f.person_id order by f.person_id) as members from family_member f
        where f.family_id in (select m.family_id from family_member m where m.person_id = any(${children.map((c) => c.person_id)}::text[]))
        group by f.family_id order by f.family_id limit ${samples}`.execute(db);
      const filters = parseFilters({});
      const child = { app: [] as number[], raw: [] as number[], rawPrepared: [] as number[], rawAudited: [] as number[], events: [] as number[] };
      const family = { app: [] as number[], raw: [] as number[], rawPrepared: [] as number[], rawAudited: [] as number[], events: [] as number[] };
      // One warm-up round, then measured rounds with app and raw interleaved.
      for (const round of [0, 1]) {
        for (const c of children) {
          let shown = 0;
          const app = await timed(async () => {
            shown = (await personChronology(db, ctx, c.person_id, filters, systemClock)).entries.length;
          });
          const raw = await timed(() => rawChronology(db, [c.person_id]));
          const rawPrepared = await timed(() => rawChronology(db, [c.person_id], false, true));
          const rawAudited = await timed(() => rawChronology(db, [c.person_id], true));
          if (round) {
            child.app.push(app);
            child.raw.push(raw);
            child.rawPrepared.push(rawPrepared);
            child.rawAudited.push(rawAudited);
            child.events.push(shown);
          }
        }
        for (const f of families) {
          let shown = 0;
          const app = await timed(async () => {
            shown = (await familyChronology(db, ctx, f.family_id, filters, systemClock)).entries.length;
          });
          const raw = await timed(() => rawChronology(db, f.members));
          const rawPrepared = await timed(() => rawChronology(db, f.members, false, true));
          const rawAudited = await timed(() => rawChronology(db, f.members, true));
          if (round) {
            family.app.push(app);
            family.raw.push(raw);
            family.rawPrepared.push(rawPrepared);
            family.rawAudited.push(rawAudited);
            family.events.push(shown);
          }
        }
      }
      const one = children[Math.floor(children.length / 2)]?.person_id ?? '';
      const { rows: plan } = await sql<{ 'QUERY PLAN': string }>`explain (analyze, costs off, timing off, summary on)
        select e.id from event e join agency a on a.id = e.agency_id
        where e.id in (select s.event_row_id from event_subject s where s.person_id = any(${[one]}::text[]))
          and not exists (select 1 from event s where s.supersedes = e.id)
          and not exists (select 1 from event_retraction r where r.event_row_id = e.id)
        order by e.at desc, e.id desc limit ${CHRONOLOGY_PAGE_SIZE + 1}`.execute(db);
      const ratio = (a: number[], b: number[]) => Math.round((latency(a).p50 / latency(b).p50) * 100) / 100;
      const mean = (xs: number[]) => Math.round(xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length));
      return {
        engine: database.engine,
        county: { ...county, households: result.households, records: result.records, events: result.events },
        child: {
          app: latency(child.app), raw: latency(child.raw), rawPrepared: latency(child.rawPrepared), rawAudited: latency(child.rawAudited),
          ratioP50: ratio(child.app, child.raw), ratioToPreparedRawP50: ratio(child.app, child.rawPrepared),
          ratioToAuditedRawP50: ratio(child.app, child.rawAudited), meanEventsShown: mean(child.events),
        },
        family: {
          app: latency(family.app), raw: latency(family.raw), rawPrepared: latency(family.rawPrepared), rawAudited: latency(family.rawAudited),
          ratioP50: ratio(family.app, family.raw), ratioToPreparedRawP50: ratio(family.app, family.rawPrepared),
          ratioToAuditedRawP50: ratio(family.app, family.rawAudited), meanEventsShown: mean(family.events),
        },
        plan: plan.map((r) => r['QUERY PLAN']).filter((l) => /Index|Seq Scan|Execution/.test(l)).map((l) => l.trim()),
        targets: { childP95Ms: 50, familyP95Ms: 100, appOverRaw: 2 },
      };
    } finally {
      await database.close();
    }
  },
};
