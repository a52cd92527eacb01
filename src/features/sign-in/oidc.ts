import * as client from 'openid-client';
import { isLoopbackHttpUrl, type OidcConfig } from '../../config.ts';

/**
 * Signing in through the organisation's identity provider (NHS CIS2, Entra ID)
 * with OpenID Connect: the authorization code flow with PKCE (S256), state and
 * nonce. Kinsight only learns who the provider says signed in (the ID token's
 * `sub`); which Kinsight account that is was decided by an administrator.
 */

/** The cookie that carries a started sign-in's secrets to the callback (signed, HTTP-only). */
export const OIDC_FLOW_COOKIE = 'kinsight_oidc';
/** How long someone has at the identity provider before the started sign-in is forgotten. */
export const OIDC_FLOW_SECONDS = 600;

/** What the browser carries between leaving for the provider and coming back. */
export interface PendingOidcSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** Milliseconds since the epoch, by the application clock. */
  startedAt: number;
}

const BASE64URL = /^[A-Za-z0-9_-]{16,128}$/;

export function encodePendingSignIn(p: PendingOidcSignIn): string {
  return [p.state, p.nonce, p.codeVerifier, String(p.startedAt)].join('.');
}

/** The pending sign-in a (verified) cookie value holds, or null if it is not shaped like one. */
export function decodePendingSignIn(value: string): PendingOidcSignIn | null {
  const [state, nonce, codeVerifier, startedAt, ...rest] = value.split('.');
  if (rest.length > 0 || !state || !nonce || !codeVerifier || !startedAt) return null;
  if (![state, nonce, codeVerifier].every((v) => BASE64URL.test(v)) || !/^\d{1,16}$/.test(startedAt)) return null;
  return { state, nonce, codeVerifier, startedAt: Number(startedAt) };
}

/**
 * Why a sign-in through the provider did not complete. `reason` is fixed, and
 * `code` is an OAuth error code (access_denied, invalid_grant) or the client
 * library's check that failed (OAUTH_INVALID_RESPONSE, ERR_JWT_EXPIRED): safe to
 * audit and log. Never the provider's free-text description, never a claim.
 */
export class OidcSignInError extends Error {
  constructor(
    readonly reason: 'provider-unavailable' | 'provider-refused' | 'invalid-response' | 'no-subject',
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(`OIDC sign-in did not complete: ${reason}${code ? ` (${code})` : ''}`, options);
    this.name = 'OidcSignInError';
  }
}

function errorCode(error: unknown): string | undefined {
  if (error instanceof client.AuthorizationResponseError || error instanceof client.ResponseBodyError) {
    return /^[a-z_]{1,64}$/.test(error.error) ? error.error : 'other';
  }
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z_]{1,64}$/.test(code) ? code : undefined;
}

function asSignInError(error: unknown): OidcSignInError {
  if (error instanceof OidcSignInError) return error;
  const code = errorCode(error);
  // The provider said no, at its own pages or at the token endpoint.
  if (error instanceof client.AuthorizationResponseError || error instanceof client.ResponseBodyError) {
    return new OidcSignInError('provider-refused', code, { cause: error });
  }
  // openid-client's checks: state, issuer, PKCE, the ID token's signature, audience, nonce, expiry.
  if (code && /^(OAUTH_|ERR_J)/.test(code)) return new OidcSignInError('invalid-response', code, { cause: error });
  // Anything else is the network or the provider being unwell.
  return new OidcSignInError('provider-unavailable', code, { cause: error });
}

/**
 * How to authenticate Kinsight to the token endpoint: client_secret_basic when
 * the provider offers it (the default in OpenID Connect when it says nothing),
 * else client_secret_post. Other methods (private_key_jwt) are not supported.
 */
export function clientAuthenticationFor(supported: readonly string[] | undefined): 'client_secret_basic' | 'client_secret_post' {
  if (!supported || supported.includes('client_secret_basic')) return 'client_secret_basic';
  if (supported.includes('client_secret_post')) return 'client_secret_post';
  throw new OidcSignInError('provider-unavailable', 'unsupported_client_authentication');
}

/** The relying party: discovery (once, on first use, retried if it failed), the redirect, and the callback. */
export function oidcRelyingParty(config: OidcConfig, options: { production: boolean; timeoutSeconds?: number }) {
  // Plain http only to a provider on this machine, outside production (tests and development).
  const insecure = !options.production && isLoopbackHttpUrl(config.issuer);
  if (config.issuer.startsWith('http:') && !insecure) {
    throw new Error('OIDC_ISSUER must be an https:// URL (plain http is allowed only for localhost or 127.0.0.1, outside production)');
  }
  const timeout = options.timeoutSeconds ?? 10;
  let discovered: Promise<client.Configuration> | undefined;

  async function discover(): Promise<client.Configuration> {
    const found = await client.discovery(
      new URL(config.issuer), config.clientId, undefined, client.ClientSecretBasic(config.clientSecret),
      { execute: insecure ? [client.allowInsecureRequests] : [], timeout },
    );
    const metadata = found.serverMetadata();
    if (clientAuthenticationFor(metadata.token_endpoint_auth_methods_supported) === 'client_secret_basic') return found;
    const withPost = new client.Configuration(metadata, config.clientId, undefined, client.ClientSecretPost(config.clientSecret));
    if (insecure) client.allowInsecureRequests(withPost);
    withPost.timeout = timeout;
    return withPost;
  }

  function configuration(): Promise<client.Configuration> {
    discovered ??= discover().catch((error: unknown) => {
      discovered = undefined; // try again next time: the provider may only have been briefly unreachable
      throw error instanceof OidcSignInError ? error : new OidcSignInError('provider-unavailable', errorCode(error), { cause: error });
    });
    return discovered;
  }

  return {
    /** Where to send the browser, and what it must bring back. */
    async start(now: Date): Promise<{ authorizationUrl: URL; pending: PendingOidcSignIn }> {
      const c = await configuration();
      const pending: PendingOidcSignIn = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        codeVerifier: client.randomPKCECodeVerifier(),
        startedAt: now.getTime(),
      };
      const authorizationUrl = client.buildAuthorizationUrl(c, {
        redirect_uri: config.redirectUri,
        scope: config.scopes,
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
      });
      return { authorizationUrl, pending };
    },

    /**
     * Check the provider's answer (state, issuer, PKCE, the ID token's signature,
     * audience, nonce and expiry) and return the subject it vouches for.
     * `query` is the callback's query string, without the leading '?'.
     */
    async finish(query: string, pending: PendingOidcSignIn): Promise<{ subject: string }> {
      const c = await configuration();
      // The registered redirect URI, not the Host header: what the provider was told.
      const currentUrl = new URL(config.redirectUri);
      currentUrl.search = query;
      try {
        const tokens = await client.authorizationCodeGrant(c, currentUrl, {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
        const subject = tokens.claims()?.sub;
        if (!subject) throw new OidcSignInError('no-subject');
        return { subject };
      } catch (error) {
        throw asSignInError(error);
      }
    },
  };
}
export type OidcRelyingParty = ReturnType<typeof oidcRelyingParty>;
