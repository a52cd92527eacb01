import { normaliseAddressLine } from './prepare.ts';

/**
 * Households from co-residence (issue 6): the people whose current agency
 * records give one address. Pure: the rows come from one repository query
 * (records at the person's postcodes), the corrections from the same query.
 *
 * An address is its postcode and its lines, each line normalised as the
 * linker normalises it ("12 Acacia Ave" and "12 acacia avenue" are one
 * address). A postcode without a line joins no household: a postcode covers
 * about fifteen addresses, and putting strangers in one household is worse
 * than leaving a record out. The town is not used (the postcode says more,
 * and agencies spell towns differently).
 */

/** An address as an agency recorded it (the record body's `address`). */
export interface RecordedAddress {
  lines?: readonly string[];
  town?: string;
  postcode?: string;
}

export interface AddressKey {
  /** Capitals without spaces, as agency_record_version.postcode holds it. */
  postcode: string;
  /** The normalised lines (commas within a line read as line breaks), joined by spaces. */
  key: string;
}

function asAddress(value: unknown): RecordedAddress | null {
  if (value === null || typeof value !== 'object') return null;
  const v = value as { lines?: unknown; town?: unknown; postcode?: unknown };
  return {
    ...(Array.isArray(v.lines) ? { lines: v.lines.filter((l): l is string => typeof l === 'string') } : {}),
    ...(typeof v.town === 'string' ? { town: v.town } : {}),
    ...(typeof v.postcode === 'string' ? { postcode: v.postcode } : {}),
  };
}

/** Postcode the way the record store keeps it (agency_record_version.postcode, written by ingest): capitals, no spaces. */
export function normalisePostcode(postcode: string | undefined): string {
  return (postcode ?? '').replace(/\s+/g, '').toUpperCase();
}

/** The co-residence key of an address, or null when it has no postcode or no line. */
export function addressKey(address: unknown): AddressKey | null {
  const a = asAddress(address);
  if (!a) return null;
  const postcode = normalisePostcode(a.postcode);
  // "Flat 2, 14 High St" in one line and ["Flat 2", "14 High Street"] in two are one address.
  const words = (a.lines ?? []).flatMap((line) => line.split(',')).map((part) => normaliseAddressLine(part)).filter(Boolean);
  if (postcode === '' || words.length === 0) return null;
  return { postcode, key: words.join(' ') };
}

/** The address as people read it: the lines, the town and the postcode as recorded. */
export function addressLabel(address: unknown): string {
  const a = asAddress(address);
  if (!a) return '';
  return [...(a.lines ?? []), a.town, a.postcode?.trim()].filter((part) => part && part.trim() !== '').join(', ');
}

/** One current record version at one of the postcodes. */
export interface ResidenceRow {
  personId: string;
  recordId: number;
  agencyName: string;
  address: unknown;
  /** When this version (and so this address) was received. */
  receivedAt: Date;
}

/** One household correction as stored (append-only; the latest for a person and address wins). */
export interface HouseholdCorrection {
  id: number;
  personId: string;
  postcode: string;
  addressKey: string;
  /** true: lives at this address (added, or an earlier "does not live here" reversed); false: does not. */
  resident: boolean;
  reason: string;
  correctedAt: Date;
}

export interface HouseholdMember {
  personId: string;
  /** Agencies whose current record gives this address (none when only a correction puts them here). */
  agencies: string[];
  /** When an agency last sent this address for them; null when only a correction puts them here. */
  lastRecordedAt: Date | null;
  /** The correction that put them here, when one did. */
  addedBy: HouseholdCorrection | null;
}

export interface Household {
  postcode: string;
  addressKey: string;
  /** As most recently recorded. */
  label: string;
  /** When an agency last sent this address for the person the household is of (or the correction's time). */
  lastRecordedAt: Date;
  /** The person the household is of lives here (false when corrected out; the household is still shown so the correction can be reversed). */
  personResident: boolean;
  /** The correction about the person at this address, if any. */
  personCorrection: HouseholdCorrection | null;
  /** Everyone else who lives here, by the records and the corrections. */
  members: HouseholdMember[];
  /** People an agency records here, corrected out, with the correction. */
  correctedOut: { personId: string; correction: HouseholdCorrection }[];
}

