import { sql, type Kysely } from 'kysely';

/**
 * Flag evaluation after an event (issue 7): everything one evaluation reads,
 * in one round trip and one cached plan. Before this, an evaluation sent six
 * unprepared multi-join queries and PostgreSQL planned each afresh (planning
 * 2.4 ms against 0.5 ms execution for the relationships read alone).
 * PL/pgSQL keeps the plans of the statements below for the life of the
 * connection, so after the first call on a connection an evaluation pays
 * execution only: generic plans are forced, since with custom plans (the
 * default for the first five calls, and chosen for good here because the
 * array sizes are unknown) each call was planned again (measured: about
 * 5 ms a call against 2 ms with generic plans, on the loaded machine).
 *
 * flags_family_read(ids, known_agencies) gives, as one json object:
 * - agencyHash: md5 of the agency table's content; agencies: the table
 *   (id, name, kind, authority), only when agencyHash differs from
 *   known_agencies (the caller's cached copy is then still exact);
 * - families: (family, person) for everyone in the families of ids;
 * - merges: (from, into): people who formerly held a record one of ids now
 *   holds and hold no record now (as flagsLinkRepository.mergedAway);
 * - records: (person, kind, birth date, expected date, sex) of the latest
 *   version of every record linked to the people (ids and their families);
 * - relationships: (from person, to person, type, from date) between them;
 * - events: visible events (neither superseded nor retracted) about them:
 *   (row id, sender id, agency, type, epoch ms, date, precision, subjects,
 *   data, the people read that each event is about). Free text is not read:
 *   no rule reads it;
 * - flags: the flags held by the people (id, key, state, rule version,
 *   evidence, explanation), newest first within a key.
 *
 * Reading it is the flags feature's (src/features/flags/repository.ts). The
 * function only reads; a change to what it reads is a new migration with
 * `create or replace`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create or replace function flags_family_read(ids text[], known_agencies text) returns json
    language plpgsql stable set plan_cache_mode = force_generic_plan as $fn$
    declare
      people text[];
      agency_hash text;
    begin
      people := array(
        select o.person_id from family_member m join family_member o on o.family_id = m.family_id where m.person_id = any(ids)
        union select unnest(ids));
      select md5(coalesce(string_agg(a.id || chr(31) || a.name || chr(31) || a.kind || chr(31) || a.authority_code, chr(30) order by a.id), ''))
        into agency_hash from agency a;
      return json_build_object(
        'agencyHash', agency_hash,
        'agencies', case when agency_hash is distinct from known_agencies then
          (select json_agg(json_build_array(a.id, a.name, a.kind, a.authority_code) order by a.id) from agency a) end,
        'families', (select json_agg(json_build_array(o.family_id, o.person_id))
          from family_member m join family_member o on o.family_id = m.family_id where m.person_id = any(ids)),
        'merges', (select json_agg(json_build_array(x.from_person, x.into_person)) from (
          select distinct old.person_id as from_person, cur.person_id as into_person
          from person_link cur join person_link old on old.record_id = cur.record_id and old.unlinked_at is not null
          where cur.person_id = any(ids) and cur.unlinked_at is null and old.person_id <> cur.person_id
            and not exists (select 1 from person_link h where h.person_id = old.person_id and h.unlinked_at is null)) x),
        'records', (select json_agg(json_build_array(l.person_id, v.kind, v.birth_date, v.expected_date, v.sex) order by l.record_id)
          from person_link l
          join lateral (select v.kind, v.birth_date, v.expected_date, v.sex from agency_record_version v
            where v.record_id = l.record_id order by v.version desc limit 1) v on true
          where l.person_id = any(people) and l.unlinked_at is null),
        'relationships', (select json_agg(json_build_array(lf.person_id, lt.person_id, r.type, r.from_date) order by r.id)
          from person_link lf
          join relationship r on r.from_record_id = lf.record_id
          join person_link lt on lt.record_id = r.to_record_id and lt.unlinked_at is null
          where lf.person_id = any(people) and lf.unlinked_at is null and lt.person_id = any(people)),
        'events', (select json_agg(json_build_array(e.id, e.event_id, e.agency_id, e.type, (extract(epoch from e.at) * 1000)::float8,
            e.on_date, e.at_precision, e.subjects, e.data, s.pl))
          from (select s.event_row_id, array_agg(distinct s.person_id) as pl from event_subject s
            where s.person_id = any(people) group by s.event_row_id) s
          join event e on e.id = s.event_row_id
          where not exists (select 1 from event x where x.supersedes = e.id)
            and not exists (select 1 from event_retraction r where r.event_row_id = e.id)),
        'flags', (select json_agg(json_build_array(f.id, f.key, f.state, f.rule_version, f.evidence, f.explanation)
            order by f.key, f.created_at desc, f.id desc)
          from flag f where f.person_id = any(people))
      );
    end
    $fn$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function flags_family_read(text[], text)`.execute(db);
}
