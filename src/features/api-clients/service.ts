import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { apiClientRepository } from './repository.ts';

/** What an API client may send: events (JSON), FHIR bundles, attendance CSV. */
export const API_SCOPES = ['events:write', 'fhir:write', 'attendance:write'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

const KEY_SHAPE = /^ks_([a-z0-9]{10})_([A-Za-z0-9_-]{43})$/;

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * API keys for partner agencies' systems. A key authenticates as its agency and
 * carries scopes; keys are random (256 bits), so a SHA-256 of the key is enough
 * to store (no password-style stretching needed), compared in constant time.
 */
export function apiClientService(db: Kysely<DB>) {
  const repo = apiClientRepository(db);
  return {
    /** Create a client and return its key: shown once, never stored. */
    async issueKey(input: { id: string; agencyId: string; name: string; scopes: ApiScope[] }): Promise<string> {
      const prefix = randomBytes(8).toString('hex').slice(0, 10);
      const key = `ks_${prefix}_${randomBytes(32).toString('base64url')}`;
      await repo.add({ ...input, keyPrefix: prefix, keyHash: sha256(key).toString('hex') });
      return key;
    },

    /** The client a presented key belongs to, or null. */
    async resolveKey(key: string): Promise<{ clientId: string; agencyId: string; scopes: string[] } | null> {
      const match = KEY_SHAPE.exec(key);
      if (!match) return null;
      const client = await repo.findActiveByPrefix(match[1]!);
      if (!client) return null;
      const expected = Buffer.from(client.keyHash, 'hex');
      if (!timingSafeEqual(expected, sha256(key))) return null;
      return { clientId: client.id, agencyId: client.agencyId, scopes: client.scopes };
    },
  };
}
