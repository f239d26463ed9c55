/**
 * Every text item pdf.js finds in some PDFs, exactly, for comparing two builds of pdf.js
 * (test/unit/pdfjs-patches.test.ts): each build runs in a process of its own, since pdf.js sets
 * its worker up on globalThis.
 *
 *   node test/support/pdfjs-items.mjs PDFJS_MODULE OPTIONS_JSON FILE...   -> one JSON line per file on stdout
 *
 * OPTIONS_JSON: `{ document, text }`, the options pdfToText gives getDocument and the text
 * (shared/domain/formats/pdf.ts PDFJS_DOCUMENT_OPTIONS, PDFJS_TEXT_OPTIONS).
 *
 * A line holds, for each page, the items and styles of getTextContent read two ways (as
 * shared/domain/formats/pdf.ts reads it, and with pdf.js's defaults), or the error pdf.js gave.
 * Numbers are written as strings that tell every double apart (-0 and NaN included).
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [moduleFile, optionsJson, ...files] = process.argv.slice(2);
const lib = await import(pathToFileURL(moduleFile).href);
const { document: documentOptions, text: textOptions } = JSON.parse(optionsJson);

const exact = (_key, v) => (typeof v === 'number' ? `n:${Object.is(v, -0) ? '-0' : String(v)}` : v);

for (const file of files) {
  let result;
  try {
    const doc = await lib.getDocument({ ...documentOptions, data: new Uint8Array(readFileSync(file)) }).promise;
    const pages = [];
    for (let p = 1; p <= doc.numPages; p++) {
      const page = await doc.getPage(p);
      pages.push({
        ours: await page.getTextContent(textOptions),
        defaults: await page.getTextContent(),
      });
    }
    await doc.destroy();
    result = { pages };
  } catch (e) {
    result = { error: `${e?.name}: ${e?.message}` };
  }
  process.stdout.write(`${JSON.stringify({ file, ...result }, exact)}\n`);
}
