/**
 * The dashboard: one hono app for both homes (Lambda behind API Gateway, `segwatch serve` on
 * 127.0.0.1). Server-rendered pages that need no JavaScript, and beside each the JSON route of the
 * same shape as the CLI's `--json`. Data comes only through ReadQueries (shared/read/types.ts);
 * everything the app needs is injected, so tests and the two homes differ only in what they pass.
 *
 * Every response carries the security headers (a CSP without inline script or style, nosniff,
 * Referrer-Policy, frame denial) and `Cache-Control: no-store` (the figures are confidential); no
 * CORS headers are ever sent. With `auth`, only /health, /login, /callback and /logout answer
 * without a verified session: pages redirect to sign-in, /api/* answers 401.
 */
import { Hono, type Context } from 'hono';
import { compress } from 'hono/compress';
import { secureHeaders } from 'hono/secure-headers';
import { CalendarError, dueDay, nextFilingDay, previousFilingDay } from '../../shared/domain/calendar';
import { STATEMENT_KEYS } from '../../shared/domain/forms';
import {
  ReadError,
  type AlertsQuery,
  type HistoryJson,
  type ReadErrorCode,
  type ReadQueries,
} from '../../shared/read/types';
import { errorDetails } from '../../shared/adapters/stacks';
import type { Auth, User } from './auth';
import { boardCsv, historyCsv } from '../../shared/read/render';
import { isIsoDate, twelveMonthsBefore, todayInNewYork } from './dates';
import type { ObjectLinks } from './objects';
import { FAVICON, STYLESHEET, STYLESHEET_PATH } from './style';
import { alertsPage } from './views/alerts';
import { boardPage, type BoardNav } from './views/board';
import { calendarJson, calendarPage, CALENDAR_YEARS } from './views/calendar';
import { errorPage } from './views/errors';
import { filingPage } from './views/filing';
import { FIRM_VIEWS, firmPage, type FirmRange, type FirmView } from './views/firm';
import { firmUrl, type PageOptions } from './views/html';

export interface AppDeps {
  queries: ReadQueries;
  /** Cognito sign-in (AWS); null: no sign-in (the local dashboard, on loopback only). */
  auth: Auth | null;
  /** Links to the original filing objects; null or absent: none shown. */
  objects?: ObjectLinks | null;
  /** Today (New York), for default ranges and "not due yet". */
  today?: () => string;
  /** Served over HTTPS only (AWS): adds Strict-Transport-Security. */
  https?: boolean;
  /** Where errors worth a look are reported (never shown to the user). */
  log?: (level: 'warn' | 'error', message: string, details?: Record<string, unknown>) => void;
}

type Env = { Variables: { user: User | null } };

/** Paths that answer without a session. */
export const PUBLIC_PATHS = new Set(['/health', '/login', '/callback', '/logout']);

/** The Content-Security-Policy: everything from this origin only, no script at all, no framing. */
export const CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 404 | 503,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const READ_STATUS: Record<ReadErrorCode, 400 | 404> = {
  'unknown-firm': 404,
  'no-filing': 404,
  'ambiguous-firm': 400,
  'bad-date': 400,
  'bad-query': 400,
};

const isApi = (c: Context) => c.req.path.startsWith('/api/');

function dateParam(value: string | undefined, name: string, required: true): string;
function dateParam(value: string | undefined, name: string, required?: false): string | undefined;
function dateParam(value: string | undefined, name: string, required = false): string | undefined {
  if (value === undefined || value === '') {
    if (required) throw new HttpError(400, 'bad-date', `${name} is missing (YYYY-MM-DD)`);
    return undefined;
  }
  if (!isIsoDate(value))
    throw new HttpError(400, 'bad-date', `${name} ${JSON.stringify(value.slice(0, 40))} is not a date (YYYY-MM-DD)`);
  return value;
}

