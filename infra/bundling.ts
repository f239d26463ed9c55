/**
 * How the Lambda handlers are bundled, as plain data: the CDK function construct (infra/function.ts)
 * turns it into NodejsFunction bundling options, and `esbuildOptions()` turns it into esbuild
 * BuildOptions so a benchmark (or anything else) can bundle a handler exactly as a deployment does.
 *
 * No AWS or CDK imports here: importing this file must stay cheap.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { BuildOptions } from 'esbuild';
import { assertPatched } from './pdfjs-patches';

/**
 * Packages a function needs only now and then, which are too big to load at every cold start:
 * each stays out of index.js (the code reaches it by a dynamic `import('<name>')`, which esbuild
 * keeps as it is for an external package) and is bundled, with the same settings, into
 * `node_modules/<name>/index.mjs` beside index.js, where Node's resolution finds it. Only functions
 * whose index.js imports the package get its file (lazyBundles). The file is an ES module: Node
 * would scan a CommonJS file of this size for its export names before import() could return it
 * (cjs-module-lexer, a third of a second on the first PDF).
 *
 * unpdf (pdf.js, 1.6 MB): needed only when a PDF arrives (shared/domain/formats/pdf.ts). Inside
 * index.js it would be read and parsed at every cold start of parse, 30-60 ms, even though its
 * code would never run without a PDF.
 */
export const LAZY_PACKAGES = ['unpdf'] as const;

/**
 * More lazy packages, for one function each (by its entry, relative to the project root): packages
 * that function reaches only by `import()`, though others import them at load. A lazy package must
 * never be imported statically by the function (lazyBundles refuses the build if it is).
 *
 * api: the S3 client and the presigner (150 KB, 20 ms of its cold start) serve only the link to a
 * filing's original file (functions/api/objects.ts); parse reads every filing with the S3 client,
 * so for it the client stays in index.js.
 */
export const FUNCTION_LAZY_PACKAGES: Readonly<Record<string, readonly string[]>> = {
  'functions/api/index.ts': ['@aws-sdk/client-s3', '@aws-sdk/s3-request-presigner'],
};

/**
 * What must hold of a lazy package's installed code before it is bundled: unpdf's pdf.js carries
 * the speed patches the tests ran with (infra/pdfjs-patches.ts).
 */
export const LAZY_PACKAGE_CHECKS: Readonly<Record<string, () => void>> = {
  unpdf: () => assertPatched(),
};

/** The project root (infra/..), which entries and packages are resolved from. */
const PROJECT_ROOT = resolve(__dirname, '..');

/** The lazy packages of the function whose handler is `entry` (a path, absolute or from the project root). */
export function lazyPackagesOf(entry: string): string[] {
  const rel = relative(PROJECT_ROOT, resolve(PROJECT_ROOT, entry)).split('\\').join('/');
  return [...LAZY_PACKAGES, ...(FUNCTION_LAZY_PACKAGES[rel] ?? [])];
}

export const BUNDLING = {
  /** Node.js version of the Lambda runtime (nodejs22.x). */
  target: 'node22',
  platform: 'node',
  /** The package is CommonJS; one self-contained index.js per function (and LAZY_PACKAGES' files beside it). */
  format: 'cjs',
  minify: true,
  /**
   * A source map next to the bundle. The functions run without NODE_OPTIONS=--enable-source-maps
   * (it reads the map and measures the bundle at every cold start, ~30 ms of the api's); the
   * errors they log are mapped through it when logged (shared/adapters/stacks.ts).
   */
  sourceMap: true,
  /** Mappings are enough for readable stack traces; the sources themselves stay out of the asset. */
  sourcesContent: false,
  /** Keep class and function names through minification (error names in logs). */
  keepNames: true,
  /** Prefer packages' ES module builds: better tree shaking of the AWS SDK and Powertools. */
  mainFields: ['module', 'main'],
  /**
   * Bundle everything, the AWS SDK included: the deployed code runs the SDK versions the tests ran
   * (package-lock.json), not whatever release the Lambda runtime happens to ship. The one
   * exception is LAZY_PACKAGES: left out of index.js, and bundled into a file of their own beside it.
   */
  externalModules: LAZY_PACKAGES as readonly string[],
  logLevel: 'warning',
} as const;

/** The bundle file name NodejsFunction writes for the CommonJS format. */
export const BUNDLE_FILE = 'index.js';

/**
 * Plain esbuild options equivalent to what NodejsFunction runs (`esbuild --bundle <entry>
 * --target=node22 --platform=node --format=cjs --outfile=... --minify --sourcemap ...`).
 * `outfile` defaults to `<outdir>/index.js` when `outdir` is given.
 */
export function esbuildOptions(entry: string, out: { outfile: string } | { outdir: string }): BuildOptions {
  const external = lazyPackagesOf(entry);
  const outfile = 'outfile' in out ? out.outfile : `${out.outdir.replace(/\/+$/, '')}/${BUNDLE_FILE}`;
  return {
    entryPoints: [entry],
    bundle: true,
    outfile,
    platform: BUNDLING.platform,
    target: BUNDLING.target,
    format: BUNDLING.format,
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourceMap,
    sourcesContent: BUNDLING.sourcesContent,
    keepNames: BUNDLING.keepNames,
    mainFields: [...BUNDLING.mainFields],
    external,
    logLevel: BUNDLING.logLevel,
  };
}

