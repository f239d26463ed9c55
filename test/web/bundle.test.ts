/**
 * The api function as deployed: bundled with the stack's esbuild settings (infra/bundling.ts),
 * loaded in a fresh node process with the environment the stack gives it, and handed API Gateway
 * HTTP API (payload 2.0) events: it answers /health, keeps /api/* behind sign-in (401), sends pages
 * to the hosted sign-in, and every answer carries the security headers.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_FILE, esbuildOptions } from '../../infra/bundling';
import { apiEnv } from '../../bench/bundles';

const REPO = resolve(__dirname, '../..');
let dir: string;
let bytes = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'segwatch-api-bundle-'));
  const r = await build({
    ...esbuildOptions(join(REPO, 'functions/api/index.ts'), { outdir: dir }),
    absWorkingDir: REPO,
    metafile: true,
  });
  bytes = Object.values(r.metafile!.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function event(path: string, headers: Record<string, string> = {}, cookies?: string[]) {
  return {
    ...(cookies ? { cookies } : {}),
    version: '2.0',
    routeKey: 'GET /{proxy+}',
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'abc123.execute-api.us-east-1.amazonaws.com', 'x-forwarded-proto': 'https', ...headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' },
      requestId: 'r1',
      routeKey: 'GET /{proxy+}',
      stage: '$default',
      time: '01/Dec/2026:12:00:00 +0000',
      timeEpoch: 1796126400000,
    },
    isBase64Encoded: false,
  };
}

/** Run the bundle's handler on events in a fresh process; its results as JSON. */
function invoke(
  events: unknown[],
): { statusCode: number; headers: Record<string, string>; body: string; cookies?: string[] }[] {
  const script = join(dir, 'invoke.js');
  writeFileSync(
    script,
    `'use strict';\nconst { handler } = require('./${BUNDLE_FILE}');\n(async () => {\n  const out = [];\n  for (const e of ${JSON.stringify(events)}) out.push(await handler(e, {}));\n  process.stdout.write('\\nRESULTS ' + JSON.stringify(out) + '\\n');\n})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });\n`,
  );
  // The function's logs (Powertools, JSON lines) go to stdout too: the results are the marked line.
  const stdout = execFileSync(process.execPath, [script], { env: apiEnv(), encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(
    stdout
      .split('\n')
      .find((l) => l.startsWith('RESULTS '))!
      .slice('RESULTS '.length),
  );
}

describe('the api bundle', () => {
  it('is small enough to start fast', () => {
    expect(bytes).toBeGreaterThan(10_000);
    expect(bytes).toBeLessThan(1_500_000);
  });

  it('answers API Gateway events: /health, 401 for /api/*, sign-in for pages, headers on all', () => {
    const [health, api, page, login, forged] = invoke([
      event('/health'),
      event('/api/board'),
      event('/firms/x'),
      event('/login'),
      event('/api/board', {}, ['__Host-segwatch-session=eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.']),
    ]);
    // A session cookie that is not a valid token of the pool (API Gateway passes cookies apart from the headers).
    expect(forged.statusCode).toBe(401);
    expect(health.statusCode).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
    expect(api.statusCode).toBe(401);
    expect(page.statusCode).toBe(302);
    expect(page.headers.location).toBe('/login?next=%2Ffirms%2Fx');
    expect(login.statusCode).toBe(302);
    expect(login.headers.location).toMatch(
      /^https:\/\/segwatch-bench\.auth\.us-east-1\.amazoncognito\.com\/oauth2\/authorize\?response_type=code&client_id=benchclient/,
    );
    expect(login.cookies?.[0]).toMatch(/^__Host-segwatch-login=.*HttpOnly; Secure; SameSite=Lax/);
    for (const r of [health, api, page, login]) {
      expect(r.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['strict-transport-security']).toMatch(/max-age/);
      expect(r.headers['access-control-allow-origin']).toBeUndefined();
    }
  });
});
