import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** Which demonstration data sets this database holds (table demo_state, migration 0009). */
export function demoRepository(db: Db) {
  return {
    async loaded(name: string): Promise<{ detail: unknown; loadedAt: Date } | undefined> {
      const { rows } = await sql<{ detail: unknown; loaded_at: Date }>`select detail, loaded_at from demo_state where name = ${name}`.execute(db);
      const row = rows[0];
      return row && { detail: row.detail, loadedAt: row.loaded_at };
    },

    /** Say a data set has been loaded; false when it was already recorded. */
    async markLoaded(name: string, detail: unknown, at: Date): Promise<boolean> {
      const result = await sql`insert into demo_state (name, detail, loaded_at) values (${name}, ${JSON.stringify(detail)}::jsonb, ${at})
        on conflict (name) do nothing`.execute(db);
      return Number(result.numAffectedRows ?? 0) > 0;
    },

    /** Replace what is recorded of a loaded data set (a county scaled up by `kinsight county replicate`). */
    async replaceDetail(name: string, detail: unknown): Promise<void> {
      await sql`update demo_state set detail = ${JSON.stringify(detail)}::jsonb where name = ${name}`.execute(db);
    },

    async registeredAgencies(ids: string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await db.selectFrom('agency').select('id').where('id', 'in', ids).execute();
      return new Set(rows.map((r) => r.id));
    },
  };
}
