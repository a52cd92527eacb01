import { sql, type Kysely } from 'kysely';

/**
 * Issue 8: a front-door decision is corrected by a new version of it, never by
 * changing it. Version 1 is the decision as first made; each later version
 * names the version it corrects and says why. Who and when are the version's
 * own decided_by and decided_at.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table front_door_decision
      add column corrects_decision_id text references front_door_decision (id),
      add column correction_reason text,
      add constraint front_door_decision_correction check (
        (version = 1 and corrects_decision_id is null and correction_reason is null)
        or (version > 1 and corrects_decision_id is not null and correction_reason is not null and length(correction_reason) > 0))`.execute(db);
  // One correction per version: two people correcting the same version at once cannot both succeed.
  await sql`create unique index front_door_decision_corrects on front_door_decision (corrects_decision_id) where corrects_decision_id is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index front_door_decision_corrects`.execute(db);
  await sql`alter table front_door_decision drop constraint front_door_decision_correction, drop column correction_reason, drop column corrects_decision_id`.execute(db);
}
