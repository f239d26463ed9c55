/**
 * Fuzz: mutated filings (from the two samples, fixed seed) through analyze() and through parse's
 * ingest with a fake store, then reconcile and the alert rendering. No input may throw; each file
 * either parses or is rejected with a one-line reason; every alert subject is <= 100 printable
 * ASCII characters with no line break, every email body free of raw control characters; and a
 * mutated amount is read exactly or not at all (never as some other number).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { alertFromItem, Store, versionFromItem } from '../../shared/adapters/store';
import type { ObjectSource } from '../../shared/adapters/objects';
import {
  alertBody,
  alertsForVersion,
  alertSubject,
  rejectedAlert,
  resolvedAlerts,
  type AlertRecord,
  type VersionRef,
} from '../../shared/domain/alerts';
import { analyze } from '../../shared/domain/check';
import { filingToJson } from '../../shared/domain/model';
import { Decimal } from '../../shared/domain/money';
import { MAX_FILING_BYTES } from '../../shared/domain/parser';
import { ingestS3Record } from '../../shared/pipeline/ingest';
import { reconcileVersion } from '../../shared/pipeline/reconcile-version';
import { INCOMING_PREFIX } from '../../shared/table';
import { SAMPLE_2013_AMENDMENT, SAMPLE_2014 } from '../support/filings';
import { BUCKET, s3Record } from '../support/fixtures-events';
import { FakeDynamo } from '../support/mock-dynamodb';
import { prng } from '../support/mock-pipeline';

const SEED = 0x5e6_2014;
const CASES = 1200;
const SAMPLES = [SAMPLE_2014, SAMPLE_2013_AMENDMENT];
const ERROR_CODES = [
  'empty',
  'too-large',
  'binary',
  'no-text-layer',
  'bad-pdf',
  'not-a-filing',
  'bad-header',
  'several-filings',
  'truncated',
];

type Rnd = ReturnType<typeof prng>;
const int = (r: Rnd, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rnd, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** What a mutation promises about the amount of one code (checked after parsing). */
interface AmountOracle {
  code: string;
  /** The exact amount expected, or null: must be unreadable (absent from lines, or the original). */
  expect: string | null;
  original: string;
}
interface Mutated {
  text?: string;
  bytes?: Uint8Array;
  oracles: AmountOracle[];
}

const AMOUNT_CELL = /<u>(-?[\d,]+|\([\d,]+\))<\/u>(?:<\/b>)?\s*\[(\d{4})\]/g;

function cells(text: string): { index: number; raw: string; code: string; length: number }[] {
  return [...text.matchAll(AMOUNT_CELL)].map((m) => ({
    index: m.index! + 3,
    raw: m[1],
    code: m[2],
    length: m[1].length,
  }));
}
const isFirst = (text: string, code: string, index: number) =>
  text.indexOf(`[${code}]`) > index && !text.slice(0, index).includes(`[${code}]`);
const plain = (raw: string) => {
  const neg = raw.startsWith('-') !== raw.startsWith('(');
  const d = raw.replace(/[^\d]/g, '').replace(/^0+(?=\d)/, '');
  return neg && d !== '0' ? `-${d}` : d;
};
const group = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

const LOOKALIKE_ZERO = [0xff10, 0x0660, 0x06f0, 0x0966, 0x09e6, 0x1d7ce, 0x1d7ec];
const lookalike = (d: string, base: number) => String.fromCodePoint(base + Number(d));

const NASTY_FIRMS = [
  '<script>alert("x")</script>Evil FCM LLC',
  'Acme\r\nSubject: [DEFICIENCY] spoofed\r\n\r\nbody',
  'Acme \u0007\u001b[31mRED\u001b[0m Futures',
  '\u202eCLL serutuF emcA\u202c',
  'Zero\u200bWidth\u200dJoiner\ufeff Futures',
  'Ｆｕｌｌｗｉｄｔｈ Ｆｕｔｕｒｅｓ ＬＬＣ',
  'Ünïcödé Fütürès & Çïé — Société',
  '期货公司 有限责任公司',
  '🚀📉 Moon Futures 🌕',
  '**bold** <b>markup</b> &amp; entities &#x41;',
  'A'.repeat(5000),
  `${'Long '.repeat(300)}Futures`,
  '!!!---???',
  '   ',
  'O\u0308\u0301\u0327 combining',
  'Tab\tSeparated\tFutures',
  'Line\u2028Separator\u2029Futures',
  '\u0085NEL\u008dRI C1 Futures',
  'Firm Name:Second Firm',
  '[7010] 1,000 [7020]',
];

