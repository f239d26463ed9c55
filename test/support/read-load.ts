/**
 * Histories of filings for the read side's tests and benchmark, and a writer that stores them as
 * the pipeline would (version, result, superseded versions, head, firm registry, alerts) through
 * the store's own methods, on DynamoDB (shared/adapters/store.ts Store) or in memory (MemorySource):
 * no S3, queue or stream in between. Filings of one firm must be written in date order (an
 * amendment any time after its day): the writer keeps each firm's recent days in memory for the
 * previous-day and trend alerts, as reconcile reads them from the table.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertsForVersion, resolvedAlerts, type AlertRecord, type VersionRef } from '../../shared/domain/alerts';
import { dueDay, filingDays, nextBusinessDay } from '../../shared/domain/calendar';
import { dayAlerts, type DayFigures } from '../../shared/domain/day-alerts';
import { FORMS, STATEMENT_KEYS, type StatementKey } from '../../shared/domain/forms';
import { computeDerived, seededRng, slackCode, type Rng } from './generate';
import { Decimal, type Decimal as D } from '../../shared/domain/money';
import { filingToJson, Lines, type Filing, type Statement } from '../../shared/domain/model';
import { firmIdOf, parseFilingText } from '../../shared/domain/parser';
import { reconcile } from '../../shared/domain/reconcile';
import {
  contentHash,
  overallStatus,
  summaryOf,
  versionKeyOf,
  type StatementSummary,
} from '../../shared/adapters/store';
import { submittedLate } from '../../shared/read/model';

const SAMPLE = readFileSync(join(__dirname, '../fixtures/citigroup-2014-11-06-initial.txt'), 'utf8');
let baseFiling: Filing | undefined;
/** The 2014 sample, parsed once: every statement with its management target line. */
export function sampleFiling(): Filing {
  baseFiling ??= parseFilingText(SAMPLE).filing;
  return baseFiling;
}

const isInput = (v: ReturnType<typeof variantOf>, code: string) => {
  const l = v.byCode.get(code);
  return !!l && !l.sum && !l.greaterOf && !l.equals;
};
const variantOf = (st: Statement) => FORMS.variantById.get(st.variant)!;

export interface FirmBase {
  firmId: string;
  firmName: string;
  /** The sample's statements with every input scaled (a firm of another size). */
  statements: Partial<Record<StatementKey, Statement>>;
}

/** A firm shaped like the sample, its inputs scaled by `percent` / 100 (whole dollars). */
export function firmBase(firmName: string, percent = 100): FirmBase {
  const s = sampleFiling();
  const statements: FirmBase['statements'] = {};
  for (const k of STATEMENT_KEYS) {
    const st = s.statements[k];
    if (!st) continue;
    const v = variantOf(st);
    const values = new Map(st.lines);
    for (const [code, amount] of values)
      if (isInput(v, code)) values.set(code, amount.times(percent).dividedToIntegerBy(100));
    const uncoded = st.uncoded.map((u) => ({ ...u, amount: u.amount.times(percent).dividedToIntegerBy(100) }));
    for (const u of uncoded) values.set(u.partOf, new Decimal(0));
    for (const u of uncoded) values.set(u.partOf, values.get(u.partOf)!.plus(u.amount));
    computeDerived(v, values);
    statements[k] = { ...st, lines: Lines.from(values), uncoded };
  }
  return { firmId: firmIdOf(firmName), firmName, statements };
}

export function requiredOf(base: FirmBase, k: StatementKey): D {
  const st = base.statements[k]!;
  return st.lines.get(variantOf(st).roles.required)!;
}

export interface DaySpec {
  endDate: string;
  submitDate?: string;
  filingType?: 'INITIAL' | 'AMENDMENT';
  /** Per statement: the excess to land on and the management target. */
  excess: Partial<Record<StatementKey, D>>;
  target?: Partial<Record<StatementKey, D>>;
}

/** A consistent filing of `base`'s firm: each statement's funds steered (its cash line) so the excess is as asked. */
export function dayFiling(base: FirmBase, spec: DaySpec): Filing {
  const statements: Filing['statements'] = {};
  for (const k of STATEMENT_KEYS) {
    const st = base.statements[k];
    if (!st) continue;
    const v = variantOf(st);
    const values = new Map(st.lines);
    const t = spec.target?.[k];
    if (t !== undefined && v.roles.target) values.set(v.roles.target, t);
    const e = spec.excess[k];
    if (e !== undefined) {
      computeDerived(v, values);
      const slack = slackCode(v);
      values.set(
        slack,
        values.get(slack)!.plus(values.get(v.roles.required)!.plus(e).minus(values.get(v.roles.funds)!)),
      );
    }
    computeDerived(v, values);
    statements[k] = { ...st, lines: Lines.from(values) };
  }
  return {
    filingType: spec.filingType ?? 'INITIAL',
    endDate: spec.endDate,
    submitDate: spec.submitDate ?? dueDay('segregation', spec.endDate),
    firmName: base.firmName,
    firmId: base.firmId,
    form: sampleFiling().form,
    statements,
    unknownCodes: [],
  };
}

