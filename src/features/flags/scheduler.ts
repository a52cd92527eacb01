import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import { systemContext } from '../../platform/access/context.ts';
import { evaluateTimeBasedFlags } from './service.ts';

/**
 * The flag scheduler in the server process: every hour (by default) it runs
 * the time-based rules (a referral decision or an assessment overdue), which
 * fire as time passes with no new event. Runs never overlap: a tick that
 * finds the previous one still running is skipped. The timer and the clock are
 * injected so tests drive it without waiting. Where the server does not run
 * all the time, `kinsight flags --scheduled` from cron does the same pass.
 */

export interface SchedulerOptions {
  intervalMs?: number;
  /** setInterval and clearInterval by default (tests pass their own). */
  timer?: { set(fn: () => void, ms: number): unknown; clear(handle: unknown): void };
  onError?: (error: unknown) => void;
  onRun?: (summary: { people: number; raised: number }) => void;
}

export interface FlagScheduler {
  /** One pass now (also what each timer tick does); resolves when it ends. */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export const HOUR_MS = 60 * 60 * 1000;

export function startFlagScheduler(db: Kysely<DB>, clock: Clock, options: SchedulerOptions = {}): FlagScheduler {
  const timer = options.timer ?? { set: (fn, ms) => setInterval(fn, ms), clear: (h) => clearInterval(h as NodeJS.Timeout) };
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) return running;
    const asAt = clock.now();
    running = evaluateTimeBasedFlags(db, asAt, { ctx: systemContext('flags-scheduler', `flags-scheduler-${asAt.toISOString()}`) })
      .then((s) => options.onRun?.({ people: s.people, raised: s.raised + s.raisedAgain }))
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => { running = undefined; });
    return running;
  };
  const handle = timer.set(() => void tick(), options.intervalMs ?? HOUR_MS);
  if (handle && typeof (handle as NodeJS.Timeout).unref === 'function') (handle as NodeJS.Timeout).unref();
  return {
    tick,
    async stop() {
      stopped = true;
      timer.clear(handle);
      await running;
    },
  };
}
