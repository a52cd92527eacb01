import { createHash } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import type pg from 'pg';

/**
 * Prepared statements for the hot reads (the chronology page, the session
 * look-up): PostgreSQL parses and plans a statement once per connection and
 * reuses the plan, instead of planning it again on every call (the
 * chronology's statement spent 2-4 ms of its few milliseconds planning).
 *
 * Kysely's PostgreSQL driver sends every query unnamed, so nothing is reused.
 * A query wrapped in `prepared()` starts with a marker comment; the pool's
 * clients (database.ts, `usePreparedStatements`) send such a query as a named
 * statement, the name being a hash of its text, so the same text gets the same
 * statement on a connection and a different text (another filter, another
 * order) a statement of its own. Only marked queries are named: a query whose
 * text varies without bound (an IN list of any length) would leave a
 * statement per variant on every connection. PGlite, and any other client,
 * sees the marker as a comment.
 *
 * PostgreSQL plans the first five executions for their parameters, then keeps
 * a generic plan when it costs no more; a marked query should be one whose
 * plan does not depend on its values (driven by ids through indexes).
 */
const MARKER = '/* kinsight:prepared */';

/** This query as a prepared (named) statement on PostgreSQL; unchanged elsewhere. */
export function prepared<T>(query: RawBuilder<T>): RawBuilder<T> {
  return sql<T>`${sql.raw(MARKER)} ${query}`;
}

/**
 * The most distinct statement texts named per process: past it, marked
 * queries go unnamed. A guard, not a working limit: each named text costs
 * server memory on every connection that runs it (a cached plan of the
 * chronology's statement is about 1 MB), so marked queries must come in a
 * handful of texts.
 */
const MAX_NAMES = 50;
const names = new Map<string, string>();

/** The statement name for a query text, or undefined when it is not marked (or too many have been). */
export function statementName(text: string): string | undefined {
  if (!text.startsWith(MARKER)) return undefined;
  let name = names.get(text);
  if (name === undefined) {
    if (names.size >= MAX_NAMES) return undefined;
    name = `k_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

type Query = (config: unknown, values?: unknown, callback?: unknown) => unknown;

/**
 * Make this pool client send marked queries as named statements (kysely calls
 * `client.query(text, values)`; anything else passes through unchanged).
 */
export function usePreparedStatements(client: pg.ClientBase): void {
  const target = client as unknown as { query: Query };
  const query = target.query.bind(client) as Query;
  target.query = (config: unknown, values?: unknown, callback?: unknown) => {
    if (typeof config === 'string' && Array.isArray(values) && callback === undefined) {
      const name = statementName(config);
      if (name) return query({ name, text: config, values });
    }
    return query(config, values, callback);
  };
}
