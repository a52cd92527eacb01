import path from 'node:path';
import { z } from 'zod';

const OIDC_REQUIRED = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_REDIRECT_URI'] as const;

/** An http:// URL naming this machine: the only place plain http is tolerated (development and tests). */
export function isLoopbackHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

/**
 * Kinsight's configuration, read from the environment and validated in one place.
 * Production refuses to start without a real database and a session secret.
 */
const environmentSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('localhost'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// connection URL')
      .optional(),
    KINSIGHT_DATA_DIR: z.string().min(1).default('data'),
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    PARTNERSHIP_NAME: z.string().min(1).default('Marlshire Safeguarding Children Partnership'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    TRUST_PROXY: z.enum(['true', 'false']).default('false'),
    OIDC_ISSUER: z.url({ protocol: /^https?$/, error: 'must be an https:// URL (the identity provider\'s issuer)' }).optional(),
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    OIDC_REDIRECT_URI: z.url({ protocol: /^https?$/, error: 'must be an https:// URL ending /sign-in/oidc/callback' }).optional(),
    OIDC_SCOPES: z.string().regex(/(^|\s)openid(\s|$)/, 'must include openid').default('openid profile email'),
    OIDC_DISPLAY_NAME: z.string().min(1).default('Sign in with your organisation account'),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== 'production') return;
    if (!env.DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_URL'],
        message: 'is required in production: the embedded database is for demonstration and development only',
      });
    }
    if (!env.SESSION_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['SESSION_SECRET'],
        message: 'is required in production (at least 32 random characters)',
      });
    }
  })
  .superRefine((env, ctx) => {
    // OIDC sign-in is all or nothing: a half-configured provider is a mistake, not a choice.
    const set = OIDC_REQUIRED.filter((key) => env[key] !== undefined);
    if (set.length > 0 && set.length < OIDC_REQUIRED.length) {
      for (const key of OIDC_REQUIRED.filter((k) => env[k] === undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `is required for OIDC sign-in because ${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set (set all of ${OIDC_REQUIRED.join(', ')}, or none)`,
        });
      }
    }
    // Plain http only for a provider on this machine, and never in production.
    for (const key of ['OIDC_ISSUER', 'OIDC_REDIRECT_URI'] as const) {
      const value = env[key];
      if (value === undefined || !URL.canParse(value) || value.startsWith('https://')) continue; // not a URL: reported above
      if (env.NODE_ENV === 'production' || !isLoopbackHttpUrl(value)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'must be an https:// URL (plain http is allowed only for localhost or 127.0.0.1, outside production)',
        });
      }
    }
  });

export type Config = {
  environment: 'development' | 'test' | 'production';
  port: number;
  host: string;
  database: { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string | null };
  sessionSecret: string;
  partnershipName: string;
  logLevel: z.infer<typeof environmentSchema>['LOG_LEVEL'];
  trustProxy: boolean;
  /** Sign-in through the organisation's identity provider (NHS CIS2, Entra ID), or null when not configured. */
  oidc: OidcConfig | null;
};

export interface OidcConfig {
  /** The provider's issuer identifier; its /.well-known/openid-configuration is discovered. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Kinsight's callback, exactly as registered with the provider: https://…/sign-in/oidc/callback */
  redirectUri: string;
  /** Space-separated; always includes openid. */
  scopes: string;
  /** The words on the sign-in page's button. */
  displayName: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Kinsight cannot start: the configuration is not valid.\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** A fixed development secret: only ever used outside production. */
const DEVELOPMENT_SESSION_SECRET = 'kinsight-development-only-secret-do-not-use-in-production';

/** Parse and validate configuration from an environment (process.env by default). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`));
  }
  const e = parsed.data;
  return {
    environment: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    database: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL }
      : { kind: 'pglite', dataDir: path.resolve(e.KINSIGHT_DATA_DIR, 'pglite') },
    sessionSecret: e.SESSION_SECRET ?? DEVELOPMENT_SESSION_SECRET,
    partnershipName: e.PARTNERSHIP_NAME,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY === 'true',
    oidc:
      e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET && e.OIDC_REDIRECT_URI
        ? {
            issuer: e.OIDC_ISSUER,
            clientId: e.OIDC_CLIENT_ID,
            clientSecret: e.OIDC_CLIENT_SECRET,
            redirectUri: e.OIDC_REDIRECT_URI,
            scopes: e.OIDC_SCOPES,
            displayName: e.OIDC_DISPLAY_NAME,
          }
        : null,
  };
}
