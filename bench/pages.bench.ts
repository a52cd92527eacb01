import autocannon from 'autocannon';
import { sql } from 'kysely';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/platform/log.ts';
import { systemClock } from '../src/platform/clock.ts';
import { seedDemoPartnership } from '../src/features/demo/seed.ts';
import { signInAs } from '../test/support/sign-in.ts';
import { percentile, type BenchSuite } from './suite.ts';
import { loadedCounty } from './county-db.ts';

/**
 * The chronology page under load: the real application (routes, session,
 * access check, chronology, templates, audit) listening on a local port,
 * autocannon with 50 connections opening the chronologies of children a
 * health visitor may see. The session comes from signing in through the real
 * forms (test/support/sign-in.ts), as a browser would: no back door.
 */
export const suite: BenchSuite = {
  name: 'pages',
  measures: 'the chronology page under load (autocannon, 50 connections): requests per second and p95 latency',
  async run(options) {
    const size = options.quick ? { children: 150, years: 5 } : { children: Number(process.env.BENCH_PAGES_CHILDREN ?? 1000), years: 5 };
    const seconds = options.quick ? 5 : 30;
    const { database, result } = await loadedCounty(options, size, 'pages');
    const db = database.db;
    const config = { ...loadConfig({ NODE_ENV: 'test' }), host: '127.0.0.1', port: 0 };
    const app = await buildApp({ config, database, logger: createLogger('silent'), clock: systemClock });
    try {
      await seedDemoPartnership(db);
      const { rows } = await sql<{ person_id: string }>`
        select distinct pa.person_id from person_agency pa
        join person_link l on l.person_id = pa.person_id and l.unlinked_at is null
        join agency_record_version v on v.record_id = l.record_id
        where pa.agency_id = 'marlshire-hv' and v.birth_date > current_date - interval '18 years'
        order by pa.person_id limit 100`.execute(db);
      if (rows.length === 0) throw new Error('no children known to health visiting in the county');
      await app.ready();
      const session = await signInAs(app, systemClock, 'hv.practitioner');
      const cookie = [...session.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const probe = await session.get(`/people/${rows[0]!.person_id}/chronology`);
      if (probe.statusCode !== 200) throw new Error(`the chronology page answered ${probe.statusCode}`);
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const paths = rows.map((r) => `/people/${r.person_id}/chronology`);
      let next = 0;
      const times: number[] = [];
      const run = await new Promise<autocannon.Result>((resolve, reject) => {
        const instance = autocannon({
          url: `http://127.0.0.1:${port}`,
          connections: 50,
          duration: seconds,
          headers: { cookie },
          requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length]! }) }],
        }, (error: unknown, out: autocannon.Result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(out)));
        instance.on('response', (_client, _status, _bytes, responseTime) => times.push(responseTime));
      });
      return {
        engine: database.engine,
        county: { ...size, households: result.households, records: result.records, events: result.events },
        connections: 50,
        seconds,
        requests: run.requests.total,
        requestsPerSecond: Math.round(run.requests.average),
        latencyMs: { p95: percentile(times, 95), p50: run.latency.p50, p90: run.latency.p90, p97_5: run.latency.p97_5, p99: run.latency.p99, max: run.latency.max },
        non2xx: run.non2xx,
        errors: run.errors,
        timeouts: run.timeouts,
        targets: { requestsPerSecond: 200, p95Ms: 100 },
      };
    } finally {
      await app.close();
      await database.close();
    }
  },
};
