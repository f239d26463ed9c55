/**
 * How the Lambda handlers are bundled, as plain data: the CDK function construct (infra/function.ts)
 * turns it into NodejsFunction bundling options, and `esbuildOptions()` turns it into esbuild
 * BuildOptions so a benchmark (or anything else) can bundle a handler exactly as a deployment does.
 *
 * No AWS or CDK imports here: importing this file must stay cheap.
 */
import type { BuildOptions } from 'esbuild';

export const BUNDLING = {
  /** Node.js version of the Lambda runtime (nodejs22.x). */
  target: 'node22',
  platform: 'node',
  /** The package is CommonJS; one self-contained index.js per function. */
  format: 'cjs',
  minify: true,
  /** A source map next to the bundle; the function sets NODE_OPTIONS=--enable-source-maps. */
  sourceMap: true,
  /** Mappings are enough for readable stack traces; the sources themselves stay out of the asset. */
  sourcesContent: false,
  /** Keep class and function names through minification (error names in logs). */
  keepNames: true,
  /** Prefer packages' ES module builds: better tree shaking of the AWS SDK and Powertools. */
  mainFields: ['module', 'main'],
  /**
   * Bundle everything, the AWS SDK included: the deployed code runs the SDK versions the tests ran
   * (package-lock.json), not whatever release the Lambda runtime happens to ship.
   */
  externalModules: [] as readonly string[],
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
    external: [...BUNDLING.externalModules],
    logLevel: BUNDLING.logLevel,
  };
}