// ---- writing like the pipeline ----------------------------------------------------------------

/** The store's writes the pipeline makes (Store and MemorySource both have them). */
export interface ReadSink {
  putFirm(f: { firmId: string; firmName: string }): Promise<boolean>;
  putVersion(v: Parameters<import('../../shared/adapters/store').Store['putVersion']>[0]): Promise<boolean>;
  putResult(r: Parameters<import('../../shared/adapters/store').Store['putResult']>[0]): Promise<boolean>;
  advanceHead(
    h: Parameters<import('../../shared/adapters/store').Store['advanceHead']>[0] & {
      versions?: number;
      late?: boolean;
    },
  ): Promise<unknown>;
  markSuperseded(firmId: string, endDate: string, versionKey: string, by: string): Promise<boolean>;
  putAlert(a: AlertRecord, raisedAt: string, day: string): Promise<boolean>;
}

export interface WriterOptions {
  bucket?: string;
  /** Raise target-changed and trend-to-target too (shared/domain/day-alerts.ts), as the pipeline will once they are wired. */
  dayAlerts?: boolean;
  /** Give the head `versions` and `late` (what issue 10's store records); the sink decides whether it keeps them. */
  headFacts?: boolean;
  /** Writes in flight at once within one filing (the version, result and alerts do not depend on each other). */
  parallel?: boolean;
}

interface Known {
  effective: string;
  alerts: AlertRecord[];
  versions: number;
  initialLate: boolean;
}

export class HistoryWriter {
  /** Per firm: its effective days' figures, by date. */
  private days = new Map<string, Map<string, DayFigures>>();
  private known = new Map<string, Known>();
  private firms = new Set<string>();
  writes = 0;

  constructor(
    readonly sink: ReadSink,
    readonly options: WriterOptions = {},
  ) {}