const MUTATORS: { name: string; apply: (t: string, r: Rnd) => Mutated }[] = [
  {
    name: 'byte-flips',
    apply: (t, r) => {
      const b = Buffer.from(t, 'utf8');
      for (let n = int(r, 1, 24); n > 0; n--) {
        const i = int(r, 0, b.length - 1);
        b[i] = r() < 0.5 ? b[i] ^ (1 << int(r, 0, 7)) : int(r, 0, 255);
      }
      return { bytes: b, oracles: [] };
    },
  },
  {
    name: 'truncation',
    apply: (t, r) => {
      const b = Buffer.from(t, 'utf8');
      return { bytes: b.subarray(0, int(r, 0, b.length)), oracles: [] };
    },
  },
  {
    name: 'duplicated-lines',
    apply: (t, r) => {
      const lines = t.split('\n');
      for (let n = int(r, 1, 12); n > 0; n--) {
        const i = int(r, 0, lines.length - 1);
        lines.splice(int(r, 0, lines.length), 0, ...lines.slice(i, i + int(r, 1, 4)));
      }
      return { text: lines.join('\n'), oracles: [] };
    },
  },
  {
    name: 'reordered-lines',
    apply: (t, r) => {
      const lines = t.split('\n');
      if (r() < 0.3) {
        for (let i = lines.length - 1; i > 0; i--) {
          const j = int(r, 0, i);
          [lines[i], lines[j]] = [lines[j], lines[i]];
        }
      } else
        for (let n = int(r, 1, 20); n > 0; n--) {
          const i = int(r, 0, lines.length - 1);
          const j = int(r, 0, lines.length - 1);
          [lines[i], lines[j]] = [lines[j], lines[i]];
        }
      return { text: lines.join('\n'), oracles: [] };
    },
  },
  {
    name: '30-digit-amounts',
    apply: (t, r) => {
      let text = t;
      const oracles: AmountOracle[] = [];
      for (let n = int(r, 1, 4); n > 0; n--) {
        const cs = cells(text);
        if (!cs.length) break;
        const c = pick(r, cs);
        const len = pick(r, [29, 30, 30, 30, 31, 45]);
        const digits = String(int(r, 1, 9)) + Array.from({ length: len - 1 }, () => String(int(r, 0, 9))).join('');
        const style = int(r, 0, 2);
        const raw = style === 0 ? group(digits) : style === 1 ? `-${group(digits)}` : `(${group(digits)})`;
        const first = isFirst(text, c.code, c.index);
        const earlier = oracles.findIndex((o) => o.code === c.code);
        const original = earlier >= 0 ? oracles[earlier].original : plain(c.raw);
        text = text.slice(0, c.index) + raw + text.slice(c.index + c.length);
        // The same cell may be rewritten again: its oracle follows the last rewrite.
        if (first)
          oracles.splice(earlier >= 0 ? earlier : oracles.length, 1, {
            code: c.code,
            original,
            expect: len <= 30 ? (style === 0 ? digits : `-${digits}`) : null,
          });
      }
      return { text, oracles };
    },
  },
  {
    name: 'lookalike-digits',
    apply: (t, r) => {
      let text = t;
      const oracles: AmountOracle[] = [];
      for (let n = int(r, 1, 4); n > 0; n--) {
        const cs = cells(text).filter((c) => /\d/.test(c.raw));
        if (!cs.length) break;
        const c = pick(r, cs);
        const positions = [...c.raw].map((ch, i) => (/\d/.test(ch) ? i : -1)).filter((i) => i >= 0);
        const base = pick(r, LOOKALIKE_ZERO);
        const chars = [...c.raw];
        for (let k = int(r, 1, Math.min(3, positions.length)); k > 0; k--) {
          const p = pick(r, positions);
          if (/\d/.test(chars[p])) chars[p] = lookalike(chars[p], base);
        }
        if (r() < 0.3) {
          const commas = chars.map((ch, i) => (ch === ',' ? i : -1)).filter((i) => i >= 0);
          if (commas.length) chars[pick(r, commas)] = pick(r, ['\u066c', '\uff0c', '\u201a', '\u060c']);
        }
        const raw = chars.join('');
        const first = isFirst(text, c.code, c.index);
        const earlier = oracles.findIndex((o) => o.code === c.code);
        text = text.slice(0, c.index) + raw + text.slice(c.index + c.length);
        if (first && raw !== c.raw && earlier < 0) oracles.push({ code: c.code, original: plain(c.raw), expect: null });
      }
      // Sometimes the dates too.
      if (r() < 0.3)
        text = text.replace(
          /(End|Submit) Date:(\d+)/,
          (_m, w: string, d: string) =>
            `${w} Date:${[...d].map((x) => lookalike(x, pick(r, LOOKALIKE_ZERO))).join('')}`,
        );
      return { text, oracles };
    },
  },
  {
    name: 'firm-name',
    apply: (t, r) => {
      const name =
        r() < 0.8
          ? pick(r, NASTY_FIRMS)
          : Array.from({ length: int(r, 1, 400) }, () => String.fromCharCode(int(r, 1, 0x2fff))).join('');
      const all = r() < 0.8;
      const current = /Firm Name:([^*\r\n]*)/.exec(t)?.[1];
      if (current === undefined) return { text: `**Firm Name:${name}**\n${t}`, oracles: [] };
      const text = all
        ? t.replaceAll(`Firm Name:${current}`, `Firm Name:${name}`)
        : t.replace(`Firm Name:${current}`, `Firm Name:${name}`);
      return { text, oracles: [] };
    },
  },
  {
    name: 'empty-statement',
    apply: (t, r) => {
      const titles = [...t.matchAll(/\*\*Daily Segregation - [^*]+\*\*/g)].map((m) => m.index!);
      if (!titles.length) return { text: t.replace(/<u>[^<]*<\/u>/g, '<u></u>'), oracles: [] };
      const k = int(r, 0, titles.length - 1);
      const from = titles[k];
      const to = k + 1 < titles.length ? titles[k + 1] : t.length;
      const mode = int(r, 0, 2);
      const body = t.slice(from, to);
      const title = /\*\*Daily Segregation - [^*]+\*\*/.exec(body)![0];
      const replacement = mode === 0 ? '' : mode === 1 ? `${title}\n\n` : body.replace(/<u>[^<]*<\/u>/g, '<u></u>');
      return { text: t.slice(0, from) + replacement + t.slice(to), oracles: [] };
    },
  },
  {
    name: 'crlf',
    apply: (t, r) => ({
      text:
        r() < 0.7
          ? t.replace(/\n/g, '\r\n')
          : r() < 0.5
            ? t.replace(/\n/g, '\r')
            : t.replace(/\n/g, () => pick(r, ['\n', '\r\n', '\r', '\n\n', '\u2028'])),
      oracles: [],
    }),
  },
  {
    name: 'garbage',
    apply: (t, r) => {
      const mode = int(r, 0, 4);
      const rand = (n: number, lo = 0, hi = 255) => Buffer.from(Array.from({ length: n }, () => int(r, lo, hi)));
      if (mode === 0) return { bytes: rand(int(r, 0, 3000)), oracles: [] };
      if (mode === 1) return { bytes: rand(int(r, 1, 3000), 0x20, 0x7e), oracles: [] };
      if (mode === 2) {
        const b = Buffer.from(t, 'utf8');
        const at = int(r, 0, b.length);
        return { bytes: Buffer.concat([b.subarray(0, at), rand(int(r, 1, 400)), b.subarray(at)]), oracles: [] };
      }
      if (mode === 3) {
        const codes = Array.from(
          { length: int(r, 1, 300) },
          () => `${pick(r, ['', '-', '('])}${int(r, 0, 99999999)}${pick(r, ['', ')'])} [${int(r, 1000, 9999)}]`,
        ).join(pick(r, [' ', '\n', '\t']));
        return {
          text: `**INITIAL**\n**End Date:1/2/2015**\n**Firm Name:Garbage Futures**\n**Submit Date:1/2/2015**\n${codes}`,
          oracles: [],
        };
      }
      const line = 'x'.repeat(int(r, 10_000, 200_000));
      return { text: t.replace('\n', `\n${line}\n`), oracles: [] };
    },
  },
  {
    name: 'control-characters',
    apply: (t, r) => {
      const chars = [...t];
      for (let n = int(r, 1, 30); n > 0; n--)
        chars.splice(
          int(r, 0, chars.length),
          0,
          String.fromCharCode(pick(r, [1, 7, 8, 0x0b, 0x0c, 0x1b, 0x7f, 0x85, 0x9b, 0x200b, 0x202e, 0xfeff])),
        );
      return { text: chars.join(''), oracles: [] };
    },
  },
];

