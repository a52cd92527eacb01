import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { peopleRepository } from '../records/repository.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** A contact or referral as the front door sees it: the event, and what the form added. */
export interface ContactRow {
  eventRowId: number;
  eventId: string;
  agencyId: string;
  agencyName: string;
  type: 'contact' | 'referral';
  at: Date;
  to: string;
  reason: string;
  requestedLevel: number | null;
  text: string | null;
  urgent: boolean;
  subjects: string[];
  recordedBy: string | null;
  referrerName: string | null;
  referrerRole: string | null;
  referrerAgencyName: string | null;
  referrerPhone: string | null;
  consent: string | null;
  consentDetail: string | null;
  lawfulBasis: string[];
}

export interface DecisionRow {
  id: string;
  contactEventRowId: number;
  /** 1 as first made; each correction is a new version (the old ones are kept). */
  version: number;
  decisionEventRowId: number | null;
  decidedBy: string;
  decidedByName: string | null;
  decidedAt: Date;
  level: number;
  outcome: string;
  rationale: string;
  reReferral: boolean;
  openCase: boolean;
  historyViewId: string;
  informationShareId: string | null;
  handoffAgencyId: string | null;
  handoffAgencyName: string | null;
  handoffTeamName: string | null;
}

const LIVE = sql<boolean>`
  not exists (select 1 from event s where s.supersedes = e.id)
  and not exists (select 1 from event_retraction r where r.event_row_id = e.id)`;

function contactSelect(db: Db) {
  return db
    .selectFrom('event as e')
    .innerJoin('agency as a', 'a.id', 'e.agency_id')
    .leftJoin('front_door_contact as c', 'c.event_row_id', 'e.id')
    .leftJoin('agency as ra', 'ra.id', 'c.referrer_agency_id')
    .select([
      'e.id as eventRowId', 'e.event_id as eventId', 'e.agency_id as agencyId', 'a.name as agencyName', 'e.type', 'e.at',
      sql<string>`e.data ->> 'to'`.as('to'), sql<string>`e.data ->> 'reason'`.as('reason'),
      sql<number | null>`(e.data ->> 'requestedLevel')::int`.as('requestedLevel'), 'e.text',
      sql<boolean>`coalesce(c.urgent, false)`.as('urgent'), 'e.subjects', 'c.recorded_by as recordedBy',
      'c.referrer_name as referrerName', 'c.referrer_role as referrerRole', 'ra.name as referrerAgencyName',
      'c.referrer_phone as referrerPhone', 'c.consent', 'c.consent_detail as consentDetail',
      sql<string[]>`coalesce(c.lawful_basis, '{}')`.as('lawfulBasis'),
    ]);
}

