import path from 'node:path';
import { createRequire } from 'node:module';
import nunjucks from 'nunjucks';
import type { FastifyReply } from 'fastify';
import { formatDate, formatDateTime } from '../clock.ts';

const require = createRequire(import.meta.url);
const govukFrontendMain = require.resolve('govuk-frontend');
/** node_modules/govuk-frontend/dist: holds govuk/ (macros, CSS, JS, assets). */
export const govukFrontendRoot = govukFrontendMain.slice(0, govukFrontendMain.lastIndexOf(`${path.sep}dist${path.sep}`) + 5);

const srcRoot = path.resolve(import.meta.dirname, '..', '..');

/**
 * One Nunjucks environment: our layout and partials, each feature's views
 * (referenced as "feature-name/views/page.njk"), and the GOV.UK Frontend macros.
 */
export function createViewEnvironment(): nunjucks.Environment {
  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader(
      [path.join(srcRoot, 'platform', 'views'), path.join(srcRoot, 'features'), govukFrontendRoot],
      { noCache: process.env.NODE_ENV === 'development' },
    ),
    { autoescape: true, throwOnUndefined: false },
  );
  // Nunjucks' own trim is str.replace(/^\s*|\s*$/g, ''), which takes time in
  // the square of the length on the long HTML GOV.UK Frontend's macros trim:
  // it was 29% of the chronology page's CPU. The native trim does the same job.
  env.addFilter('trim', (value: unknown) => {
    const trimmed = String(value ?? '').trim();
    return value instanceof nunjucks.runtime.SafeString ? new nunjucks.runtime.SafeString(trimmed) : trimmed;
  });
  addFragmentCache(env);
  // Intl formatting costs microseconds a call and a chronology page formats a
  // date per entry, mostly the same few: remember them (by instant, or by the
  // 'YYYY-MM-DD' text a calendar date arrives as).
  const dateTime = remembered((at: number) => formatDateTime(new Date(at)));
  const date = remembered((value: string | number) => formatDate(new Date(value)));
  env.addFilter('dateTime', (value: Date | string) => dateTime(new Date(value).getTime()));
  env.addFilter('date', (value: Date | string) => date(value instanceof Date ? value.getTime() : value));
  return env;
}

/** A pure function of one key, remembered for up to `size` keys (then forgotten all at once). */
function remembered<K, V>(f: (key: K) => V, size = 10_000): (key: K) => V {
  const cache = new Map<K, V>();
  return (key: K) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = f(key);
      if (cache.size >= size) cache.clear();
      cache.set(key, value);
    }
    return value;
  };
}

/** How many distinct renderings of fragments one process keeps. */
const FRAGMENT_CACHE_SIZE = 500;

/**
 * `fragment(template, context)` in a template: renders a partial that depends
 * only on the context it is given, once per distinct context. GOV.UK Frontend
 * macros are slow in Nunjucks (each call re-runs the imports of its nested
 * macros), and a form such as the chronology's filters, with its many
 * checkboxes and date inputs, is the same for most requests: it cost about
 * half of the page's rendering. The context must be plain data (it is the
 * cache key, as JSON) and must not hold anything secret or per-request (no
 * CSRF token, no personal data: the cache lives as long as the process).
 */
function addFragmentCache(env: nunjucks.Environment): void {
  const cache = new Map<string, string>();
  env.addGlobal('fragment', (template: string, context: Record<string, unknown>) => {
    const key = `${template}\u0000${JSON.stringify(context)}`;
    let html = cache.get(key);
    if (html === undefined) {
      html = env.render(template, context);
      if (cache.size >= FRAGMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(key, html);
    }
    return new nunjucks.runtime.SafeString(html);
  });
}

export interface PageContext {
  [key: string]: unknown;
}

declare module 'fastify' {
  interface FastifyReply {
    /** Render a page inside the Kinsight layout. */
    render(template: string, context?: PageContext): FastifyReply;
  }
  interface FastifyRequest {
    /** Values every page needs (service name, navigation, the signed-in user). */
    pageLocals?: PageContext;
  }
}

export function renderPage(
  env: nunjucks.Environment,
  reply: FastifyReply,
  template: string,
  globals: PageContext,
  context: PageContext = {},
): FastifyReply {
  const nonce = (reply as unknown as { cspNonce?: { script: string } }).cspNonce?.script;
  const html = env.render(template, {
    ...globals,
    ...reply.request.pageLocals,
    currentPath: reply.request.url.split('?')[0],
    cspNonce: nonce,
    ...context,
  });
  return reply.type('text/html; charset=utf-8').send(html);
}