  /** Store one filing as the pipeline would; returns its version key, whether it is effective, and its alerts. */
  async write(
    filing: Filing,
    arrivedAt: string,
    objectKey = `incoming/${filing.firmId}-${filing.endDate}-${filing.filingType.toLowerCase()}-${filing.submitDate}.txt`,
  ) {
    const bucket = this.options.bucket ?? 'segwatch-filings-local';
    const json = filingToJson(filing);
    const hash = contentHash(json);
    const versionKey = versionKeyOf(filing, hash);
    const rec = reconcile(filing);
    const statements = summaryOf(rec);
    const errorCount = rec.findings.filter((f) => f.severity === 'error' && f.ruleId !== 'SW120').length;
    const status = overallStatus({ statements, errorCount });
    const ref: VersionRef = {
      firmId: filing.firmId,
      firmName: filing.firmName,
      endDate: filing.endDate,
      submitDate: filing.submitDate,
      filingType: filing.filingType,
      versionKey,
      source: { bucket, key: objectKey },
    };
    const dayKey = `${filing.firmId}\u0000${filing.endDate}`;
    const known = this.known.get(dayKey);
    const effective = !known || versionKey > known.effective;
    const firmDays = this.days.get(filing.firmId) ?? new Map<string, DayFigures>();
    this.days.set(filing.firmId, firmDays);
    let alerts: AlertRecord[] = [];
    if (effective) {
      let prev: DayFigures | undefined;
      const recent: DayFigures[] = [];
      for (const d of firmDays.values()) {
        if (d.endDate >= filing.endDate) continue;
        if (!prev || d.endDate > prev.endDate) prev = d;
        recent.push(d);
      }
      alerts = alertsForVersion(ref, rec, prev ? { endDate: prev.endDate, statements: prev.statements } : undefined);
      const today: DayFigures = {
        endDate: filing.endDate,
        statements: statements as Partial<Record<StatementKey, StatementSummary>>,
      };
      if (this.options.dayAlerts) alerts.push(...dayAlerts(ref, today, recent.slice(-40)));
      if (known) alerts.push(...resolvedAlerts(ref, known.alerts, alerts));
    }
    const put = async <T>(p: Promise<T>) => {
      this.writes++;
      return p;
    };
    const version = put(
      this.sink.putVersion({
        firmId: filing.firmId,
        firmName: filing.firmName,
        endDate: filing.endDate,
        submitDate: filing.submitDate,
        filingType: filing.filingType,
        versionKey,
        contentHash: hash,
        source: { bucket, key: objectKey, objectId: hash.slice(0, 32) },
        receivedAt: arrivedAt,
        arrivedAt,
        filing,
        unreadable: [],
      } as Parameters<ReadSink['putVersion']>[0]),
    );
    const result = put(
      this.sink.putResult({
        firmId: filing.firmId,
        endDate: filing.endDate,
        versionKey,
        statements,
        findings: rec.findings,
        errorCount,
        alertIds: alerts.map((a) => a.id),
        reconciledAt: arrivedAt,
        findingsOmitted: 0,
        late:
          filing.filingType === 'INITIAL' &&
          submittedLate(filing.endDate, filing.submitDate, Object.keys(statements) as StatementKey[]),
      } as Parameters<ReadSink['putResult']>[0]),
    );
    const alertWrites = alerts.map((a) => put(this.sink.putAlert(a, arrivedAt, filing.endDate)));
    if (this.options.parallel) await Promise.all([version, result, ...alertWrites]);
    else for (const p of [version, result, ...alertWrites]) await p;
    const versions = (known?.versions ?? 0) + 1;
    const initialLate =
      (known?.initialLate ?? false) ||
      (filing.filingType === 'INITIAL' &&
        submittedLate(filing.endDate, filing.submitDate, Object.keys(statements) as StatementKey[]));
    if (effective) {
      if (known) await put(this.sink.markSuperseded(filing.firmId, filing.endDate, known.effective, versionKey));
      if (!this.firms.has(filing.firmId)) {
        this.firms.add(filing.firmId);
        await put(this.sink.putFirm({ firmId: filing.firmId, firmName: filing.firmName }));
      }
      // The store's head write: advanceHead (a conditional move forward), or putHead where the store
      // decides the effective version from the table itself (issue 10) and records versions and late.
      const writeHead = (h: Parameters<ReadSink['advanceHead']>[0]) => {
        const s = this.sink as ReadSink & { putHead?: (h: unknown) => Promise<unknown> };
        return typeof s.putHead === 'function'
          ? s.putHead({ versions, late: initialLate, basis: '', prevBasis: {}, ...h })
          : s.advanceHead(h);
      };
      await put(
        writeHead({
          firmId: filing.firmId,
          firmName: filing.firmName,
          endDate: filing.endDate,
          effective: versionKey,
          filingType: filing.filingType,
          submitDate: filing.submitDate,
          status,
          statements,
          updatedAt: arrivedAt,
          ...(this.options.headFacts ? { versions, late: initialLate } : {}),
        } as Parameters<ReadSink['advanceHead']>[0]),
      );
      firmDays.set(filing.endDate, { endDate: filing.endDate, statements: statements as DayFigures['statements'] });
      // Keep the recent days only (the trend reads at most 19 filing days back).
      if (firmDays.size > 60) firmDays.delete(firmDays.keys().next().value!);
      this.known.set(dayKey, { effective: versionKey, alerts, versions, initialLate });
    } else {
      await put(this.sink.markSuperseded(filing.firmId, filing.endDate, versionKey, known!.effective));
      this.known.set(dayKey, { ...known!, versions, initialLate });
    }
    return { versionKey, effective, alerts };
  }
}

// ---- generated histories ------------------------------------------------------------------------

const WORDS = [
  'Acorn',
  'Beacon',
  'Cedar',
  'Delta',
  'Ember',
  'Falcon',
  'Granite',
  'Harbor',
  'Iris',
  'Juniper',
  'Kestrel',
  'Lantern',
  'Meridian',
  'Northgate',
  'Orchard',
  'Pinnacle',
  'Quarry',
  'Redwood',
  'Summit',
  'Tidewater',
  'Upland',
  'Vantage',
  'Willow',
  'Yarrow',
  'Zephyr',
  'Atlas',
  'Bluestem',
  'Cobalt',
  'Driftwood',
  'Eastbrook',
  'Fairhaven',
  'Glenwood',
  'Highland',
  'Ironside',
  'Jasper',
  'Keystone',
  'Larkspur',
  'Millbrook',
  'Newport',
  'Oakmont',
  'Prairie',
  'Quill',
  'Riverside',
  'Stonebridge',
  'Thornton',
  'Union Square',
  'Valley',
  'Westfield',
  'Yellowstone',
  'Zenith',
  'Amberly',
  'Brightwater',
  'Crestview',
  'Dunmore',
  'Elmhurst',
  'Foxhall',
  'Greystone',
  'Hawthorne',
  'Ivywood',
  'Kingsbridge',
];
const SUFFIX = ['Clearing LLC', 'Futures Inc.', 'Securities LLC', 'Capital Markets LLC', 'Trading L.L.C.'];

export const firmName = (i: number) =>
  `${WORDS[i % WORDS.length]}${i >= WORDS.length ? ` ${Math.floor(i / WORDS.length) + 1}` : ''} ${SUFFIX[i % SUFFIX.length]}`;

