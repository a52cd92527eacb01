import cluster, { type Worker } from 'node:cluster';
import os from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../config.ts';
import { prepareKinsight, startKinsight } from '../server.ts';
import { createLogger } from '../platform/log.ts';

interface ServeOptions { demo?: boolean; port?: number; workers?: number }

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return n;
}

function workerCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError('the number of workers is a whole number from 1 to 256');
  return n;
}

/** What a worker tells its primary. */
type WorkerMessage = { kind: 'listening'; url: string } | { kind: 'failed'; message: string };

/**
 * Adds `kinsight serve`. On PostgreSQL it serves from one Node process per
 * CPU by default (node:cluster: the workers share the port, the primary
 * migrates and loads the demo once, then starts them and replaces any that
 * stops); one worker runs the hourly flag evaluation. On the embedded PGlite
 * it is always one process: PGlite lives inside the process and has one writer.
 */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the web application (migrations are applied first)')
    .option('--demo', 'create the demo partnership and its data if they are not there yet (not in production)')
    .option('-p, --port <port>', 'port to listen on (default: PORT or 3000)', port)
    .option('-w, --workers <n>', 'processes serving requests (default: one per CPU on PostgreSQL; always one on the embedded database)', workerCount)
    .action(async (options: ServeOptions) => {
      if (cluster.isWorker) return serveAsWorker(options);
      const config = loadConfig();
      const workers = config.database.kind === 'postgres' ? options.workers ?? os.availableParallelism() : 1;
      if (config.database.kind === 'pglite' && (options.workers ?? 1) > 1) {
        console.error('The embedded database (PGlite) lives in one process: serving from one process.');
      }
      if (workers <= 1) return serveInOneProcess(options);
      return servePrimary(options, workers);
    });
}

function serveConfig(options: ServeOptions) {
  const config = loadConfig();
  if (options.port !== undefined) config.port = options.port;
  return config;
}

async function serveInOneProcess(options: ServeOptions): Promise<void> {
  const config = serveConfig(options);
  const running = await startKinsight(config, {
    demo: Boolean(options.demo) && config.environment !== 'production',
    progress: (line) => console.error(line),
  });
  console.error(`Kinsight is running at ${running.url} (database: ${running.database.engine}). Press Ctrl+C to stop.`);
  const shutdown = async (signal: string) => {
    console.error(`${signal} received: stopping Kinsight…`);
    await running.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

/** A cluster worker: serve, without preparing the database (the primary did); say where. */
async function serveAsWorker(options: ServeOptions): Promise<void> {
  const config = serveConfig(options);
  const send = (m: WorkerMessage) => process.send?.(m);
  try {
    const running = await startKinsight(config, { demo: false, prepare: false, scheduler: process.env.KINSIGHT_SCHEDULER === '1' });
    send({ kind: 'listening', url: running.url });
    const shutdown = async () => {
      await running.stop();
      process.exit(0);
    };
    process.once('SIGINT', () => void shutdown());
    process.once('SIGTERM', () => void shutdown());
  } catch (error) {
    send({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  }
}

async function servePrimary(options: ServeOptions, count: number): Promise<void> {
  const config = serveConfig(options);
  await prepareKinsight(config, { demo: Boolean(options.demo) && config.environment !== 'production', progress: (line) => console.error(line) });
  // The primary supervises the workers while Kinsight runs: what happens to them is the server's log, not CLI output.
  const log = createLogger(config.logLevel);
  let stopping = false;
  let schedulerWorker: Worker | undefined;
  const fork = (scheduler: boolean): Worker => {
    const worker = cluster.fork({ KINSIGHT_SCHEDULER: scheduler ? '1' : '0' });
    if (scheduler) schedulerWorker = worker;
    return worker;
  };
  const started = new Promise<string>((resolve, reject) => {
    let listening = 0;
    cluster.on('message', (_worker, message: WorkerMessage) => {
      if (message?.kind === 'failed') reject(new Error(`a worker could not start: ${message.message}`));
      if (message?.kind === 'listening' && ++listening === count) resolve(message.url);
    });
  });
  // A worker that stops while Kinsight is running is replaced (after a second, so a crash loop cannot spin).
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    log.warn({ workerPid: worker.process.pid, code, signal }, 'a worker stopped: starting another');
    const wasScheduler = worker === schedulerWorker;
    setTimeout(() => { if (!stopping) fork(wasScheduler); }, 1000).unref();
  });
  for (let i = 0; i < count; i++) fork(i === 0);
  const url = await started;
  console.error(`Kinsight is running at ${url} (database: postgres, ${count} worker processes). Press Ctrl+C to stop.`);
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, workers: Object.keys(cluster.workers ?? {}).length }, 'stopping Kinsight');
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => Boolean(w));
    let left = workers.length;
    if (left === 0) process.exit(0);
    for (const w of workers) {
      w.once('exit', () => { if (--left === 0) process.exit(0); });
      w.process.kill('SIGTERM');
    }
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}
