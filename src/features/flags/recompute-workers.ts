import { Worker } from 'node:worker_threads';
import type { DatabaseSettings } from '../../platform/db/database.ts';
import type { ChunkJob, ChunkResult } from './chunk.ts';

/**
 * Worker threads for the full recompute: each reads chunks of families
 * through its own PostgreSQL connections and runs the pure engine on them, so
 * reading rows and evaluating use every core while the main thread stores
 * results in chunk order. PostgreSQL only (an in-memory PGlite cannot be
 * shared between threads).
 */
export interface RecomputeWorkers {
  run(job: ChunkJob): Promise<ChunkResult>;
  /** How many chunks to keep in flight. */
  readonly capacity: number;
  close(): Promise<void>;
}

export async function startRecomputeWorkers(count: number, database: Extract<DatabaseSettings, { kind: 'postgres' }>): Promise<RecomputeWorkers> {
  const pending = new Map<number, { resolve: (r: ChunkResult) => void; reject: (e: Error) => void }>();
  let next = 0;
  const workers = await Promise.all(Array.from({ length: count }, () => new Promise<Worker>((resolve, reject) => {
    const w = new Worker(new URL('./recompute-worker.mjs', import.meta.url), { workerData: { url: database.url } });
    w.once('error', reject);
    w.on('message', (m: 'ready' | { id: number; result?: ChunkResult; error?: string }) => {
      if (m === 'ready') { resolve(w); return; }
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.error !== undefined) p?.reject(new Error(`recompute worker: ${m.error}`));
      else p?.resolve(m.result!);
    });
  })));
  for (const w of workers) {
    w.on('error', (error) => { for (const p of pending.values()) p.reject(error); pending.clear(); });
  }
  return {
    capacity: count * 2,
    run(job) {
      const id = next;
      next += 1;
      return new Promise<ChunkResult>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        workers[id % workers.length]!.postMessage({ id, job });
      });
    },
    async close() {
      await Promise.all(workers.map((w) => new Promise<void>((resolve) => {
        w.once('exit', () => resolve());
        w.postMessage('close');
      })));
    },
  };
}
