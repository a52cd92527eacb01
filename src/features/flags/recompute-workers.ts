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
  const started: Worker[] = [];
  const workers = await Promise.all(Array.from({ length: count }, () => new Promise<Worker>((resolve, reject) => {
    const w = new Worker(new URL('./recompute-worker.mjs', import.meta.url), { workerData: { url: database.url } });
    started.push(w);
    w.once('error', reject);
    w.on('message', (m: 'ready' | { id: number; result?: ChunkResult; error?: string }) => {
      if (m === 'ready') { resolve(w); return; }
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.error !== undefined) p?.reject(new Error(`recompute worker: ${m.error}`));
      else p?.resolve(m.result!);
    });
  }))).catch(async (error: unknown) => {
    // One failed to start: stop the others, or they would keep the process alive.
    await Promise.all(started.map((w) => w.terminate()));
    throw error;
  });
  const exited = new Set<Worker>();
  for (const w of workers) {
    w.on('error', (error) => { for (const p of pending.values()) p.reject(error); pending.clear(); });
    w.once('exit', () => {
      exited.add(w);
      for (const p of pending.values()) p.reject(new Error('recompute worker: stopped'));
      pending.clear();
    });
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
      // A worker that has stopped (an error) has nothing to close.
      await Promise.all(workers.map((w) => (exited.has(w) ? undefined : new Promise<void>((resolve) => {
        w.once('exit', () => resolve());
        w.postMessage('close');
      }))));
    },
  };
}
