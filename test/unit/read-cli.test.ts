/**
 * `segwatch history|board|alerts|show` on the in-memory source: the JSON shapes of the issue
 * (amounts as decimal strings, never JS numbers), RFC 4180 CSV that a spreadsheet reads as
 * numbers (and never as formulas), the human tables (thousands separators, sparkline), and the
 * exit codes and one-line errors.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readCommand, type ReadCommand } from '../../bin/read';
import { FilingJsonSchema } from '../../shared/domain/model';
import { Decimal } from '../../shared/domain/money';
import { MemorySource } from '../../shared/read/source';
import { csvField, renderShow } from '../../shared/read/render';
import type { ShowJson } from '../../shared/read/types';
import { parseFilingText } from '../../shared/domain/parser';
import { filingToJson } from '../../shared/domain/model';
import { SAMPLE_2014, sampleText } from './samples';
import { dayFiling, firmBase, HistoryWriter } from '../support/read-load';
import { writeScenario } from '../support/read-scenario';

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

const source = new MemorySource();
const ready = (async () => {
  await writeScenario(source);
  // A firm whose name a spreadsheet would trip on: a comma, quotes, and a leading "=".
  const odd = firmBase('=Smith, "Jones" & Co');
  const w = new HistoryWriter(source);
  const M = (n: number) => new Decimal(n).times(1_000_000);
  await w.write(
    dayFiling(odd, {
      endDate: '2014-11-04',
      excess: { segregation: M(10), secured: M(10), clearedSwaps: M(10) },
      target: { segregation: M(1), secured: M(1), clearedSwaps: M(1) },
    }),
    '2014-11-05T09:00:00.000Z',
  );
})();

async function run(command: ReadCommand, ...args: string[]) {
  await ready;
  const out = new Sink();
  const err = new Sink();
  const code = await readCommand(command, args, out, err, {
    open: async () => ({ source, where: 'memory', close: async () => undefined }),
    now: () => new Date('2014-11-20T12:00:00Z'),
  });
  return { code, out: out.text, err: err.text };
}

const DECIMAL = /^-?\d+(?:\.\d+)?$/;
/** Every number in a JSON text, with its key: only counts may be JSON numbers. */
function jsonNumbers(v: unknown, key = ''): string[] {
  if (typeof v === 'number') return [key];
  if (Array.isArray(v)) return v.flatMap((x) => jsonNumbers(x, key));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => jsonNumbers(x, k));
  return [];
}
const STATEMENT_KEYS_JSON = [
  'required',
  'funds',
  'excess',
  'excessRecomputed',
  'target',
  'targetSource',
  'overTarget',
  'status',
  'changeFromPrevious',
  'changePct',
  'cushion',
  'headroom',
].sort();
const AMOUNT_KEYS = [
  'required',
  'funds',
  'excess',
  'target',
  'overTarget',
  'changeFromPrevious',
  'changePct',
  'cushion',
  'headroom',
];

