/**
 * The dashboard's routes, through the app itself (app.request, no network), on the scenario's data
 * through the fake read side: every JSON route answers exactly what the query answers (the CLI's
 * --json shape), every page renders its data, 404 for an unknown firm or day, 400 for a bad date.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/api/app';
import { twelveMonthsBefore } from '../../functions/api/dates';
import { historyCsv } from '../../shared/read/render';
import { ReadError, type AlertsJson, type BoardJson, type HistoryJson, type ShowJson } from '../../shared/read/types';
import type { FakeReadQueries } from '../support/fake-read';
import { scenarioQueries, SCENARIO_TODAY } from '../support/web-app';
import { firmId, SCENARIO_FIRMS, SCENARIO_TO } from '../support/web-scenario';

let q: FakeReadQueries;
let app: ReturnType<typeof createApp>;
const links: { url: string | null }[] = [];

beforeAll(() => {
  q = scenarioQueries();
  app = createApp({
    queries: q,
    auth: null,
    today: () => SCENARIO_TODAY,
    objects: {
      url: async (s) => {
        const url = s.key.startsWith('incoming/') ? `https://objects.example/${encodeURIComponent(s.key)}?sig=1` : null;
        links.push({ url });
        return url;
      },
    },
  });
});

const get = (path: string, init?: RequestInit) => app.request(path, init);
const json = async <T>(path: string): Promise<T> => {
  const r = await get(path);
  expect(r.status, path).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^application\/json/);
  return (await r.json()) as T;
};
const page = async (path: string) => {
  const r = await get(path);
  expect(r.status, path).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^text\/html/);
  return r.text();
};
/** Every decimal string in a JSON value is canonical (no number ever stands for an amount). */
function expectDecimalStrings(v: unknown, path = '$'): void {
  if (typeof v === 'number') throw new Error(`${path} is a JSON number (${v}); amounts are decimal strings`);
  if (Array.isArray(v)) v.forEach((x, i) => expectDecimalStrings(x, `${path}[${i}]`));
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) if (k !== 'versions') expectDecimalStrings(x, `${path}.${k}`);
}

describe('JSON routes answer the query, in its shape', () => {
  it('/api/board: the latest day by default, a given day with ?date=', async () => {
    const body = await json<BoardJson>('/api/board');
    expect(body).toEqual(await q.board());
    expect(body.date).toBe(SCENARIO_TO);
    expect(Object.keys(body).sort()).toEqual(['date', 'firms']);
    expect(Object.keys(body.firms[0]).sort()).toEqual(['filed', 'firmId', 'firmName', 'late', 'statements']);
    expectDecimalStrings(body.firms.map((f) => f.statements));
    expect(await json<BoardJson>('/api/board?date=2014-10-20')).toEqual(await q.board('2014-10-20'));
  });

  it('/api/firms/{id}/history: the given range, by default the 12 months to today', async () => {
    const id = firmId('harbor');
    const ranged = await json<HistoryJson>(`/api/firms/${id}/history?from=2014-10-20&to=2014-10-31`);
    expect(ranged).toEqual(await q.history(id, { from: '2014-10-20', to: '2014-10-31' }));
    expect(ranged.days.map((d) => d.endDate)[0]).toBe('2014-10-20');
    const byDefault = await json<HistoryJson>(`/api/firms/${id}/history`);
    expect(byDefault).toEqual(await q.history(id, { from: twelveMonthsBefore(SCENARIO_TODAY), to: SCENARIO_TODAY }));
    expect(byDefault.days.length).toBeGreaterThan(20);
    expect(Object.keys(byDefault.days[0]).sort()).toEqual([
      'endDate',
      'filingType',
      'late',
      'statements',
      'submitDate',
      'versions',
    ]);
    expect(Object.keys(byDefault.days[0].statements.segregation!).sort()).toEqual(
      [
        'changeFromPrevious',
        'changePct',
        'cushion',
        'excess',
        'excessRecomputed',
        'funds',
        'headroom',
        'overTarget',
        'required',
        'status',
        'target',
        'targetSource',
      ].sort(),
    );
    expectDecimalStrings(byDefault.days.map((d) => d.statements));
  });

  it("the default range falls back to the firm's last 12 months of filings when the last 12 months to today hold none", async () => {
    const late = createApp({ queries: q, auth: null, today: () => '2016-06-01' });
    const r = await late.request(`/api/firms/${firmId('citi')}/history`);
    const body = (await r.json()) as HistoryJson;
    expect(body.days.at(-1)!.endDate).toBe(SCENARIO_TO);
    expect(body.days.length).toBe((await q.history(firmId('citi'))).days.length);
    const html = await (await late.request(`/firms/${firmId('citi')}`)).text();
    expect(html).toContain('No filings in the last 12 months');
  });

  it('/api/firms/{id}/days/{date}: the firm-day, versions and findings', async () => {
    const body = await json<ShowJson>(`/api/firms/${firmId('example')}/days/${SCENARIO_TO}`);
    expect(body).toEqual(await q.show(firmId('example'), SCENARIO_TO));
    expect(body.versions).toHaveLength(2);
    expect(body.versions.find((v) => v.effective)!.filingType).toBe('AMENDMENT');
    expect(Object.keys(body).sort()).toEqual([
      'alerts',
      'effective',
      'endDate',
      'filing',
      'findings',
      'firmId',
      'firmName',
      'versions',
    ]);
  });

  it('/api/alerts: every filter reaches the query', async () => {
    expect(await json<AlertsJson>('/api/alerts')).toEqual(await q.alerts({}));
    const filtered = await json<AlertsJson>(
      `/api/alerts?from=2014-11-06&to=2014-11-06&firm=${firmId('harbor')}&kind=below-target&severity=warning`,
    );
    expect(filtered).toEqual(
      await q.alerts({
        from: '2014-11-06',
        to: '2014-11-06',
        firm: firmId('harbor'),
        kind: 'below-target',
        severity: 'warning',
      }),
    );
    expect(filtered.alerts.length).toBe(1);
    expect(filtered.alerts[0]).toMatchObject({
      kind: 'below-target',
      firmId: firmId('harbor'),
      statement: 'clearedSwaps',
    });
  });

  it('/api/calendar/{year}: filing and due days per statement, holidays', async () => {
    const body = await json<{
      year: number;
      holidays: string[];
      statements: Record<string, { endDate: string; due: string }[]>;
    }>('/api/calendar/2025');
    expect(body.year).toBe(2025);
    for (const k of ['segregation', 'secured', 'clearedSwaps']) {
      expect(body.statements[k].length).toBeGreaterThan(240);
      for (const f of body.statements[k]) expect(f.due > f.endDate).toBe(true);
    }
  });

  it('/health answers without anything else', async () => {
    expect(await json('/health')).toEqual({ status: 'ok' });
  });
});

