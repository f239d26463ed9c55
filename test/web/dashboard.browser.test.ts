/**
 * The dashboard in real Chromium (chromium-headless-shell via playwright-core, one browser for the
 * run: test/support/browser-setup.ts), with JavaScript disabled: the pages are server-rendered and
 * must work without it.
 *
 * The server is `segwatch serve`'s (infra/local/serve.ts serveLocalPipeline: the real read queries over
 * a local stack's table, presigned links into its S3, the real clock) on a local stack (the run's
 * DynamoDB Local) loaded through the real pipeline with the demo filings and a generated month of
 * history (test/support/web-stack.ts: every file uploaded to S3, parsed, reconciled, alerts sent).
 * What a user sees is checked against figures this test works out itself from the filings it put
 * in (the effective filing of each firm-day, reconciled here), never against what the server says.
 *
 * Screenshots of every page go to test-artifacts/screenshots/ (gitignored).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readCommand } from '../../bin/read';
import { previousFilingDay } from '../../shared/domain/calendar';
import { FORMS, STATEMENT_KEYS, type StatementKey } from '../../shared/domain/forms';
import { Decimal, grouped, sum, type Decimal as D } from '../../shared/domain/money';
import type { Filing } from '../../shared/domain/model';
import { reconcile, type StatementResult } from '../../shared/domain/reconcile';
import { serveLocalPipeline, type Dashboard } from '../../infra/local/serve';
import { effectiveOf, knownKey, loadScenarioStack, type KnownVersion, type ScenarioStack } from '../support/web-stack';
import {
  DEMO_FILES,
  firmId,
  HARBOR_TARGET_CHANGE,
  RJO_MISSED,
  SCENARIO_FIRMS,
  SCENARIO_TO,
} from '../support/web-scenario';

export const SCREENSHOTS = join(__dirname, '..', '..', 'test-artifacts', 'screenshots');

let loaded: ScenarioStack;
let dashboard: Dashboard;
let browser: Browser;
let context: BrowserContext;
const url = (path: string) => new URL(path, dashboard.url).toString();

/** The effective filing of each firm-day, worked out here from what was put in. */
let effective: Map<string, KnownVersion>;
const eff = (firm: string, day: string): Filing | undefined => effective.get(knownKey(firm, day))?.filing;
const days = (firm: string) =>
  [...effective.keys()]
    .filter((k) => k.startsWith(`${firm}|`))
    .map((k) => k.split('|')[1])
    .sort();

beforeAll(async () => {
  const endpoint = inject('browserEndpoint');
  expect(endpoint, 'the browser global setup did not run').not.toBe('');
  mkdirSync(SCREENSHOTS, { recursive: true });
  loaded = await loadScenarioStack();
  effective = effectiveOf(loaded.known);
  console.log(
    `dashboard browser tests: ${[...loaded.known.values()].flat().length} filings through the local stack in ${loaded.loadMs} ms`,
  );
  dashboard = await serveLocalPipeline(loaded.stack);
  browser = await chromium.connect(endpoint);
  context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1366, height: 800 } });
}, 300_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await dashboard?.close();
  await loaded?.stack.stop();
});

async function open(path: string): Promise<Page> {
  const page = await context.newPage();
  const r = await page.goto(url(path));
  expect(r?.status(), path).toBe(200);
  return page;
}
const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

/** The browser's getComputedStyle (this project compiles without the DOM library). */
type Styled = { getComputedStyle(el: unknown): { backgroundColor: string; fontFamily: string } };

// ---- the figures, worked out here ------------------------------------------------------------

type Status = 'ok' | 'below-target' | 'deficiency' | 'unreconciled';
const statusOf = (s: StatementResult): Status => s.status;
const RANK: Record<Status | 'missing', number> = {
  deficiency: 0,
  missing: 1,
  unreconciled: 2,
  'below-target': 3,
  ok: 4,
};