const KEYS = [
  'daily.txt',
  'Citi Global+Markets (2014).txt',
  'ünïcödé/ファイル.txt',
  'new\nline.txt',
  'bell\u0007\u001b[31m.txt',
  '100% sure=yes&no.txt',
  `${'long-'.repeat(200)}.txt`,
  '\u202eevil.txt',
];

// A source that serves the one object of the case.
class OneObject implements ObjectSource {
  constructor(readonly bytes: Uint8Array) {}
  async read(_b: string, _k: string, maxBytes: number) {
    return this.bytes.length > maxBytes
      ? { ok: false as const, tooLarge: this.bytes.length }
      : { ok: true as const, bytes: this.bytes };
  }
}

// Printable ASCII, nothing else.
const SUBJECT_OK = /^[\x20-\x7e]*$/;
// Raw control characters an email body must not carry (line feed is the only one allowed), and
// the invisible direction / line-separator characters that can disguise text.
// eslint-disable-next-line no-control-regex
const BODY_BAD = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Every alert kind for this version, so every subject template meets the firm name. */
function everyKind(v: VersionRef): AlertRecord[] {
  const base = {
    firmId: v.firmId,
    firmName: v.firmName,
    endDate: v.endDate,
    submitDate: v.submitDate,
    filingType: v.filingType,
    versionKey: v.versionKey,
    source: v.source,
    detail: '',
    targetSource: null,
  };
  const big = new Decimal('-123456789012345678901234567890');
  const short: AlertRecord[] = (['segregation', 'secured', 'clearedSwaps'] as const).flatMap((statement) => [
    {
      ...base,
      id: `d-${statement}`,
      kind: 'deficiency' as const,
      severity: 'critical' as const,
      statement,
      excess: big,
      target: big.abs(),
      shortfall: big.abs().times(2),
      previousExcess: null,
      previousDate: null,
    },
    {
      ...base,
      id: `b-${statement}`,
      kind: 'below-target' as const,
      severity: 'warning' as const,
      statement,
      excess: new Decimal(5),
      target: new Decimal(10),
      shortfall: new Decimal(5),
      previousExcess: null,
      previousDate: null,
    },
    {
      ...base,
      id: `x-${statement}`,
      kind: 'excess-drop' as const,
      severity: 'warning' as const,
      statement,
      excess: new Decimal(1),
      target: null,
      shortfall: big.abs(),
      previousExcess: big.abs(),
      previousDate: '2014-11-05',
    },
  ]);
  return [
    ...short,
    ...resolvedAlerts(v, short, []),
    {
      ...base,
      id: 'l',
      kind: 'late-filing',
      severity: 'warning',
      statement: null,
      excess: null,
      target: null,
      shortfall: null,
      previousExcess: null,
      previousDate: null,
      detail: `submitted ${v.submitDate}`,
    },
    {
      ...base,
      id: 'e',
      kind: 'reconciliation-errors',
      severity: 'warning',
      statement: null,
      excess: null,
      target: null,
      shortfall: null,
      previousExcess: null,
      previousDate: null,
      detail: `SW110 ${v.firmName}\nSW102 bell\u0007 esc\u001b[31m nel\u0085 rlo\u202e ls\u2028 cr\r tab\t end`,
    },
  ];
}