/** RFC 4180 rows (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  expect(text.endsWith('\r\n')).toBe(true);
  expect(text.replace(/\r\n/g, '')).not.toMatch(/\n|\r/);
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), i++;
    else field += c;
  }
  return rows;
}

describe('--json', () => {
  it('history: the issue shape, oldest first, amounts as decimal strings', async () => {
    const r = await run('history', 'example clearing', '--from', '2014-10-01', '--to', '2014-11-30', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(Object.keys(j).sort()).toEqual(['days', 'firmId', 'firmName']);
    expect(j.days.map((d: { endDate: string }) => d.endDate)).toEqual(['2014-10-31', '2014-11-03', '2014-11-04']);
    for (const d of j.days) {
      expect(Object.keys(d).sort()).toEqual(['endDate', 'filingType', 'late', 'statements', 'submitDate', 'versions']);
      for (const s of Object.values(d.statements) as Record<string, unknown>[]) {
        expect(Object.keys(s).sort()).toEqual(STATEMENT_KEYS_JSON);
        for (const k of AMOUNT_KEYS) expect(s[k] === null || DECIMAL.test(s[k] as string), `${k} = ${s[k]}`).toBe(true);
      }
    }
    expect(jsonNumbers(j)).toEqual(['versions', 'versions', 'versions']);
  });

  it("board: the issue shape (plus the day's alerts), worst first", async () => {
    const r = await run('board', '2014-11-04', '--json');
    const j = JSON.parse(r.out);
    expect(Object.keys(j).sort()).toEqual(['date', 'firms']);
    for (const f of j.firms)
      expect(Object.keys(f).sort()).toEqual(['alerts', 'filed', 'firmId', 'firmName', 'late', 'statements']);
    expect(j.firms[0]).toMatchObject({ firmId: 'example-capital-markets-llc', filed: false });
    expect(jsonNumbers(j)).toEqual([]);
  });

  it('alerts: the issue shape, newest first', async () => {
    const j = JSON.parse((await run('alerts', '--from', '2014-11-01', '--to', '2014-11-30', '--json')).out);
    expect(j.alerts.length).toBe(5);
    for (const a of j.alerts)
      expect(Object.keys(a).sort()).toEqual(
        [
          'endDate',
          'excess',
          'firmId',
          'firmName',
          'id',
          'kind',
          'sentAt',
          'severity',
          'shortfall',
          'state',
          'statement',
          'subject',
          'target',
        ].sort(),
      );
    expect(jsonNumbers(j)).toEqual([]);
  });

  it('show: the issue shape; filing as in check --json', async () => {
    const j = JSON.parse((await run('show', 'example-clearing-llc', '2014-11-04', '--json')).out);
    expect(Object.keys(j).sort()).toEqual([
      'alerts',
      'effective',
      'endDate',
      'filing',
      'findings',
      'firmId',
      'firmName',
      'versions',
    ]);
    for (const v of j.versions)
      expect(Object.keys(v).sort()).toEqual([
        'arrivedAt',
        'effective',
        'filingType',
        'source',
        'status',
        'submitDate',
        'versionKey',
      ]);
    expect(() => FilingJsonSchema.parse(j.filing)).not.toThrow();
    expect(jsonNumbers(j)).toEqual([]);
  });
});

describe('--csv', () => {
  it('history: RFC 4180, one row per day and statement, amounts as plain numbers', async () => {
    const r = await run('history', 'example clearing', '--from', '2014-10-01', '--to', '2014-11-30', '--csv');
    const rows = parseCsv(r.out);
    expect(rows[0]).toEqual([
      'firmId',
      'firmName',
      'endDate',
      'filingType',
      'submitDate',
      'versions',
      'late',
      'statement',
      'required',
      'funds',
      'excess',
      'excessRecomputed',
      'target',
      'targetSource',
      'overTarget',
      'status',
      'changeFromPrevious',
      'changePct',
      'cushion',
      'headroom',
    ]);
    expect(rows).toHaveLength(1 + 9);
    const col = (name: string) => rows[0].indexOf(name);
    for (const row of rows.slice(1)) {
      expect(row).toHaveLength(rows[0].length);
      for (const k of AMOUNT_KEYS)
        expect(row[col(k)] === '' || DECIMAL.test(row[col(k)]), `${k} = ${row[col(k)]}`).toBe(true);
      expect(['TRUE', 'FALSE']).toContain(row[col('late')]);
    }
    const tue = rows.find((x) => x[col('endDate')] === '2014-11-04' && x[col('statement')] === 'segregation')!;
    expect([tue[col('excess')], tue[col('changeFromPrevious')], tue[col('changePct')], tue[col('headroom')]]).toEqual([
      '342000000',
      '-18000000',
      '-5.00',
      '42000000',
    ]);
  });

  it('board: a missing firm is one row; a name with a comma and quotes is quoted, a leading "=" cannot become a formula', async () => {
    const r = await run('board', '2014-11-04', '--csv');
    const rows = parseCsv(r.out);
    const name = rows[0].indexOf('firmName');
    expect(rows.filter((x) => x[rows[0].indexOf('firmId')] === 'example-capital-markets-llc')).toHaveLength(1);
    expect(rows.map((x) => x[name])).toContain(`'=Smith, "Jones" & Co`);
    expect(r.out).toContain(`"'=Smith, ""Jones"" & Co"`);
    expect(csvField('-12.5', 'number')).toBe('-12.5');
    expect(csvField('-12.5', 'text')).toBe("'-12.5");
  });
});

describe('for people', () => {
  it('history: thousands separators, status, change, headroom and a sparkline of the excess against the target', async () => {
    const r = await run('history', 'example clearing', '--from', '2014-10-01', '--to', '2014-11-30');
    expect(r.out).toContain('Example Clearing LLC (example-clearing-llc): 2014-10-31 to 2014-11-04, 3 filing days');
    expect(r.out).toMatch(
      /2014-11-04 +segregation +342,000,000 +300,000,000 +\+42,000,000 +ok +-18,000,000 +-5\.00% +1\.1400 +42,000,000 +amendment, 2 versions/,
    );
    expect(r.out).toMatch(/segregation +excess [▁-█]{3} /);
    expect(r.out).toMatch(/ +target [▁-█]{3} +300,000,000/);
  });
  it('board, alerts and show', async () => {
    expect((await run('board', '2014-11-04')).out).toMatch(/Example Capital Markets LLC +- +- +- +- +MISSING/);
    expect((await run('alerts', '--from', '2014-11-01', '--to', '2014-11-30', '--severity', 'critical')).out).toContain(
      '[DEFICIENCY] Example Clearing LLC cleared swaps 2014-11-04 short $10,000,000',
    );
    const show = (await run('show', 'example clearing', '2014-11-04')).out;
    expect(show).toContain('effective: the latest submitted amendment');
    expect(show).toMatch(/\[8730\] +14\. Excess \(deficiency\).* +250,000,000/);
  });
});

describe('errors: one line, the right exit code, no stack trace', () => {
  it('an unknown or ambiguous firm, a day with no filing: exit 1', async () => {
    for (const args of [
      ['history', 'nobody'],
      ['history', 'example'],
      ['show', 'northgate', '2014-11-05'],
    ] as const) {
      const r = await run(args[0], ...args.slice(1));
      expect(r.code).toBe(1);
      expect(r.out).toBe('');
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
  });
  it('bad usage or a bad date: exit 2 with the usage', async () => {
    for (const args of [
      ['history'],
      ['history', 'x', '--json', '--csv'],
      ['history', 'x', '--statement', 'foo'],
      ['board', '2014-11-04', 'extra'],
      ['alerts', 'northgate'],
      ['show', 'northgate'],
      ['history', 'northgate', '--bogus'],
    ] as const) {
      const r = await run(args[0], ...args.slice(1));
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/usage: segwatch/);
    }
    const bad = await run('board', '2014-02-30');
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('segwatch board: date "2014-02-30" is not a date (YYYY-MM-DD)\n');
  });
  it('no local state: exit 2, saying what to do', async () => {
    const out = new Sink();
    const err = new Sink();
    const code = await readCommand('history', ['x', '--state', '/nonexistent/segwatch-state'], out, err);
    expect(code).toBe(2);
    expect(err.text).toBe(
      'segwatch history: no local state in /nonexistent/segwatch-state (run `segwatch run` first, point --state at it, or use --aws)\n',
    );
  });
});

describe('segwatch show: an excess that is not the filed one', () => {
  it('is marked with a dagger and a legend (its line unreadable: funds - required), the filed ones lined up and unmarked', () => {
    const text = sampleText(SAMPLE_2014).replace('<b><u>237,808,536</u></b> [8730]', '<b><u>n/a</u></b> [8730]');
    const { filing } = parseFilingText(text);
    const show: ShowJson = {
      firmId: filing.firmId,
      firmName: filing.firmName,
      endDate: filing.endDate,
      effective: 'v1',
      versions: [],
      filing: filingToJson(filing),
      findings: [],
      alerts: [],
    };
    const out = renderShow(show);
    expect(out).toMatch(/cleared swaps\s+5,574,863,884\s+5,812,672,420\s+237,808,536†\s+208,075,000\s+UNRECONCILED/);
    expect(out).toMatch(/segregation\s+5,103,300,086\s+5,387,715,882\s+284,415,796 \s+252,400,000\s+ok/);
    expect(out).toContain('† recomputed from the lines (funds - required): not the excess line as filed');
    const clean = renderShow({ ...show, filing: filingToJson(parseFilingText(sampleText(SAMPLE_2014)).filing) });
    expect(clean).not.toContain('†');
    expect(clean).toMatch(/cleared swaps\s+5,574,863,884\s+5,812,672,420\s+237,808,536\s+208,075,000\s+ok/);
  });
});
