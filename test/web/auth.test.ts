/**
 * Sign-in on AWS, against tokens signed by a key set of the test's own (node:crypto RS256; the
 * real aws-jwt-verify verifier, given the JWKS directly): only a valid ID token of this pool and
 * client gets in; expired, wrong audience, wrong issuer, tampered, an access token in the ID
 * token's place, a token signed by another key, or no cookie at all: pages redirect to sign-in
 * and /api/* answers 401. The code flow with PKCE and sign-out, end to end against a fake token
 * endpoint.
 */
import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/api/app';
import { cognitoAuth, idTokenVerifier, safeNext, type CognitoConfig } from '../../functions/api/auth';
import { STYLESHEET_PATH } from '../../functions/api/style';
import { scenarioQueries, SCENARIO_TODAY } from '../support/web-app';

const REGION = 'us-east-1';
const CONFIG: CognitoConfig = {
  userPoolId: `${REGION}_TestPool1`,
  clientId: 'testclient0123456789abcdef',
  domain: 'https://segwatch-test.auth.us-east-1.amazoncognito.com',
  callbackUrl: 'https://dashboard.example.com/callback',
  logoutUrl: 'https://dashboard.example.com/logout',
};
const ISSUER = `https://cognito-idp.${REGION}.amazonaws.com/${CONFIG.userPoolId}`;
const KID = 'test-key-1';

let privateKey: KeyObject;
let otherKey: KeyObject;
let app: ReturnType<typeof createApp>;
const tokenRequests: URLSearchParams[] = [];
let nextTokenResponse: () => Response;

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
function jwt(
  payload: Record<string, unknown>,
  key: KeyObject = privateKey,
  header: Record<string, unknown> = { alg: 'RS256', kid: KID, typ: 'JWT' },
): string {
  const signingInput = `${b64(header)}.${b64(payload)}`;
  return `${signingInput}.${sign('RSA-SHA256', Buffer.from(signingInput), key).toString('base64url')}`;
}
const now = () => Math.floor(Date.now() / 1000);
function idToken(over: Record<string, unknown> = {}): string {
  return jwt({
    sub: 'a1b2c3d4-0000-4000-8000-000000000001',
    aud: CONFIG.clientId,
    iss: ISSUER,
    token_use: 'id',
    auth_time: now() - 60,
    iat: now() - 60,
    exp: now() + 3600,
    email: 'treasury@example.com',
    'cognito:username': 'treasury',
    jti: randomUUID(),
    ...over,
  });
}
function accessToken(): string {
  return jwt({
    sub: 'a1b2c3d4-0000-4000-8000-000000000001',
    client_id: CONFIG.clientId,
    iss: ISSUER,
    token_use: 'access',
    scope: 'openid email',
    iat: now() - 60,
    exp: now() + 3600,
    jti: randomUUID(),
    username: 'treasury',
  });
}
const cookie = (token: string) => ({ headers: { cookie: `__Host-segwatch-session=${token}` } });

beforeAll(() => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  privateKey = pair.privateKey;
  otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const verifier = idTokenVerifier(CONFIG);
  verifier.cacheJwks({
    keys: [
      { ...(pair.publicKey.export({ format: 'jwk' }) as Record<string, string>), kid: KID, alg: 'RS256', use: 'sig' },
    ] as never,
  });
  nextTokenResponse = () =>
    Response.json({
      id_token: idToken(),
      access_token: accessToken(),
      refresh_token: 'r',
      expires_in: 3600,
      token_type: 'Bearer',
    });
  const fakeFetch = (async (url: string | URL | Request, init?: RequestInit) => {
    expect(String(url)).toBe(`${CONFIG.domain}/oauth2/token`);
    expect(init?.method).toBe('POST');
    tokenRequests.push(new URLSearchParams(String(init?.body)));
    return nextTokenResponse();
  }) as typeof fetch;
  app = createApp({
    queries: scenarioQueries(),
    auth: cognitoAuth(CONFIG, { verifier: verifier as never, fetch: fakeFetch }),
    today: () => SCENARIO_TODAY,
    https: true,
  });
});

