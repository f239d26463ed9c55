/**
 * The dashboard in real Chromium (chromium-headless-shell via playwright-core, one browser for the
 * run: test/support/browser-setup.ts), with JavaScript disabled: the pages are server-rendered and
 * must work without it. What a user sees is checked against figures the test works out itself
 * from the scenario's filings (the effective filing of each firm-day, reconciled here), not
 * against what the server says.
 *
 * The server: `startDashboard` (the factory `segwatch serve` uses) on the scenario through the fake
 * read side. To run these against `segwatch serve` on a local stack loaded with the same filings
 * and the real queries, change `dashboardUnderTest` only.
 *
 * Screenshots of every page go to test-artifacts/screenshots/ (gitignored).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FORMS } from '../../shared/domain/forms';
import { grouped, sum } from '../../shared/domain/money';
import type { Filing } from '../../shared/domain/model';
import { reconcile } from '../../shared/domain/reconcile';
import type { ReadStatus } from '../../shared/read/types';
import { startDashboard, type Dashboard } from '../../infra/local/serve';
import { scenarioQueries, SCENARIO_TODAY } from '../support/web-app';
import { firmId, HARBOR_TARGET_CHANGE, RJO_MISSED, SCENARIO_FIRMS, SCENARIO_TO, scenarioVersions, type ScenarioFirmKey } from '../support/web-scenario';

export const SCREENSHOTS = join(__dirname, '..', '..', 'test-artifacts', 'screenshots');

/** THE SEAM: the dashboard these tests drive. */
async function dashboardUnderTest(): Promise<Dashboard> {
  return startDashboard({ queries: scenarioQueries(), port: 0, today: () => SCENARIO_TODAY, objects: { url: async (s) => `http://127.0.0.1:9/${encodeURIComponent(s.key)}` } });
}

let dashboard: Dashboard;
let browser: Browser;
let context: BrowserContext;
const url = (path: string) => new URL(path, dashboard.url).toString();

/** The effective filing of each firm-day (the latest submitted amendment, else the initial), worked out here. */
const effective = new Map<string, Filing>();
const key = (firm: string, day: string) => `${firm}|${day}`;

beforeAll(async () => {
  const endpoint = inject('browserEndpoint');
  expect(endpoint, 'the browser global setup did not run').not.toBe('');
  for (const v of scenarioVersions()) {
    const k = key(v.filing.firmId, v.filing.endDate);
    const cur = effective.get(k);
    const rank = (f: Filing) => `${f.filingType === 'AMENDMENT' ? 1 : 0}${f.submitDate}`;
    if (!cur || rank(v.filing) > rank(cur)) effective.set(k, v.filing);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  dashboard = await dashboardUnderTest();
  browser = await chromium.connect(endpoint);
  context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1366, height: 800 } });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await dashboard?.close();
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

const RANK: Record<ReadStatus, number> = { deficiency: 0, unreconciled: 1, 'below-target': 2, ok: 3 };

