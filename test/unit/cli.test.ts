import { execFile } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, ftruncateSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli';
import { STATEMENT_KEYS } from '../../shared/domain/forms';
import { MAX_FILING_BYTES } from '../../shared/domain/parser';
import { RULES } from '../../shared/domain/rules';
import { SAMPLE_2013, SAMPLE_2014, canonical, sampleText } from './samples';

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

async function run(...argv: string[]) {
  const out = new Sink();
  const err = new Sink();
  const code = await main(argv, out, err);
  return { code, out: out.text, err: err.text };
}

const dir = mkdtempSync(join(tmpdir(), 'segwatch-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

const GOOD = [SAMPLE_2013.path, SAMPLE_2014.path];
const offByOne = file(
  'off-by-one.txt',
  sampleText(SAMPLE_2014).replace('<u>5,387,715,882</u> [7180]', '<u>5,387,715,883</u> [7180]'),
);
const deficient = file(
  'deficient.txt',
  sampleText(SAMPLE_2013)
    .replace('<b><u>7,611,448,354</u></b> [7180]', '<b><u>7,234,116,838</u></b> [7180]')
    .replace('<b><u>4,069,114,414</u></b> [7070]', '<b><u>3,691,782,898</u></b> [7070]')
    .replace('<b><u>377,331,515</u></b> [7190]', '<b><u>-1</u></b> [7190]'),
);
const halfCut = file('half.txt', sampleText(SAMPLE_2014).slice(0, Math.floor(sampleText(SAMPLE_2014).length / 2)));

function sparse(name: string, size: number) {
  const path = join(dir, name);
  const fd = openSync(path, 'w');
  ftruncateSync(fd, size);
  closeSync(fd);
  return path;
}

const BAD: { name: string; path: () => string; reason: RegExp; code: string }[] = [
  { name: 'empty', path: () => file('empty.txt', ''), reason: /empty/, code: 'empty' },
  {
    name: 'binary',
    path: () => file('binary.txt', new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 0, 1, 2, 0, 0xff])),
    reason: /binary/,
    code: 'binary',
  },
  {
    name: 'not a filing',
    path: () => file('letter.txt', 'Dear colleague,\nplease find the minutes attached.\n'),
    reason: /not a daily segregation filing/,
    code: 'not-a-filing',
  },
  {
    name: 'truncated after the header',
    path: () => file('truncated.txt', sampleText(SAMPLE_2014).split('\n').slice(0, 14).join('\n')),
    reason: /truncated/,
    code: 'truncated',
  },
  {
    name: 'over 5 MB',
    path: () => sparse('huge.txt', MAX_FILING_BYTES + 1),
    reason: /over the 5242880-byte limit/,
    code: 'too-large',
  },
  {
    name: 'UTF-16 without a byte-order mark',
    path: () => file('utf16.txt', Buffer.from('**INITIAL**\n**End Date:11/6/2014**\n', 'utf16le')),
    reason: /UTF-16 without a byte-order mark/,
    code: 'binary',
  },
  {
    name: 'a damaged PDF',
    path: () => file('damaged.pdf', Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n')),
    reason: /PDF/,
    code: 'bad-pdf',
  },
  { name: 'missing', path: () => join(dir, 'no-such-file.txt'), reason: /no such file/, code: 'unreadable' },
];

describe('segwatch check (human output)', () => {
  it('exits 0 on the clean samples and prints the table with thousands separators', async () => {
    const r = await run('check', ...GOOD);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const lines = r.out.split('\n');
    const header = lines.find((l) => l.includes('required'))!;
    expect(header.trim().split(/\s+/)).toEqual(['statement', 'required', 'funds', 'excess', 'target', 'status']);
    const seg = lines.filter((l) => l.trim().startsWith('segregation'));
    expect(seg).toHaveLength(2);
    expect(seg[1].trim().split(/\s{2,}/)).toEqual([
      'segregation',
      '5,103,300,086',
      '5,387,715,882',
      '284,415,796',
      '252,400,000',
      'ok',
    ]);
    expect(seg[0].trim().split(/\s{2,}/)).toEqual([
      'segregation',
      '7,234,116,839',
      '7,611,448,354',
      '377,331,515',
      '-',
      'ok',
    ]);
    expect(r.out).toContain('Citigroup Global Markets Inc. · AMENDMENT · end date 2013-06-18 · submitted 2013-06-19');
    // Columns line up: the amounts of one filing end at the same position.
    const rows = lines.slice(lines.indexOf(header), lines.indexOf(header) + 4);
    const ends = rows.map((l) => l.indexOf(' ', l.search(/\d,\d{3}(?!\d)/) + 1));
    expect(new Set(ends.slice(1)).size).toBe(1);
  });

  it('exits 1 on a total off by $1, naming the line', async () => {
    const r = await run('check', SAMPLE_2013.path, offByOne);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /error\s+SW110\s+Segregation Statement line 13 \[7180\] Total amount in segregation .*filed 5,387,715,883, .* = 5,387,715,882 \(off by 1\)/,
    );
    expect(r.out).toContain('findings: 2 error');
  });

  it('exits 1 on a deficiency and shows it in the status column', async () => {
    const r = await run('check', deficient);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/segregation\s+7,234,116,839\s+7,234,116,838\s+-1\s+-\s+DEFICIENCY/);
  });

  it('marks an excess that is not the filed one (its line unreadable: funds - required) with a dagger and says so', async () => {
    const unreadExcess = file(
      'unread-excess.txt',
      sampleText(SAMPLE_2014).replace('<b><u>237,808,536</u></b> [8730]', '<b><u>n/a</u></b> [8730]'),
    );
    const r = await run('check', unreadExcess);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/cleared swaps\s+5,574,863,884\s+5,812,672,420\s+237,808,536†\s+208,075,000\s+UNRECONCILED/);
    expect(r.out).toContain('† recomputed from the lines (funds - required): not the excess line as filed');
    // The filed excesses are not marked, and stay lined up with the marked one.
    expect(r.out).toMatch(/segregation\s+5,103,300,086\s+5,387,715,882\s+284,415,796 \s+252,400,000\s+ok/);
    const rows = r.out.split('\n').filter((l) => /^\s+(segregation|secured amounts|cleared swaps)\s/.test(l));
    expect(new Set(rows.map((l) => l.search(/\d{3}[ †] +\d{3},/))).size).toBe(1);
    const clean = await run('check', ...GOOD);
    expect(clean.out).not.toContain('†');
  });

  it('exits 1 on a filing cut in half (missing statements and lines are findings)', async () => {
    const r = await run('check', halfCut);
    expect(r.code).toBe(1);
    expect(r.out).toContain('SW101');
    expect(r.out).toContain('MISSING');
  });

  it.each(BAD)(
    'exits 2 on a bad file ($name): one line naming it on stderr, and the other files are still checked',
    async ({ path, reason }) => {
      const bad = path();
      const r = await run('check', SAMPLE_2013.path, bad, SAMPLE_2014.path);
      expect(r.code).toBe(2);
      const errLines = r.err.trimEnd().split('\n');
      expect(errLines).toHaveLength(1);
      expect(errLines[0].startsWith(`segwatch: ${bad}: `)).toBe(true);
      expect(errLines[0]).toMatch(reason);
      expect(r.err).not.toMatch(/\n\s+at |Error:/);
      expect(r.out).toContain(SAMPLE_2013.path);
      expect(r.out).toContain(SAMPLE_2014.path);
    },
  );

  it('exits 2 with usage on no files or an unknown command', async () => {
    for (const argv of [['check'], ['frobnicate']]) {
      const r = await run(...argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^segwatch: .*\nusage: segwatch/);
    }
  });
});