function firmParam(value: string): string {
  if (!value || value.length > 200 || /[\u0000-\u001f]/.test(value))
    throw new HttpError(400, 'bad-query', 'not a firm id');
  return value;
}

export function createApp(deps: AppDeps): Hono<Env> {
  const { queries, auth } = deps;
  const today = deps.today ?? (() => todayInNewYork());
  const log = deps.log ?? (() => undefined);
  const app = new Hono<Env>();

  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: CSP,
      xFrameOptions: 'DENY',
      xContentTypeOptions: 'nosniff',
      referrerPolicy: 'no-referrer',
      crossOriginResourcePolicy: 'same-origin',
      crossOriginOpenerPolicy: 'same-origin',
      strictTransportSecurity: deps.https ? 'max-age=31536000; includeSubDomains' : false,
      permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [] },
    }),
  );
  app.use('*', async (c, next) => {
    await next();
    if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store');
  });
  app.use('*', compress());

  // ---- sign-in ----------------------------------------------------------------------------
  app.use('*', async (c, next) => {
    c.set('user', null);
    if (!auth || PUBLIC_PATHS.has(c.req.path)) return next();
    const user = await auth.user(c);
    if (!user) {
      if (isApi(c) || (c.req.method !== 'GET' && c.req.method !== 'HEAD'))
        return c.json(
          { error: { code: 'unauthenticated', message: 'sign in first (open the dashboard in a browser)' } },
          401,
        );
      const next = c.req.path + (new URL(c.req.url).search || '');
      return c.redirect(`/login?next=${encodeURIComponent(next)}`, 302);
    }
    c.set('user', user);
    return next();
  });
  app.get('/health', (c) => c.json({ status: 'ok' }));
  app.get('/login', (c) => (auth ? auth.login(c) : c.redirect('/', 302)));
  app.get('/callback', (c) => (auth ? auth.callback(c) : c.redirect('/', 302)));
  app.get('/logout', (c) => (auth ? auth.logout(c) : c.redirect('/', 302)));

  const pageOptions = (c: Context<Env>): Omit<PageOptions, 'title' | 'nav'> => {
    const user = c.get('user');
    if (!auth) return { who: 'Local dashboard: no sign-in, listening on 127.0.0.1 only' };
    return { who: user ? `Signed in as ${user.email ?? user.username ?? user.sub}` : '', signOut: !!user };
  };

  // ---- static -----------------------------------------------------------------------------
  app.get(STYLESHEET_PATH, (c) => {
    c.header('Content-Type', 'text/css; charset=utf-8');
    c.header('Cache-Control', 'private, max-age=31536000, immutable');
    return c.body(STYLESHEET);
  });
  app.get('/favicon.svg', (c) => {
    c.header('Content-Type', 'image/svg+xml');
    c.header('Cache-Control', 'private, max-age=86400');
    return c.body(FAVICON);
  });
  app.get('/favicon.ico', (c) => c.redirect('/favicon.svg', 301));

  // ---- board ------------------------------------------------------------------------------
  const boardNav = (date: string): BoardNav => {
    const t = today();
    let previous: string | null = null;
    let next: string | null = null;
    let due: string | null = null;
    try {
      previous = STATEMENT_KEYS.map((k) => previousFilingDay(k, date))
        .sort()
        .at(-1)!;
      next = STATEMENT_KEYS.map((k) => nextFilingDay(k, date)).sort()[0];
      due = dueDay('segregation', date);
    } catch (e) {
      if (!(e instanceof CalendarError)) throw e;
    }
    return { previous, next: next && next <= t ? next : null, dueDay: due, today: t };
  };
  const board = async (c: Context<Env>, date: string | undefined) => {
    const b = await queries.board(date);
    return c.html(boardPage(b, boardNav(b.date), pageOptions(c)));
  };
  app.get('/', async (c) => {
    const date = dateParam(c.req.query('date'), 'date');
    if (date) return c.redirect(`/days/${date}`, 302);
    return board(c, undefined);
  });
  app.get('/days/:date', (c) => board(c, dateParam(c.req.param('date'), 'date', true)));
  app.get('/api/board', async (c) => c.json(await queries.board(dateParam(c.req.query('date'), 'date'))));
  // The board as `segwatch board DATE --csv` prints it (shared/read/render.ts).
  app.get('/board.csv', async (c) => {
    const b = await queries.board(dateParam(c.req.query('date'), 'date'));
    c.header('Content-Type', 'text/csv; charset=utf-8; header=present');
    c.header('Content-Disposition', `attachment; filename="board-${b.date}.csv"`);
    return c.body(boardCsv(b));
  });

  // ---- firm history -----------------------------------------------------------------------
  /** The range asked for, by default the 12 months to today; if those hold nothing, the firm's last 12 months of filings. */
  const history = async (c: Context<Env>): Promise<{ h: HistoryJson; range: FirmRange }> => {
    const firm = firmParam(c.req.param('id') ?? '');
    const qFrom = dateParam(c.req.query('from'), 'from');
    const qTo = dateParam(c.req.query('to'), 'to');
    const to = qTo ?? today();
    const from = qFrom ?? twelveMonthsBefore(to);
    if (from > to) throw new HttpError(400, 'bad-query', `from ${from} is after to ${to}`);
    const v = c.req.query('view') ?? 'excess';
    if (!(FIRM_VIEWS as readonly string[]).includes(v))
      throw new HttpError(400, 'bad-query', `view is ${FIRM_VIEWS.join(' or ')}`);
    const view = v as FirmView;
    const h = await queries.history(firm, { from, to });
    if (h.days.length > 0 || qFrom || qTo) return { h, range: { from, to, fellBack: false, view } };
    // No range: the query's own default, the 12 months up to the firm's latest filing day.
    const all = await queries.history(firm);
    const last = all.days.at(-1)?.endDate;
    if (!last) return { h, range: { from, to, fellBack: false, view } };
    const start = twelveMonthsBefore(last);
    return {
      h: { ...all, days: all.days.filter((d) => d.endDate >= start) },
      range: { from: start, to: last, fellBack: true, view },
    };
  };
  // `/firms/{id}/` is the page the dashboard links to (its day links are relative); `/firms/{id}` serves it too.
  const firm = async (c: Context<Env>) => {
    const { h, range } = await history(c);
    if (h.firmId !== c.req.param('id')) return c.redirect(`${firmUrl(h.firmId)}${new URL(c.req.url).search}`, 302);
    return c.html(firmPage(h, { ...range, slash: c.req.path.endsWith('/') }, pageOptions(c)));
  };
  app.get('/firms/:id', firm);
  app.get('/firms/:id/', firm);
  app.get('/firms/:id/history.csv', async (c) => {
    const { h, range } = await history(c);
    c.header('Content-Type', 'text/csv; charset=utf-8; header=present');
    c.header('Content-Disposition', `attachment; filename="${h.firmId}-${range.from}-${range.to}.csv"`);
    return c.body(historyCsv(h));
  });
  app.get('/api/firms/:id/history', async (c) => c.json((await history(c)).h));

  // ---- one filing -------------------------------------------------------------------------
  const show = (c: Context<Env>) =>
    queries.show(firmParam(c.req.param('id') ?? ''), dateParam(c.req.param('date'), 'date', true));
  app.get('/firms/:id/days/:date', async (c) => {
    const s = await show(c);
    if (s.firmId !== c.req.param('id'))
      return c.redirect(`/firms/${encodeURIComponent(s.firmId)}/days/${s.endDate}`, 302);
    return c.html(filingPage(s, { ...pageOptions(c), originals: !!deps.objects }));
  });
  app.get('/firms/:id/days/:date/original', async (c) => {
    if (!deps.objects) throw new HttpError(404, 'no-link', 'links to the original files are not available here');
    const s = await show(c);
    const key = c.req.query('version') ?? s.effective;
    const v = s.versions.find((x) => x.versionKey === key);
    if (!v)
      throw new HttpError(
        404,
        'no-filing',
        `no version ${JSON.stringify(key.slice(0, 80))} for ${s.firmName} on ${s.endDate}`,
      );
    const link = await deps.objects.url(v.source);
    if (!link) throw new HttpError(404, 'no-link', 'the original file of this version cannot be linked');
    c.header('Referrer-Policy', 'no-referrer');
    return c.redirect(link, 302);
  });
  app.get('/api/firms/:id/days/:date', async (c) => c.json(await show(c)));

  // ---- alerts -----------------------------------------------------------------------------
  const alertsQuery = (c: Context<Env>): AlertsQuery => {
    const q: AlertsQuery = {};
    const from = dateParam(c.req.query('from'), 'from');
    const to = dateParam(c.req.query('to'), 'to');
    if (from) q.from = from;
    if (to) q.to = to;
    if (from && to && from > to) throw new HttpError(400, 'bad-query', `from ${from} is after to ${to}`);
    const firm = c.req.query('firm');
    if (firm) q.firm = firmParam(firm);
    const kind = c.req.query('kind');
    if (kind) {
      if (!/^[a-z][a-z-]{0,40}$/.test(kind))
        throw new HttpError(400, 'bad-query', 'kind is an alert kind, e.g. deficiency');
      q.kind = kind;
    }
    const severity = c.req.query('severity');
    if (severity) {
      if (severity !== 'critical' && severity !== 'warning' && severity !== 'info')
        throw new HttpError(400, 'bad-query', 'severity is critical, warning or info');
      q.severity = severity;
    }
    return q;
  };
  app.get('/alerts', async (c) => {
    const q = alertsQuery(c);
    return c.html(alertsPage(await queries.alerts(q), q, pageOptions(c)));
  });
  app.get('/api/alerts', async (c) => c.json(await queries.alerts(alertsQuery(c))));

  // ---- calendar ---------------------------------------------------------------------------
  const year = (c: Context<Env>): number => {
    const y = c.req.param('year') ?? '';
    if (!/^\d{4}$/.test(y)) throw new HttpError(400, 'bad-date', `${JSON.stringify(y.slice(0, 20))} is not a year`);
    const n = Number.parseInt(y, 10);
    if (n < CALENDAR_YEARS.first || n > CALENDAR_YEARS.last)
      throw new HttpError(404, 'no-calendar', `the calendar covers ${CALENDAR_YEARS.first} to ${CALENDAR_YEARS.last}`);
    return n;
  };
  app.get('/calendar', (c) => c.redirect(`/calendar/${today().slice(0, 4)}`, 302));
  app.get('/calendar/:year', (c) => c.html(calendarPage(calendarJson(year(c)), pageOptions(c))));
  app.get('/api/calendar/:year', (c) => c.json(calendarJson(year(c))));

  // ---- errors -----------------------------------------------------------------------------
  const fail = (c: Context<Env>, status: 400 | 401 | 404 | 500 | 503, code: string, message: string) =>
    isApi(c)
      ? c.json({ error: { code, message } }, status)
      : c.html(errorPage(status, message, pageOptions(c)), status);
  app.notFound((c) => fail(c, 404, 'not-found', `no page ${c.req.path.slice(0, 100)}`));
  app.onError((e, c) => {
    if (e instanceof ReadError) return fail(c, READ_STATUS[e.code] ?? 400, e.code, e.message);
    if (e instanceof HttpError) return fail(c, e.status, e.code, e.message);
    if (e instanceof CalendarError) return fail(c, 404, 'no-calendar', e.message);
    log('error', 'request failed', {
      path: c.req.path,
      ...errorDetails(e),
    });
    return fail(c, 500, 'internal', 'the dashboard could not answer this request; it has been logged');
  });

  return app;
}