const stats = {
  cases: 0,
  parsed: 0,
  rejected: {} as Record<string, number>,
  byMutator: {} as Record<string, number>,
  subjects: 0,
  bodies: 0,
  oracles: 0,
  reconciled: 0,
};
afterAll(() => {
  console.log(
    `fuzz: ${stats.cases} mutated filings (seed ${SEED}), ${stats.parsed} parsed, rejected ${JSON.stringify(stats.rejected)}; ` +
      `${stats.subjects} subjects and ${stats.bodies} bodies checked, ${stats.oracles} amount oracles, ${stats.reconciled} reconciled through the store; per mutator ${JSON.stringify(stats.byMutator)}`,
  );
});

function checkAlert(a: AlertRecord, where: string, problems: string[], result?: Parameters<typeof alertBody>[1]) {
  const s = alertSubject(a);
  stats.subjects++;
  if (s.length > 100 || !SUBJECT_OK.test(s) || s.length === 0)
    problems.push(`${where}: bad subject ${JSON.stringify(s)}`);
  const b = alertBody(a, result);
  stats.bodies++;
  const bad = BODY_BAD.exec(b);
  if (bad)
    problems.push(
      `${where}: body has U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0')} (${a.kind}) near ${JSON.stringify(b.slice(Math.max(0, bad.index - 30), bad.index + 10))}`,
    );
}

