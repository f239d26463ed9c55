import { readFileSync } from 'node:fs';
import { parseFiling } from '../shared/domain/parser';
import { filingToJson } from '../shared/domain/model';
import { contentHash } from '../shared/domain/versions';
import { RENDERINGS, render } from '../shared/domain/render';
const t = readFileSync('test/fixtures/citigroup-2014-11-06-initial.txt');
const f = parseFiling(t).filing;
const h = contentHash(filingToJson(f));
for (const r of RENDERINGS) {
  const txt = render(f, r, { seed: 3 });
  const g = parseFiling(Buffer.from(txt)).filing;
  console.log(r, contentHash(filingToJson(g)) === h);
}
for (const code of ['7070','7180','7190','7198','7500','7530','7770','7380','7785','8600','8720','8730','8770','7040']) console.log(code, new RegExp(`<u>(-?[\\d,]+)</u>(?:</b>)?\\s*\\[${code}\\]`).exec(t.toString())?.[1]);