describe('the board', () => {
  it('lists the firms worst first, with the figures of their effective filings', async () => {
    const page = await open('/');
    await shot(page, 'board');
    await expect(page.locator('h1').textContent()).resolves.toBe(`Board for ${SCENARIO_TO}`);
    const rows = page.locator('table.board tbody tr');
    const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-firm')!));
    expect(ids.sort()).toEqual(Object.keys(SCENARIO_FIRMS).map((k) => firmId(k as ScenarioFirmKey)).sort());

    // The order, from the filings themselves: worst status, then the smallest excess / target.
    const shown = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-firm')!));
    const expected = [...shown].sort((a, b) => {
      const ra = reconcile(effective.get(key(a, SCENARIO_TO))!);
      const rb = reconcile(effective.get(key(b, SCENARIO_TO))!);
      const worst = (r: ReturnType<typeof reconcile>) => Math.min(...Object.values(r.statements).map((s) => RANK[s!.status]));
      const cushion = (r: ReturnType<typeof reconcile>) => Object.values(r.statements).map((s) => s!.excess!.div(s!.target!)).reduce((x, y) => (y.lt(x) ? y : x));
      return worst(ra) - worst(rb) || cushion(ra).cmp(cushion(rb));
    });
    expect(shown).toEqual(expected);
    expect(shown.slice(0, 3)).toEqual([firmId('northwind'), firmId('broken'), firmId('harbor')]);

    // Each firm's excess and target per statement, as filed.
    for (const id of shown) {
      const rec = reconcile(effective.get(key(id, SCENARIO_TO))!);
      const row = page.locator(`tr[data-firm="${id}"]`);
      for (const [statement, s] of Object.entries(rec.statements)) {
        const cell = row.locator(`td[data-statement="${statement}"]`);
        await expect(cell.locator('dd.excess').textContent(), `${id} ${statement} excess`).resolves.toBe(grouped(s!.excess!));
        await expect(cell.locator('dd.target').textContent(), `${id} ${statement} target`).resolves.toBe(grouped(s!.target!));
        const status = s!.status;
        await expect(cell.locator('.chip').textContent()).resolves.toBe(status.replace('-', ' '));
      }
    }
    // R.J. O'Brien filed late.
    await expect(page.locator(`tr[data-firm="${firmId('rjo')}"] .mark.late`).textContent()).resolves.toBe('late');
    await page.close();
  });

  it('marks a firm that did not file as missing', async () => {
    const page = await open(`/days/${RJO_MISSED}`);
    await expect(page.locator(`tr[data-firm="${firmId('rjo')}"] .mark.missing`).textContent()).resolves.toBe('missing');
    await expect(page.locator(`tr[data-firm="${firmId('rjo')}"] td.st`).first().textContent()).resolves.toBe('\u2013');
    await page.close();
  });

  it('a firm name with markup renders as text: no element made of it', async () => {
    const page = await open('/');
    const name = SCENARIO_FIRMS.markup.firmName;
    await expect(page.locator(`tr[data-firm="${firmId('markup')}"] a.firm`).textContent()).resolves.toBe(name);
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('table.board b').count()).toBe(0);
    await page.close();
    const firm = await open(`/firms/${firmId('markup')}`);
    await expect(firm.locator('h1').textContent()).resolves.toBe(name);
    await expect(firm.title()).resolves.toBe(`${name} · segwatch`);
    expect(await firm.locator('script, h1 b').count()).toBe(0);
    await firm.close();
    const filing = await open(`/firms/${firmId('markup')}/days/${SCENARIO_TO}`);
    expect(await filing.locator('script, img, main i').count()).toBe(0);
    await expect(filing.locator('#h-clearedSwaps').textContent()).resolves.toBe('Daily Segregation - <img src=x onerror=alert(1)> Swaps Statement');
    await shot(filing, 'filing-markup');
    await filing.close();
  });
});

