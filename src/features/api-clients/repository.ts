import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';

/** Partner agencies' system credentials (only a hash of each key is stored). */
export function apiClientRepository(db: Kysely<DB>) {
  return {
    async add(c: { id: string; agencyId: string; name: string; keyPrefix: string; keyHash: string; scopes: string[] }) {
      await db
        .insertInto('api_client')
        .values({ id: c.id, agency_id: c.agencyId, name: c.name, key_prefix: c.keyPrefix, key_hash: c.keyHash, scopes: c.scopes })
        .execute();
    },
    async findActiveByPrefix(prefix: string) {
      return db
        .selectFrom('api_client')
        .select(['id', 'agency_id as agencyId', 'key_hash as keyHash', 'scopes'])
        .where('key_prefix', '=', prefix)
        .where('active', '=', true)
        .executeTakeFirst();
    },
    async exists(id: string): Promise<boolean> {
      return Boolean(await db.selectFrom('api_client').select('id').where('id', '=', id).executeTakeFirst());
    },
  };
}
