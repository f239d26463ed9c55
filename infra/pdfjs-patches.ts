/**
 * Two speed patches to pdf.js (the build inside `unpdf`, node_modules/unpdf/dist/pdfjs.mjs),
 * applied when the packages are installed (package.json `postinstall`: `tsx infra/patch-pdfjs.ts`),
 * so the tests, the CLI, the benchmark and every function bundle run the same patched code.
 *
 * Each patch replaces one exact piece of pdf.js's text extraction with code that gives the same
 * result, bit for bit, at less cost; neither changes what pdf.js reads. Together they take 35-45% off the
 * time a PDF takes from its bytes to a reconciliation (docs/PERFORMANCE.md, round 8).
 *
 * - `text-transform`: getCurrentTextTransform runs twice for every glyph. It built the text
 *   space matrix as an array and multiplied it through Util.transform twice: three arrays for
 *   one. It now does the same multiplications, term for term and in the same order (the zero
 *   terms included, so a -0 or a NaN comes out as before), into one array.
 * - `text-state-clone`: TextState.clone (every `q` of a content stream, and every font change in
 *   a run of text) made the copy with `Object.create(this)`: the state it copied became the
 *   copy's prototype, which V8 turns into a prototype object and then treats every later write to
 *   it (the running text matrix, on every glyph) as a change of a prototype. The copy now has the
 *   class's prototype. It still gets every property of the state as its own (Object.assign, as
 *   before; every TextState property is a class field, so none is reached only through the
 *   prototype), so nothing that reads it sees a difference.
 *
 * A patch whose text is not in the file exactly once (another unpdf version) stops the install
 * with the patch's name: the patches are for UNPDF_VERSION only (package.json pins it), and a
 * new version needs them made again and test/unit/pdfjs-patches.test.ts run, which compares the
 * text items of patched and unpatched pdf.js on the committed PDFs and on generated ones.
 *
 * No AWS or CDK imports: this runs at install time, with nothing but Node. It has no entry point of
 * its own (infra/patch-pdfjs.ts is the install's): infra/bundling.ts imports it, and a bundle of
 * anything that imports bundling.ts (the benchmark's pdf worker) would otherwise be that entry.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The unpdf release the patches are made for (package.json pins it). */
export const UNPDF_VERSION = '1.7.0';

export interface SourcePatch {
  /** A stable name, for messages and tests. */
  id: string;
  /** The exact text in pdf.js, found once. */
  find: string;
  /** What it becomes (also found once in a patched file). */
  replace: string;
}

export const PDFJS_PATCHES: readonly SourcePatch[] = [
  {
    id: 'text-transform',
    find:
      'function W(){const ue=Y.font,Ae=[Y.fontSize*Y.textHScale,0,0,Y.fontSize,0,Y.textRise];' +
      'if(ue.isType3Font&&(Y.fontSize<=1||ue.isCharBBox)&&!_r(Y.fontMatrix,na)){const xe=ue.bbox[3]-ue.bbox[1];xe>0&&(Ae[3]*=xe*Y.fontMatrix[3])}' +
      'return pt.transform(Y.ctm,pt.transform(Y.textMatrix,Ae))}',
    replace:
      'function W(){const ue=Y.font,n0=Y.fontSize*Y.textHScale,n5=Y.textRise;let n3=Y.fontSize;' +
      'if(ue.isType3Font&&(Y.fontSize<=1||ue.isCharBBox)&&!_r(Y.fontMatrix,na)){const xe=ue.bbox[3]-ue.bbox[1];xe>0&&(n3*=xe*Y.fontMatrix[3])}' +
      // Util.transform(m, n) = [m0*n0+m2*n1, m1*n0+m3*n1, m0*n2+m2*n3, m1*n2+m3*n3, m0*n4+m2*n5+m4, m1*n4+m3*n5+m5],
      // first with m = the text matrix and n = [n0, 0, 0, n3, 0, n5], then with m = the CTM.
      'const m=Y.textMatrix,c=Y.ctm,' +
      'a0=m[0]*n0+m[2]*0,a1=m[1]*n0+m[3]*0,a2=m[0]*0+m[2]*n3,a3=m[1]*0+m[3]*n3,a4=m[0]*0+m[2]*n5+m[4],a5=m[1]*0+m[3]*n5+m[5];' +
      'return[c[0]*a0+c[2]*a1,c[1]*a0+c[3]*a1,c[0]*a2+c[2]*a3,c[1]*a2+c[3]*a3,c[0]*a4+c[2]*a5+c[4],c[1]*a4+c[3]*a5+c[5]]}',
  },
  {
    id: 'text-state-clone',
    find: 'clone(){const e=Object.assign(Object.create(this),this);return e.textMatrix=this.textMatrix.slice(),',
    replace:
      'clone(){const e=Object.assign(Object.create(Object.getPrototypeOf(this)),this);return e.textMatrix=this.textMatrix.slice(),',
  },
];

