import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedEngine } from '../../../test/support/database.ts';
import { openScratchDatabase } from './scratch.ts';
import type { Database } from './database.ts';
import { prepared, statementName } from './prepared.ts';

describe('prepared statements', () => {
  it('names only marked queries, by their text', () => {
    const marked = '/* kinsight:prepared */ select $1::int as n';
    expect(statementName(marked)).toMatch(/^k_[0-9a-f]{24}$/);
    expect(statementName(marked)).toBe(statementName(marked));
    expect(statementName(`${marked} -- another`)).not.toBe(statementName(marked));
    expect(statementName('select $1::int as n')).toBeUndefined();
  });
});

describe(`prepared statements on the database (${expectedEngine})`, () => {
  let database: Database;
  beforeAll(async () => {
    // One connection, so every query below meets the statements the others prepared.
    database = await openScratchDatabase(process.env.DATABASE_URL, { poolSize: 1 });
  });
  afterAll(async () => database?.close());

  const held = async () => database.engine === 'postgres'
    ? (await sql<{ name: string; statement: string; plans: number }>`
        select name, statement, generic_plans + custom_plans as plans from pg_prepared_statements`.execute(database.db)).rows
    : [];

  it('answers a marked query as it answers the same query unmarked, whatever its parameters', async () => {
    expect(statementName(prepared(sql`select ${1}::int as n`).compile(database.db).sql)).toBeDefined();
    for (const n of [1, 2, 3, 4, 5, 6, 7]) {
      const { rows } = await prepared(sql<{ n: number; word: string }>`select ${n}::int * 2 as n, ${`w${n}`}::text as word`).execute(database.db);
      expect(rows).toEqual([{ n: n * 2, word: `w${n}` }]);
    }
  });

  it.skipIf(expectedEngine !== 'postgres')('on PostgreSQL, sends a marked query as one named statement per text and connection, reused on every call', async () => {
    const query = (n: number) => prepared(sql<{ n: number }>`select ${n}::int + 1 as n from (values (1)) v(x)`);
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8]) expect((await query(n).execute(database.db)).rows).toEqual([{ n: n + 1 }]);
    await sql`select ${1}::int + 1 as unmarked`.execute(database.db);
    const statements = await held();
    const ours = statements.filter((s) => s.statement.includes('+ 1 as n from (values (1))'));
    expect(ours).toHaveLength(1);
    expect(ours[0]!.name).toMatch(/^k_/);
    expect(ours[0]!.plans).toBe(8);
    expect(statements.some((s) => s.statement.includes('unmarked'))).toBe(false);
    // Another text (here another order), another statement of its own.
    await prepared(sql`select ${2}::int + 1 as n from (values (1)) v(x) order by 1`).execute(database.db);
    expect((await held()).filter((s) => s.statement.includes('+ 1 as n from (values (1))'))).toHaveLength(2);
  });

  it('keeps a transaction working around a prepared statement that fails', async () => {
    const failing = prepared(sql`select 1 / ${0}::int as n`);
    await expect(failing.execute(database.db)).rejects.toThrow(/division by zero/);
    await expect(failing.execute(database.db)).rejects.toThrow(/division by zero/);
    expect((await prepared(sql<{ n: number }>`select ${5}::int as n`).execute(database.db)).rows).toEqual([{ n: 5 }]);
  });
});