/** Money as the pages write it: digits grouped, cents as two digits when there are any. */
function money(d: D): string {
  if (d.isInteger()) return grouped(d);
  const [int, frac] = grouped(d.toDecimalPlaces(2, Decimal.ROUND_DOWN)).split('.');
  return `${int}.${(frac ?? '').padEnd(2, '0')}`;
}
const signed = (d: D) => (d.isZero() ? money(d) : d.isNegative() ? money(d) : `+${money(d)}`);

/** the 25% rule: README "Reading the history", headroom: min(25% of excess, excess - target), never below zero, down to cents. */
function headroomOf(excess: D, target: D | null): D {
  let h = excess.times('0.25');
  if (target && excess.minus(target).lt(h)) h = excess.minus(target);
  return Decimal.max(0, h).toDecimalPlaces(2, Decimal.ROUND_DOWN);
}

/** Excess less the previous filing day's of that statement (none when the firm did not file it then, or either does not reconcile). */
function changeOf(firm: string, day: string, key: StatementKey): D | null {
  const now = reconcile(eff(firm, day)!).statements[key];
  const before = eff(firm, previousFilingDay(key, day));
  const prev = before ? reconcile(before).statements[key] : undefined;
  if (!now || !prev || now.status === 'unreconciled' || prev.status === 'unreconciled') return null;
  return now.excess!.minus(prev.excess!);
}

/** A firm's standing on a day: its worst statement, then its smallest cushion (excess / target), exactly. */
function standing(firm: string, day: string): { rank: number; cushion: D | null } {
  const f = eff(firm, day);
  if (!f) return { rank: RANK.missing, cushion: null };
  let rank = RANK.ok;
  let cushion: D | null = null;
  for (const s of Object.values(reconcile(f).statements)) {
    const st = statusOf(s!);
    rank = Math.min(rank, RANK[st]);
    if (st === 'unreconciled') continue;
    const c = s!.excess!.div(s!.target ?? s!.required!);
    if (cushion === null || c.lt(cushion)) cushion = c;
  }
  return { rank, cushion };
}

/** A segwatch read command (bin/read.ts, in this process) on the stack's table: its exit code and stdout. */
async function cli(command: 'history' | 'board', args: string[]): Promise<{ code: number; out: Buffer }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const code = await readCommand(
    command,
    [...args, '--endpoint', loaded.stack.dynamodbEndpoint, '--table', loaded.stack.tableName],
    out,
    new PassThrough(),
  );
  return { code, out: Buffer.concat(chunks) };
}

/** The cushion as the board writes it: excess / target (floored to 4 places, the read side's figure) as a percentage to one place. */
const cushionText = (s: StatementResult) =>
  `${s.excess!.div(s.target!).toDecimalPlaces(4, Decimal.ROUND_FLOOR).times(100).toDecimalPlaces(1, Decimal.ROUND_HALF_UP).toFixed(1)}% of target`;

const name = (firm: string) => [...loaded.known.values()].flat().find((v) => v.filing.firmId === firm)!.filing.firmName;

// ---- the tests -------------------------------------------------------------------------------

