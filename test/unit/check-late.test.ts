/** `segwatch check` exits 1 on anything the pipeline would alert on, a late filing included (README). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../bin/cli';
import { makeFiling } from '../support/filings';

async function check(text: string): Promise<{ code: number; out: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'segwatch-check-')), 'f.txt');
  writeFileSync(file, text);
  const out = new PassThrough();
  let s = '';
  out.on('data', (d) => (s += d));
  const code = await main(['check', file], out, new PassThrough());
  return { code, out: s };
}

describe('segwatch check exit code', () => {
  it('a late initial filing (submitted after its due day), clean otherwise: exit 1, as the pipeline alerts on it', async () => {
    const late = await check(makeFiling({ firmName: 'Late Filer LLC', submitDate: '2014-11-12' }));
    expect(late.out).toMatch(/SW130/);
    expect(late.code).toBe(1);
  });
  it('the same filing on time: exit 0; a late amendment (amendments are not late): exit 0', async () => {
    expect((await check(makeFiling({ firmName: 'On Time LLC' }))).code).toBe(0);
    expect(
      (await check(makeFiling({ firmName: 'On Time LLC', filingType: 'AMENDMENT', submitDate: '2014-11-20' }))).code,
    ).toBe(0);
  });
});