describe('the session cookie: only a valid ID token of this pool and client gets in', () => {
  const cases: [string, () => string][] = [
    ['expired', () => idToken({ exp: now() - 10, iat: now() - 3700 })],
    ['wrong audience (another app client)', () => idToken({ aud: 'someotherclient000000000000' })],
    [
      'wrong issuer (another user pool)',
      () => idToken({ iss: `https://cognito-idp.${REGION}.amazonaws.com/${REGION}_OtherPool` }),
    ],
    [
      'tampered (payload changed after signing)',
      () => {
        const [h, , s] = idToken().split('.');
        return `${h}.${b64({ sub: 'someone-else', aud: CONFIG.clientId, iss: ISSUER, token_use: 'id', exp: now() + 3600, iat: now() })}.${s}`;
      },
    ],
    ['an access token used as the ID token', () => accessToken()],
    [
      'signed by another key under the same key id',
      () =>
        jwt({ sub: 'x', aud: CONFIG.clientId, iss: ISSUER, token_use: 'id', exp: now() + 3600, iat: now() }, otherKey),
    ],
    [
      'alg none',
      () =>
        `${b64({ alg: 'none', kid: KID })}.${b64({ sub: 'x', aud: CONFIG.clientId, iss: ISSUER, token_use: 'id', exp: now() + 3600 })}.`,
    ],
    ['not a token', () => 'hello'],
  ];

  it('valid: pages and /api/* answer', async () => {
    const token = idToken();
    const page = await app.request('/', cookie(token));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Signed in as treasury@example.com');
    const api = await app.request('/api/board', cookie(token));
    expect(api.status).toBe(200);
    expect(((await api.json()) as { firms: unknown[] }).firms.length).toBeGreaterThan(0);
  });

  it.each(cases)('%s: the page redirects to sign-in, /api/* answers 401', async (_name, make) => {
    const token = make();
    const page = await app.request('/firms/harbor-futures-and-co?from=2014-10-01', cookie(token));
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe(
      `/login?next=${encodeURIComponent('/firms/harbor-futures-and-co?from=2014-10-01')}`,
    );
    const api = await app.request('/api/board', cookie(token));
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
  });

  it('no cookie: the same', async () => {
    expect((await app.request('/')).status).toBe(302);
    expect((await app.request('/api/alerts')).status).toBe(401);
    expect((await app.request(STYLESHEET_PATH)).status).toBe(302);
    expect((await app.request('/', { method: 'POST' })).status).toBe(401);
  });

  it('only /health, /login, /callback and /logout answer without a session', async () => {
    expect((await app.request('/health')).status).toBe(200);
    expect((await app.request('/login')).headers.get('location')).toMatch(/^https:\/\/segwatch-test\.auth\./);
    expect((await app.request('/callback')).status).toBe(400);
    expect((await app.request('/logout')).headers.get('location')).toMatch(
      /^https:\/\/segwatch-test\.auth\..*\/logout\?/,
    );
    for (const path of [
      '/',
      '/days/2014-11-06',
      '/firms/x',
      '/firms/x/days/2014-11-06',
      '/alerts',
      '/calendar/2014',
      '/nothing',
      '/favicon.svg',
    ])
      expect((await app.request(path)).status, path).toBe(302);
    for (const path of [
      '/api/board',
      '/api/firms/x/history',
      '/api/firms/x/days/2014-11-06',
      '/api/alerts',
      '/api/calendar/2014',
      '/api/nothing',
    ])
      expect((await app.request(path)).status, path).toBe(401);
  });
});

const setCookies = (r: Response) => r.headers.getSetCookie();
const cookieValue = (r: Response, name: string) =>
  setCookies(r)
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0]
    .slice(name.length + 1);

