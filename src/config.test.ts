import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('configuration', () => {
  it('defaults to the embedded database in a data folder, on port 3000', () => {
    const config = loadConfig({});
    expect(config.database.kind).toBe('pglite');
    expect(config.database.kind === 'pglite' && config.database.dataDir).toMatch(/data[/\\]pglite$/);
    expect(config.port).toBe(3000);
  });

  it('uses PostgreSQL when DATABASE_URL is set', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@db.example/kinsight' });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://u@db.example/kinsight' });
  });

  it('keeps the data folder configurable', () => {
    const config = loadConfig({ KINSIGHT_DATA_DIR: '/srv/kinsight' });
    expect(config.database).toEqual({ kind: 'pglite', dataDir: '/srv/kinsight/pglite' });
  });

  it('refuses to start in production without a database and a session secret, naming both', () => {
    let error: unknown;
    try {
      loadConfig({ NODE_ENV: 'production' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('DATABASE_URL is required in production');
    expect(problems).toContain('SESSION_SECRET is required in production');
  });

  it('starts in production with both set', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgresql://k@db/kinsight',
      SESSION_SECRET: 'x'.repeat(40),
    });
    expect(config.environment).toBe('production');
    expect(config.sessionSecret).toBe('x'.repeat(40));
  });

  it('rejects a port that is not a port, saying which setting is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
  });
});

describe('OIDC sign-in configuration', () => {
  const oidc = {
    OIDC_ISSUER: 'https://login.example.nhs.uk/realms/kinsight',
    OIDC_CLIENT_ID: 'kinsight-marlshire',
    OIDC_CLIENT_SECRET: 'a-client-secret',
    OIDC_REDIRECT_URI: 'https://kinsight.example.org/sign-in/oidc/callback',
  };

  function problemsOf(env: NodeJS.ProcessEnv): string {
    try {
      loadConfig(env);
    } catch (e) {
      if (e instanceof ConfigError) return e.problems.join('\n');
      throw e;
    }
    throw new Error('the configuration was accepted');
  }

  it('is off when none of the four OIDC settings is given', () => {
    expect(loadConfig({}).oidc).toBeNull();
  });

  it('is on with all four, defaulting the scopes and the button words', () => {
    expect(loadConfig(oidc).oidc).toEqual({
      issuer: oidc.OIDC_ISSUER,
      clientId: oidc.OIDC_CLIENT_ID,
      clientSecret: oidc.OIDC_CLIENT_SECRET,
      redirectUri: oidc.OIDC_REDIRECT_URI,
      scopes: 'openid profile email',
      displayName: 'Sign in with your organisation account',
    });
  });

  it('takes the scopes and the button words when they are given', () => {
    const config = loadConfig({ ...oidc, OIDC_SCOPES: 'openid profile nationalrbacaccess', OIDC_DISPLAY_NAME: 'Sign in with NHS Care Identity' });
    expect(config.oidc?.scopes).toBe('openid profile nationalrbacaccess');
    expect(config.oidc?.displayName).toBe('Sign in with NHS Care Identity');
  });

  it('names every missing setting when only some of the four are given', () => {
    const problems = problemsOf({ OIDC_ISSUER: oidc.OIDC_ISSUER, OIDC_CLIENT_ID: oidc.OIDC_CLIENT_ID });
    expect(problems).toContain('OIDC_CLIENT_SECRET is required for OIDC sign-in');
    expect(problems).toContain('OIDC_REDIRECT_URI is required for OIDC sign-in');
    expect(problems).not.toMatch(/^OIDC_ISSUER|^OIDC_CLIENT_ID/m);
  });

  it('refuses scopes without openid', () => {
    expect(problemsOf({ ...oidc, OIDC_SCOPES: 'profile email' })).toContain('OIDC_SCOPES must include openid');
  });

  it('refuses a plain http issuer that is not this machine', () => {
    expect(problemsOf({ ...oidc, OIDC_ISSUER: 'http://login.example.nhs.uk' })).toContain('OIDC_ISSUER must be an https:// URL');
  });

  it('allows a plain http issuer and callback on this machine outside production, for development and tests', () => {
    const config = loadConfig({ ...oidc, OIDC_ISSUER: 'http://127.0.0.1:4000', OIDC_REDIRECT_URI: 'http://localhost:3000/sign-in/oidc/callback' });
    expect(config.oidc?.issuer).toBe('http://127.0.0.1:4000');
  });

  it('refuses plain http in production even on this machine', () => {
    const problems = problemsOf({
      ...oidc, NODE_ENV: 'production', DATABASE_URL: 'postgres://k@db/kinsight', SESSION_SECRET: 'x'.repeat(40),
      OIDC_ISSUER: 'http://127.0.0.1:4000', OIDC_REDIRECT_URI: 'http://127.0.0.1:3000/sign-in/oidc/callback',
    });
    expect(problems).toContain('OIDC_ISSUER must be an https:// URL');
    expect(problems).toContain('OIDC_REDIRECT_URI must be an https:// URL');
  });

  it('refuses an issuer that is not a URL, naming the setting', () => {
    expect(problemsOf({ ...oidc, OIDC_ISSUER: 'login.example.nhs.uk' })).toContain('OIDC_ISSUER must be an https:// URL');
  });
});
