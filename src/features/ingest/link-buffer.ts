import type { RecordsRepository } from '../records/repository.ts';

/**
 * The records repository as the linker sees it during one ingest of many
 * records: the same answers as the database would give, record by record, but
 * without a round trip per record.
 *
 * - `personsWithNhsNumber` is answered from one query for every NHS number in
 *   the batch (holders stored before this batch) plus what this batch has
 *   linked so far, counting only versions sent earlier in the batch than the
 *   record being linked, exactly as if the records had been written one by one.
 * - `newPerson` takes ids from the person sequence in blocks (unused ids are a
 *   gap in the numbering, as a rolled-back transaction leaves; ids are opaque).
 * - `link` and the new people are written together by `flush()`.
 *
 * Any other repository call first writes what is buffered, so the linker's own
 * queries (candidates, through `repo.db`) see every link made so far. After a
 * read the buffering goes on; after anything else (a merge, an unlink) every
 * call goes to the database: correct, only slower.
 */
export interface LinkBuffer {
  repo: RecordsRepository;
  /** Say which batch item is being linked (its index), before each call to the linker. */
  at(index: number): void;
  flush(): Promise<void>;
}

export interface BufferedVersion {
  index: number;
  recordId: number;
  nhsNumber: string | null;
}

/** Repository calls that only read: the buffer writes what it holds first, then goes on buffering. */
const READS = new Set([
  'agencies', 'allAgencies', 'recordIds', 'latestVersion', 'latestVersions', 'currentPersons', 'nhsNumberHolders',
  'currentPersonsHoldingRecords', 'recordsOfPerson', 'relationshipEdges', 'familiesOf', 'familyMembers', 'latestEvents',
  'personsOfEvent', 'involvementEvents', 'allCurrentLinks',
]);

export async function linkBuffer(
  repo: RecordsRepository,
  options: {
    batchId: string;
    /** Every version this batch stored, with its item index. */
    versions: BufferedVersion[];
    /** How many records the linker will be asked about (sizes the person id blocks). */
    expectedLinks: number;
    /** The current person of each record stored before this batch that the batch gave a new version. */
    existingPersons: Map<number, string>;
  },
): Promise<LinkBuffer> {
  // Holders stored before this batch: NHS number -> record -> person, fetched at the first question.
  let before: Map<string, Map<number, string>> | null = null;
  const holdersBefore = async () => {
    if (before) return before;
    before = new Map();
    const numbers = [...new Set(options.versions.flatMap((v) => (v.nhsNumber ? [v.nhsNumber] : [])))];
    for (const h of await repo.nhsNumberHolders(numbers, options.batchId)) {
      const m = before.get(h.nhsNumber) ?? new Map<number, string>();
      m.set(h.recordId, h.personId);
      before.set(h.nhsNumber, m);
    }
    return before;
  };
  // This batch's versions by NHS number, in item order.
  const inBatch = new Map<string, BufferedVersion[]>();
  for (const v of options.versions) {
    if (!v.nhsNumber) continue;
    const list = inBatch.get(v.nhsNumber) ?? [];
    list.push(v);
    inBatch.set(v.nhsNumber, list);
  }
  const linkedNow = new Map<number, string>(options.existingPersons);
  let current = Number.MAX_SAFE_INTEGER;
  let pool: string[] = [];
  let remaining = Math.max(1, options.expectedLinks);
  let people: { id: string; at: Date }[] = [];
  let links: { personId: string; recordId: number; method: string; at: Date }[] = [];
  let direct = false;

  const flush = async () => {
    if (people.length) await repo.insertPersons(people);
    if (links.length) await repo.insertLinks(links);
    people = [];
    links = [];
  };

  const buffered: Partial<RecordsRepository> = {
    async personsWithNhsNumber(nhsNumber: string, exceptRecordId: number): Promise<string[]> {
      const found = new Set<string>();
      for (const [recordId, personId] of (await holdersBefore()).get(nhsNumber) ?? []) if (recordId !== exceptRecordId) found.add(personId);
      for (const v of inBatch.get(nhsNumber) ?? []) {
        if (v.index >= current) break;
        const personId = linkedNow.get(v.recordId);
        if (v.recordId !== exceptRecordId && personId) found.add(personId);
      }
      // The database orders by person_id; ids share the "p_" prefix, so code-unit order is the same.
      return [...found].sort();
    },
    async newPerson(at: Date): Promise<string> {
      if (pool.length === 0) {
        pool = await repo.allocatePersonIds(Math.min(Math.max(remaining, 1), 5000));
        pool.reverse();
      }
      remaining -= 1;
      const id = pool.pop()!;
      people.push({ id, at });
      return id;
    },
    async link(personId: string, recordId: number, method: string, at: Date): Promise<void> {
      links.push({ personId, recordId, method, at });
      linkedNow.set(recordId, personId);
    },
  };

  const proxy = new Proxy(repo, {
    get(target, prop, receiver) {
      if (!direct && typeof prop === 'string' && prop in buffered) return (buffered as Record<string, unknown>)[prop];
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (!direct) {
          await flush();
          if (!READS.has(prop as string)) direct = true;
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });

  return {
    repo: proxy,
    at(index: number) {
      current = index;
    },
    flush,
  };
}
