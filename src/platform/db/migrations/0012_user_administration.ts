import { sql, type Kysely } from 'kysely';

/**
 * Accounts made by an administrator start with a temporary password that must
 * be changed at first sign-in.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table app_user add column must_change_password boolean not null default false`.execute(db);
  await sql`alter table app_user add column created_by uuid references app_user (id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table app_user drop column created_by`.execute(db);
  await sql`alter table app_user drop column must_change_password`.execute(db);
}