describe('the board', () => {
  it('lists every firm worst first, with the figures of its effective filing', async () => {
    const page = await open('/');
    await shot(page, 'board');
    await expect(page.locator('h1').textContent()).resolves.toBe(`Board for ${SCENARIO_TO}`);
    const shown = await page
      .locator('table.board tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-firm')!));
    const firms = [...new Set([...effective.keys()].map((k) => k.split('|')[0]))];
    expect([...shown].sort()).toEqual([...firms].sort());
    expect(firms).toHaveLength(8);

    // The order, from the filings: worst status, then the smallest cushion, then the name.
    const expected = [...firms].sort((a, b) => {
      const sa = standing(a, SCENARIO_TO);
      const sb = standing(b, SCENARIO_TO);
      return (
        sa.rank - sb.rank ||
        (sa.cushion && sb.cushion ? sa.cushion.cmp(sb.cushion) : 0) ||
        name(a).localeCompare(name(b), 'en')
      );
    });
    expect(shown).toEqual(expected);
    expect(shown.slice(0, 3)).toEqual([firmId('northwind'), firmId('broken'), firmId('harbor')]);

    // Each firm's figures per statement: excess, target, status, change from the previous filing day, headroom.
    for (const id of shown) {
      const rec = reconcile(eff(id, SCENARIO_TO)!);
      const row = page.locator(`tr[data-firm="${id}"]`);
      for (const key of STATEMENT_KEYS) {
        const s = rec.statements[key]!;
        const cell = row.locator(`td[data-statement="${key}"]`);
        const what = `${id} ${key}`;
        const status = statusOf(s);
        await expect(cell.locator('dd.excess').textContent(), `${what} excess`).resolves.toBe(money(s.excess!));
        await expect(cell.locator('dd.target').textContent(), `${what} target`).resolves.toBe(money(s.target!));
        await expect(cell.locator('.chip').textContent(), `${what} status`).resolves.toBe(status.replace('-', ' '));
        if (status === 'unreconciled') expect(await cell.locator('.cushion').count(), `${what} cushion`).toBe(0);
        else await expect(cell.locator('.cushion').textContent(), `${what} cushion`).resolves.toBe(cushionText(s));
        const change = changeOf(id, SCENARIO_TO, key);
        const changeText = await cell.locator('dd.change').textContent();
        if (change === null) expect(changeText, `${what} change`).toBe('\u2013');
        else
          expect(changeText, `${what} change`).toMatch(new RegExp(`^${signed(change).replace(/[+.]/g, '\\$&')}( |$)`));
        await expect(cell.locator('dd.headroom').textContent(), `${what} headroom`).resolves.toBe(
          status === 'unreconciled' ? '\u2013' : money(headroomOf(s.excess!, s.target)),
        );
      }
    }
    // R.J. O'Brien filed late (submitted after the due day).
    await expect(page.locator(`tr[data-firm="${firmId('rjo')}"] .mark.late`).textContent()).resolves.toBe('late');
    await page.close();
  });

  it("shows each firm's alerts of the day, linking to the filing's alerts", async () => {
    const page = await open(`/days/${SCENARIO_TO}`);
    const chips = (id: string) => page.locator(`tr[data-firm="${id}"] ul.alerts a`).allTextContents();
    // Example Clearing: its initial was deficient (an alert went out), the amendment cured it (a
    // resolved notice): one muted chip says so, and no critical one is left.
    const demo = loaded.known.get(knownKey(firmId('example'), SCENARIO_TO))!;
    expect(demo.map((v) => reconcile(v.filing).statements.clearedSwaps!.status)).toEqual(['deficiency', 'ok']);
    expect(await chips(firmId('example'))).toContain('deficiency cured');
    expect(await page.locator(`tr[data-firm="${firmId('example')}"] ul.alerts a.sev-critical`).count()).toBe(0);
    // Broken Totals: its segregation does not add up.
    expect(await chips(firmId('broken'))).toContain('reconciliation errors');
    // Northwind is deficient today.
    expect(standing(firmId('northwind'), SCENARIO_TO).rank).toBe(RANK.deficiency);
    expect(await chips(firmId('northwind'))).toContain('deficiency');
    await page.locator(`tr[data-firm="${firmId('northwind')}"] ul.alerts a`, { hasText: 'deficiency' }).click();
    const u = new URL(page.url());
    expect(u.pathname + u.hash).toBe(`/firms/${firmId('northwind')}/days/${SCENARIO_TO}#h-alerts`);
    expect(await page.locator('table.alerts tbody tr[data-kind="deficiency"]').count()).toBeGreaterThan(0);
    await page.close();
  });

  it('its JSON is what `segwatch board --json` prints, its CSV the bytes of `segwatch board --csv`', async () => {
    const page = await open(`/days/${RJO_MISSED}`);
    const json = await page.request.get(url(`/api/board?date=${RJO_MISSED}`));
    const fromCli = await cli('board', [RJO_MISSED, '--json']);
    expect(fromCli.code).toBe(0);
    expect(await json.json()).toEqual(JSON.parse(fromCli.out.toString('utf8')));
    const href = await page.locator('a', { hasText: 'Download CSV' }).getAttribute('href');
    const csv = await page.request.get(url(href!));
    expect(csv.headers()['content-type']).toMatch(/^text\/csv/);
    const csvCli = await cli('board', [RJO_MISSED, '--csv']);
    expect((await csv.body()).equals(csvCli.out)).toBe(true);
    await page.close();
  });

  it('marks a watched firm that did not file as missing, and puts it right after the deficient', async () => {
    const page = await open(`/days/${RJO_MISSED}`);
    await shot(page, 'board-missing');
    expect(eff(firmId('rjo'), RJO_MISSED)).toBeUndefined();
    const row = page.locator(`tr[data-firm="${firmId('rjo')}"]`);
    await expect(row.locator('.mark.missing').textContent()).resolves.toBe('missing');
    await expect(row.locator('td.st').first().textContent()).resolves.toBe('\u2013');
    const shown = await page
      .locator('table.board tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-firm')!));
    const deficient = shown.filter((id) => standing(id, RJO_MISSED).rank === RANK.deficiency).length;
    expect(shown.indexOf(firmId('rjo'))).toBe(deficient);
    await page.close();
  });

  it('a firm name with markup renders as text, as stored: through the parser and straight from the table', async () => {
    const { parsed, stored } = loaded.markup;
    // What the parser keeps of `<script>alert("pwned")</script> Evil & Sons <b>Futures</b>`: the text, quotes and ampersand included.
    expect(parsed.firmName).not.toContain('<');
    expect(parsed.firmName).toContain('"pwned"');
    expect(parsed.firmName).toContain('&');
    expect(stored.firmName).toBe(SCENARIO_FIRMS.markup.firmName);
    const page = await open('/');
    await expect(page.locator(`tr[data-firm="${parsed.firmId}"] a.firm`).textContent()).resolves.toBe(parsed.firmName);
    await expect(page.locator(`tr[data-firm="${stored.firmId}"] a.firm`).textContent()).resolves.toBe(stored.firmName);
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('table.board b').count()).toBe(0);
    await page.close();

    const firm = await open(`/firms/${stored.firmId}`);
    await shot(firm, 'firm-markup');
    await expect(firm.locator('h1').textContent()).resolves.toBe(stored.firmName);
    await expect(firm.title()).resolves.toBe(`${stored.firmName} · segwatch`);
    expect(await firm.locator('script, h1 b').count()).toBe(0);
    await firm.close();

    // The filing as written through the store: its marked-up statement title and line label stay text.
    const filing = await open(`/firms/${stored.firmId}/days/${SCENARIO_TO}`);
    await shot(filing, 'filing-markup');
    expect(await filing.locator('script, img, main i').count()).toBe(0);
    await expect(filing.locator('#h-clearedSwaps').textContent()).resolves.toBe(
      eff(stored.firmId, SCENARIO_TO)!.statements.clearedSwaps!.title,
    );
    await expect(filing.locator('#h-clearedSwaps').textContent()).resolves.toContain('<img src=x onerror=alert(1)>');
    await filing.close();

    // Through the pipeline: the object's key keeps its markup, shown as text.
    const piped = await open(`/firms/${parsed.firmId}/days/${SCENARIO_TO}`);
    const key = effective.get(knownKey(parsed.firmId, SCENARIO_TO))!.key;
    expect(key).toContain('<script>');
    await expect(piped.locator('#h-versions').locator('xpath=..').textContent()).resolves.toContain(key);
    expect(await piped.locator('script').count()).toBe(0);
    await piped.close();
  });
});

