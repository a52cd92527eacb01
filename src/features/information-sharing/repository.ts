import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';

type Db = Kysely<DB> | Transaction<DB>;

export interface InformationShareInput {
  id: string;
  personId: string;
  recordedBy: string;
  recordedAt: Date;
  decision: 'shared' | 'not-shared';
  sharedWith: string | null;
  whatShared: string | null;
  purpose: string;
  lawfulBasis: string[];
  consent: string;
  consentDetail: string | null;
  reasonNotShared: string | null;
}

/** Information-sharing decisions: appended, never changed. */
export function informationSharingRepository(db: Db) {
  return {
    async add(s: InformationShareInput): Promise<void> {
      await db
        .insertInto('information_share')
        .values({
          id: s.id, person_id: s.personId, recorded_by: s.recordedBy, recorded_at: s.recordedAt, decision: s.decision,
          shared_with: s.sharedWith, what_shared: s.whatShared, purpose: s.purpose, lawful_basis: s.lawfulBasis,
          consent: s.consent, consent_detail: s.consentDetail, reason_not_shared: s.reasonNotShared,
        })
        .execute();
    },
    async forPerson(personId: string) {
      return db
        .selectFrom('information_share as s')
        .innerJoin('app_user as u', 'u.id', 's.recorded_by')
        .innerJoin('agency as a', 'a.id', 'u.agency_id')
        .select(['s.id', 's.recorded_at as recordedAt', 's.decision', 's.shared_with as sharedWith', 's.what_shared as whatShared',
          's.purpose', 's.lawful_basis as lawfulBasis', 's.consent', 's.consent_detail as consentDetail',
          's.reason_not_shared as reasonNotShared', 'u.display_name as recordedBy', 'a.name as agencyName'])
        .where('s.person_id', '=', personId)
        .orderBy('s.recorded_at', 'desc')
        .execute();
    },
  };
}
