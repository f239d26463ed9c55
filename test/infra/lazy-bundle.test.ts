/**
 * unpdf (pdf.js) is left out of the functions' index.js and bundled into an ES module file of its
 * own beside it (infra/bundling.ts LAZY_PACKAGES): built by bundleFunction (the benchmark, this
 * test) and by the shell command NodejsFunction's afterBundling hook runs (lazyBundleCommand), byte
 * for byte the same; index.js loads without it; the first PDF loads it from beside index.js,
 * wherever the process runs; a bundle that does not import it gets no such file.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUNDLE_FILE,
  BUNDLING,
  bundleFunction,
  bundleImports,
  LAZY_FILE,
  LAZY_PACKAGE_CHECKS,
  LAZY_PACKAGES,
  lazyBundleCommand,
  lazyBundles,
  lazyPackagesOf,
  esbuildOptions,
} from '../../infra/bundling';
import { nodejsBundling, REPO_ROOT } from '../../infra/function';
import { assertPatched, pdfjsFile, removePatches } from '../../infra/pdfjs-patches';
import { functionEnv } from '../../bench/bundles';

let dir: string;
let withPdf: string;
let lazy: string[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'segwatch-lazy-'));
  withPdf = join(dir, 'with-pdf');
  // The parse function's init plus a PDF entry point (what the parse function becomes once PDFs arrive through it).
  lazy = await bundleFunction(join(REPO_ROOT, 'bench/pdf-cold.ts'), withPdf, {
    absWorkingDir: REPO_ROOT,
    logLevel: 'silent',
  });
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('lazy packages', () => {
  it('are external to index.js, in the CDK options too, and the hook builds them', () => {
    expect(LAZY_PACKAGES).toContain('unpdf');
    expect(BUNDLING.externalModules).toEqual([...LAZY_PACKAGES]);
    expect(nodejsBundling().externalModules).toEqual([...LAZY_PACKAGES]);
    const hooks = nodejsBundling().commandHooks!;
    expect(hooks.afterBundling('/in', '/out/dir')).toEqual([lazyBundleCommand('/out/dir')]);
    expect(hooks.beforeBundling('/in', '/out')).toEqual([]);
  });

  it('index.js keeps `import("unpdf")` and none of pdf.js; unpdf sits in node_modules/unpdf/index.mjs beside it', () => {
    expect(lazy).toEqual(['unpdf']);
    const code = readFileSync(join(withPdf, BUNDLE_FILE), 'utf8');
    expect(bundleImports(code, 'unpdf')).toBe(true);
    expect(code).not.toMatch(/PDFDocumentProxy|TextLayerBuilder|pdfjsVersion/);
    expect(statSync(join(withPdf, BUNDLE_FILE)).size).toBeLessThan(1_200_000);
    const side = join(withPdf, 'node_modules', 'unpdf', LAZY_FILE);
    expect(statSync(side).size).toBeGreaterThan(1_000_000);
    expect(readFileSync(side, 'utf8')).toMatch(/getResolvedPDFJS/);
    expect(JSON.parse(readFileSync(join(withPdf, 'node_modules', 'unpdf', 'package.json'), 'utf8'))).toEqual({
      name: 'unpdf',
      private: true,
      type: 'module',
      main: LAZY_FILE,
    });
  });

  it('index.js loads with unpdf gone; the first PDF loads it from beside index.js (run from another directory)', () => {
    const pdf = join(REPO_ROOT, 'test/fixtures/renderings/citigroup-2014-11-06-initial.chromium.pdf');
    const side = join(withPdf, 'node_modules');
    const away = join(dir, 'node_modules-away');
    const script = `
      const fs = require('fs');
      fs.renameSync(${JSON.stringify(side)}, ${JSON.stringify(away)});
      let loaded = false;
      try { require(${JSON.stringify(join(withPdf, BUNDLE_FILE))}); loaded = true; } finally { fs.renameSync(${JSON.stringify(away)}, ${JSON.stringify(side)}); }
      require(${JSON.stringify(join(withPdf, BUNDLE_FILE))}).firstPdf(fs.readFileSync(${JSON.stringify(pdf)})).then((r) => process.stdout.write(JSON.stringify({ loaded, r })));`;
    const out = JSON.parse(
      execFileSync(process.execPath, ['-e', script], {
        env: functionEnv('parse'),
        cwd: tmpdir(),
        encoding: 'utf8',
        timeout: 60_000,
      }),
    );
    expect(out).toEqual({ loaded: true, r: { ok: true, alerts: 0 } });
  });

  it("the afterBundling hook's command builds the same files, and none for a bundle that does not import unpdf", () => {
    const viaHook = join(dir, 'via-hook');
    mkdirSync(viaHook, { recursive: true });
    copyFileSync(join(withPdf, BUNDLE_FILE), join(viaHook, BUNDLE_FILE));
    execFileSync('bash', ['-c', lazyBundleCommand(viaHook)], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 120_000,
    });
    for (const f of [LAZY_FILE, `${LAZY_FILE}.map`, 'package.json'])
      expect(
        readFileSync(join(viaHook, 'node_modules', 'unpdf', f)).equals(
          readFileSync(join(withPdf, 'node_modules', 'unpdf', f)),
        ),
        f,
      ).toBe(true);

    const none = join(dir, 'none');
    mkdirSync(none, { recursive: true });
    writeFileSync(join(none, BUNDLE_FILE), '"use strict";module.exports={handler(){}};');
    execFileSync('bash', ['-c', lazyBundleCommand(none)], { cwd: REPO_ROOT, timeout: 60_000 });
    expect(existsSync(join(none, 'node_modules'))).toBe(false);
    expect(lazyBundles(none, 'module.exports = {}')).toEqual([]);
  });

  it("a function's own lazy packages (FUNCTION_LAZY_PACKAGES): the api's S3 SDK, external only for the api", () => {
    expect(lazyPackagesOf('functions/api/index.ts')).toEqual([
      ...LAZY_PACKAGES,
      '@aws-sdk/client-s3',
      '@aws-sdk/s3-request-presigner',
    ]);
    expect(lazyPackagesOf(join(REPO_ROOT, 'functions/api/index.ts'))).toEqual(lazyPackagesOf('functions/api/index.ts'));
    // parse reads every filing with the S3 client: it stays in parse's index.js.
    expect(lazyPackagesOf('functions/parse/index.ts')).toEqual([...LAZY_PACKAGES]);
    expect(esbuildOptions('functions/parse/index.ts', { outdir: '/o' }).external).toEqual([...LAZY_PACKAGES]);
    expect(esbuildOptions('functions/api/index.ts', { outdir: '/o' }).external).toEqual(
      lazyPackagesOf('functions/api/index.ts'),
    );
    const api = nodejsBundling('functions/api/index.ts');
    expect(api.externalModules).toEqual(lazyPackagesOf('functions/api/index.ts'));
    expect(api.commandHooks!.afterBundling('/in', '/out/api')).toEqual([
      lazyBundleCommand('/out/api', undefined, lazyPackagesOf('functions/api/index.ts')),
    ]);
  });

  it('a lazy package whose installed code fails its check (unpdf: pdf.js without its speed patches) is not bundled, in both builders', () => {
    expect(Object.keys(LAZY_PACKAGE_CHECKS)).toEqual(['unpdf']);
    // The installed pdf.js passes (the postinstall patched it): the builds above ran.
    expect(() => LAZY_PACKAGE_CHECKS.unpdf()).not.toThrow();
    // pdf.js as released fails, with what to do.
    const released = join(dir, 'pdfjs-as-released.mjs');
    writeFileSync(released, removePatches(readFileSync(pdfjsFile(), 'utf8')));
    expect(() => assertPatched(released)).toThrow(
      /lacks its speed patches text-transform, text-state-clone: `npm ci` or `npm install` applies them/,
    );
    const failing = { unpdf: () => assertPatched(released) };
    const code = '"use strict";module.exports={handler(){return import("unpdf")}};';
    expect(() => lazyBundles('/out', code, LAZY_PACKAGES, failing)).toThrow(/lacks its speed patches/);
    // (The shell command is made by lazyBundles in the CDK process, at bundling time: the same check.)
    expect(lazyBundles('/out', code, LAZY_PACKAGES).map((b) => b.name)).toEqual(['unpdf']);
    // A bundle that does not import the package does not check it.
    expect(lazyBundles('/out', 'module.exports = {}', LAZY_PACKAGES, failing)).toEqual([]);
  });

  it('a lazy package that the code imports statically fails the build (its ES module file could not be required), in both builders', () => {
    const code = '"use strict";const s3=require("@aws-sdk/client-s3");module.exports={handler(){}};';
    const packages = lazyPackagesOf('functions/api/index.ts');
    expect(() => lazyBundles('/out', code, packages)).toThrow(
      /@aws-sdk\/client-s3 is a lazy package of this function .* imports it statically/,
    );
    const bad = join(dir, 'static');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, BUNDLE_FILE), code);
    expect(() =>
      execFileSync('bash', ['-c', lazyBundleCommand(bad, undefined, packages)], {
        cwd: REPO_ROOT,
        stdio: 'pipe',
        timeout: 60_000,
      }),
    ).toThrow(/imports it statically/);
    expect(existsSync(join(bad, 'node_modules'))).toBe(false);
  });
});