describe('the firm page', () => {
  it('charts one point per filing day, marks the below-target days and the target change', async () => {
    const id = firmId('harbor');
    const page = await open(`/firms/${id}`);
    await shot(page, 'firm');
    for (const statement of STATEMENT_KEYS) {
      const filed = days(id).filter((d) => eff(id, d)!.statements[statement]);
      expect(filed.length, statement).toBeGreaterThan(15);
      const points = page.locator(`#c-${statement}-ex g.pts > *`);
      expect(await points.count(), statement).toBe(filed.length);
      const below = filed.filter((d) => reconcile(eff(id, d)!).statements[statement]!.status === 'below-target');
      const marked = page.locator(`#c-${statement}-ex .pt.bt`);
      expect(await marked.count(), `${statement} below-target marks`).toBe(below.length);
      const titles = await marked.evaluateAll((els) =>
        els.map((e) => e.querySelector('title')!.textContent!.slice(0, 10)),
      );
      expect(titles).toEqual(below);
      // The text alternative: the chart has a title and a description, and the table holds the figures.
      await expect(page.locator(`#c-${statement}-ex`).getAttribute('role')).resolves.toBe('img');
      await expect(page.locator(`#c-${statement}-ex-d`).textContent()).resolves.toContain(
        `${filed.length} filing days`,
      );
      const rows = page.locator(`section[data-statement="${statement}"] table.days tbody tr`);
      expect(await rows.count()).toBe(filed.length);
      await expect(
        page.locator(`section[data-statement="${statement}"] table.days caption`).textContent(),
      ).resolves.toContain('daily figures');
      // Each row: the day's excess and target as filed.
      const cells = await rows.evaluateAll((trs) =>
        trs.map((tr) => [
          tr.querySelector('th')!.textContent!.slice(0, 10),
          ...[...tr.querySelectorAll('td')].map((td) => td.textContent!),
        ]),
      );
      expect(cells.map((c) => c[0])).toEqual(filed);
      const header = await page.locator(`section[data-statement="${statement}"] table.days thead th`).allTextContents();
      const col = (h: string) => header.indexOf(h);
      for (const c of cells) {
        const s = reconcile(eff(id, c[0])!).statements[statement]!;
        expect(c[col('Excess')], `${c[0]} excess`).toBe(money(s.excess!));
        expect(c[col('Target')]?.replace(/ changed$/, ''), `${c[0]} target`).toBe(money(s.target!));
      }
    }
    // The story: swaps below target on the last three days; the segregation target raised once.
    expect(await page.locator('#c-clearedSwaps-ex .pt.bt').count()).toBe(3);
    expect(await page.locator('#c-segregation-ex .tc').count()).toBe(1);
    await expect(page.locator('#c-segregation-ex-d').textContent()).resolves.toContain(
      `Target changed on ${HARBOR_TARGET_CHANGE}`,
    );
    await page.close();
  });

  it('required and funds: the second chart and its table, one plain link away', async () => {
    const id = firmId('harbor');
    const page = await open(`/firms/${id}/`);
    expect(await page.locator('#c-segregation-rf').count()).toBe(0);
    await page.locator('nav.views a', { hasText: 'Required and funds' }).click();
    expect(new URL(page.url()).searchParams.get('view')).toBe('funds');
    await shot(page, 'firm-funds');
    await expect(page.locator('nav.views a[aria-current]').textContent()).resolves.toBe('Required and funds');
    for (const statement of STATEMENT_KEYS) {
      expect(await page.locator(`#c-${statement}-rf path.rq`).count()).toBe(1);
      expect(await page.locator(`#c-${statement}-rf path.fd`).count()).toBe(1);
      const rows = await page
        .locator(`section[data-statement="${statement}"] table.days tbody tr`)
        .evaluateAll((trs) =>
          trs.map((tr) => [
            tr.querySelector('th')!.textContent!.slice(0, 10),
            ...[...tr.querySelectorAll('td')].map((td) => td.textContent!),
          ]),
        );
      const filed = days(id).filter((d) => eff(id, d)!.statements[statement]);
      expect(rows.map((r) => r[0])).toEqual(filed);
      for (const [d, required, funds, excess] of rows) {
        const s = reconcile(eff(id, d)!).statements[statement]!;
        expect([required, funds, excess], `${statement} ${d}`).toEqual([
          money(s.required!),
          money(s.funds!),
          money(s.excess!),
        ]);
      }
    }
    // The date range is kept when switching back.
    await page.locator('input[name="from"]').fill('2014-10-20');
    await page.locator('form.filters button').click();
    await page.waitForURL((url) => url.searchParams.get('from') === '2014-10-20');
    expect(new URL(page.url()).searchParams.get('view')).toBe('funds');
    await page.locator('nav.views a', { hasText: 'Excess against target' }).click();
    await page.waitForURL((url) => url.searchParams.get('view') === null);
    await page.waitForLoadState('load');
    const u = new URL(page.url());
    expect([u.searchParams.get('from'), u.searchParams.get('view')]).toEqual(['2014-10-20', null]);
    expect(await page.locator('#c-segregation-ex').count()).toBe(1);
    await page.close();
  });

  it('the deficient day is marked as such', async () => {
    const id = firmId('northwind');
    const page = await open(`/firms/${id}`);
    const s = reconcile(eff(id, SCENARIO_TO)!).statements.segregation!;
    expect(s.status).toBe('deficiency');
    expect(await page.locator('#c-segregation-ex .pt.df').count()).toBe(1);
    await expect(page.locator('#c-segregation-ex .pt.df title').textContent()).resolves.toMatch(
      new RegExp(`^${SCENARIO_TO}: deficiency, excess ${money(s.excess!)}`),
    );
    await page.close();
  });

  it('the CSV download of a range is the bytes `segwatch history --csv` prints for it', async () => {
    const id = firmId('harbor');
    const page = await open(`/firms/${id}?from=2014-10-15&to=2014-10-31`);
    const href = await page.locator('a', { hasText: 'Download CSV' }).getAttribute('href');
    expect(href).toBe(`/firms/${id}/history.csv?from=2014-10-15&to=2014-10-31`);
    const r = await page.request.get(url(href!));
    expect(r.status()).toBe(200);
    expect(r.headers()['content-type']).toMatch(/^text\/csv/);
    const body = await r.body();
    const lines = body.toString('utf8').trim().split('\r\n');
    const col = lines[0].split(',').indexOf('endDate');
    const inRange = days(id).filter((d) => d >= '2014-10-15' && d <= '2014-10-31');
    expect([...new Set(lines.slice(1).map((l) => l.split(',')[col]))]).toEqual(inRange);

    const fromCli = await cli('history', [id, '--from', '2014-10-15', '--to', '2014-10-31', '--csv']);
    expect(fromCli.code).toBe(0);
    expect(fromCli.out.equals(body)).toBe(true);
    await page.close();
  });
});