const keyOf = (postcode: string, key: string): string => `${postcode}\u0000${key}`;

/**
 * The households of one person: one for each address of theirs (from their
 * current records, or a correction that puts them there), with the people
 * recorded at it and the corrections applied. Most recently recorded first.
 */
export function householdsOf(personId: string, rows: readonly ResidenceRow[], corrections: readonly HouseholdCorrection[]): Household[] {
  const latest = new Map<string, HouseholdCorrection>();
  for (const c of [...corrections].sort((a, b) => a.id - b.id)) latest.set(`${c.personId}\u0000${keyOf(c.postcode, c.addressKey)}`, c);
  const correctionOf = (p: string, address: string): HouseholdCorrection | null => latest.get(`${p}\u0000${address}`) ?? null;

  interface At { postcode: string; key: string; label: string; labelAt: number; people: Map<string, { agencies: Set<string>; last: number }> }
  const addresses = new Map<string, At>();
  for (const r of rows) {
    const k = addressKey(r.address);
    if (!k) continue;
    const id = keyOf(k.postcode, k.key);
    let at = addresses.get(id);
    if (!at) {
      at = { postcode: k.postcode, key: k.key, label: addressLabel(r.address), labelAt: r.receivedAt.getTime(), people: new Map() };
      addresses.set(id, at);
    } else if (r.receivedAt.getTime() > at.labelAt) {
      at.label = addressLabel(r.address);
      at.labelAt = r.receivedAt.getTime();
    }
    const p = at.people.get(r.personId) ?? { agencies: new Set<string>(), last: 0 };
    p.agencies.add(r.agencyName);
    p.last = Math.max(p.last, r.receivedAt.getTime());
    at.people.set(r.personId, p);
  }

  // The person's addresses: recorded for them, or a correction says they live there.
  const mine = new Set<string>();
  for (const [id, at] of addresses) if (at.people.has(personId)) mine.add(id);
  for (const c of latest.values()) if (c.personId === personId && c.resident) mine.add(keyOf(c.postcode, c.addressKey));

  const households: Household[] = [];
  for (const id of mine) {
    const at = addresses.get(id);
    const own = correctionOf(personId, id);
    // A correction can put someone at an address no current record of the household gives any more.
    if (!at) continue;
    const members: HouseholdMember[] = [];
    const correctedOut: Household['correctedOut'] = [];
    for (const [p, seen] of at.people) {
      if (p === personId) continue;
      const c = correctionOf(p, id);
      if (c && !c.resident) correctedOut.push({ personId: p, correction: c });
      else members.push({ personId: p, agencies: [...seen.agencies].sort(), lastRecordedAt: new Date(seen.last), addedBy: null });
    }
    for (const c of latest.values()) {
      if (c.personId === personId || !c.resident || keyOf(c.postcode, c.addressKey) !== id || at.people.has(c.personId)) continue;
      members.push({ personId: c.personId, agencies: [], lastRecordedAt: null, addedBy: c });
    }
    members.sort((a, b) => (b.lastRecordedAt?.getTime() ?? 0) - (a.lastRecordedAt?.getTime() ?? 0) || a.personId.localeCompare(b.personId));
    const mineThere = at.people.get(personId);
    households.push({
      postcode: at.postcode,
      addressKey: at.key,
      label: at.label,
      lastRecordedAt: new Date(Math.max(mineThere?.last ?? 0, own?.resident ? own.correctedAt.getTime() : 0)),
      personResident: !(own && !own.resident),
      personCorrection: own,
      members,
      correctedOut,
    });
  }
  // Where they live now first: resident before corrected out, then the most recently recorded.
  return households.sort((a, b) => Number(b.personResident) - Number(a.personResident) || b.lastRecordedAt.getTime() - a.lastRecordedAt.getTime());
}