export class PatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatchError';
  }
}

function count(haystack: string, needle: string): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + needle.length)) n++;
  return n;
}

export interface PatchResult {
  source: string;
  /** Patches applied now. */
  applied: string[];
  /** Patches that were in the source already. */
  already: string[];
}

/**
 * `source` with every patch in it: one whose `find` is there once (and its `replace` not) is
 * applied; one whose `replace` is there once (and its `find` not) was applied before; anything
 * else is a PatchError naming the patch.
 */
export function applyPatches(source: string, patches: readonly SourcePatch[] = PDFJS_PATCHES): PatchResult {
  const applied: string[] = [];
  const already: string[] = [];
  let out = source;
  for (const p of patches) {
    const found = count(out, p.find);
    const done = count(out, p.replace);
    if (found === 1 && done === 0) {
      out = out.replace(p.find, () => p.replace);
      applied.push(p.id);
    } else if (found === 0 && done === 1) already.push(p.id);
    else
      throw new PatchError(
        `pdf.js patch ${p.id}: its text is in the file ${found} times (patched: ${done}), not once; the patches are for unpdf ${UNPDF_VERSION} (infra/pdfjs-patches.ts)`,
      );
  }
  return { source: out, applied, already };
}

/** The source as pdf.js has it: every patch taken back out (for comparing the two). */
export function removePatches(source: string, patches: readonly SourcePatch[] = PDFJS_PATCHES): string {
  let out = source;
  for (const p of patches) {
    if (count(out, p.replace) !== 1 || count(out, p.find) !== 0)
      throw new PatchError(`pdf.js patch ${p.id} is not in the file once, so it cannot be taken out`);
    out = out.replace(p.replace, () => p.find);
  }
  return out;
}

/** unpdf's package directory, as Node resolves it from here. */
export function unpdfDir(): string {
  // (unpdf's exports map has no ./package.json; its CommonJS entry is dist/index.cjs.)
  return dirname(dirname(require.resolve('unpdf')));
}

/** The pdf.js build unpdf loads. */
export function pdfjsFile(dir: string = unpdfDir()): string {
  return join(dir, 'dist', 'pdfjs.mjs');
}

/** Patch the installed pdf.js in place (written to a new file, then renamed over the old one). */
export function patchInstalled(dir: string = unpdfDir()): PatchResult {
  const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version;
  if (version !== UNPDF_VERSION)
    throw new PatchError(
      `unpdf ${version} is installed; the pdf.js patches (infra/pdfjs-patches.ts) are for ${UNPDF_VERSION}`,
    );
  const file = pdfjsFile(dir);
  const result = applyPatches(readFileSync(file, 'utf8'));
  if (result.applied.length > 0) {
    const tmp = `${file}.segwatch-${process.pid}`;
    writeFileSync(tmp, result.source);
    renameSync(tmp, file);
  }
  return result;
}

const checked = new Set<string>();

/**
 * Throws a PatchError unless the pdf.js at `file` carries every patch: the functions' bundles are
 * built from it (infra/bundling.ts lazyBundles), and a bundle must run the pdf.js the tests ran
 * (an install with `--ignore-scripts` skips the postinstall that patches it). Read once per file.
 */
export function assertPatched(file: string = pdfjsFile()): void {
  if (checked.has(file)) return;
  const source = readFileSync(file, 'utf8');
  const missing = PDFJS_PATCHES.filter((p) => count(source, p.replace) !== 1).map((p) => p.id);
  if (missing.length > 0)
    throw new PatchError(
      `pdf.js (${file}) lacks its speed patches ${missing.join(', ')}: \`npm ci\` or \`npm install\` applies them (postinstall; not with --ignore-scripts), or run \`npx tsx infra/patch-pdfjs.ts\``,
    );
  checked.add(file);
}
