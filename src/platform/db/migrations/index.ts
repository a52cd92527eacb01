import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.ts';
import * as m0002 from './0002_audit.ts';
import * as m0003 from './0003_records.ts';
import * as m0004 from './0004_access.ts';
import * as m0007 from './0007_linkage.ts';
import * as m0006 from './0006_flags.ts';
import * as m0008 from './0008_front_door.ts';
import * as m0009 from './0009_demo_state.ts';
import * as m0012 from './0012_user_administration.ts';
import * as m0013 from './0013_team_around_child.ts';
import * as m0010 from './0010_flags_merges.ts';
import * as m0016 from './0016_event_store_bulk.ts';
import * as m0015 from './0015_flags_family_read.ts';
import * as m0018 from './0018_front_door_corrections.ts';
import * as m0019 from './0019_households_and_link_changes.ts';

/**
 * Every migration, in order. One set serves PostgreSQL and PGlite alike.
 * Add new ones at the end with the next number; never edit one that has shipped.
 */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_audit': m0002,
  '0003_records': m0003,
  '0004_access': m0004,
  '0007_linkage': m0007,
  '0006_flags': m0006,
  '0008_front_door': m0008,
  '0009_demo_state': m0009,
  '0012_user_administration': m0012,
  '0013_team_around_child': m0013,
  '0010_flags_merges': m0010,
  '0015_flags_family_read': m0015,
  '0016_event_store_bulk': m0016,
  '0018_front_door_corrections': m0018,
  '0019_households_and_link_changes': m0019,
};