describe('segwatch check --json', () => {
  it('prints the documented shape with amounts as strings', async () => {
    const missing = join(dir, 'gone.txt');
    const r = await run('check', '--json', SAMPLE_2014.path, offByOne, missing);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toEqual([`segwatch: ${missing}: no such file`]);
    const json = JSON.parse(r.out) as any[];
    expect(json.map((x) => x.file)).toEqual([SAMPLE_2014.path, offByOne, missing]);
    for (const x of json) expect(Object.keys(x).sort()).toEqual(['alerts', 'error', 'file', 'filing', 'findings']);

    const [clean, off, gone] = json;
    expect(clean.error).toBeNull();
    expect(clean.alerts).toEqual([]);
    expect(clean.filing).toMatchObject({ ...SAMPLE_2014.header });
    // Beyond the documented fields, the filing carries `form` and `unknownCodes`, a statement its `uncoded` and `conflicts` (FilingJsonSchema).
    expect(Object.keys(clean.filing).sort()).toEqual([
      'endDate',
      'filingType',
      'firmId',
      'firmName',
      'form',
      'statements',
      'submitDate',
      'unknownCodes',
    ]);
    expect(Object.keys(clean.filing.statements).sort()).toEqual([...STATEMENT_KEYS].sort());
    for (const key of STATEMENT_KEYS) {
      const st = clean.filing.statements[key];
      expect(Object.keys(st).sort()).toEqual(['conflicts', 'lines', 'title', 'uncoded', 'variant']);
      expect(st.title).toBe(SAMPLE_2014.titles[key]);
      expect(st.variant).toBe(SAMPLE_2014.variants[key]);
      expect(st.lines).toEqual(
        Object.fromEntries(Object.entries(SAMPLE_2014.amounts[key]).map(([c, p]) => [c, canonical(p)])),
      );
    }
    expect(clean.findings).toEqual([
      expect.objectContaining({
        ruleId: 'SW141',
        severity: 'info',
        statement: 'segregation',
        line: null,
        expected: null,
        actual: null,
      }),
    ]);

    const sumFinding = off.findings.find((f: any) => f.ruleId === 'SW110' && f.line === '7180');
    expect(Object.keys(sumFinding).sort()).toEqual([
      'actual',
      'expected',
      'label',
      'line',
      'message',
      'ruleId',
      'severity',
      'statement',
    ]);
    expect(sumFinding).toMatchObject({
      severity: 'error',
      statement: 'segregation',
      expected: '5387715882',
      actual: '5387715883',
    });
    for (const f of off.findings) expect(RULES.map((x) => x.id)).toContain(f.ruleId);

    expect(gone).toEqual({
      file: missing,
      filing: null,
      findings: [],
      alerts: [],
      error: { code: 'unreadable', message: 'no such file' },
    });
  });

  it('alerts are {statement, kind, excess, target, targetSource, shortfall} with string amounts', async () => {
    const r = await run('check', '--json', deficient);
    expect(r.code).toBe(1);
    const [x] = JSON.parse(r.out);
    expect(x.alerts).toEqual([
      { statement: 'segregation', kind: 'deficiency', excess: '-1', target: null, targetSource: null, shortfall: '1' },
    ]);
  });

  it.each(BAD)(
    'a bad file ($name) is an error entry {code, message}, the others are checked',
    async ({ path, code }) => {
      const bad = path();
      const r = await run('check', '--json', bad, SAMPLE_2014.path);
      expect(r.code).toBe(2);
      const [entry, ok] = JSON.parse(r.out);
      expect(entry).toEqual({
        file: bad,
        filing: null,
        findings: [],
        alerts: [],
        error: { code, message: expect.any(String) },
      });
      expect(entry.error.message).not.toContain('\n');
      expect(ok.error).toBeNull();
      expect(ok.filing.firmId).toBe('citigroup-global-markets-inc');
    },
  );
});

describe('bin/segwatch.js (a real process)', () => {
  it('checks files, exits with the worst code, stderr one line per bad file, JSON on stdout', async () => {
    const missing = join(dir, 'absent.txt');
    const result = await promisify(execFile)(
      process.execPath,
      ['bin/segwatch.js', 'check', '--json', SAMPLE_2014.path, missing],
      { encoding: 'utf8' },
    ).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`segwatch: ${missing}: no such file`);
    const json = JSON.parse(result.stdout);
    expect(json[0].filing.statements.segregation.lines['7190']).toBe('284415796');
    expect(json[1].error.code).toBe('unreadable');

    const clean = await promisify(execFile)(process.execPath, ['bin/segwatch.js', 'check', ...GOOD], {
      encoding: 'utf8',
    });
    expect(clean.stdout).toContain('5,387,715,882');
    expect(clean.stderr).toBe('');
  });
});