describe('the firm page', () => {
  it('charts one point per filing day, marks the below-target days and the target change', async () => {
    const id = firmId('harbor');
    const page = await open(`/firms/${id}`);
    await shot(page, 'firm');
    const days = [...effective.keys()].filter((k) => k.startsWith(`${id}|`)).map((k) => k.split('|')[1]).sort();
    for (const statement of ['segregation', 'secured', 'clearedSwaps'] as const) {
      const filed = days.filter((d) => effective.get(key(id, d))!.statements[statement]);
      const points = page.locator(`#c-${statement}-ex g.pts > *`);
      expect(await points.count(), statement).toBe(filed.length);
      const below = filed.filter((d) => reconcile(effective.get(key(id, d))!).statements[statement]!.status === 'below-target');
      const marked = page.locator(`#c-${statement}-ex .pt.bt`);
      expect(await marked.count(), `${statement} below-target marks`).toBe(below.length);
      const titles = await marked.evaluateAll((els) => els.map((e) => e.querySelector('title')!.textContent!.slice(0, 10)));
      expect(titles).toEqual(below);
      // The text alternative: the chart has a title and a description, and the table holds the figures.
      await expect(page.locator(`#c-${statement}-ex`).getAttribute('role')).resolves.toBe('img');
      await expect(page.locator(`#c-${statement}-ex-d`).textContent()).resolves.toContain(`${filed.length} filing days`);
      expect(await page.locator(`section[data-statement="${statement}"] table.days tbody tr`).count()).toBe(filed.length);
      await expect(page.locator(`section[data-statement="${statement}"] table.days caption`).textContent()).resolves.toContain('daily figures');
    }
    // The story: swaps below target on the last three days; the segregation target raised once.
    expect(await page.locator('#c-clearedSwaps-ex .pt.bt').count()).toBe(3);
    expect(await page.locator('#c-segregation-ex .tc').count()).toBe(1);
    await expect(page.locator('#c-segregation-ex-d').textContent()).resolves.toContain(`Target changed on ${HARBOR_TARGET_CHANGE}`);
    // Required and funds on a second chart.
    await expect(page.locator('#c-segregation-rf path.rq').count()).resolves.toBe(1);
    await page.close();
  });

  it('the deficient day is marked as such', async () => {
    const page = await open(`/firms/${firmId('northwind')}`);
    expect(await page.locator('#c-segregation-ex .pt.df').count()).toBe(1);
    await expect(page.locator('#c-segregation-ex .pt.df title').textContent()).resolves.toMatch(new RegExp(`^${SCENARIO_TO}: deficiency, excess -18,250,400`));
    await page.close();
  });

  it('offers the CSV of the same range', async () => {
    const page = await open(`/firms/${firmId('harbor')}?from=2014-10-15&to=2014-10-31`);
    const href = await page.locator('a', { hasText: 'Download CSV' }).getAttribute('href');
    expect(href).toBe(`/firms/${firmId('harbor')}/history.csv?from=2014-10-15&to=2014-10-31`);
    const r = await page.request.get(url(href!));
    expect(r.status()).toBe(200);
    const lines = (await r.text()).trim().split('\r\n');
    expect(lines.slice(1).every((l) => l.split(',')[1] >= '2014-10-15' && l.split(',')[1] <= '2014-10-31')).toBe(true);
    await page.close();
  });
});

describe('the filing page', () => {
  it('highlights the identity that does not add up, with its expected and filed amounts', async () => {
    const id = firmId('broken');
    const page = await open(`/firms/${id}/days/${SCENARIO_TO}`);
    await shot(page, 'filing');
    // Worked out here from the filing: line 13 [7180] should be the sum of its items.
    const filing = effective.get(key(id, SCENARIO_TO))!;
    const seg = filing.statements.segregation!;
    const def = FORMS.variantById.get(seg.variant)!.byCode.get('7180')!;
    const expectedSum = sum(def.sum!.map((t) => (t.weight > 0 ? seg.lines.get(t.code)! : seg.lines.get(t.code)!.negated())));
    const filed = seg.lines.get('7180')!;
    expect(filed.minus(expectedSum).toFixed()).toBe('1000');
    const row = page.locator('section[data-statement="segregation"] tr.bad[data-code="7180"]');
    expect(await row.count()).toBe(1);
    await expect(row.locator('td.n').textContent()).resolves.toBe(grouped(filed));
    const why = row.locator('xpath=following-sibling::tr[1]');
    await expect(why.getAttribute('class')).resolves.toBe('why');
    await expect(why.locator('.expected').textContent()).resolves.toBe(grouped(expectedSum));
    await expect(why.locator('.actual').textContent()).resolves.toBe(grouped(filed));
    // Highlighted: its background is not the page's.
    const bg = await row.locator('td').first().evaluate((el) => (globalThis as unknown as Styled).getComputedStyle(el).backgroundColor);
    expect(bg).not.toBe('rgba(0, 0, 0, 0)');
    // Only that line is marked in that statement; the other statements add up.
    expect(await page.locator('tr.bad').count()).toBe(1);
    // The finding links to the line.
    await page.locator('ul.findings a', { hasText: '[7180]' }).click();
    expect(new URL(page.url()).hash).toBe('#L-segregation-7180');
    await page.close();
  });

  it('shows both versions of the demo day, the amendment effective', async () => {
    const page = await open(`/firms/${firmId('example')}/days/${SCENARIO_TO}`);
    const rows = page.locator('#h-versions + div table tbody tr');
    expect(await rows.count()).toBe(2);
    await expect(rows.first().textContent()).resolves.toContain('effective: the latest submitted amendment');
    await expect(rows.nth(1).textContent()).resolves.toContain('superseded by');
    // Its alerts: the initial's deficiency, then the amendment's resolved notice.
    const kinds = await page.locator('table.alerts tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-kind')));
    expect(kinds).toEqual(expect.arrayContaining(['deficiency', 'resolved']));
    await page.close();
  });
});

