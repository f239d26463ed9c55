/**
 * The one test file that bundles for real: NodejsFunction runs esbuild for the pipeline's three handlers and the api's.
 * Checks the bundles exist, are self-contained CommonJS exporting `handler`, load with exactly the
 * environment the stack gives each function, and are byte-identical to what `esbuildOptions()`
 * (infra/bundling.ts, used by the benchmark) produces.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import {
  BUNDLE_FILE,
  BUNDLING,
  bundleImports,
  esbuildOptions,
  LAZY_FILE,
  LAZY_PACKAGES,
  lazyPackagesOf,
} from '../../infra/bundling';
import { nodejsBundling, REPO_ROOT } from '../../infra/function';
import { logicalId, synth, type Synth } from './support';
import { functionEnv } from '../../bench/bundles';

const FUNCTIONS = [
  { name: 'parse', entry: 'functions/parse/index.ts' },
  { name: 'reconcile', entry: 'functions/reconcile/index.ts' },
  { name: 'notify', entry: 'functions/notify/index.ts' },
  { name: 'api', entry: 'functions/api/index.ts' },
] as const;

const fnOf = (st: Synth['stack'], name: (typeof FUNCTIONS)[number]['name']) =>
  ({ parse: st.parseFn, reconcile: st.reconcileFn, notify: st.notifyFn, api: st.dashboard.fn })[name];

let dir: string;
let s: Synth;
let assetDirOf: Record<string, string>;

/** Bundle every handler with esbuildOptions() into `<dir>/esbuild-<round>/<name>`. */
const bundleAll = (round: string) =>
  Promise.all(
    FUNCTIONS.map(({ name, entry }) =>
      build({
        ...esbuildOptions(join(REPO_ROOT, entry), { outdir: join(dir, `esbuild-${round}`, name) }),
        logLevel: 'silent',
      }),
    ),
  );

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'segwatch-bundle-'));
  // Other people edit the working tree while tests run: bundle with esbuildOptions() just before
  // and just after the CDK bundles, so a comparison is never against a different source tree.
  await bundleAll('before');
  s = synth({ bundle: true, outdir: join(dir, 'cdk.out') });
  await bundleAll('after');
  const assembly = s.app.synth();
  assetDirOf = {};
  for (const { name } of FUNCTIONS) {
    const fn = fnOf(s.stack, name);
    const key = s.json.Resources[logicalId(s.stack, fn)]!.Properties!.Code.S3Key as string;
    assetDirOf[name] = join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
  }
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('bundling settings', () => {
  it('the CDK bundling options are made from BUNDLING', () => {
    const b = nodejsBundling();
    expect(b.target).toBe(BUNDLING.target);
    expect(b.target).toBe('node22');
    expect(b.format).toBe(OutputFormat.CJS);
    expect(b.minify).toBe(true);
    expect(b.sourceMap).toBe(true);
    expect(b.sourcesContent).toBe(BUNDLING.sourcesContent);
    expect(b.keepNames).toBe(BUNDLING.keepNames);
    expect(b.mainFields).toEqual([...BUNDLING.mainFields]);
    expect(b.externalModules).toEqual([...BUNDLING.externalModules]);
  });

  it('esbuildOptions() gives plain esbuild options for one entry', () => {
    const o = esbuildOptions('functions/parse/index.ts', { outdir: '/tmp/x/' });
    expect(o).toMatchObject({
      entryPoints: ['functions/parse/index.ts'],
      bundle: true,
      outfile: `/tmp/x/${BUNDLE_FILE}`,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      minify: true,
      sourcemap: true,
      external: [...LAZY_PACKAGES],
    });
    expect(esbuildOptions('e.ts', { outfile: '/o/f.js' }).outfile).toBe('/o/f.js');
  });
});

describe('real bundles', () => {
  for (const { name, entry } of FUNCTIONS) {
    it(`${name}: a non-trivial CommonJS bundle with a source map, the AWS SDK inside`, () => {
      const js = join(assetDirOf[name]!, 'index.js');
      expect(existsSync(js)).toBe(true);
      expect(statSync(js).size).toBeGreaterThan(10_000);
      const map = JSON.parse(readFileSync(join(assetDirOf[name]!, 'index.js.map'), 'utf8')) as {
        sources: string[];
        mappings: string;
      };
      expect(map.mappings.length).toBeGreaterThan(0);
      expect(map.sources.some((src) => src.endsWith(entry))).toBe(true);
      const code = readFileSync(js, 'utf8');
      expect(code).toMatch(/sourceMappingURL=index\.js\.map/);
      // Bundled, not left to the runtime: no require() of an npm package remains (only Node.js
      // built-ins; a require inside an error message's text, "[require(...)]", is not a call).
      const required = [...code.matchAll(/(?<![[\w.$])require\("([^"]+)"\)/g)].map((m) => m[1]!);
      expect(required.length).toBeGreaterThan(0);
      for (const mod of required) expect(mod, `${name} requires ${mod}`).toMatch(/^(node:)?[a-z_]+(\/[a-z_/]+)?$/);
      expect(required.filter((m) => m.startsWith('@'))).toEqual([]);
    });

    it(`${name}: loads with exactly the environment the stack gives it and exports handler`, () => {
      const vars = s.json.Resources[logicalId(s.stack, fnOf(s.stack, name))]!.Properties!.Environment
        .Variables as Record<string, unknown>;
      const env: Record<string, string> = { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1' };
      // A value the template leaves to CloudFormation (a Ref, a GetAtt) gets what the benchmark gives it (a pool id, a URL), else a placeholder.
      const likely = functionEnv(name);
      for (const [k, v] of Object.entries(vars))
        env[k] = typeof v === 'string' ? v : (likely[k] ?? `resolved-${k.toLowerCase()}`);
      if (env.TOPIC_ARN) env.TOPIC_ARN = 'arn:aws:sns:us-east-1:000000000000:segwatch-alerts';
      const out = execFileSync(
        process.execPath,
        [
          '-e',
          `const m = require(${JSON.stringify(join(assetDirOf[name]!, 'index.js'))}); process.stdout.write(typeof m.handler);`,
        ],
        { env, encoding: 'utf8', timeout: 30_000 },
      );
      expect(out).toBe('function');
    });

    it(`${name}: a lazy package's file (infra/bundling.ts lazyPackagesOf) beside index.js exactly when index.js imports it`, () => {
      const code = readFileSync(join(assetDirOf[name]!, 'index.js'), 'utf8');
      for (const pkg of lazyPackagesOf(entry))
        expect(existsSync(join(assetDirOf[name]!, 'node_modules', pkg, LAZY_FILE)), pkg).toBe(bundleImports(code, pkg));
    });

    it(`${name}: esbuildOptions() reproduces the deployed bundle byte for byte`, () => {
      const cdkJs = readFileSync(join(assetDirOf[name]!, 'index.js'));
      const round = ['before', 'after'].find((r) =>
        readFileSync(join(dir, `esbuild-${r}`, name, BUNDLE_FILE)).equals(cdkJs),
      );
      expect(round, 'the CDK bundle equals an esbuildOptions() bundle of the same sources').toBeDefined();
      const mine = JSON.parse(readFileSync(join(dir, `esbuild-${round}`, name, `${BUNDLE_FILE}.map`), 'utf8'));
      const cdk = JSON.parse(readFileSync(join(assetDirOf[name]!, 'index.js.map'), 'utf8'));
      expect(mine.mappings).toBe(cdk.mappings);
      expect(mine.names).toEqual(cdk.names);
    });
  }
});
