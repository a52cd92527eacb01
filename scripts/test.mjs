#!/usr/bin/env node
// Runs Kinsight's test suites: unit and integration always (on PGlite, or on
// PostgreSQL when DATABASE_URL is set), then the browser suite when Debian's
// chromium is installed. Usage: node scripts/test.mjs [--browser-only] [vitest args]
import { execFileSync, spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const browserOnly = args.includes('--browser-only');
const extra = args.filter((a) => a !== '--browser-only');

function chromiumPath() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

const projects = browserOnly ? [] : ['unit', 'integration'];
const chromium = chromiumPath();
if (chromium) projects.push('browser');

const engine = process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'PGlite (embedded)';
console.log(`Kinsight tests: ${projects.join(', ')} on ${engine}`);
if (!chromium) console.log("browser tests skipped: install Debian's chromium (apt-get install chromium)");
if (projects.length === 0) process.exit(0);

const result = spawnSync(
  'npx',
  ['vitest', 'run', ...projects.flatMap((p) => ['--project', p]), ...extra],
  { stdio: 'inherit', env: { ...process.env, CHROMIUM_PATH: chromium || undefined } },
);
process.exit(result.status ?? 1);