export interface HistoryOptions {
  firms: number;
  from: string;
  to: string;
  seed: number;
  /** Per mille of filing days amended (the amendment submitted a business day after the initial). Default 15. */
  amendPerMille?: number;
  /** Per mille of a firm's days with no filing at all. Default 1. */
  missingPerMille?: number;
  /** Per mille of initials submitted late. Default 5. */
  latePerMille?: number;
}

export interface GeneratedFiling {
  filing: Filing;
  /** When its object arrived (ISO): the submit date, at a time of day. */
  arrivedAt: string;
}

interface Walk {
  target: D;
  /** The excess as a multiple of the target, in ten-thousandths (a ratio, not an amount). */
  ratio: number;
  /** Filing days left of a downtrend, and its daily fall in ten-thousandths of the target. */
  trendDays: number;
  trendStep: number;
}

/** The next day of a walk: noise, a pull back toward 1.6 x target, now and then a downtrend of 8 to 20 days, rarely a new target. */
function step(rng: Rng, w: Walk): void {
  w.ratio += rng.int(-400, 400) + Math.round((16_000 - w.ratio) / 20);
  if (w.trendDays > 0) {
    w.ratio -= w.trendStep + rng.int(-50, 50);
    w.trendDays--;
  } else if (rng.int(0, 9999) < 40) {
    w.trendDays = rng.int(8, 20);
    w.trendStep = rng.int(300, 900);
  }
  if (rng.int(0, 9999) < 15) w.target = w.target.times(rng.int(85, 120)).dividedToIntegerBy(100); // a new target
}

/** The day's excess: the walk's, or (1 day in 2,000) a deficiency of up to 3% of the requirement. */
function excessOf(rng: Rng, w: Walk, required: D): D {
  if (rng.int(0, 1999) === 0) return required.times(rng.int(-30, -1)).dividedToIntegerBy(1000);
  return w.target.times(w.ratio).dividedToIntegerBy(10_000);
}

/**
 * Every firm's filings for every filing day from `from` to `to` (the calendar's segregation days),
 * day by day, deterministic for a seed. Amendments follow their initial a business day later.
 */
export function* generateHistory(o: HistoryOptions): Generator<GeneratedFiling> {
  const rng = seededRng(o.seed);
  const days = filingDays('segregation', o.from, o.to);
  const firms = Array.from({ length: o.firms }, (_, i) => {
    const base = firmBase(firmName(i), 20 + ((i * 37) % 200));
    const walks: Partial<Record<StatementKey, Walk>> = {};
    for (const k of STATEMENT_KEYS) {
      if (!base.statements[k]) continue;
      const required = requiredOf(base, k);
      const target = required.times(rng.int(3, 12)).dividedToIntegerBy(100);
      walks[k] = { target, ratio: rng.int(13_000, 25_000), trendDays: 0, trendStep: 0 };
    }
    const required = Object.fromEntries(
      STATEMENT_KEYS.filter((k) => base.statements[k]).map((k) => [k, requiredOf(base, k)]),
    ) as Partial<Record<StatementKey, D>>;
    return { base, walks, required };
  });
  const amend = o.amendPerMille ?? 15;
  const missing = o.missingPerMille ?? 1;
  const late = o.latePerMille ?? 5;
  let pending: GeneratedFiling[] = [];
  for (const day of days) {
    const next: GeneratedFiling[] = [];
    for (const p of pending) yield p;
    pending = [];
    for (const f of firms) {
      for (const k of STATEMENT_KEYS) if (f.walks[k]) step(rng, f.walks[k]!);
      if (rng.int(0, 999) < missing) continue;
      const excess: DaySpec['excess'] = {};
      const target: DaySpec['target'] = {};
      for (const k of STATEMENT_KEYS)
        if (f.walks[k]) {
          excess[k] = excessOf(rng, f.walks[k]!, f.required[k]!);
          target[k] = f.walks[k]!.target;
        }
      const due = dueDay('segregation', day);
      const submitDate = rng.int(0, 999) < late ? nextBusinessDay(due) : due;
      const filing = dayFiling(f.base, { endDate: day, submitDate, excess, target });
      yield {
        filing,
        arrivedAt: `${submitDate}T${String(8 + rng.int(0, 3)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}:00.000Z`,
      };
      if (rng.int(0, 999) < amend) {
        const fixed: DaySpec['excess'] = {};
        for (const k of STATEMENT_KEYS)
          if (excess[k]) fixed[k] = excess[k]!.times(rng.int(90, 110)).dividedToIntegerBy(100);
        const amendDate = nextBusinessDay(submitDate);
        next.push({
          filing: dayFiling(f.base, {
            endDate: day,
            submitDate: amendDate,
            filingType: 'AMENDMENT',
            excess: fixed,
            target,
          }),
          arrivedAt: `${amendDate}T15:00:00.000Z`,
        });
      }
    }
    pending = next;
  }
  for (const p of pending) yield p;
}
