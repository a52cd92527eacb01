/**
 * Relationships and households as evidence (issue 6), after the records are
 * grouped into people by their own fields (clustering.ts).
 *
 * **Relationships.** Agencies record relationships between their own records
 * ("this record is the mother of that one"). Two groups recorded as related
 * the same way to the same third group (both "parent of" one child, both
 * "child of" one mother, both "sibling of" one child) whose names agree are
 * one person: a child has one mother called Rachel Reed. This joins a
 * parent's school contact record (a name, an address, "parent of" the pupil)
 * to the parent's other records, and a child's undated charity or early help
 * record to the child. A group living at the third group's address, of an age
 * that fits the role (a parent at least 12 years older), is a candidate too,
 * at most one per join (household reasoning).
 *
 * **Households.** A group with no birth date anywhere joins the only group of
 * a compatible name in its household (the groups at its addresses and those
 * recorded as related to them); never when there are two.
 *
 * It never chooses between two people: when the groups related the same way
 * hold two people of a compatible name that the evidence keeps apart (two
 * brothers both called Charlie, twins given one first name), none of them is
 * joined; nor when a group of that name in the household (a rival: a scored
 * pair of the run) is held apart from one of them. Apart means: recorded as
 * related to each other (a person is not their own sibling), recorded in two
 * different roles towards one group (the parent of a child is not the child's
 * sibling: a same-named father and son), of ages that cannot hold the role,
 * or two records that cannot be one person (`relationalConflict`, model.ts).
 */

/** A relationship an agency recorded between two of its records (positions in the linker's table). */
export interface RecordRelation {
  /** The record the relationship is from: the parent in "parent-of". */
  readonly from: number;
  readonly to: number;
  /** parent-of, step-parent-of, carer-of (directed); sibling-of, partner-of (either way). */
  readonly type: string;
}

/** Relationship types that read the same both ways. */
const SYMMETRIC = new Set(['sibling-of', 'partner-of']);

/** Bits of `RelationalOptions.check`. */
export const NAMES_AGREE = 1;
/** The two records are two different people whatever else agrees (see `relationalConflict`, model.ts). */
export const CONFLICT = 2;
/** The two records give the same address (exactly, or but for slips). */
export const SAME_ADDRESS = 4;
/** The same given name (and sex not different), whatever the family name: two parents of one child so named are one (a mother under a previous surname). */
export const SAME_GIVEN = 16;
/** The two records' names are alike, more loosely than `NAMES_AGREE` (a similar given name, an initial): used only to doubt a join. */
export const NAMES_ALIKE = 8;

export interface RelationalOptions {
  /** Compare two records (positions): `NAMES_AGREE | CONFLICT | SAME_ADDRESS | NAMES_ALIKE | SAME_GIVEN` bits. */
  readonly check: (a: number, b: number) => number;
  /** Records each record was scored against at or above review, or held (the run's pairs): the rivals. */
  readonly neighbours: (record: number) => Iterable<number>;
  /** The record's address as a key (postcode, house number, street, flat), or null. */
  readonly addressOf: (record: number) => string | null;
  /** The record's birth date as YYYYMMDD, or -1. */
  readonly birthOf: (record: number) => number;
  /** YYYYMMDD: born after this is a child at the reference date (see `LinkageModel.childBornAfter`). */
  readonly childBornAfter: number;
  /** No group grows beyond this many records without a person looking. */
  readonly maxClusterSize?: number;
  /** Rounds: a join can make another one possible (a mother's records joined, then her children's). */
  readonly rounds?: number;
  /** Told of every join not made for doubt, with the records of each group concerned (for diagnosis). */
  readonly onDoubt?: (reason: 'two found by address' | 'two people' | 'a rival' | 'two in the household', groups: readonly (readonly number[])[]) => void;
}

export interface RelationalResult {
  readonly clusterOf: Int32Array;
  /** Groups joined to another through a shared relative. */
  readonly joined: number;
  /** Undated groups joined to the only person of their name in their household. */
  readonly joinedByHousehold: number;
  /** Joins not made because two people of that name were related the same way or lived there. */
  readonly ambiguous: number;
}

/** Addresses with more groups than this (a hostel, a block recorded without flat numbers) say nothing. */
const MAX_HOUSEHOLD = 30;
/** A parent is at least this much older than the child (YYYYMMDD arithmetic: 12 years). */
const PARENT_AGE_GAP = 120_000;
/** Siblings are born within 30 years of each other (an adult child at home and a new partner's baby). */
const SIBLING_AGE_GAP = 300_000;
/** Partners are born within 25 years of each other. */
const PARTNER_AGE_GAP = 250_000;

