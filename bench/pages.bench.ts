import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
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

const projectRoot = path.resolve(import.meta.dirname, '..');

/**
 * `kinsight serve` as production runs it, in its own processes: on
 * PostgreSQL one worker per CPU (BENCH_PAGES_WORKERS to change). Resolves
 * with the address it listens on once every worker is serving.
 */
async function serveInChildProcesses(databaseUrl: string, sessionSecret: string, workers: number): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'kinsight.mjs'), 'serve', '--port', '0', '--workers', String(workers)], {
    cwd: projectRoot,
    env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: 'test', HOST: '127.0.0.1', LOG_LEVEL: 'silent', SESSION_SECRET: sessionSecret },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let said = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      const m = /running at (http:\/\/[0-9.:]+)/.exec(said);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`kinsight serve stopped (exit code ${code}): ${said.slice(-500)}`)));
  });
  return { url, child };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/**
 * The chronology page under load: the real application (routes, session,
 * access check, chronology, templates, audit) listening on a local port,
 * autocannon with 50 connections opening the chronologies of children a
 * health visitor may see. On PostgreSQL the server is `kinsight serve` in its
 * own processes, one per CPU, as in production; on PGlite (one process by
 * nature) it is the application inside this process. The session comes from
 * signing in through the real forms (test/support/sign-in.ts), as a browser
 * would: no back door.
 */
export const suite: BenchSuite = {
  name: 'pages',
  measures: 'the chronology page under load (autocannon, 50 connections): requests per second and p95 latency',
  async run(options) {
    const size = options.quick ? { children: 150, years: 5 } : { children: Number(process.env.BENCH_PAGES_CHILDREN ?? 1000), years: 5 };
    const seconds = options.quick ? 5 : 30;
    const loaded = await loadedCounty(options, size, 'pages');
    const { database, result } = loaded;
    // A county loaded before (BENCH_COUNTY_DATABASE_URL) has its own size.
    const county = (loaded as { size?: { children: number; years: number } }).size ?? size;
    const db = database.db;
    const config = { ...loadConfig({ NODE_ENV: 'test' }), host: '127.0.0.1', port: 0 };
    const app = await buildApp({ config, database, logger: createLogger('silent'), clock: systemClock });
    let server: ChildProcess | undefined;
    let workers = 1;
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
      let url: string;
      const serverUrl = process.env.BENCH_COUNTY_DATABASE_URL ?? options.databaseUrl;
      if (database.engine === 'postgres' && serverUrl) {
        // The same server, the database the county is in.
        const { rows: [current] } = await sql<{ name: string }>`select current_database() as name`.execute(db);
        const databaseUrl = new URL(serverUrl);
        databaseUrl.pathname = `/${current!.name}`;
        workers = Number(process.env.BENCH_PAGES_WORKERS ?? os.availableParallelism());
        const served = await serveInChildProcesses(databaseUrl.toString(), config.sessionSecret, workers);
        server = served.child;
        url = served.url;
      } else {
        await app.listen({ host: '127.0.0.1', port: 0 });
        const address = app.server.address();
        url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      }
      const paths = rows.map((r) => `/people/${r.person_id}/chronology`);
      let next = 0;
      // Warm-up, not measured: each server process compiles its templates, fills its connection pool and
      // prepares its statements on each connection on first use; at the measured run's 50 connections, so
      // that the measurement starts with the pools as full as they will be.
      await new Promise<void>((resolve, reject) => {
        autocannon({
          url, connections: 50, duration: options.quick ? 3 : 5, headers: { cookie },
          requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length]! }) }],
        }, (error: unknown) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()));
      });
      const times: number[] = [];
      const run = await new Promise<autocannon.Result>((resolve, reject) => {
        const instance = autocannon({
          url,
          connections: 50,
          duration: seconds,
          headers: { cookie },
          requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length]! }) }],
        }, (error: unknown, out: autocannon.Result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(out)));
        instance.on('response', (_client, _status, _bytes, responseTime) => times.push(responseTime));
      });
      return {
        engine: database.engine,
        county: { ...county, households: result.households, records: result.records, events: result.events },
        connections: 50,
        seconds,
        server: server ? `kinsight serve --workers ${workers} (separate processes)` : 'in this process',
        workers,
        requests: run.requests.total,
        requestsPerSecond: Math.round(run.requests.average),
        latencyMs: { p95: percentile(times, 95), p50: run.latency.p50, p90: run.latency.p90, p97_5: run.latency.p97_5, p99: run.latency.p99, max: run.latency.max },
        non2xx: run.non2xx,
        errors: run.errors,
        timeouts: run.timeouts,
        targets: { requestsPerSecond: 200, p95Ms: 100 },
      };
    } finally {
      if (server) await stop(server);
      await app.close();
      await database.close();
    }
  },
};