describe('pages render their data', () => {
  it('the board lists every firm, links to the firm and the filing, and to the neighbouring days', async () => {
    const html = await page('/');
    const board = await q.board();
    for (const f of board.firms) expect(html).toContain(`href="/firms/${f.firmId}/"`);
    expect(html).toContain(`href="/firms/${firmId('northwind')}/days/${SCENARIO_TO}"`);
    expect(html).toContain('-18,250,400');
    expect(html).toContain('href="/days/2014-11-05"');
    expect(await page('/days/2014-10-20')).toContain('Board for 2014-10-20');
    // ?date= (the day picker) goes to the day's own URL.
    const r = await get('/?date=2014-10-21');
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe('/days/2014-10-21');
  });

  it('a firm that did not file is marked missing', async () => {
    const html = await page(`/days/2014-10-20`);
    expect(html).toMatch(new RegExp(`data-firm="${firmId('rjo')}"[\\s\\S]*?missing`));
  });

  it('the firm page has a chart and a table per statement, a CSV link of the same range', async () => {
    const id = firmId('harbor');
    const html = await page(`/firms/${id}/?from=2014-10-07&to=2014-11-06`);
    const funds = await page(`/firms/${id}/?from=2014-10-07&to=2014-11-06&view=funds`);
    for (const k of ['segregation', 'secured', 'clearedSwaps']) {
      expect(html).toContain(`id="c-${k}-ex"`);
      expect(html).not.toContain(`id="c-${k}-rf"`);
      // Required and funds: the other view, one plain link away.
      expect(funds).toContain(`id="c-${k}-rf"`);
      expect(funds).not.toContain(`id="c-${k}-ex"`);
    }
    expect(html).toContain(`href="/firms/${id}/?from=2014-10-07&amp;to=2014-11-06&amp;view=funds"`);
    expect(funds).toContain(`href="/firms/${id}/?from=2014-10-07&amp;to=2014-11-06"`);
    expect(html).toContain('Target changed on 2014-10-22');
    expect(html).toContain(`href="/firms/${id}/history.csv?from=2014-10-07&amp;to=2014-11-06"`);
    // Day links are relative: to days/ under /firms/{id}/, and with the id under /firms/{id}.
    expect(html).toContain('href="days/2014-10-22"');
    expect(await page(`/firms/${id}?from=2014-10-07&to=2014-11-06`)).toContain(`href="${id}/days/2014-10-22"`);
    expect((await get(`/firms/${id}/?view=chart`)).status).toBe(400);
  });

  it('a firm is found by an unambiguous name prefix and redirected to its id', async () => {
    const r = await get('/firms/Harbor?from=2014-10-07');
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe(`/firms/${firmId('harbor')}/?from=2014-10-07`);
  });

  it('the CSV is RFC 4180, one row per day and statement, amounts as plain numbers', async () => {
    const r = await get(`/firms/${firmId('harbor')}/history.csv?from=2014-10-07&to=2014-11-06`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(r.headers.get('content-disposition')).toBe(
      `attachment; filename="${firmId('harbor')}-2014-10-07-2014-11-06.csv"`,
    );
    const text = await r.text();
    const rows = text.split('\r\n');
    expect(rows.at(-1)).toBe('');
    const h = await q.history(firmId('harbor'), { from: '2014-10-07', to: '2014-11-06' });
    // The read side's CSV (shared/read/render.ts), the one `segwatch history --csv` prints.
    expect(text).toBe(historyCsv(h));
    expect(rows.length - 2).toBe(h.days.reduce((n, d) => n + Object.keys(d.statements).length, 0));
    const header = rows[0].split(',');
    const last = Object.fromEntries(
      rows
        .at(-2)!
        .split(',')
        .map((v, i) => [header[i], v]),
    );
    const s = h.days.at(-1)!.statements.clearedSwaps!;
    expect([last.firmId, last.endDate, last.statement]).toEqual([firmId('harbor'), SCENARIO_TO, 'clearedSwaps']);
    for (const k of [
      'required',
      'funds',
      'excess',
      'target',
      'overTarget',
      'changeFromPrevious',
      'changePct',
      'cushion',
      'headroom',
    ] as const)
      expect(last[k], k).toBe(s[k] ?? '');
    const amounts = ['required', 'funds', 'excess', 'target'].map((k) => header.indexOf(k));
    for (const cell of rows.slice(1, -1).flatMap((r) => amounts.map((i) => r.split(',')[i])))
      expect(cell).toMatch(/^-?\d+(\.\d+)?$|^$/);
  });

  it('the filing page lays out the form and marks the broken identity with expected and actual', async () => {
    const html = await page(`/firms/${firmId('broken')}/days/${SCENARIO_TO}`);
    const f = (await q.show(firmId('broken'), SCENARIO_TO)).findings.find((x) => x.ruleId === 'SW110')!;
    expect(html).toMatch(/<tr id="L-segregation-7180" class="derived bad"/);
    expect(html).toContain(
      `Expected <b class="expected">627,043,524</b>, filed <b class="actual">627,044,524</b>, off by 1,000`,
    );
    expect(f).toMatchObject({ line: '7180', expected: '627043524', actual: '627044524' });
    // Every line of the matched variant is there, with its code.
    expect(html).toContain('[7010]');
    expect(html).toContain('[8715]');
  });

  it('the filing page shows both versions, which is effective and why, and links to the originals', async () => {
    const html = await page(`/firms/${firmId('example')}/days/${SCENARIO_TO}`);
    expect(html).toContain('effective: the latest submitted amendment');
    expect(html).toContain('superseded by');
    expect(html).toMatch(/\/original\?version=1%23/);
  });

  it("the original link redirects to a short-lived URL for that version's object only", async () => {
    const s = await q.show(firmId('example'), SCENARIO_TO);
    const initial = s.versions.find((v) => !v.effective)!;
    const r = await get(
      `/firms/${firmId('example')}/days/${SCENARIO_TO}/original?version=${encodeURIComponent(initial.versionKey)}`,
    );
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe(`https://objects.example/${encodeURIComponent(initial.source.key)}?sig=1`);
    const unknown = await get(`/firms/${firmId('example')}/days/${SCENARIO_TO}/original?version=0%23nope`);
    expect(unknown.status).toBe(404);
  });

  it('alerts: filters in the form, newest first', async () => {
    const html = await page('/alerts?kind=deficiency');
    expect(html).toContain('<option value="deficiency" selected>');
    const body = await q.alerts({ kind: 'deficiency' });
    const firstFirm = body.alerts[0].firmName!;
    expect(html.indexOf(firstFirm.replace(/&/g, '&amp;'))).toBeGreaterThan(0);
    expect(html).not.toContain('data-kind="below-target"');
  });

  it('the calendar shows twelve months and marks holidays', async () => {
    const html = await page('/calendar/2025');
    expect(html.match(/<table class="month">/g)).toHaveLength(12);
    const holidays = ((await (await get('/api/calendar/2025')).json()) as { holidays: string[] }).holidays;
    for (const d of holidays) expect(html).toContain(`<td class="hol" data-date="${d}">`);
    const r = await get('/calendar');
    expect(r.headers.get('location')).toBe(`/calendar/${SCENARIO_TODAY.slice(0, 4)}`);
  });
});

describe('errors: 404 for what does not exist, 400 for what is malformed', () => {
  const cases: [string, number, string][] = [
    ['/firms/no-such-firm', 404, 'unknown-firm'],
    ['/api/firms/no-such-firm/history', 404, 'unknown-firm'],
    [`/firms/${firmId('citi')}/days/2014-10-04`, 404, 'no-filing'],
    [`/api/firms/${firmId('citi')}/days/2014-10-04`, 404, 'no-filing'],
    ['/api/firms/no-such-firm/days/2014-11-06', 404, 'unknown-firm'],
    ['/days/2014-13-01', 400, 'bad-date'],
    ['/days/2014-02-30', 400, 'bad-date'],
    ['/days/yesterday', 400, 'bad-date'],
    ['/api/board?date=2014-11-6', 400, 'bad-date'],
    ['/?date=11/06/2014', 400, 'bad-date'],
    [`/firms/${firmId('citi')}?from=2014-11-06&to=2014-10-01`, 400, 'bad-query'],
    [`/api/firms/${firmId('citi')}/history?from=20141001`, 400, 'bad-date'],
    [`/api/firms/${firmId('citi')}/days/2014-11-31`, 400, 'bad-date'],
    ['/api/alerts?from=not-a-date', 400, 'bad-date'],
    ['/api/alerts?severity=urgent', 400, 'bad-query'],
    ['/api/alerts?firm=no-such-firm', 404, 'unknown-firm'],
    ['/api/calendar/20x5', 400, 'bad-date'],
    ['/api/calendar/1999', 404, 'no-calendar'],
    ['/api/board?date=2014-10-04', 404, 'no-filing'],
    ['/nothing-here', 404, 'not-found'],
    ['/api/nothing-here', 404, 'not-found'],
  ];
  it.each(cases)('%s -> %i %s', async (path, status, code) => {
    const r = await get(path);
    expect(r.status).toBe(status);
    if (path.startsWith('/api/')) {
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await r.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe(code);
      expect(body.error.message).not.toMatch(/\n|at .+:\d+/);
    } else {
      expect(r.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await r.text()).not.toMatch(/at .+\.ts:\d+/);
    }
  });

  it.each([
    ['unknown-firm', 404],
    ['no-filing', 404],
    ['ambiguous-firm', 400],
    ['bad-date', 400],
    ['bad-query', 400],
  ] as const)('a ReadError %s from the query is a %i with its one-line message', async (code, status) => {
    const fail = async () => {
      throw new ReadError(code, `the query says ${code}`);
    };
    const stub = createApp({
      queries: { history: fail, board: fail, alerts: fail, show: fail },
      auth: null,
      today: () => SCENARIO_TODAY,
    });
    for (const path of [
      '/',
      '/api/board',
      '/firms/x',
      '/api/firms/x/history',
      '/firms/x/days/2014-11-06',
      '/api/firms/x/days/2014-11-06',
      '/alerts',
      '/api/alerts',
    ]) {
      const r = await stub.request(path);
      expect(r.status, path).toBe(status);
      const text = await r.text();
      expect(text, path).toContain(`the query says ${code}`);
      if (path.startsWith('/api/'))
        expect(JSON.parse(text)).toEqual({ error: { code, message: `the query says ${code}` } });
    }
  });

  it('a failing query is a 500 with one line, logged, never a stack trace', async () => {
    const logged: unknown[] = [];
    const broken = createApp({
      queries: {
        ...q,
        board: async () => {
          throw new Error('DynamoDB said no');
        },
      } as unknown as FakeReadQueries,
      auth: null,
      log: (...a) => logged.push(a),
    });
    const r = await broken.request('/');
    expect(r.status).toBe(500);
    const text = await r.text();
    expect(text).not.toContain('DynamoDB said no');
    expect(text).toContain('could not answer this request');
    expect(JSON.stringify(logged)).toContain('DynamoDB said no');
    // The log line has the error's name, message and stack (mapped through a source map when bundled: test/unit/stacks.test.ts).
    expect(logged[0]).toEqual([
      'error',
      'request failed',
      expect.objectContaining({
        error: 'Error',
        message: 'DynamoDB said no',
        stack: expect.stringContaining('routes.test.ts'),
      }),
    ]);
    const api = await broken.request('/api/board');
    expect(await api.json()).toEqual({
      error: { code: 'internal', message: 'the dashboard could not answer this request; it has been logged' },
    });
  });

  it('the scenario firms are what the tests think they are', () => {
    expect(firmId('harbor')).toBe('harbor-futures-and-co');
    expect(SCENARIO_FIRMS.markup.firmName).toContain('<script>');
  });
});