describe('the filing page', () => {
  it('highlights the identity that does not add up, with its expected and filed amounts', async () => {
    const id = firmId('broken');
    const page = await open(`/firms/${id}/days/${SCENARIO_TO}`);
    await shot(page, 'filing');
    // Worked out here from the filing: line 13 [7180] should be the sum of its items.
    const seg = eff(id, SCENARIO_TO)!.statements.segregation!;
    const def = FORMS.variantById.get(seg.variant)!.byCode.get('7180')!;
    const expectedSum = sum(
      def.sum!.map((t) => (t.weight > 0 ? seg.lines.get(t.code)! : seg.lines.get(t.code)!.negated())),
    );
    const filed = seg.lines.get('7180')!;
    expect(filed.minus(expectedSum).toFixed()).toBe('1000');
    const row = page.locator('section[data-statement="segregation"] tr.bad[data-code="7180"]');
    expect(await row.count()).toBe(1);
    await expect(row.locator('td.n').textContent()).resolves.toBe(money(filed));
    const why = row.locator('xpath=following-sibling::tr[1]');
    await expect(why.getAttribute('class')).resolves.toBe('why');
    await expect(why.locator('.expected').textContent()).resolves.toBe(money(expectedSum));
    await expect(why.locator('.actual').textContent()).resolves.toBe(money(filed));
    // Highlighted: its background is not the page's.
    const bg = await row
      .locator('td')
      .first()
      .evaluate((el) => (globalThis as unknown as Styled).getComputedStyle(el).backgroundColor);
    expect(bg).not.toBe('rgba(0, 0, 0, 0)');
    // Only that line is marked; the other statements add up.
    expect(await page.locator('tr.bad').count()).toBe(1);
    // The finding links to the line.
    await page.locator('ul.findings a', { hasText: '[7180]' }).click();
    expect(new URL(page.url()).hash).toBe('#L-segregation-7180');
    await page.close();
  });

  it('shows both versions of the demo day, the amendment effective, its alerts, and links to the original file', async () => {
    const id = firmId('example');
    const page = await open(`/firms/${id}/days/${SCENARIO_TO}`);
    await shot(page, 'filing-demo');
    const rows = page.locator('#h-versions + div table tbody tr');
    expect(await rows.count()).toBe(2);
    await expect(page.locator('#h-versions + div table tbody tr.effective').textContent()).resolves.toMatch(
      /amendment.*yes/,
    );
    await expect(page.locator('#h-versions + div table tbody tr.superseded').textContent()).resolves.toMatch(
      /initial.*superseded by/,
    );
    // The initial was deficient and raised its alert; the amendment that cured it, the resolved notice.
    const initial = loaded.known.get(knownKey(id, SCENARIO_TO))!.find((v) => v.filing.filingType === 'INITIAL')!;
    expect(reconcile(initial.filing).statements.clearedSwaps!.status).toBe('deficiency');
    const kinds = await page
      .locator('table.alerts tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-kind')));
    expect(kinds).toEqual(expect.arrayContaining(['deficiency', 'resolved']));
    // "original file": through the dashboard's redirect to the local S3, the bytes uploaded.
    const amendment = effective.get(knownKey(id, SCENARIO_TO))!;
    expect(amendment.key).toBe(`incoming/${DEMO_FILES[1]}`);
    const arrived = page.waitForResponse((r) => r.request().isNavigationRequest() && r.status() === 200);
    await page.locator('p.lede a', { hasText: 'original file' }).click();
    const original = await arrived;
    expect(new URL(original.url()).pathname).toContain(DEMO_FILES[1]);
    expect(new URL(original.url()).origin).not.toBe(new URL(dashboard.url).origin);
    // The presigned URL the browser landed on serves the file as uploaded.
    const again = await page.request.get(original.url());
    expect(again.status()).toBe(200);
    expect((await again.body()).toString('utf8')).toBe(amendment.text);
    await page.close();
  });
});

