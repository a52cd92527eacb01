import type { RecordsRepository } from './repository.ts';

/**
 * What Kinsight derives from the records and events: families (the people
 * connected by any agency's relationships) and involvements (service episodes
 * from involvement-start/end events). Both are rebuilt for the people an
 * ingest touched, never edited by hand, so corrections, retractions, merges and
 * splits flow through. A practitioner's family correction (family_correction)
 * is applied over the derived family on every rebuild. Households are not
 * stored: they are derived when read (`householdsOf`, src/domain/linkage/household.ts).
 */

function personNumber(id: string): number {
  const n = Number(id.replace(/^p_/, ''));
  return Number.isFinite(n) ? n : Number.MAX_SAFE_INTEGER;
}

/** Rebuild the families of these people: everyone connected to them, transitively. */
export async function rebuildFamilies(repo: RecordsRepository, seeds: Iterable<string>): Promise<void> {
  const seen = new Set<string>(seeds);
  if (seen.size === 0) return;
  // Former family-mates too: a split may have disconnected them.
  for (const m of await repo.familyMembers(await repo.familiesOf([...seen]))) seen.add(m.personId);
  const edges: { from: string; to: string }[] = [];
  let frontier = [...seen];
  while (frontier.length > 0) {
    const found = await repo.relationshipEdges(frontier);
    edges.push(...found);
    frontier = [];
    for (const e of found) {
      for (const p of [e.from, e.to]) {
        if (!seen.has(p)) {
          seen.add(p);
          frontier.push(p);
        }
      }
    }
  }
  // Union-find over the people reached.
  const parent = new Map<string, string>([...seen].map((p) => [p, p]));
  const find = (p: string): string => {
    let root = p;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(p, root);
    return root;
  };
  for (const e of edges) {
    const a = find(e.from);
    const b = find(e.to);
    if (a !== b) parent.set(personNumber(a) < personNumber(b) ? b : a, personNumber(a) < personNumber(b) ? a : b);
  }
  const people = [...seen];
  const holders = await repo.currentPersonsHoldingRecords(people);
  const kept = people.filter((p) => holders.has(p));
  // A practitioner's family correction outlasts every rebuild (an ingest's, a merge's, a split's).
  const corrected = await repo.latestFamilyCorrections(kept);
  const members = kept.map((p) => ({ familyId: corrected.get(p) ?? `f_${find(p).replace(/^p_/, '')}`, personId: p }));
  await repo.replaceFamilies(people, members);
}

interface OpenEpisode {
  personId: string;
  agencyId: string;
  service: string;
  category: string | null;
  level: number | null;
  startedOn: string;
  startEventRowId: number;
}

/** Rebuild these people's involvements from their visible involvement-start/end events. */
export async function rebuildInvolvements(repo: RecordsRepository, personIds: Iterable<string>): Promise<void> {
  const people = [...new Set(personIds)];
  if (people.length === 0) return;
  const events = await repo.involvementEvents(people);
  const rows: Parameters<RecordsRepository['replaceInvolvements']>[1] = [];
  const open = new Map<string, OpenEpisode[]>();
  for (const e of events) {
    const data = e.data as { service: string; category?: string; level?: number; reason?: string };
    const key = `${e.person_id}|${data.service}`;
    const list = open.get(key) ?? [];
    if (e.type === 'involvement-start') {
      list.push({
        personId: e.person_id, agencyId: e.agency_id, service: data.service, category: data.category ?? null,
        level: data.level ?? null, startedOn: e.on_date, startEventRowId: e.id,
      });
      open.set(key, list);
      continue;
    }
    // An end closes the open episode of that service, preferring the same agency's.
    const sameAgency = list.findLastIndex((o) => o.agencyId === e.agency_id);
    const episode = sameAgency >= 0 ? sameAgency : list.length - 1;
    const closing = episode >= 0 ? list.splice(episode, 1)[0] : undefined;
    if (!closing) continue;
    rows.push({ ...closing, endedOn: e.on_date, endReason: data.reason ?? null, endEventRowId: e.id });
  }
  for (const list of open.values()) for (const o of list) rows.push({ ...o, endedOn: null, endReason: null, endEventRowId: null });
  await repo.replaceInvolvements(people, rows);
}