describe('navigation, without JavaScript', () => {
  it('board -> firm -> a day in its table -> the board of that day -> previous day', async () => {
    const page = await open('/');
    await page.locator(`tr[data-firm="${firmId('harbor')}"] a.firm`).click();
    expect(new URL(page.url()).pathname).toBe(`/firms/${firmId('harbor')}`);
    await expect(page.locator('h1').textContent()).resolves.toBe(SCENARIO_FIRMS.harbor.firmName);
    await page.locator('section[data-statement="secured"] table.days a', { hasText: '2014-10-22' }).click();
    expect(new URL(page.url()).pathname).toBe(`/firms/${firmId('harbor')}/days/2014-10-22`);
    await page.locator('a', { hasText: 'board for 2014-10-22' }).click();
    expect(new URL(page.url()).pathname).toBe('/days/2014-10-22');
    await page.locator('a[rel="prev"]').click();
    expect(new URL(page.url()).pathname).toBe('/days/2014-10-21');
    await page.locator(`tr[data-firm="${firmId('citi')}"] td.filing a`).click();
    expect(new URL(page.url()).pathname).toBe(`/firms/${firmId('citi')}/days/2014-10-21`);
    await page.close();
  });

  it('the day picker and the alert filters are plain forms', async () => {
    const page = await open('/');
    await page.locator('input[name="date"]').fill('2014-10-15');
    await page.locator('form[action="/"] button').click();
    expect(new URL(page.url()).pathname).toBe('/days/2014-10-15');
    await page.locator('nav[aria-label="Main"] a', { hasText: 'Alerts' }).click();
    expect(new URL(page.url()).pathname).toBe('/alerts');
    await shot(page, 'alerts');
    await page.locator('select[name="kind"]').selectOption('below-target');
    await page.locator('input[name="firm"]').fill('Harbor');
    await page.locator('form.filters button').click();
    const u = new URL(page.url());
    expect(u.searchParams.get('kind')).toBe('below-target');
    expect(u.searchParams.get('firm')).toBe('Harbor');
    const kinds = await page.locator('table.alerts tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-kind')));
    expect(kinds.length).toBe(3);
    expect(new Set(kinds)).toEqual(new Set(['below-target']));
    const days = await page.locator('table.alerts tbody tr td:first-child').allTextContents();
    expect(days).toEqual([...days].sort().reverse());
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
      for (const path of ['/', `/firms/${firmId('harbor')}`, `/firms/${firmId('broken')}/days/${SCENARIO_TO}`, '/alerts', '/calendar/2014']) {
        const page = await js.newPage();
        const errors: string[] = [];
        page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(url(path));
        await page.waitForLoadState('load');
        expect(errors, path).toEqual([]);
        // The stylesheet applied (so the CSP let it in).
        const font = await page.locator('html').evaluate((el) => (globalThis as unknown as Styled).getComputedStyle(el).fontFamily);
        expect(font).toMatch(/system-ui/);
        await page.close();
      }
    } finally {
      await js.close();
    }
  });
});