describe('navigation, without JavaScript', () => {
  it('board -> firm -> a day in its table -> the board of that day -> previous day -> a filing', async () => {
    const page = await open('/');
    await page.locator(`tr[data-firm="${firmId('harbor')}"] a.firm`).click();
    expect(new URL(page.url()).pathname).toBe(`/firms/${firmId('harbor')}/`);
    await expect(page.locator('h1').textContent()).resolves.toBe(SCENARIO_FIRMS.harbor.firmName);
    await page.locator('section[data-statement="secured"] table.days a', { hasText: '2014-10-22' }).click();
    expect(new URL(page.url()).pathname).toBe(`/firms/${firmId('harbor')}/days/2014-10-22`);
    await page.locator('a', { hasText: 'board for 2014-10-22' }).click();
    expect(new URL(page.url()).pathname).toBe('/days/2014-10-22');
    await page.locator('a[rel="prev"]').click();
    expect(new URL(page.url()).pathname).toBe('/days/2014-10-21');
    await page.locator(`tr[data-firm="${firmId('citi')}"] td.filing a`).click();
    expect(new URL(page.url()).pathname).toBe(`/firms/${firmId('citi')}/days/2014-10-21`);
    await expect(page.locator('h1').textContent()).resolves.toBe(
      `${SCENARIO_FIRMS.citi.firmName}: filing for 2014-10-21`,
    );
    await page.close();
  });

  it('the firm page without its trailing slash links to the same days', async () => {
    const id = firmId('rjo');
    const page = await open(`/firms/${id}`);
    await page.locator('section[data-statement="segregation"] table.days a', { hasText: '2014-10-21' }).click();
    expect(new URL(page.url()).pathname).toBe(`/firms/${id}/days/2014-10-21`);
    await page.locator('p.lede a', { hasText: 'history' }).click();
    expect(new URL(page.url()).pathname).toBe(`/firms/${id}/`);
    await page.close();
  });

  it('the day picker and the alert filters are plain forms', async () => {
    const page = await open('/');
    await page.locator('input[name="date"]').fill('2014-10-15');
    await page.locator('form[action="/"] button').click();
    expect(new URL(page.url()).pathname).toBe('/days/2014-10-15');
    await expect(page.locator('h1').textContent()).resolves.toBe('Board for 2014-10-15');
    await page.locator('nav[aria-label="Main"] a', { hasText: 'Alerts' }).click();
    expect(new URL(page.url()).pathname).toBe('/alerts');
    await shot(page, 'alerts');
    await page.locator('select[name="kind"]').selectOption('below-target');
    await page.locator('input[name="firm"]').fill('Harbor');
    await page.locator('form.filters button').click();
    const u = new URL(page.url());
    expect(u.searchParams.get('kind')).toBe('below-target');
    expect(u.searchParams.get('firm')).toBe('Harbor');
    const rows = page.locator('table.alerts tbody tr');
    const kinds = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-kind')));
    expect(kinds.length).toBeGreaterThan(0);
    expect(new Set(kinds)).toEqual(new Set(['below-target']));
    // Only days on which Harbor was below target (worked out from its filings), newest first.
    const id = firmId('harbor');
    const belowDays = days(id).filter((d) =>
      Object.values(reconcile(eff(id, d)!).statements).some((s) => s!.status === 'below-target'),
    );
    const shown = await page.locator('table.alerts tbody tr td:first-child').allTextContents();
    expect(
      shown.every((d) => belowDays.includes(d)),
      shown.join(' '),
    ).toBe(true);
    expect(shown).toEqual([...shown].sort().reverse());
    await page.close();
  });

  it('the calendar shows the year and moves between years', async () => {
    const page = await open('/calendar/2014');
    await shot(page, 'calendar');
    expect(await page.locator('table.month').count()).toBe(12);
    await page.locator('a[rel="next"]').click();
    expect(new URL(page.url()).pathname).toBe('/calendar/2015');
    await page.close();
  });
});