function oneLine(msg: string): boolean {
  // eslint-disable-next-line no-control-regex
  return msg.length > 0 && msg.length <= 1000 && !/[\x00-\x1f\x7f-\x9f\u2028\u2029]/.test(msg);
}

describe('fuzz: mutated filings', () => {
  it(`${CASES} mutated filings (seed ${SEED}): no exception, parsed or rejected in one line, safe subjects and bodies, amounts exact or unreadable`, async () => {
    const r = prng(SEED);
    const problems: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const sample = SAMPLES[i % 2];
      // Every mutator leads in turn; up to two more are stacked on top.
      const chosen = [MUTATORS[i % MUTATORS.length], ...Array.from({ length: int(r, 0, 2) }, () => pick(r, MUTATORS))];
      let text: string | undefined = sample;
      let bytes: Uint8Array | undefined;
      let oracles: AmountOracle[] = [];
      for (const m of chosen) {
        stats.byMutator[m.name] = (stats.byMutator[m.name] ?? 0) + 1;
        if (text === undefined) {
          // Once bytes, later text mutators work on a lossy decoding of them.
          text = Buffer.from(bytes!).toString('utf8');
          bytes = undefined;
        }
        const out = m.apply(text, r);
        // A later mutation may move or rewrite an earlier one's amount: keep only the last mutator's oracles.
        oracles = out.oracles;
        text = out.text;
        bytes = out.bytes;
      }
      const input = bytes ?? Buffer.from(text!, 'utf8');
      const label = `case ${i} [${chosen.map((m) => m.name).join('+')}]`;
      stats.cases++;

      // analyze()
      let outcome: Awaited<ReturnType<typeof analyze>>;
      try {
        outcome = await analyze(input);
      } catch (e) {
        problems.push(`${label}: analyze threw ${(e as Error).stack}`);
        continue;
      }
      if (!outcome.ok) {
        stats.rejected[outcome.error.code] = (stats.rejected[outcome.error.code] ?? 0) + 1;
        if (!ERROR_CODES.includes(outcome.error.code))
          problems.push(`${label}: unknown error code ${outcome.error.code}`);
        if (!oneLine(outcome.error.message))
          problems.push(`${label}: reason not one line: ${JSON.stringify(outcome.error.message.slice(0, 300))}`);
      } else {
        stats.parsed++;
        const { filing } = outcome.analysis;
        for (const o of oracles) {
          stats.oracles++;
          const st = Object.values(filing.statements).find((s) => s?.lines.has(o.code));
          const got = st?.lines.get(o.code)?.toFixed();
          if (o.expect !== null ? got !== o.expect : got !== undefined && got !== o.original)
            problems.push(
              `${label}: [${o.code}] read as ${got}, expected ${o.expect ?? `unreadable (or ${o.original})`}`,
            );
        }
      }

      // parse's ingest with a fake store
      const dynamo = new FakeDynamo();
      const store = new Store(dynamo.client(), 'fuzz');
      const key = `${INCOMING_PREFIX}${KEYS[i % KEYS.length]}`;
      const record = s3Record({ key, size: input.length, eTag: `etag-${i}` });
      const deps = {
        store,
        objects: new OneObject(input),
        maxBytes: MAX_FILING_BYTES,
        incomingPrefix: INCOMING_PREFIX,
        now: () => new Date('2014-11-07T13:00:00Z'),
      };
      let ingested: Awaited<ReturnType<typeof ingestS3Record>>;
      try {
        ingested = await ingestS3Record(deps, record);
      } catch (e) {
        problems.push(`${label}: ingest threw ${(e as Error).stack}`);
        continue;
      }
      if (ingested.status === 'rejected') {
        if (outcome.ok || ingested.code !== outcome.error.code)
          problems.push(
            `${label}: ingest rejected (${ingested.code}) but analyze said ${outcome.ok ? 'ok' : outcome.error.code}`,
          );
        if (!oneLine(ingested.reason)) problems.push(`${label}: ingest reason not one line`);
        const [stored] = await store.listObjectAlerts(BUCKET, key);
        if (!stored) problems.push(`${label}: no rejected alert stored`);
        else checkAlert(stored, `${label} rejected alert`, problems);
        checkAlert(
          rejectedAlert({ bucket: BUCKET, key }, 'x', ingested.code, ingested.reason),
          `${label} rejected`,
          problems,
        );
        continue;
      }
      if (ingested.status !== 'stored' || !outcome.ok) {
        problems.push(`${label}: ingest ${ingested.status} but analyze ${outcome.ok ? 'ok' : outcome.error.code}`);
        continue;
      }

      // The stored version reads back as the filing analyze parsed (every amount, exactly).
      const item = dynamo.all().find((x) => x.type === 'filing')!;
      const version = versionFromItem(item);
      const a = filingToJson(outcome.analysis.filing);
      const b = filingToJson(version.filing);
      if (JSON.stringify(a) !== JSON.stringify(b)) problems.push(`${label}: stored filing differs from the parsed one`);

      const ref: VersionRef = {
        firmId: version.firmId,
        firmName: version.firmName,
        endDate: version.endDate,
        submitDate: version.submitDate,
        filingType: version.filingType,
        versionKey: version.versionKey,
        source: { bucket: BUCKET, key },
      };
      for (const alert of [...alertsForVersion(ref, outcome.analysis.reconciliation), ...everyKind(ref)])
        checkAlert(alert, label, problems);

      // Every third parsed case: reconcile through the store, render the stored alerts as notify would.
      if (stats.parsed % 3 === 0) {
        try {
          await reconcileVersion({ store, now: () => new Date('2014-11-07T13:00:01Z') }, version);
          stats.reconciled++;
        } catch (e) {
          problems.push(`${label}: reconcile threw ${(e as Error).stack}`);
          continue;
        }
        const result = (await store.getResult(version.firmId, version.endDate, version.versionKey))!;
        for (const it of dynamo.all().filter((x) => x.type === 'alert')) {
          const alert = alertFromItem(it);
          const st = alert.statement ? result.statements[alert.statement] : undefined;
          checkAlert(
            alert,
            `${label} stored ${alert.kind}`,
            problems,
            st ? { ...st, statement: alert.statement! } : undefined,
          );
        }
      }
    }
    expect(stats.cases).toBeGreaterThanOrEqual(1000);
    // Both outcomes occur, so the checks above ran on both paths.
    expect(stats.parsed).toBeGreaterThan(100);
    expect(Object.values(stats.rejected).reduce((x, y) => x + y, 0)).toBeGreaterThan(100);
    expect(stats.oracles).toBeGreaterThan(50);
    expect(problems.slice(0, 15)).toEqual([]);
  });
});
