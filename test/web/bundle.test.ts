/**
 * The api function as deployed: bundled with the stack's esbuild settings (infra/bundling.ts),
 * loaded in a fresh node process with the environment the stack gives it, and handed API Gateway
 * HTTP API (payload 2.0) events: it answers /health, keeps /api/* behind sign-in (401), sends pages
 * to the hosted sign-in, and every answer carries the security headers. Its link to an original
 * filing loads the S3 SDK from the lazy files beside index.js and signs as the SDK does unbundled.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_FILE, bundleFunction, LAZY_FILE } from '../../infra/bundling';
import { apiEnv } from '../../bench/bundles';
import { s3ClientConfig } from '../../shared/adapters/clients';

const REPO = resolve(__dirname, '../..');
let dir: string;
let bytes = 0;
let lazy: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'segwatch-api-bundle-'));
  lazy = await bundleFunction(join(REPO, 'functions/api/index.ts'), dir, { absWorkingDir: REPO, logLevel: 'error' });
  bytes = statSync(join(dir, BUNDLE_FILE)).size;
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

describe("the api bundle's links to original filings", () => {
  it('leave the S3 SDK out of index.js: the client and the presigner are lazy files beside it', () => {
    expect(lazy.sort()).toEqual(['@aws-sdk/client-s3', '@aws-sdk/s3-request-presigner']);
    const code = readFileSync(join(dir, BUNDLE_FILE), 'utf8');
    for (const name of lazy) {
      expect(code).toContain(`import(${JSON.stringify(name)})`);
      expect(code).not.toContain(`require(${JSON.stringify(name)})`);
      expect(existsSync(join(dir, 'node_modules', name, LAZY_FILE)), name).toBe(true);
    }
    // S3's own code (its XML error parser, its command list) is not in index.js.
    expect(code).not.toContain('PutBucketLifecycleConfiguration');
  });

  it('sign in the bundle exactly as the SDK does unbundled (same URL for the same instant), and only for incoming/ of the bucket', () => {
    const env = apiEnv();
    const script = join(dir, 'link.js');
    writeFileSync(
      script,
      `'use strict';\nconst { objects } = require('./${BUNDLE_FILE}');\n(async () => {\n  const url = await objects.url({ bucket: process.env.BUCKET_NAME, key: 'incoming/2014/a filing (1).txt' });\n  const other = await objects.url({ bucket: 'another-bucket', key: 'incoming/x.txt' });\n  process.stdout.write('\\nRESULTS ' + JSON.stringify({ url, other }) + '\\n');\n})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });\n`,
    );
    const out = execFileSync(process.execPath, [script], { env, encoding: 'utf8', timeout: 30_000 });
    const { url, other } = JSON.parse(
      out
        .split('\n')
        .find((l) => l.startsWith('RESULTS '))!
        .slice('RESULTS '.length),
    ) as { url: string; other: string | null };
    expect(other).toBeNull();
    const u = new URL(url);
    expect(u.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(u.searchParams.get('response-content-disposition')).toBe('attachment; filename="a_filing__1_.txt"');
    // The same request signed here, by the SDK as installed, at the instant the bundle signed.
    const amzDate = u.searchParams.get('X-Amz-Date')!;
    const signingDate = new Date(
      `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
    );
    return expectSameSignature(url, env, signingDate);
  });
});

async function expectSameSignature(url: string, env: Record<string, string>, signingDate: Date): Promise<void> {
  const client = new S3Client({
    ...s3ClientConfig(),
    region: env.AWS_REGION,
    endpoint: env.AWS_ENDPOINT_URL_S3,
    forcePathStyle: env.S3_FORCE_PATH_STYLE === 'true',
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
  });
  const u = new URL(url);
  const bucket = u.pathname.split('/')[1] || u.hostname.split('.')[0];
  const expected = await getSignedUrl(
    client,
    new GetObjectCommand({
      Bucket: bucket,
      Key: 'incoming/2014/a filing (1).txt',
      ResponseContentDisposition: 'attachment; filename="a_filing__1_.txt"',
    }),
    { expiresIn: 60, signingDate },
  );
  expect(url).toBe(expected);
  expect(u.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
}
