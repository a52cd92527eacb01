import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedEngine, openTestDatabase } from '../support/database.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { migrateToLatest } from '../../src/platform/db/migrate.ts';
import { seedDemoPartnership } from '../../src/features/demo/seed.ts';
import { demoUsers } from '../../src/features/demo/demo-partnership.ts';
import type { Database } from '../../src/platform/db/database.ts';

describe(`the database (${expectedEngine})`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => database.close());

  it(`runs on ${expectedEngine}, as the environment asked`, async () => {
    expect(database.engine).toBe(expectedEngine);
    const { rows } = await sql<{ version: string }>`select version() as version`.execute(database.db);
    // PGlite is PostgreSQL compiled to WebAssembly with Emscripten; a server is not.
    const isWasm = /emscripten|wasm|emcc/i.test(rows[0]!.version);
    expect(isWasm).toBe(expectedEngine === 'pglite');
    expect(rows[0]!.version).toMatch(/^PostgreSQL \d+/);
  });

  it('applies migrations once: a second run applies nothing', async () => {
    expect(await migrateToLatest(database.db)).toEqual([]);
  });

  it('creates the demo partnership once, however many times it starts', async () => {
    const first = await seedDemoPartnership(database.db);
    expect(first.usersAdded).toBe(demoUsers.length);
    const second = await seedDemoPartnership(database.db);
    expect(second).toEqual({ agenciesAdded: 0, teamsAdded: 0, usersAdded: 0 });
    const users = await database.db.selectFrom('app_user').select('username').execute();
    expect(users).toHaveLength(demoUsers.length);
  });

  it('stores demo passwords only as argon2id hashes', async () => {
    const row = await database.db.selectFrom('app_user').select('password_hash').executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('keeps calendar dates as YYYY-MM-DD strings and counts as numbers', async () => {
    const { rows } = await sql<{ d: string; n: number }>`select date '2019-05-29' as d, count(*) as n from agency`.execute(database.db);
    expect(rows[0]).toEqual({ d: '2019-05-29', n: 8 });
  });

  it('serialises concurrent transactions without interleaving them', async () => {
    const db = database.db;
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        db.transaction().execute(async (trx) => {
          await trx.insertInto('agency').values({ id: `tx-${i}`, name: 'T', kind: 'other', authority_code: 'E0' }).execute();
          await trx.insertInto('agency').values({ id: `tx-${i}-b`, name: 'T', kind: 'other', authority_code: 'E0' }).execute();
        }),
      ),
    );
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('agency').values({ id: 'tx-rollback', name: 'T', kind: 'other', authority_code: 'E0' }).execute();
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    const ids = (await db.selectFrom('agency').select('id').where('id', 'like', 'tx-%').execute()).map((r) => r.id);
    expect(ids).toHaveLength(10);
    expect(ids).not.toContain('tx-rollback');
  });
});

describe('the web application', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('answers /ping without touching the database', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/ping' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('pong');
  });

  it('reports a healthy database on /health, naming the engine', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', checks: { database: 'ok' }, engine: expectedEngine });
  });

  it('carries Kinsight and the partnership in the header, and no GOV.UK branding', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Kinsight');
    expect(res.body).toContain(t.config.partnershipName);
    expect(res.body).not.toMatch(/Crown copyright|govuk-logo|govuk-header__logotype|govuk-crest/);
    expect(res.body).toContain('href="/accessibility"');
    expect(res.body).toContain('href="/privacy"');
    expect(res.body).toContain('href="#main-content"');
  });

  it('sends a strict content security policy and a correlation id on every page', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/', headers: { 'x-request-id': 'abcdef12-test' } });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-correlation-id']).toBe('abcdef12-test');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('shows a GOV.UK-style 404 page that gives nothing away', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/no-such-page/secret-looking-path' });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('Page not found');
    expect(res.body).not.toContain('secret-looking-path');
  });

  it('answers API 404s as a JSON problem', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/nothing' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 404, title: 'Not found' });
  });

  it('shows a 500 page with a reference and no internal detail', async () => {
    const broken = await startTestApp({}, (app) => {
      app.get('/explode', { config: { access: { kind: 'public' } } }, async () => {
        throw new Error('secret internal detail about Joanne Harper');
      });
    });
    const res = await broken.app.inject({ method: 'GET', url: '/explode' });
    await broken.close();
    expect(res.statusCode).toBe(500);
    expect(res.body).toContain('Sorry, there is a problem with the service');
    expect(res.body).not.toContain('secret internal detail');
    expect(res.body).not.toContain('Joanne');
    expect(res.body).toContain(String(res.headers['x-correlation-id']));
  });

  it('serves the GOV.UK Frontend stylesheet and nothing else from the package', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/govuk/govuk-frontend.min.css' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/govuk/index.scss' })).statusCode).toBe(404);
  });

  it('refuses to register a route that declares no access rule', async () => {
    await expect(startTestApp({}, (app) => app.get('/unguarded', async () => 'x'))).rejects.toThrow(
      /GET \/unguarded declares no access rule/,
    );
  });
});
