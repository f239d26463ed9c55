/**
 * Security of every response: the headers (CSP without inline script or style, nosniff,
 * Referrer-Policy, frame denial, no-store), no CORS ever, and escaping: every value that comes
 * from a filing or an upload (firm name, statement title, line labels, object keys) is text in
 * the page, whatever it holds.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/api/app';
import { cognitoAuth } from '../../functions/api/auth';
import { STYLESHEET_PATH } from '../../functions/api/style';
import { firmIdOf } from '../../shared/domain/parser';
import { FakeReadQueries, listSource } from '../support/fake-read';
import { scenarioQueries, SCENARIO_TODAY } from '../support/web-app';
import { buildFiling, firmId, SCENARIO_FIRMS, SCENARIO_TO, template } from '../support/web-scenario';
import { Decimal } from '../../shared/domain/money';

let app: ReturnType<typeof createApp>;
let signedIn: ReturnType<typeof createApp>;

beforeAll(() => {
  const queries = scenarioQueries();
  const objects = { url: async () => 'https://objects.example/x' };
  app = createApp({ queries, auth: null, today: () => SCENARIO_TODAY, objects });
  // With sign-in (a verifier that refuses everything): the redirect and 401 answers too.
  signedIn = createApp({
    queries,
    auth: cognitoAuth(
      {
        userPoolId: 'us-east-1_x',
        clientId: 'c',
        domain: 'https://d.auth.us-east-1.amazoncognito.com',
        callbackUrl: 'https://a/callback',
        logoutUrl: 'https://a/logout',
      },
      {
        verifier: {
          verify: async () => {
            throw new Error('no');
          },
        },
      },
    ),
    https: true,
  });
});

const markup = firmId('markup');
const PATHS: [string, number][] = [
  ['/', 200],
  ['/days/2014-10-20', 200],
  [`/firms/${markup}`, 200],
  [`/firms/${markup}/days/${SCENARIO_TO}`, 200],
  [`/firms/${markup}/history.csv`, 200],
  [`/firms/${markup}/days/${SCENARIO_TO}/original`, 302],
  ['/alerts', 200],
  ['/calendar/2014', 200],
  ['/calendar', 302],
  ['/api/board', 200],
  [`/api/firms/${markup}/history`, 200],
  [`/api/firms/${markup}/days/${SCENARIO_TO}`, 200],
  ['/api/alerts', 200],
  ['/api/calendar/2014', 200],
  ['/health', 200],
  [STYLESHEET_PATH, 200],
  ['/favicon.svg', 200],
  ['/firms/nobody', 404],
  ['/api/firms/nobody/history', 404],
  ['/days/2014-99-99', 400],
  ['/api/alerts?severity=x', 400],
  ['/no/such/page', 404],
];

function expectSecurityHeaders(r: Response, what: string): void {
  const csp = r.headers.get('content-security-policy') ?? '';
  expect(csp, what).toMatch(/(^|; )default-src 'self'(;|$)/);
  expect(csp, what).toMatch(/script-src 'none'/);
  expect(csp, what).toMatch(/frame-ancestors 'none'/);
  expect(csp, what).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  expect(r.headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(r.headers.get('x-frame-options'), what).toBe('DENY');
  expect(r.headers.get('referrer-policy'), what).toBe('no-referrer');
  for (const h of [
    'access-control-allow-origin',
    'access-control-allow-credentials',
    'access-control-allow-methods',
    'access-control-allow-headers',
  ])
    expect(r.headers.get(h), `${what}: ${h}`).toBeNull();
}

describe('security headers on every response, no CORS', () => {
  it.each(PATHS)('%s (%i)', async (path, status) => {
    const r = await app.request(path, { headers: { origin: 'https://evil.example' } });
    expect(r.status).toBe(status);
    expectSecurityHeaders(r, path);
    if (path !== STYLESHEET_PATH && path !== '/favicon.svg')
      expect(r.headers.get('cache-control'), path).toBe('no-store');
  });

  it('a failing request (500) has them too', async () => {
    const broken = createApp({
      queries: {
        board: async () => {
          throw new Error('x');
        },
      } as never,
      auth: null,
    });
    const r = await broken.request('/');
    expect(r.status).toBe(500);
    expectSecurityHeaders(r, '500');
  });

  it('a CORS preflight gets no CORS answer', async () => {
    const r = await app.request('/api/board', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(r.status).toBe(404);
    expectSecurityHeaders(r, 'OPTIONS');
  });

  it('signed out: the redirect to sign-in, the 401 and the sign-in pages have them, and HSTS', async () => {
    for (const path of ['/', '/api/board', '/login', '/logout', '/callback', '/health']) {
      const r = await signedIn.request(path, { headers: { origin: 'https://evil.example' } });
      expectSecurityHeaders(r, path);
      expect(r.headers.get('strict-transport-security'), path).toMatch(/max-age=31536000/);
    }
  });

  it('compressed answers keep them (gzip for browsers that ask)', async () => {
    const r = await app.request(`/firms/${markup}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(r.headers.get('content-encoding')).toBe('gzip');
    expectSecurityHeaders(r, 'gzip');
  });
});

describe('escaping: what a filing says is text', () => {
  const pages = ['/', `/firms/${markup}`, `/firms/${markup}/days/${SCENARIO_TO}`, '/alerts', `/alerts?firm=${markup}`];

  it.each(pages)('%s: no markup from the data, the firm name shown as text', async (path) => {
    const html = await (await app.request(path)).text();
    // The app sends no script at all: any <script in a page came from data.
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<b>Futures<\/b>/);
    expect(html).not.toMatch(/<i>Funds/);
    if (!path.startsWith('/alerts'))
      expect(html).toContain(
        '&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; Evil &amp; Sons &lt;b&gt;Futures&lt;/b&gt;',
      );
  });

  it('the filing page shows the statement title, line labels and object keys as text', async () => {
    const html = await (await app.request(`/firms/${markup}/days/${SCENARIO_TO}`)).text();
    expect(html).toContain('Daily Segregation - &lt;img src=x onerror=alert(1)&gt; Swaps Statement');
    expect(html).toContain('&lt;i&gt;Funds&lt;/i&gt; on hand &quot;12A&quot; &amp; more');
    expect(html).toContain(`incoming/&lt;script&gt;alert(1)&lt;/script&gt; ${SCENARIO_TO}.txt`);
  });

  it('JSON keeps the value as it is (it is data, served as application/json)', async () => {
    const r = await app.request(`/api/firms/${markup}/history`);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await r.json()) as { firmName: string }).firmName).toBe(SCENARIO_FIRMS.markup.firmName);
  });

  it('any firm name renders as exactly its escaped text (property)', async () => {
    const escape = (s: string) =>
      s
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;')
        .replace(/'/g, '&#39;');
    const base = template();
    const PLACEHOLDER = 'Zzplaceholderzz Futures';
    const render = async (name: string) => {
      const id = 'the-firm';
      const plans = {
        segregation: { scale: new Decimal('0.1'), target: new Decimal(20000000), excess: new Decimal(25000000) },
      };
      const filing = buildFiling(
        base,
        { firmName: name, firmId: id, endDate: '2014-11-06', submitDate: '2014-11-07', filingType: 'INITIAL' },
        plans,
      );
      const q = new FakeReadQueries(
        listSource([{ filing, arrivedAt: '2014-11-07T14:00:00.000Z', source: { bucket: 'b', key: 'incoming/f.txt' } }]),
      );
      const a = createApp({ queries: q, auth: null, today: () => SCENARIO_TODAY });
      return Promise.all(['/', `/firms/${id}`].map(async (p) => (await a.request(p)).text()));
    };
    const expected = await render(PLACEHOLDER);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({
            minLength: 1,
            maxLength: 40,
            unit: fc.constantFrom(
              '<',
              '>',
              '&',
              '"',
              "'",
              '/',
              '=',
              ' ',
              'a',
              'b',
              'script',
              'onerror',
              '\u2028',
              '`',
              '\\',
            ),
          }),
          fc.string({ minLength: 1, maxLength: 30, unit: 'grapheme' }),
        ),
        async (name) => {
          const got = await render(name);
          got.forEach((html, i) => expect(html).toBe(expected[i].split(PLACEHOLDER).join(escape(name))));
        },
      ),
      { numRuns: 60 },
    );
    expect(firmIdOf(PLACEHOLDER)).toBe('zzplaceholderzz-futures');
  });
});
