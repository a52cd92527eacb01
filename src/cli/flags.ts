import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../platform/db/database.ts';
import { migrateToLatest } from '../platform/db/migrate.ts';
import { systemContext } from '../platform/access/context.ts';
import { addCalendarDays, startOfLondonDay } from '../domain/timescales/working-days.ts';
import { evaluateTimeBasedFlags, recomputeFlags } from '../features/flags/service.ts';

/** `--at 2024-06-03` (the end of that day, Europe/London) or an ISO date-time with its offset. */
function instant(value: string): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const end = new Date(startOfLondonDay(addCalendarDays(value, 1)).getTime() - 1);
    if (Number.isNaN(end.getTime())) throw new InvalidArgumentError('must be a date (YYYY-MM-DD) or a date-time with its offset');
    return end;
  }
  const at = new Date(value);
  if (Number.isNaN(at.getTime()) || !/[zZ]|[+-]\d{2}:\d{2}$/.test(value)) {
    throw new InvalidArgumentError('must be a date (YYYY-MM-DD) or a date-time with its offset');
  }
  return at;
}

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new InvalidArgumentError('must be a whole number from 0 to 64');
  return n;
}

/**
 * `kinsight flags --recompute [--at DATE]`: evaluate every person's flags as
 * at an instant (now by default) and store what is found. Time-based rules
 * (a referral decision or an assessment overdue) fire only when someone looks
 * at the clock, so a scheduler should run this each working day, early.
 */
export function registerFlags(program: Command): void {
  program
    .command('flags')
    .description('concern flags: --recompute evaluates every person as at now (or --at) and stores new and changed flags; --scheduled runs the time-based rules (for cron)')
    .option('--recompute', 'evaluate every person with every rule and store the flags found (in full, on demand)')
    .option('--scheduled', 'the time-based rules (decisions and assessments overdue) for people with a recent contact, referral or decision: what the server runs hourly; run it from cron when no server runs')
    .option('--at <date>', 'as at this date (the end of that day, Europe/London) or date-time with offset; default now', instant)
    .option('--home <authority>', 'ONS code of the partnership’s authority (default: the front door’s)')
    .option('--workers <n>', 'worker threads that read and evaluate families during --recompute on PostgreSQL, from 20,000 families (default 0: none; on 2 cores, where PostgreSQL is the bottleneck, they did not help)', count)
    .action(async (options: { recompute?: boolean; scheduled?: boolean; at?: Date; home?: string; workers?: number }) => {
      if (!options.recompute && !options.scheduled) {
        console.error('Nothing to do: add --recompute or --scheduled (and optionally --at DATE).');
        process.exitCode = 2;
        return;
      }
      const config = loadConfig();
      const database = await openDatabase(config.database);
      try {
        await migrateToLatest(database.db);
        const asAt = options.at ?? new Date();
        const started = process.hrtime.bigint();
        const ctx = systemContext('flags-recompute', `flags-recompute-${asAt.toISOString()}`);
        const home = options.home ? { homeAuthority: options.home } : {};
        const scheduled = options.scheduled && !options.recompute;
        const n = options.workers ?? 0;
        const workers = config.database.kind === 'postgres' ? { workers: { count: n, url: config.database.url } } : {};
        const summary = scheduled ? await evaluateTimeBasedFlags(database.db, asAt, { ctx, ...home }) : await recomputeFlags(database.db, asAt, {
          ctx, ...home, ...workers,
          onProgress: (done, total) => process.stderr.write(`\r${done}/${total} families and lone people evaluated`),
        });
        process.stderr.write('\n');
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        console.log(JSON.stringify({ asAt: asAt.toISOString(), ...summary, seconds: Math.round(seconds * 10) / 10 }));
      } finally {
        await database.close();
      }
    });
}
