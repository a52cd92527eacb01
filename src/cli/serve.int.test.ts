import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, expectedEngine } from '../../test/support/database.ts';
import type { Database } from '../platform/db/database.ts';

const projectRoot = path.resolve(import.meta.dirname, '..', '..');

/** `kinsight serve` in its own processes, until it says where it listens (or stops). */
function serve(args: string[], env: Record<string, string>) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env };
  if (!env.DATABASE_URL) delete childEnv.DATABASE_URL; // the embedded PGlite
  const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'kinsight.mjs'), 'serve', '--port', '0', ...args], {
    cwd: projectRoot,
    env: childEnv,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let said = '';
  child.stderr.on('data', (chunk: Buffer) => { said += chunk.toString(); });
  const running = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', () => {
      const m = /running at (http:\/\/[0-9.:]+)/.exec(said);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve stopped (${code}): ${said}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, running, exited, said: () => said };
}

describe(`kinsight serve (${expectedEngine})`, () => {
  let database: Database | undefined;
  let env: Record<string, string>;
  let dataDir: string | undefined;
  beforeAll(async () => {
    if (process.env.DATABASE_URL) {
      database = await openTestDatabase();
      const { rows: [current] } = await sql<{ name: string }>`select current_database() as name`.execute(database.db);
      const url = new URL(process.env.DATABASE_URL);
      url.pathname = `/${current!.name}`;
      env = { DATABASE_URL: url.toString() };
    } else {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kinsight-serve-'));
      env = { KINSIGHT_DATA_DIR: dataDir };
    }
  });
  afterAll(async () => {
    await database?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it(expectedEngine === 'postgres'
    ? 'serves from two worker processes sharing one port, and stops them all on SIGTERM'
    : 'serves from one process on PGlite, whatever --workers says, and stops on SIGTERM', async () => {
    const s = serve(['--workers', '2'], env);
    const url = await s.running;
    if (expectedEngine === 'postgres') {
      expect(s.said()).toContain('2 worker processes');
    } else {
      expect(s.said()).toContain('serving from one process');
      expect(s.said()).not.toContain('worker processes');
    }
    const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`${url}/health`).then((r) => r.status)));
    expect(answers.every((status) => status === 200)).toBe(true);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  }, 120_000);
});
