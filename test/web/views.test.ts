/**
 * The view helpers against every value they can be given (fast-check): digit grouping done on the
 * string agrees with decimal.js for any decimal string; a chart draws exactly one point per
 * value, inside its view box, higher values higher; the board and firm pages render any figures
 * the read side may send (negative, zero, cents, 24 digits, nulls) without losing one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dec, grouped } from '../../shared/domain/money';
import { chart, dollars, niceStep, scaleFor } from '../../functions/api/views/chart';
import { groupDigits, money, pct, signedMoney } from '../../functions/api/views/html';
import { boardPage } from '../../functions/api/views/board';
import { firmPage } from '../../functions/api/views/firm';
import { alertsTable, LOWER_EXCESS_NOTE } from '../../functions/api/views/alerts';
import type { BoardJson, HistoryJson, ReadStatus, StatementDay } from '../../shared/read/types';

const decimalString = fc
  .tuple(
    fc.boolean(),
    fc.bigInt({ min: 0n, max: 10n ** 24n }),
    fc.option(fc.stringMatching(/^\d{1,4}$/), { nil: undefined }),
  )
  .map(([neg, int, frac]) => {
    const s = `${neg && (int > 0n || /[1-9]/.test(frac ?? '')) ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
    return dec(s).toFixed() === s ? s : dec(s).toFixed();
  });

describe('numbers', () => {
  it('groupDigits(s) is grouped(dec(s)) for every decimal string', () => {
    fc.assert(
      fc.property(decimalString, (s) => {
        expect(groupDigits(s)).toBe(grouped(dec(s)));
      }),
    );
    expect(groupDigits('-1234567.5')).toBe('-1,234,567.5');
    expect(groupDigits('999')).toBe('999');
    expect(groupDigits('1000')).toBe('1,000');
    expect(() => groupDigits('1e6')).toThrow();
    expect(() => groupDigits('12,000')).toThrow();
  });

  it('signs and nulls', () => {
    expect(signedMoney('1500')).toBe('+1,500');
    expect(signedMoney('-1500')).toBe('-1,500');
    expect(signedMoney('0')).toBe('0');
    expect(pct('2.5')).toBe('+2.5%');
    expect(money(null)).toBe('\u2013');
    expect(money('64667775.5')).toBe('64,667,775.50');
    expect(money('0.25')).toBe('0.25');
    expect(signedMoney('-2.5')).toBe('-2.50');
  });
});

describe('charts', () => {
  it('niceStep is 1, 2 or 5 times a power of ten, and about a quarter of the range', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 22n }), (range) => {
        const step = niceStep(range);
        expect(/^[125]0*$/.test(step.toString())).toBe(true);
        expect(step * 10n >= range / 4n).toBe(true);
        expect(step <= range || range < 4n).toBe(true);
      }),
    );
  });

  it('the scale holds every value and zero when a value is not above it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n })), { minLength: 1, maxLength: 40 }),
        (values) => {
          const s = scaleFor(values);
          for (const v of values) if (v !== null) expect(v >= s.lo && v <= s.hi).toBe(true);
          if (values.some((v) => v !== null && v <= 0n)) expect(s.lo <= 0n && s.hi >= 0n).toBe(true);
          expect(s.hi > s.lo).toBe(true);
        },
      ),
    );
  });

  it('one point per value, inside the view box, a larger value drawn higher', () => {
    fc.assert(
      fc.property(fc.array(fc.option(decimalString, { nil: null }), { minLength: 1, maxLength: 60 }), (values) => {
        const dates = values.map((_, i) => `2025-01-${String((i % 28) + 1).padStart(2, '0')}`);
        const svg = String(
          chart({
            id: 'c',
            title: 't',
            desc: 'd',
            dates,
            lines: [{ cls: 'ex', values }],
            points: { values, kinds: values.map(() => 'ok'), titles: values.map(() => null) },
          }),
        );
        const pts = [...svg.matchAll(/<path d="M(\d+) (-?\d+)h0"/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) }));
        const given = values.map((v, i) => ({ v, i })).filter((p): p is { v: string; i: number } => p.v !== null);
        expect(pts).toHaveLength(given.length);
        for (const p of pts) {
          expect(p.x).toBeGreaterThanOrEqual(0);
          expect(p.x).toBeLessThanOrEqual(900);
          expect(p.y).toBeGreaterThanOrEqual(0);
          expect(p.y).toBeLessThanOrEqual(250);
        }
        for (let a = 0; a < given.length; a++)
          for (let b = 0; b < given.length; b++)
            if (dollars(given[a].v) > dollars(given[b].v)) expect(pts[a].y).toBeLessThanOrEqual(pts[b].y);
      }),
      { numRuns: 150 },
    );
  });
});

const statementDay: fc.Arbitrary<StatementDay> = fc.record({
  required: fc.option(decimalString, { nil: null }),
  funds: fc.option(decimalString, { nil: null }),
  excess: fc.option(decimalString, { nil: null }),
  excessRecomputed: fc.boolean(),
  target: fc.option(decimalString, { nil: null }),
  targetSource: fc.constantFrom('statement' as const, 'cover-page' as const, null),
  overTarget: fc.option(decimalString, { nil: null }),
  status: fc.constantFrom<ReadStatus>('ok', 'below-target', 'deficiency', 'unreconciled'),
  changeFromPrevious: fc.option(decimalString, { nil: null }),
  changePct: fc.option(decimalString, { nil: null }),
  cushion: fc.option(decimalString, { nil: null }),
  headroom: fc.option(decimalString, { nil: null }),
});

describe('pages render any figures', () => {
  it('the board shows every firm once, in the given order, with its excess', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), statementDay), { minLength: 1, maxLength: 8 }), (firms) => {
        const b: BoardJson = {
          date: '2025-03-05',
          firms: firms.map(([filed, s], i) => ({
            firmId: `firm-${i}`,
            firmName: `Firm ${i}`,
            filed,
            late: false,
            statements: filed ? { segregation: s } : {},
          })),
        };
        const html = String(boardPage(b, { previous: null, next: null, dueDay: null, today: '2025-03-06' }, {}));
        const order = [...html.matchAll(/data-firm="(firm-\d+)"/g)].map((m) => m[1]);
        expect(order).toEqual(b.firms.map((f) => f.firmId));
        for (const f of b.firms)
          if (f.filed) {
            const s = f.statements.segregation!;
            // A recomputed excess carries the mark right after it; any other excess none.
            const mark = s.excessRecomputed && s.excess !== null ? '<abbr class="rc" title="[^"]+">\u2020</abbr>' : '';
            expect(html).toMatch(
              new RegExp(`<dd class="excess[^"]*">${money(s.excess).replace(/[.+]/g, '\\$&')}${mark}(<dt>|</dl>)`),
            );
          }
        const marked = b.firms.some(
          (f) => f.filed && f.statements.segregation!.excessRecomputed && f.statements.segregation!.excess !== null,
        );
        expect(html.includes('<p class="note">\u2020 recomputed from the lines (funds - required)')).toBe(marked);
      }),
      { numRuns: 80 },
    );
  });

  it('the firm page has a point and a row per day of each statement', () => {
    fc.assert(
      fc.property(fc.array(statementDay, { minLength: 1, maxLength: 30 }), (days) => {
        const h: HistoryJson = {
          firmId: 'f',
          firmName: 'F',
          days: days.map((s, i) => ({
            endDate: `2025-02-${String(i + 1).padStart(2, '0')}`,
            filingType: 'INITIAL',
            submitDate: '2025-03-01',
            versions: 1,
            late: false,
            statements: { secured: s },
          })),
        };
        const html = String(firmPage(h, { from: '2025-02-01', to: '2025-02-28', fellBack: false }, {}));
        const chartSvg = /<svg id="c-secured-ex"[\s\S]*?<\/svg>/.exec(html)![0];
        const points = (
          /<g class="pts">([\s\S]*?)<\/g>/.exec(chartSvg)![1].match(/<(circle|path) (class="pt|d="M\d+ -?\d+h0")/g) ??
          []
        ).length;
        expect(points).toBe(days.filter((d) => d.excess !== null).length);
        expect((/<tbody>([\s\S]*?)<\/tbody>/.exec(html)![1].match(/<tr/g) ?? []).length).toBe(days.length);
      }),
      { numRuns: 80 },
    );
  });

  it("a firm's alert chips: cured only when the statement's newest deficiency or resolved alert is the resolved one", () => {
    const alert = (kind: string, severity: 'critical' | 'warning' | 'info', i: number) => ({
      id: `a${i}`,
      kind,
      severity,
      firmId: 'f',
      firmName: 'F',
      endDate: '2025-03-05',
      statement: 'segregation' as const,
      excess: null,
      target: null,
      shortfall: null,
      subject: kind,
      state: 'sent' as const,
      sentAt: null,
    });
    const chips = (alerts: ReturnType<typeof alert>[]) => {
      const b: BoardJson = {
        date: '2025-03-05',
        firms: [{ firmId: 'f', firmName: 'F', filed: true, late: false, statements: {}, alerts }],
      };
      const html = String(boardPage(b, { previous: null, next: null, dueDay: null, today: '2025-03-06' }, {}));
      return [...html.matchAll(/<a class="chip sev-(\w+)"[^>]*>([^<]*)<\/a>/g)].map((m) => `${m[1]}:${m[2]}`);
    };
    // Newest first: resolved after the deficiency: one muted chip.
    expect(chips([alert('resolved', 'info', 2), alert('deficiency', 'critical', 1)])).toEqual([
      'cured:deficiency cured',
    ]);
    // Deficient again after the cure (a new episode): the deficiency stays critical, the cure is shown beside it.
    expect(
      chips([alert('deficiency', 'critical', 3), alert('resolved', 'info', 2), alert('deficiency', 'critical', 1)]),
    ).toEqual(['critical:deficiency \u00d72', 'info:resolved']);
    expect(chips([alert('deficiency', 'critical', 1)])).toEqual(['critical:deficiency']);
  });
  it("the alerts table marks a reconciliation alert's excess (the lower of filed and recomputed, which need not be the line as filed) with a note; a deficiency's excess is unmarked", () => {
    const row = (kind: string, excess: string | null, i: number) => ({
      id: `a${i}`,
      kind,
      severity: 'critical' as const,
      firmId: 'f',
      firmName: 'F',
      endDate: '2025-03-05',
      statement: 'segregation' as const,
      excess,
      target: null,
      shortfall: null,
      subject: kind,
      state: 'sent' as const,
      sentAt: null,
    });
    const cells = (html: string) =>
      [...html.matchAll(/<tr data-kind="([\w-]+)">(?:<td[^>]*>.*?<\/td>){4}<td class="n">(.*?)<\/td>/g)].map((m) => [
        m[1],
        m[2],
      ]);
    const both = String(alertsTable([row('reconciliation-errors', '-5000', 2), row('deficiency', '-4000', 1)], 'c'));
    expect(cells(both)).toEqual([
      ['reconciliation-errors', `-5,000<abbr class="rc" title="${LOWER_EXCESS_NOTE}">\u2021</abbr>`],
      ['deficiency', '-4,000'],
    ]);
    expect(both).toContain(`<p class="note">\u2021 ${LOWER_EXCESS_NOTE}.</p>`);
    // No note where no row is marked: a reconciliation alert of several statements carries no excess.
    const none = String(alertsTable([row('reconciliation-errors', null, 2), row('deficiency', '-4000', 1)], 'c'));
    expect(cells(none)).toEqual([
      ['reconciliation-errors', '\u2013'],
      ['deficiency', '-4,000'],
    ]);
    expect(none).not.toContain('class="note"');
  });
});