describe('laptop and print', () => {
  it('the board fits a laptop screen without scrolling sideways', async () => {
    const page = await open('/');
    const [scroll, width] = await page.locator('html').evaluate((el) => [el.scrollWidth, el.clientWidth]);
    expect(scroll).toBeLessThanOrEqual(width);
    await page.close();
  });

  it('prints without the navigation and the forms', async () => {
    const page = await open(`/firms/${firmId('harbor')}`);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header nav').isVisible()).toBe(false);
    expect(await page.locator('form.filters').isVisible()).toBe(false);
    expect(await page.locator('#c-segregation-ex').isVisible()).toBe(true);
    await page.pdf({ path: join(SCREENSHOTS, 'firm-print.pdf'), format: 'Letter' });
    await page.close();
  });

  it('with JavaScript on, nothing breaks the CSP: no console errors on any page', async () => {
    const js = await browser.newContext({ javaScriptEnabled: true });
    try {
      for (const path of [
        '/',
        `/firms/${firmId('harbor')}`,
        `/firms/${firmId('broken')}/days/${SCENARIO_TO}`,
        `/firms/${loaded.markup.stored.firmId}/days/${SCENARIO_TO}`,
        '/alerts',
        '/calendar/2014',
      ]) {
        const page = await js.newPage();
        const errors: string[] = [];
        page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
        page.on('pageerror', (e) => errors.push(e.message));
        page.on('dialog', (d) => errors.push(`dialog: ${d.message()}`));
        await page.goto(url(path));
        await page.waitForLoadState('load');
        expect(errors, path).toEqual([]);
        // The stylesheet applied (so the CSP let it in).
        const font = await page
          .locator('html')
          .evaluate((el) => (globalThis as unknown as Styled).getComputedStyle(el).fontFamily);
        expect(font).toMatch(/system-ui/);
        await page.close();
      }
    } finally {
      await js.close();
    }
  });
});