/** The front door's SQL: the queue, contacts, the history panel, decisions and their review. */
export function frontDoorRepository(db: Db) {
  return {
    async agency(id: string) {
      return db.selectFrom('agency').select(['id', 'name', 'kind', 'authority_code as authorityCode']).where('id', '=', id).executeTakeFirst();
    },

    /** The front door serving an agency's authority (the agency itself when it is one). */
    async frontDoorFor(agencyId: string): Promise<string | null> {
      const row = await db
        .selectFrom('agency as mine')
        .innerJoin('agency as fd', 'fd.authority_code', 'mine.authority_code')
        .select('fd.id')
        .where('mine.id', '=', agencyId)
        .where('fd.kind', '=', 'front-door')
        .orderBy(sql`fd.id = ${agencyId}`, 'desc')
        .orderBy('fd.id')
        .executeTakeFirst();
      return row?.id ?? null;
    },

    /** The agency (and its first team) that takes a hand-off of this kind in this authority. */
    async handoffTarget(authorityCode: string, agencyKind: string): Promise<{ agencyId: string; teamId: string | null } | null> {
      const row = await db
        .selectFrom('agency as a')
        .leftJoin('team as t', 't.agency_id', 'a.id')
        .select(['a.id as agencyId', 't.id as teamId'])
        .where('a.authority_code', '=', authorityCode)
        .where('a.kind', '=', agencyKind)
        .orderBy('a.id')
        .orderBy('t.id')
        .executeTakeFirst();
      return row ? { agencyId: row.agencyId, teamId: row.teamId ?? null } : null;
    },

    async allAgencies() {
      return db.selectFrom('agency').select(['id', 'name']).orderBy('name').execute();
    },

    /** Live contacts and referrals to this front door with no decision yet, oldest first. */
    async undecided(frontDoorAgencyId: string, limit = 500) {
      return contactSelect(db)
        .where('e.type', 'in', ['contact', 'referral'])
        .where(sql<boolean>`e.data ->> 'to' = ${frontDoorAgencyId}`)
        .where(LIVE)
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('front_door_decision as d').select('d.id').whereRef('d.contact_event_row_id', '=', 'e.id'))))
        .where(sql<boolean>`not exists (select 1 from event d where d.type = 'decision' and d.agency_id = ${frontDoorAgencyId} and d.data ->> 'on' = e.event_id)`)
        .orderBy('e.at')
        .limit(limit)
        .execute() as Promise<ContactRow[]>;
    },

    async contact(eventRowId: number): Promise<ContactRow | undefined> {
      return contactSelect(db)
        .where('e.id', '=', eventRowId)
        .where('e.type', 'in', ['contact', 'referral'])
        .where(LIVE)
        .executeTakeFirst() as Promise<ContactRow | undefined>;
    },

    async eventRowId(agencyId: string, eventId: string): Promise<number | undefined> {
      const row = await db.selectFrom('event').select('id').where('agency_id', '=', agencyId).where('event_id', '=', eventId)
        .orderBy('version', 'desc').executeTakeFirst();
      return row?.id;
    },

    /** The people an event is about, with the record each subject came from ("agency:localId"). */
    async subjectsOf(eventRowIds: number[]): Promise<{ eventRowId: number; personId: string; ref: string }[]> {
      if (eventRowIds.length === 0) return [];
      return db
        .selectFrom('event_subject as s')
        .innerJoin('agency_record as r', 'r.id', 's.record_id')
        .select(['s.event_row_id as eventRowId', 's.person_id as personId', sql<string>`r.agency_id || ':' || r.local_id`.as('ref')])
        .where('s.event_row_id', 'in', eventRowIds)
        .execute();
    },

    /** One current record of each person, as "agency:localId" (for an event's subjects). */
    async recordRefs(personIds: string[]): Promise<Map<string, string>> {
      if (personIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('person_link as l')
        .innerJoin('agency_record as r', 'r.id', 'l.record_id')
        .select(['l.person_id as personId', sql<string>`r.agency_id || ':' || r.local_id`.as('ref')])
        .where('l.person_id', 'in', personIds)
        .where('l.unlinked_at', 'is', null)
        .orderBy('r.id')
        .execute();
      const out = new Map<string, string>();
      for (const r of rows) if (!out.has(r.personId)) out.set(r.personId, r.ref);
      return out;
    },

    async insertContact(c: {
      eventRowId: number; frontDoorAgencyId: string; recordedBy: string; recordedAt: Date; referrerName: string | null;
      referrerRole: string | null; referrerAgencyId: string | null; referrerPhone: string | null; urgent: boolean;
      consent: string; consentDetail: string | null; lawfulBasis: string[];
    }): Promise<void> {
      await db.insertInto('front_door_contact').values({
        event_row_id: c.eventRowId, front_door_agency_id: c.frontDoorAgencyId, recorded_by: c.recordedBy, recorded_at: c.recordedAt,
        referrer_name: c.referrerName, referrer_role: c.referrerRole, referrer_agency_id: c.referrerAgencyId,
        referrer_phone: c.referrerPhone, urgent: c.urgent, consent: c.consent, consent_detail: c.consentDetail, lawful_basis: c.lawfulBasis,
      }).execute();
    },

    // ---- the history panel: a handful of indexed look-ups by person ----

    async familyCircle(personIds: string[]): Promise<{ familyIds: string[]; members: string[] }> {
      if (personIds.length === 0) return { familyIds: [], members: [] };
      const rows = await db
        .selectFrom('family_member as mine')
        .innerJoin('family_member as other', 'other.family_id', 'mine.family_id')
        .select(['other.family_id as familyId', 'other.person_id as personId'])
        .where('mine.person_id', 'in', personIds)
        .execute();
      return {
        familyIds: [...new Set(rows.map((r) => r.familyId))],
        members: [...new Set([...personIds, ...rows.map((r) => r.personId)])],
      };
    },

    /** Earlier contacts and referrals about these people (to any agency), with any decision on each. */
    async contactsAbout(personIds: string[], exceptEventRowId: number) {
      if (personIds.length === 0) return [];
      const { rows } = await sql<{
        eventRowId: number; eventId: string; type: string; at: Date; agencyName: string; to: string; toName: string | null;
        reason: string; personIds: string[]; outcome: string | null; level: number | null; rationale: string | null; decidedAt: Date | null;
      }>`
        with mine as (
          select s.event_row_id, array_agg(distinct s.person_id) as person_ids
          from event_subject s
          where s.person_id = any(${personIds}::text[]) and s.type in ('contact', 'referral') and s.event_row_id <> ${exceptEventRowId}
          group by s.event_row_id
        )
        select e.id as "eventRowId", e.event_id as "eventId", e.type, e.at, a.name as "agencyName", e.data ->> 'to' as "to",
               ta.name as "toName", e.data ->> 'reason' as reason, m.person_ids as "personIds",
               coalesce(fd.outcome, de.data ->> 'outcome') as outcome,
               coalesce(fd.level, (de.data ->> 'level')::int) as level,
               coalesce(fd.rationale, de.data ->> 'rationale') as rationale,
               coalesce(fd.decided_at, de.at) as "decidedAt"
        from mine m
        join event e on e.id = m.event_row_id
        join agency a on a.id = e.agency_id
        left join agency ta on ta.id = e.data ->> 'to'
        left join lateral (select d.outcome, d.level, d.rationale, d.decided_at from front_door_decision d
                           where d.contact_event_row_id = e.id order by d.version desc limit 1) fd on true
        left join lateral (select d.data, d.at from event d where d.type = 'decision' and d.agency_id = e.data ->> 'to'
                           and d.data ->> 'on' = e.event_id order by d.id desc limit 1) de on true
        where not exists (select 1 from event x where x.supersedes = e.id)
          and not exists (select 1 from event_retraction r where r.event_row_id = e.id)
        order by e.at desc
        limit 200`.execute(db);
      return rows;
    },

    /** Every involvement (open and closed) of these people, with the authority of the agency that held it. */
    involvements(personIds: string[]) {
      return peopleRepository(db).involvements(personIds);
    },

    /** What agencies have recorded about these people that bears on risk: attributes (e.g. previous children removed). */
    async knownAbout(personIds: string[]) {
      if (personIds.length === 0) return [];
      const { rows } = await sql<{ eventRowId: number; personId: string; at: Date; agencyName: string; type: string; data: Record<string, unknown> }>`
        select e.id as "eventRowId", s.person_id as "personId", e.at, a.name as "agencyName", e.type, e.data
        from event_subject s
        join event e on e.id = s.event_row_id
        join agency a on a.id = e.agency_id
        where s.person_id = any(${personIds}::text[]) and s.type in ('attribute', 'police-incident')
          and not exists (select 1 from event x where x.supersedes = e.id)
          and not exists (select 1 from event_retraction r where r.event_row_id = e.id)
        order by e.at desc
        limit 200`.execute(db);
      return rows;
    },

    /** Lateral checks (a call to another agency) recorded about these people, by any front door. */
    async lateralChecksAbout(personIds: string[]) {
      if (personIds.length === 0) return [];
      const { rows } = await sql<{ eventRowId: number; at: Date; agencyName: string; withName: string | null; answer: string; personIds: string[] }>`
        with mine as (
          select s.event_row_id, array_agg(distinct s.person_id) as person_ids
          from event_subject s
          where s.person_id = any(${personIds}::text[]) and s.type = 'lateral-check'
          group by s.event_row_id
        )
        select e.id as "eventRowId", e.at, a.name as "agencyName", wa.name as "withName", e.data ->> 'answer' as answer, m.person_ids as "personIds"
        from mine m
        join event e on e.id = m.event_row_id
        join agency a on a.id = e.agency_id
        left join agency wa on wa.id = e.data ->> 'with'
        where not exists (select 1 from event x where x.supersedes = e.id)
          and not exists (select 1 from event_retraction r where r.event_row_id = e.id)
        order by e.at desc
        limit 100`.execute(db);
      return rows;
    },

    /** Open and acknowledged flags about these people. */
    async liveFlags(personIds: string[]) {
      if (personIds.length === 0) return [];
      return db
        .selectFrom('flag')
        .select(['id', 'person_id as personId', 'category', 'rule_id as ruleId', 'explanation', 'raised_at as raisedAt', 'state'])
        .where('person_id', 'in', personIds)
        .where('state', '<>', 'closed')
        .orderBy('raised_at', 'desc')
        .execute();
    },

    async insertHistoryView(v: { id: string; contactEventRowId: number; viewedBy: string; viewedAt: Date; contents: unknown }): Promise<void> {
      await db.insertInto('front_door_history_view').values({
        id: v.id, contact_event_row_id: v.contactEventRowId, viewed_by: v.viewedBy, viewed_at: v.viewedAt, contents: JSON.stringify(v.contents),
      }).execute();
    },

    async historyView(id: string) {
      return db.selectFrom('front_door_history_view').selectAll().where('id', '=', id).executeTakeFirst();
    },

    // ---- decisions ----

    async insertDecision(d: {
      id: string; contactEventRowId: number; frontDoorAgencyId: string; decidedBy: string; decidedAt: Date; level: number;
      outcome: string; rationale: string; historyViewId: string; reReferral: boolean; openCase: boolean;
      informationShareId: string | null; decisionEventRowId: number | null; handoffAgencyId: string | null; handoffTeamId: string | null;
      /** A correction: the version it corrects and why (version 1 has neither). */
      correction?: { version: number; correctsDecisionId: string; reason: string };
    }): Promise<void> {
      await db.insertInto('front_door_decision').values({
        ...(d.correction ? { version: d.correction.version, corrects_decision_id: d.correction.correctsDecisionId, correction_reason: d.correction.reason } : {}),
        id: d.id, contact_event_row_id: d.contactEventRowId, front_door_agency_id: d.frontDoorAgencyId, decided_by: d.decidedBy,
        decided_at: d.decidedAt, level: d.level, outcome: d.outcome, rationale: d.rationale, history_view_id: d.historyViewId,
        history_confirmed: true, re_referral: d.reReferral, open_case: d.openCase, information_share_id: d.informationShareId,
        decision_event_row_id: d.decisionEventRowId, handoff_agency_id: d.handoffAgencyId, handoff_team_id: d.handoffTeamId,
      }).execute();
    },

    async eventOf(eventRowId: number): Promise<{ eventId: string; at: Date } | undefined> {
      return db.selectFrom('event').select(['event_id as eventId', 'at']).where('id', '=', eventRowId).executeTakeFirst();
    },

    /**
     * Decisions, each contact's current version only (a corrected decision is
     * replaced by its correction; the history is `decisionVersions`).
     */
    decisions(where: { contactEventRowIds?: number[]; frontDoorAgencyId?: string; handoffAgencyId?: string; since?: Date; ids?: string[] }) {
      let q = db
        .selectFrom('front_door_decision as d')
        .leftJoin('app_user as u', (j) => j.on(sql`u.id::text`, '=', sql.ref('d.decided_by')))
        .leftJoin('agency as ha', 'ha.id', 'd.handoff_agency_id')
        .leftJoin('team as ht', 'ht.id', 'd.handoff_team_id')
        .select([
          'd.id', 'd.contact_event_row_id as contactEventRowId', 'd.version', 'd.decision_event_row_id as decisionEventRowId',
          'd.decided_by as decidedBy', 'u.display_name as decidedByName',
          'd.decided_at as decidedAt', 'd.level', 'd.outcome', 'd.rationale', 'd.re_referral as reReferral', 'd.open_case as openCase',
          'd.history_view_id as historyViewId', 'd.information_share_id as informationShareId', 'd.handoff_agency_id as handoffAgencyId',
          'ha.name as handoffAgencyName', 'ht.name as handoffTeamName',
        ])
        .where(sql<boolean>`not exists (select 1 from front_door_decision n where n.contact_event_row_id = d.contact_event_row_id and n.version > d.version)`);
      if (where.contactEventRowIds) q = q.where('d.contact_event_row_id', 'in', where.contactEventRowIds.length ? where.contactEventRowIds : [-1]);
      if (where.frontDoorAgencyId) q = q.where('d.front_door_agency_id', '=', where.frontDoorAgencyId);
      if (where.handoffAgencyId) q = q.where('d.handoff_agency_id', '=', where.handoffAgencyId);
      if (where.since) q = q.where('d.decided_at', '>=', where.since);
      if (where.ids) q = q.where('d.id', 'in', where.ids.length ? where.ids : ['']);
      return q.orderBy('d.decided_at', 'desc').limit(500).execute() as Promise<DecisionRow[]>;
    },

    /**
     * Decisions recorded only as `decision` events by the receiving front door
     * (a partner system's, a replay's, or a county load's), the latest live
     * version of each, for contacts that have no front_door_decision row.
     */
    async decisionEventsOn(contacts: { eventId: string; to: string }[]) {
      if (contacts.length === 0) return [];
      const { rows } = await sql<{ agencyId: string; on: string; outcome: string; level: number | null; rationale: string | null; decidedAt: Date }>`
        select distinct on (d.agency_id, d.data ->> 'on') d.agency_id as "agencyId", d.data ->> 'on' as "on", d.data ->> 'outcome' as outcome,
               (d.data ->> 'level')::int as level, d.data ->> 'rationale' as rationale, d.at as "decidedAt"
        from event d
        where d.type = 'decision' and d.agency_id = any(${[...new Set(contacts.map((c) => c.to))]}::text[])
          and d.data ->> 'on' = any(${[...new Set(contacts.map((c) => c.eventId))]}::text[])
          and not exists (select 1 from event x where x.supersedes = d.id)
          and not exists (select 1 from event_retraction r where r.event_row_id = d.id)
        order by d.agency_id, d.data ->> 'on', d.id desc`.execute(db);
      return rows;
    },

    /**
     * The front door's decisions since a date as its decision events (live
     * versions): those made in Kinsight and those its own system sent, for the
     * pattern of decisions a manager looks at.
     */
    async decisionEventsBy(frontDoorAgencyId: string, since: Date) {
      const { rows } = await sql<{ eventRowId: number; at: Date; outcome: string; level: number | null; on: string; personIds: string[] }>`
        select e.id as "eventRowId", e.at, e.data ->> 'outcome' as outcome, (e.data ->> 'level')::int as level, e.data ->> 'on' as "on",
               array(select distinct s.person_id from event_subject s where s.event_row_id = e.id) as "personIds"
        from event e
        where e.type = 'decision' and e.agency_id = ${frontDoorAgencyId} and e.at >= ${since}
          and not exists (select 1 from event x where x.supersedes = e.id)
          and not exists (select 1 from event_retraction r where r.event_row_id = e.id)
        order by e.at
        limit 5000`.execute(db);
      return rows;
    },

    /** Every version of the decision on a contact, newest first: who, when, what, and why each correction was made. */
    async decisionVersions(contactEventRowId: number) {
      return db
        .selectFrom('front_door_decision as d')
        .leftJoin('app_user as u', (j) => j.on(sql`u.id::text`, '=', sql.ref('d.decided_by')))
        .leftJoin('agency as ha', 'ha.id', 'd.handoff_agency_id')
        .select([
          'd.id', 'd.version', 'd.decided_at as decidedAt', 'u.display_name as decidedByName', 'd.level', 'd.outcome', 'd.rationale',
          'd.correction_reason as correctionReason', 'd.corrects_decision_id as correctsDecisionId', 'ha.name as handoffAgencyName',
          'd.information_share_id as informationShareId',
        ])
        .where('d.contact_event_row_id', '=', contactEventRowId)
        .orderBy('d.version', 'desc')
        .execute();
    },

    /** Contacts this user recorded, or that their agency sent to a front door: the referrer's view. */
    async sentBy(userId: string, agencyId: string, limit = 200) {
      return contactSelect(db)
        .where('e.type', 'in', ['contact', 'referral'])
        .where((eb) => eb.or([eb('c.recorded_by', '=', userId), eb.and([eb('e.agency_id', '=', agencyId), eb(sql<string>`e.data ->> 'to'`, '<>', agencyId)])]))
        .where(LIVE)
        .orderBy('e.at', 'desc')
        .limit(limit)
        .execute() as Promise<ContactRow[]>;
    },

    async families(personIds: string[]): Promise<Map<string, string>> {
      if (personIds.length === 0) return new Map();
      const rows = await db.selectFrom('family_member').select(['person_id', 'family_id']).where('person_id', 'in', personIds).execute();
      return new Map(rows.map((r) => [r.person_id, r.family_id]));
    },

    async insertReview(r: { decisionId: string; reviewedBy: string; reviewedAt: Date; agrees: boolean; note: string }): Promise<void> {
      await db.insertInto('front_door_decision_review').values({
        decision_id: r.decisionId, reviewed_by: r.reviewedBy, reviewed_at: r.reviewedAt, agrees: r.agrees, note: r.note,
      }).execute();
    },

    async reviews(decisionIds: string[]) {
      if (decisionIds.length === 0) return [];
      return db
        .selectFrom('front_door_decision_review as r')
        .leftJoin('app_user as u', (j) => j.on(sql`u.id::text`, '=', sql.ref('r.reviewed_by')))
        .select(['r.decision_id as decisionId', 'r.reviewed_at as reviewedAt', 'r.agrees', 'r.note', 'u.display_name as reviewedByName'])
        .where('r.decision_id', 'in', decisionIds)
        .orderBy('r.reviewed_at')
        .execute();
    },
  };
}
export type FrontDoorRepository = ReturnType<typeof frontDoorRepository>;
