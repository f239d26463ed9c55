/**
 * The install's entry point (package.json `postinstall`): patches the installed pdf.js
 * (infra/pdfjs-patches.ts) and says what it did, or stops the install naming the patch that failed.
 * Its own file, so that no module that others import (and bundle) runs the install when loaded.
 */
import { PatchError, patchInstalled, UNPDF_VERSION } from './pdfjs-patches';

try {
  const r = patchInstalled();
  const what = [
    r.applied.length > 0 ? `applied ${r.applied.join(', ')}` : '',
    r.already.length > 0 ? `already in: ${r.already.join(', ')}` : '',
  ].filter(Boolean);
  process.stdout.write(`segwatch: pdf.js speed patches (unpdf ${UNPDF_VERSION}): ${what.join('; ')}\n`);
} catch (e) {
  process.stderr.write(`segwatch: ${e instanceof PatchError ? '' : 'pdf.js patches: '}${(e as Error).message}\n`);
  process.exit(1);
}
