/**
 * Sign-in on AWS: Cognito's hosted sign-in with the authorization-code flow and PKCE (a public
 * client, no secret), and a session cookie holding the ID token, verified on every request with
 * aws-jwt-verify (signature against the pool's JWKS, issuer, audience = our client, expiry,
 * token_use = id). Cookies are `__Host-` prefixed: HttpOnly, Secure, Path=/, no Domain,
 * SameSite=Lax (the callback is a top-level navigation back from Cognito, which Lax allows).
 * Sign-out clears the cookies and ends the Cognito session through its /logout endpoint.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { signedOutPage, signInFailedPage } from './views/errors';

export interface User {
  sub: string;
  email: string | null;
  username: string | null;
}

export interface Auth {
  /** The signed-in user of the request's session cookie; null when there is none or it does not verify. */
  user(c: Context): Promise<User | null>;
  login(c: Context): Promise<Response> | Response;
  callback(c: Context): Promise<Response>;
  logout(c: Context): Response;
}

export interface CognitoConfig {
  userPoolId: string;
  clientId: string;
  /** The hosted sign-in's base URL, e.g. https://segwatch-123.auth.us-east-1.amazoncognito.com */
  domain: string;
  /** Registered on the app client, exactly. */
  callbackUrl: string;
  logoutUrl: string;
  scopes?: string[];
}

/** Verifies an ID token: anything with this shape (tests give the real verifier a JWKS of their own). */
export interface IdTokenVerifier {
  verify(token: string): Promise<Record<string, unknown>>;
}

export const SESSION_COOKIE = 'segwatch-session';
export const LOGIN_COOKIE = 'segwatch-login';
export const SIGNED_OUT_COOKIE = 'segwatch-signed-out';
const LOGIN_MAX_AGE = 600;

/** The verifier the function uses: ID tokens of this pool issued to this client, nothing else. */
export function idTokenVerifier(config: Pick<CognitoConfig, 'userPoolId' | 'clientId'>) {
  return CognitoJwtVerifier.create({ userPoolId: config.userPoolId, tokenUse: 'id', clientId: config.clientId });
}

const b64url = (b: Buffer) => b.toString('base64url');

/** Only a path on this site: "/x", never "//host" or "/\host" (which browsers read as another host). */
export function safeNext(next: string | undefined): string {
  if (!next || !/^\/(?![/\\])/.test(next) || /[\u0000-\u001f\u007f]/.test(next)) return '/';
  return next;
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface CognitoAuthOptions {
  verifier?: IdTokenVerifier;
  fetch?: typeof fetch;
  /** Seconds since the epoch. */
  now?: () => number;
  log?: (message: string, details?: Record<string, unknown>) => void;
}

export function cognitoAuth(config: CognitoConfig, opts: CognitoAuthOptions = {}): Auth {
  const verifier: IdTokenVerifier = opts.verifier ?? (idTokenVerifier(config) as unknown as IdTokenVerifier);
  const doFetch = opts.fetch ?? fetch;
  const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  const log = opts.log ?? (() => undefined);
  const domain = config.domain.replace(/\/+$/, '');
  const scopes = (config.scopes ?? ['openid', 'email']).join(' ');
  const cookie = { prefix: 'host' as const, path: '/', secure: true, httpOnly: true, sameSite: 'Lax' as const };

  const failed = (c: Context, message: string, status: 400 | 502 = 400) => {
    deleteCookie(c, LOGIN_COOKIE, { path: '/', secure: true, prefix: 'host' });
    return c.html(signInFailedPage(message), status);
  };

  return {
    async user(c) {
      const token = getCookie(c, SESSION_COOKIE, 'host');
      if (!token) return null;
      try {
        const p = await verifier.verify(token);
        return {
          sub: String(p.sub),
          email: typeof p.email === 'string' ? p.email : null,
          username: typeof p['cognito:username'] === 'string' ? (p['cognito:username'] as string) : null,
        };
      } catch (e) {
        log('session token rejected', { error: (e as Error).name, message: (e as Error).message });
        return null;
      }
    },

    login(c) {
      const state = b64url(randomBytes(24));
      const codeVerifier = b64url(randomBytes(32));
      const challenge = b64url(createHash('sha256').update(codeVerifier).digest());
      const next = safeNext(c.req.query('next'));
      setCookie(c, LOGIN_COOKIE, `${state}.${codeVerifier}.${b64url(Buffer.from(next))}`, {
        ...cookie,
        maxAge: LOGIN_MAX_AGE,
      });
      const params = new URLSearchParams({
        response_type: 'code',
        client_id: config.clientId,
        redirect_uri: config.callbackUrl,
        scope: scopes,
        state,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      return c.redirect(`${domain}/oauth2/authorize?${params}`, 302);
    },

    async callback(c) {
      const error = c.req.query('error');
      if (error) return failed(c, `The sign-in service said: ${c.req.query('error_description') ?? error}`);
      const code = c.req.query('code');
      const state = c.req.query('state');
      const saved = getCookie(c, LOGIN_COOKIE, 'host');
      if (!code || !state) return failed(c, 'The sign-in service sent no code.');
      const [savedState, codeVerifier, nextB64] = (saved ?? '').split('.');
      if (!saved || !savedState || !codeVerifier || !sameString(state, savedState))
        return failed(c, 'This sign-in did not start here, or took more than 10 minutes.');
      let tokens: { id_token?: string };
      try {
        const res = await doFetch(`${domain}/oauth2/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            client_id: config.clientId,
            code,
            redirect_uri: config.callbackUrl,
            code_verifier: codeVerifier,
          }).toString(),
        });
        if (!res.ok) {
          log('token exchange refused', { status: res.status });
          return failed(c, 'The sign-in service did not accept the sign-in code.', 502);
        }
        tokens = (await res.json()) as { id_token?: string };
      } catch (e) {
        log('token exchange failed', { error: (e as Error).message });
        return failed(c, 'The sign-in service could not be reached.', 502);
      }
      if (!tokens.id_token) return failed(c, 'The sign-in service sent no ID token.', 502);
      let exp: number;
      try {
        exp = Number((await verifier.verify(tokens.id_token)).exp);
      } catch (e) {
        log('issued token rejected', { error: (e as Error).name });
        return failed(c, 'The sign-in service sent a token that does not verify.', 502);
      }
      deleteCookie(c, LOGIN_COOKIE, { path: '/', secure: true, prefix: 'host' });
      setCookie(c, SESSION_COOKIE, tokens.id_token, { ...cookie, maxAge: Math.max(0, exp - now()) });
      return c.redirect(safeNext(Buffer.from(nextB64 ?? '', 'base64url').toString()), 302);
    },

    logout(c) {
      const returning = getCookie(c, SIGNED_OUT_COOKIE, 'host') !== undefined;
      for (const name of [SESSION_COOKIE, LOGIN_COOKIE])
        deleteCookie(c, name, { path: '/', secure: true, prefix: 'host' });
      // Back from Cognito's /logout: the Cognito session is over too.
      if (returning) {
        deleteCookie(c, SIGNED_OUT_COOKIE, { path: '/', secure: true, prefix: 'host' });
        return c.html(signedOutPage(), 200);
      }
      setCookie(c, SIGNED_OUT_COOKIE, '1', { ...cookie, maxAge: 120 });
      const params = new URLSearchParams({ client_id: config.clientId, logout_uri: config.logoutUrl });
      return c.redirect(`${domain}/logout?${params}`, 302);
    },
  };
}