/** A lazy package's file name in `node_modules/<name>/`. */
export const LAZY_FILE = 'index.mjs';

/** One lazy package's bundle for a function: esbuild options, and the package.json that makes its directory an ES module package. */
export interface LazyBundle {
  name: string;
  options: BuildOptions;
  packageJson: { path: string; contents: string };
}

/** Does a bundle's code import this external package (`import("unpdf")`, `require("unpdf")`)? */
export function bundleImports(code: string, name: string): boolean {
  return code.includes(`import(${JSON.stringify(name)})`) || requiresStatically(code, name);
}

/** Does a bundle's code load this package at load time (`require("x")`)? Then it cannot be lazy. */
export function requiresStatically(code: string, name: string): boolean {
  return code.includes(`require(${JSON.stringify(name)})`);
}

/** The error when a lazy package is imported statically: its ES module file could not be required. */
export function staticLazyError(name: string): string {
  return `${name} is a lazy package of this function (infra/bundling.ts) but its code imports it statically; import it with import() or take it off the list`;
}

/**
 * The lazy packages a function bundle at `<outdir>/index.js` imports, as bundles into
 * `<outdir>/node_modules/<name>/index.mjs` (esbuildOptions' settings but ES module format, nothing
 * external). `code` is that index.js; without it every one of `packages` is listed.
 */
export function lazyBundles(
  outdir: string,
  code?: string,
  packages: readonly string[] = LAZY_PACKAGES,
  checks: Readonly<Record<string, () => void>> = LAZY_PACKAGE_CHECKS,
): LazyBundle[] {
  const dir = outdir.replace(/\/+$/, '');
  // The package is resolved from the project root (infra/..), wherever the build runs.
  const absWorkingDir = resolve(__dirname, '..');
  if (code !== undefined)
    for (const name of packages) if (requiresStatically(code, name)) throw new Error(staticLazyError(name));
  return packages
    .filter((name) => code === undefined || bundleImports(code, name))
    .map((name) => {
      checks[name]?.();
      const pkg = `${dir}/node_modules/${name}`;
      const options: BuildOptions = {
        ...esbuildOptions(name, { outfile: `${pkg}/${LAZY_FILE}` }),
        format: 'esm',
        external: [],
        absWorkingDir,
      };
      return {
        name,
        options,
        packageJson: {
          path: `${pkg}/package.json`,
          contents: `${JSON.stringify({ name, private: true, type: 'module', main: LAZY_FILE })}\n`,
        },
      };
    });
}

/**
 * The same as one shell command, for NodejsFunction's afterBundling hook (infra/function.ts):
 * runs in the project root after esbuild wrote `<outputDir>/index.js`, reads it, and builds the
 * lazy packages it imports with this project's esbuild (the options travel as base64 JSON, so no
 * shell quoting can change them).
 */
export function lazyBundleCommand(
  outputDir: string,
  esbuildPath: string = require.resolve('esbuild'),
  packages: readonly string[] = LAZY_PACKAGES,
): string {
  if (esbuildPath.includes("'")) throw new Error(`cannot quote the esbuild path ${esbuildPath} for the shell`);
  const payload = Buffer.from(
    JSON.stringify({ outdir: outputDir, bundles: lazyBundles(outputDir, undefined, packages) }),
  ).toString('base64');
  const script = [
    'const fs = require("fs"), path = require("path");',
    `const esbuild = require(${JSON.stringify(esbuildPath)});`,
    'const { outdir, bundles } = JSON.parse(Buffer.from(process.argv[1], "base64").toString());',
    `const code = fs.readFileSync(path.join(outdir, ${JSON.stringify(BUNDLE_FILE)}), "utf8");`,
    'for (const b of bundles) {',
    `  if (code.includes("require(" + JSON.stringify(b.name) + ")")) throw new Error(${JSON.stringify(staticLazyError('NAME'))}.replace("NAME", b.name));`,
    '  if (!code.includes("import(" + JSON.stringify(b.name) + ")")) continue;',
    '  esbuild.buildSync(b.options);',
    '  fs.writeFileSync(b.packageJson.path, b.packageJson.contents);',
    '}',
  ].join(' ');
  return `node -e '${script}' ${payload}`;
}

/**
 * Bundle one function as a deployment does: `<outdir>/index.js` with esbuildOptions (plus `extra`),
 * then the lazy packages it imports (what lazyBundleCommand runs after NodejsFunction's esbuild).
 * esbuild is imported only when this runs. Returns the lazy packages bundled.
 */
export async function bundleFunction(entry: string, outdir: string, extra: BuildOptions = {}): Promise<string[]> {
  const { build } = await import('esbuild');
  await build({ ...esbuildOptions(entry, { outdir }), ...extra });
  const code = readFileSync(join(outdir, BUNDLE_FILE), 'utf8');
  const lazy = lazyBundles(outdir, code, lazyPackagesOf(entry));
  for (const b of lazy) {
    await build({ ...b.options, ...(extra.logLevel ? { logLevel: extra.logLevel } : {}) });
    mkdirSync(dirname(b.packageJson.path), { recursive: true });
    writeFileSync(b.packageJson.path, b.packageJson.contents);
  }
  return lazy.map((b) => b.name);
}