/** Whether someone born on `birth` can hold the role `how` towards someone born on `otherBirth` (both YYYYMMDD). */
export function ageFits(how: string, birth: number, otherBirth: number): boolean {
  if (how.startsWith('partner-of')) return Math.abs(birth - otherBirth) <= PARTNER_AGE_GAP;
  if (how.startsWith('sibling-of')) return Math.abs(birth - otherBirth) <= SIBLING_AGE_GAP;
  // "parent-of>": a parent (step-parent, carer) of the other; "<parent-of": a child of the other.
  return how.endsWith('>') ? birth <= otherBirth - PARENT_AGE_GAP : birth >= otherBirth + PARENT_AGE_GAP;
}

/**
 * Whether a group found only by living at the anchor's address could hold the role the relationship
 * names: it must carry a birth date that fits (see `ageFits`; with an undated anchor, a parent or
 * partner is an adult and a child or sibling a child), so an undated group is never the one chosen so.
 */
export function plausibleRole(how: string, birth: number, anchorBirth: number, childBornAfter: number): boolean {
  if (birth < 0) return false;
  if (anchorBirth >= 0) return ageFits(how, birth, anchorBirth);
  if (how.startsWith('partner-of') || how.endsWith('>')) return birth <= childBornAfter;
  return birth > childBornAfter;
}

