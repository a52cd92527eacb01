import { parentPort, workerData } from 'node:worker_threads';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { DB } from '../../platform/db/schema.ts';
import { evaluateChunk, type ChunkJob, type ChunkResult } from './chunk.ts';

/**
 * One recompute worker (recompute-workers.ts): it reads a chunk of families
 * through its own connections, runs the pure engine and sends back only the
 * findings that differ from the flags held, so the rows never cross threads.
 * It writes nothing: the main thread stores results in chunk order.
 *
 * It opens its pool itself rather than through platform/db/database.ts, which
 * also loads PGlite (about 1.5 s of CPU per thread at start, measured); the
 * type parsing below is database.ts's (type parsers are per thread).
 */
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

const port = parentPort!;
const { url } = workerData as { url: string };
const pool = new pg.Pool({ connectionString: url, max: 4, options: '-c jit=off' });
pool.on('error', () => undefined); // an idle connection ended: the next query opens another
const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });

port.on('message', (message: { id: number; job: ChunkJob } | 'close') => {
  if (message === 'close') {
    void db.destroy().finally(() => port.close());
    return;
  }
  evaluateChunk(db, message.job).then(
    (result: ChunkResult) => port.postMessage({ id: message.id, result }),
    (error: unknown) => port.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
port.postMessage('ready');