describe('sign-in: the authorization-code flow with PKCE', () => {
  it('login -> Cognito -> callback -> session cookie -> the page asked for', async () => {
    const login = await app.request(
      `/login?next=${encodeURIComponent('/firms/harbor-futures-and-co?from=2014-10-01')}`,
    );
    expect(login.status).toBe(302);
    const to = new URL(login.headers.get('location')!);
    expect(to.origin + to.pathname).toBe(`${CONFIG.domain}/oauth2/authorize`);
    expect(Object.fromEntries(to.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: CONFIG.clientId,
      redirect_uri: CONFIG.callbackUrl,
      code_challenge_method: 'S256',
      scope: 'openid email',
    });
    const loginCookie = setCookies(login).find((c) => c.startsWith('__Host-segwatch-login='))!;
    expect(loginCookie).toMatch(/; HttpOnly/);
    expect(loginCookie).toMatch(/; Secure/);
    expect(loginCookie).toMatch(/; SameSite=Lax/);
    expect(loginCookie).toMatch(/; Path=\//);
    expect(loginCookie).not.toMatch(/Domain=/i);
    const value = cookieValue(login, '__Host-segwatch-login')!;
    const [state, verifier] = value.split('.');
    expect(to.searchParams.get('state')).toBe(state);
    expect(to.searchParams.get('code_challenge')).toBe(createHash('sha256').update(verifier).digest('base64url'));

    const callback = await app.request(`/callback?code=the-code&state=${state}`, {
      headers: { cookie: `__Host-segwatch-login=${value}` },
    });
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/firms/harbor-futures-and-co?from=2014-10-01');
    const sent = tokenRequests.at(-1)!;
    expect(Object.fromEntries(sent)).toEqual({
      grant_type: 'authorization_code',
      client_id: CONFIG.clientId,
      code: 'the-code',
      redirect_uri: CONFIG.callbackUrl,
      code_verifier: verifier,
    });
    const session = setCookies(callback).find((c) => c.startsWith('__Host-segwatch-session='))!;
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; Secure/);
    expect(session).toMatch(/; SameSite=Lax/);
    const maxAge = Number(/Max-Age=(\d+)/.exec(session)![1]);
    expect(maxAge).toBeGreaterThan(3500);
    expect(maxAge).toBeLessThanOrEqual(3600);
    // The login cookie is cleared.
    expect(setCookies(callback).find((c) => c.startsWith('__Host-segwatch-login='))).toMatch(/Max-Age=0/);
    // And the session works.
    const token = cookieValue(callback, '__Host-segwatch-session')!;
    expect((await app.request('/firms/harbor-futures-and-co?from=2014-10-01', cookie(token))).status).toBe(200);
  });

  it('a callback whose state is not the one this browser started with is refused', async () => {
    const login = await app.request('/login');
    const value = cookieValue(login, '__Host-segwatch-login')!;
    const r = await app.request('/callback?code=c&state=forged', {
      headers: { cookie: `__Host-segwatch-login=${value}` },
    });
    expect(r.status).toBe(400);
    expect(cookieValue(r, '__Host-segwatch-session')).toBeUndefined();
    const noCookie = await app.request(`/callback?code=c&state=${value.split('.')[0]}`);
    expect(noCookie.status).toBe(400);
  });

  it('an error from Cognito, or a token that does not verify, gives no session', async () => {
    const denied = await app.request('/callback?error=access_denied&error_description=User+is+disabled');
    expect(denied.status).toBe(400);
    expect(await denied.text()).toContain('User is disabled');
    const login = await app.request('/login');
    const value = cookieValue(login, '__Host-segwatch-login')!;
    nextTokenResponse = () => Response.json({ id_token: accessToken() });
    try {
      const r = await app.request(`/callback?code=c&state=${value.split('.')[0]}`, {
        headers: { cookie: `__Host-segwatch-login=${value}` },
      });
      expect(r.status).toBe(502);
      expect(cookieValue(r, '__Host-segwatch-session')).toBeUndefined();
    } finally {
      nextTokenResponse = () => Response.json({ id_token: idToken() });
    }
  });

  it('next= only ever leads to a path on this site', () => {
    expect(safeNext('/firms/x?from=1')).toBe('/firms/x?from=1');
    for (const bad of [
      '//evil.example',
      '/\\evil.example',
      'https://evil.example',
      'javascript:alert(1)',
      '',
      undefined,
      '/x\n',
    ])
      expect(safeNext(bad as string)).toBe('/');
  });
});

describe('sign-out', () => {
  it('clears the cookies, ends the Cognito session, then says so', async () => {
    const out = await app.request('/logout', cookie(idToken()));
    expect(out.status).toBe(302);
    const to = new URL(out.headers.get('location')!);
    expect(to.origin + to.pathname).toBe(`${CONFIG.domain}/logout`);
    expect(Object.fromEntries(to.searchParams)).toEqual({ client_id: CONFIG.clientId, logout_uri: CONFIG.logoutUrl });
    expect(setCookies(out).find((c) => c.startsWith('__Host-segwatch-session='))).toMatch(/Max-Age=0/);
    const marker = cookieValue(out, '__Host-segwatch-signed-out')!;
    const back = await app.request('/logout', { headers: { cookie: `__Host-segwatch-signed-out=${marker}` } });
    expect(back.status).toBe(200);
    expect(await back.text()).toContain('You are signed out');
  });

  it('the signed-in page offers it; HSTS is on behind HTTPS', async () => {
    const r = await app.request('/', cookie(idToken()));
    expect(await r.text()).toContain('href="/logout"');
    expect(r.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });
});