/** A symmetric map from pairs of small non-negative integers to a number; forgets every pair of a key on request. */
class PairMap {
  private readonly rows = new Map<number, Map<number, number>>();
  get(x: number, y: number): number | undefined {
    return this.rows.get(x)?.get(y);
  }
  set(x: number, y: number, value: number): void {
    this.row(x).set(y, value);
    this.row(y).set(x, value);
  }
  forget(x: number): void {
    for (const y of this.rows.get(x)?.keys() ?? []) this.rows.get(y)?.delete(x);
    this.rows.delete(x);
  }
  private row(x: number): Map<number, number> {
    let row = this.rows.get(x);
    if (!row) this.rows.set(x, (row = new Map()));
    return row;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Join groups of records (`clusterOf`: a group number per record) through
 * shared relatives and households, when nothing says they are two people.
 */
export function joinByRelations(clusterOf: Int32Array, relations: readonly RecordRelation[], options: RelationalOptions): RelationalResult {
  const n = clusterOf.length;
  const maxSize = options.maxClusterSize ?? 50;
  // Groups as lists of records, kept up to date as groups join.
  const groupOf = new Int32Array(n);
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i += 1) {
    const first = members.get(clusterOf[i] ?? i)?.[0];
    groupOf[i] = first ?? i;
    push(members, clusterOf[i] ?? i, i);
  }
  for (const [cluster, list] of [...members]) {
    members.delete(cluster);
    members.set(list[0] ?? cluster, list);
  }
  const membersOf = (g: number): number[] => members.get(g) ?? [g];
  // Addresses interned once; birth dates read once.
  const addressIds = new Map<string, number>();
  const addressOf = new Int32Array(n).fill(-1);
  const birth = new Int32Array(n);
  for (let i = 0; i < n; i += 1) {
    birth[i] = options.birthOf(i);
    const key = options.addressOf(i);
    if (key === null) continue;
    let id = addressIds.get(key);
    if (id === undefined) addressIds.set(key, (id = addressIds.size));
    addressOf[i] = id;
  }
  const birthOfGroup = (g: number): number => {
    for (const i of membersOf(g)) if ((birth[i] ?? -1) > 0) return birth[i] ?? -1;
    return -1;
  };

  let joined = 0;
  let joinedByHousehold = 0;
  let ambiguous = 0;
  // Group-level answers (OR of the record checks across two groups), kept across rounds and forgotten for
  // the groups a round joins.
  const bitsMemo = new PairMap();
  for (let round = 0; round < (options.rounds ?? 4); round += 1) {
    const bits = (x: number, y: number): number => {
      let found = bitsMemo.get(x, y);
      if (found === undefined) {
        found = 0;
        for (const a of membersOf(x)) for (const b of membersOf(y)) found |= options.check(a, b);
        bitsMemo.set(x, y, found);
      }
      return found;
    };
    const namesAgree = (x: number, y: number) => (bits(x, y) & NAMES_AGREE) !== 0;

    // Each group's roles towards the groups it is related to ("parent-of>": it is a parent of that group),
    // and the groups related the same way to one group (anchor and role → groups).
    const roles = new Map<number, Map<number, Set<string>>>();
    const related = new Map<string, { anchor: number; how: string; groups: Set<number> }>();
    const addRole = (group: number, other: number, how: string) => {
      if (group === other) return;
      let towards = roles.get(group);
      if (!towards) roles.set(group, (towards = new Map()));
      const set = towards.get(other);
      if (set) set.add(how);
      else towards.set(other, new Set([how]));
      const key = `${other}|${how}`;
      const entry = related.get(key);
      if (entry) entry.groups.add(group);
      else related.set(key, { anchor: other, how, groups: new Set([group]) });
    };
    for (const relation of relations) {
      const from = groupOf[relation.from] ?? relation.from;
      const to = groupOf[relation.to] ?? relation.to;
      addRole(from, to, SYMMETRIC.has(relation.type) ? relation.type : `${relation.type}>`);
      addRole(to, from, SYMMETRIC.has(relation.type) ? relation.type : `<${relation.type}`);
    }
    const relatedTo = (x: number, y: number) => roles.get(x)?.has(y) === true;
    /** x's recorded roles rule y out: y is related to x, holds another role towards the same group, or (byAge) is of an age that cannot hold x's. */
    const rolesRuleOut = (x: number, y: number, byAge: boolean): boolean => {
      const towardsX = roles.get(x);
      if (!towardsX) return false;
      const towardsY = roles.get(y);
      const birthY = birthOfGroup(y);
      for (const [other, hows] of towardsX) {
        if (other === y) return true;
        const yHows = towardsY?.get(other);
        if (yHows && ![...hows].some((how) => yHows.has(how))) return true;
        if (!byAge || birthY < 0) continue;
        const birthOther = birthOfGroup(other);
        if (birthOther > 0 && ![...hows].some((how) => ageFits(how, birthY, birthOther))) return true;
      }
      return false;
    };
    const apart = (x: number, y: number, byAge = true) =>
      (bits(x, y) & CONFLICT) !== 0 || rolesRuleOut(x, y, byAge) || rolesRuleOut(y, x, byAge);

    // Groups at each address.
    const atAddress = new Map<number, Set<number>>();
    for (let i = 0; i < n; i += 1) {
      const id = addressOf[i] ?? -1;
      if (id < 0) continue;
      const set = atAddress.get(id);
      if (set) set.add(groupOf[i] ?? i);
      else atAddress.set(id, new Set([groupOf[i] ?? i]));
    }
    const householdOf = (g: number): Set<number> | null => {
      const found = new Set<number>();
      for (const i of membersOf(g)) {
        const set = atAddress.get(addressOf[i] ?? -1);
        if (!set) continue;
        if (set.size > MAX_HOUSEHOLD) return null;
        for (const h of set) found.add(h);
      }
      found.delete(g);
      return found;
    };

    const joins: number[][] = [];
    const taken = new Set<number>();
    for (const { anchor, how, groups } of related.values()) {
      // Candidates: the groups recorded in this role, and those at the anchor's address whose age fits it.
      const added = new Set<number>();
      const anchorBirth = birthOfGroup(anchor);
      for (const g of householdOf(anchor) ?? []) {
        if (!groups.has(g) && !relatedTo(g, anchor) && plausibleRole(how, birthOfGroup(g), anchorBirth, options.childBornAfter)) added.add(g);
      }
      const list = [...groups, ...added];
      if (list.length < 2) continue;
      // Components of groups whose names agree.
      const top = new Map<number, number>(list.map((g) => [g, g]));
      const find = (g: number): number => {
        let r = g;
        while (top.get(r) !== r) r = top.get(r) ?? r;
        return r;
      };
      for (let x = 0; x < list.length; x += 1) {
        for (let y = x + 1; y < list.length; y += 1) {
          const gx = list[x] ?? 0;
          const gy = list[y] ?? 0;
          // Two groups found only by address are never compared with each other: only through a recorded one.
          if (added.has(gx) && added.has(gy)) continue;
          // Two parents of one child with one given name are one parent, whatever the family name says.
          const agree = namesAgree(gx, gy) || (how === 'parent-of>' && !added.has(gx) && !added.has(gy) && (bits(gx, gy) & SAME_GIVEN) !== 0);
          if (find(gx) !== find(gy) && agree) top.set(find(gx), find(gy));
        }
      }
      const components = new Map<number, number[]>();
      for (const g of list) push(components, find(g), g);
      for (const parts of components.values()) {
        if (parts.length < 2 || parts.some((g) => taken.has(g))) continue;
        // Groups found only by living there must agree with each other directly, not only through a recorded
        // one (and, like all of them, be dated, of an age that fits, and not apart: see `twoPeople`).
        const byAddress = parts.filter((g) => added.has(g));
        if (byAddress.some((g, x) => byAddress.some((h, y) => y > x && !namesAgree(g, h)))) {
          options.onDoubt?.('two found by address', parts.map(membersOf));
          ambiguous += 1;
          continue;
        }
        let size = 0;
        for (const g of parts) size += membersOf(g).length;
        if (size > maxSize) continue;
        const doubt = twoPeople(parts, anchor, list);
        if (doubt !== null) {
          options.onDoubt?.(doubt.reason, [...parts, ...doubt.with].map(membersOf));
          ambiguous += 1;
          continue;
        }
        for (const g of parts) taken.add(g);
        joins.push(parts);
      }
    }
    let householdJoins = 0;
    // Household reasoning: a group with no birth date joins the only person of a compatible name in its
    // household. Ages alone do not rule a candidate out here (a sibling 25 years older is possible).
    for (const [g, list] of members) {
      if (taken.has(g) || list.some((i) => (birth[i] ?? -1) > 0)) continue;
      const household = householdOf(g);
      if (household === null || household.size === 0) continue;
      for (const h of [...household]) for (const other of roles.get(h)?.keys() ?? []) household.add(other);
      household.delete(g);
      // Names alike count as candidates for doubting ("Reg" and "Reggie Ryan"); only agreeing names join.
      const alike = [...household].filter((h) => (bits(g, h) & (NAMES_AGREE | NAMES_ALIKE)) !== 0 && !apart(g, h, false));
      const candidates = alike.length === 1 ? alike.filter((h) => namesAgree(g, h)) : alike;
      if (candidates.length !== 1) {
        if (candidates.length > 1) {
          options.onDoubt?.('two in the household', [g, ...candidates].map(membersOf));
          ambiguous += 1;
        }
        continue;
      }
      const only = candidates[0] ?? g;
      if (taken.has(only) || list.length + membersOf(only).length > maxSize) continue;
      taken.add(g);
      taken.add(only);
      joins.push([only, g]);
      householdJoins += 1;
    }
    if (joins.length === 0) break;
    for (const parts of joins) {
      const [keep, ...rest] = parts;
      if (keep === undefined) continue;
      const kept = membersOf(keep);
      for (const g of rest) {
        for (const i of membersOf(g)) {
          groupOf[i] = keep;
          kept.push(i);
        }
        members.delete(g);
        bitsMemo.forget(g);
      }
      bitsMemo.forget(keep);
      members.set(keep, kept);
      joined += rest.length;
    }
    joined -= householdJoins;
    joinedByHousehold += householdJoins;

    /**
     * Whether the groups of one component may hold two people: any two of them apart, or another group
     * (related the same way, or a rival in the household) whose name is alike one of them, that could be
     * its person, and that is held apart from another of them.
     */
    function twoPeople(parts: number[], anchor: number, list: number[]): { reason: 'two people' | 'a rival'; with: number[] } | null {
      for (let x = 0; x < parts.length; x += 1) {
        for (let y = x + 1; y < parts.length; y += 1) if (apart(parts[x] ?? 0, parts[y] ?? 0)) return { reason: 'two people', with: [] };
      }
      const inside = new Set(parts);
      const others = new Set<number>(list.filter((g) => !inside.has(g)));
      // Rivals: groups scored against one of them, in the household (related to the anchor or to one of them,
      // or at one of their addresses).
      const household = [anchor, ...parts];
      for (const g of parts) {
        for (const a of membersOf(g)) {
          for (const b of options.neighbours(a)) {
            const r = groupOf[b] ?? b;
            if (inside.has(r) || r === anchor || others.has(r)) continue;
            if (household.some((h) => relatedTo(r, h) || (bits(r, h) & SAME_ADDRESS) !== 0)) others.add(r);
          }
        }
      }
      for (const other of others) {
        if (!parts.some((g) => (bits(other, g) & (NAMES_AGREE | NAMES_ALIKE)) !== 0 && !apart(other, g))) continue;
        if (parts.some((g) => apart(other, g))) return { reason: 'a rival', with: [other] };
      }
      return null;
    }
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i += 1) out[i] = groupOf[i] ?? i;
  return { clusterOf: out, joined, joinedByHousehold, ambiguous };
}
