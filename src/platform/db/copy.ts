import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { sql, type Kysely, type Transaction } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/**
 * COPY … FROM STDIN for bulk writes on PostgreSQL (the bulk ingest path).
 * Kysely does not hand out its `pg` connection, so the pool registers every
 * client it opens here by backend process id (database.ts), and a transaction
 * finds its own client by asking `pg_backend_pid()`. PGlite has no such client:
 * `copyRows` answers false there and the caller uses its INSERT instead.
 */
const clients = new Map<number, pg.ClientBase>();

export function trackPgClient(client: pg.ClientBase): void {
  const pid = (client as unknown as { processID?: number }).processID;
  if (typeof pid === 'number') clients.set(pid, client);
}

export function forgetPgClient(client: pg.ClientBase): void {
  const pid = (client as unknown as { processID?: number }).processID;
  if (typeof pid === 'number' && clients.get(pid) === client) clients.delete(pid);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any> | Transaction<any>;

/** The raw client behind this connection or transaction, or undefined (PGlite, or not a tracked pool). */
export async function rawPgClient(db: AnyDb): Promise<pg.ClientBase | undefined> {
  if (clients.size === 0) return undefined;
  const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
  return clients.get(Number(rows[0]?.pid));
}

/** A value in COPY's text format: \N for null, backslash, tab, newline and carriage return escaped. */
export function copyText(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value !== 'string') return String(value);
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : value;
}

/** A text[] literal ({"a","b"}) for COPY: every element quoted, then escaped as COPY text. */
export function copyTextArray(values: readonly string[]): string {
  return copyText(`{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`);
}

/**
 * Write rows (already COPY text lines, each ending in \n) with COPY on a
 * client found by `rawPgClient` (so inside that transaction).
 */
export async function copyRows(client: pg.ClientBase, table: string, columns: readonly string[], lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  const stream = client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin`));
  // Join into pieces of about a megabyte: one write per piece, not per row.
  const pieces: string[] = [];
  let piece: string[] = [];
  let size = 0;
  for (const line of lines) {
    piece.push(line);
    size += line.length;
    if (size >= 1 << 20) {
      pieces.push(piece.join(''));
      piece = [];
      size = 0;
    }
  }
  if (piece.length) pieces.push(piece.join(''));
  await pipeline(Readable.from(pieces), stream);
}
