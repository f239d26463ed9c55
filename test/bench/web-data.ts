/**
 * Sixty firms times ten years of daily filings for the dashboard's benchmark, generated lazily
 * (a firm-day's filing is built when first asked for, from the 2014 sample as the scenario's are),
 * behind the fake read side. Deterministic: the same firm and day always give the same filing.
 */
import { createHash } from 'node:crypto';
import { STATEMENT_KEYS, FORMS, type StatementKey } from '../../shared/domain/forms';
import { Decimal } from '../../shared/domain/money';
import type { Filing } from '../../shared/domain/model';
import { firmIdOf } from '../../shared/domain/parser';
import { dueDay, isFilingDay } from '../../shared/domain/calendar';
import { INCOMING_PREFIX } from '../../shared/table';
import { anyFilingDays, type FakeFirm, type FakeSource, type FakeVersion } from '../support/fake-read';
import { buildFiling, template, type StatementPlan } from '../support/web-scenario';

const WORDS = ['Atlas', 'Beacon', 'Cedar', 'Delta', 'Eagle', 'Falcon', 'Granite', 'Harbor', 'Iron', 'Juniper', 'Keystone', 'Lakeside', 'Meridian', 'Northgate', 'Oakridge', 'Pioneer', 'Quarry', 'Riverton', 'Summit', 'Tidewater'];
const KINDS = ['Futures LLC', 'Clearing Corp.', 'Commodities & Co.'];

/** A number in [0, 1) from a hash of the parts (deterministic noise). */
function noise(...parts: (string | number)[]): number {
  return createHash('sha1').update(parts.join('|')).digest().readUInt32BE(0) / 2 ** 32;
}

export interface GeneratedOptions {
  firms?: number;
  from?: string;
  to?: string;
}

export function generatedSource(o: GeneratedOptions = {}): FakeSource & { dayCount: number } {
  const n = o.firms ?? 60;
  const from = o.from ?? '2016-01-04';
  const to = o.to ?? '2025-12-31';
  const days = anyFilingDays(from, to);
  const firms: FakeFirm[] = Array.from({ length: n }, (_, i) => {
    const firmName = `${WORDS[i % WORDS.length]} ${KINDS[Math.floor(i / WORDS.length) % KINDS.length]}`;
    return { firmId: firmIdOf(firmName), firmName };
  });
  const index = new Map(firms.map((f, i) => [f.firmId, i]));
  const dayIndex = new Map(days.map((d, i) => [d, i]));
  const base = template();
  const sampleTarget = (s: StatementKey) => base.statements[s]!.lines.get(FORMS.variantById.get(base.statements[s]!.variant)!.roles.target!)!;

  function filing(firm: FakeFirm, d: string, amendment: boolean): Filing {
    const fi = index.get(firm.firmId)!;
    const i = dayIndex.get(d)!;
    const scale = new Decimal(5 + (fi % 12) * 9).div(100).times(new Decimal(1000 + Math.round(60 * Math.sin(i / 90 + fi))).div(1000));
    const plans: Partial<Record<StatementKey, StatementPlan>> = {};
    STATEMENT_KEYS.forEach((s, si) => {
      if (!isFilingDay(s, d)) return;
      // Targets step up once a year or so; the cushion wanders around 1.3, dipping below 1 now and then.
      const step = Math.floor((i + fi * 37) / 260);
      const target = sampleTarget(s).times(new Decimal(5 + (fi % 12) * 9).div(100)).times(new Decimal(100 + step * 4).div(100)).div(100000).toDecimalPlaces(0).times(100000);
      const wave = 0.3 * Math.sin(i / 23 + fi + si) + 0.12 * Math.sin(i / 5.3 + si * fi);
      let cushion = new Decimal(Math.round((1.3 + wave + 0.08 * (noise(fi, si, i) - 0.5)) * 1000)).div(1000);
      if (amendment) cushion = cushion.plus('0.02');
      if (noise('def', fi, si, i) < 0.0015) cushion = new Decimal('-0.2');
      plans[s] = { scale, target, excess: target.times(cushion).toDecimalPlaces(0) };
    });
    const late = !amendment && noise('late', fi, i) < 0.015;
    const due = dueDay('segregation', d);
    const submitDate = amendment ? days[Math.min(i + 2, days.length - 1)] > due ? days[Math.min(i + 2, days.length - 1)] : due : late ? days[Math.min(i + 2, days.length - 1)] : due;
    return buildFiling(base, { firmName: firm.firmName, firmId: firm.firmId, endDate: d, submitDate, filingType: amendment ? 'AMENDMENT' : 'INITIAL' }, plans);
  }

  return {
    dayCount: days.length,
    firms: () => firms,
    days: () => days,
    versions(firmId, d): FakeVersion[] {
      const firm = firms[index.get(firmId)!];
      const i = dayIndex.get(d)!;
      const out: FakeVersion[] = [];
      const initial = filing(firm, d, false);
      const key = (f: Filing) => `${INCOMING_PREFIX}${f.firmId}-${f.endDate}-${f.filingType.toLowerCase()}.txt`;
      out.push({ filing: initial, arrivedAt: `${initial.submitDate}T14:00:00.000Z`, source: { bucket: 'segwatch-bench', key: key(initial) } });
      if (noise('amend', firmId, i) < 0.03) {
        const a = filing(firm, d, true);
        out.push({ filing: a, arrivedAt: `${a.submitDate}T16:00:00.000Z`, source: { bucket: 'segwatch-bench', key: key(a) } });
      }
      return out;
    },
  };
}
