/**
 * One firm-day: the effective version laid out as the form (line, label, code, amount) from the
 * form definitions, each failing identity marked with its expected and filed amounts; the
 * findings, the versions (which is effective and why), the alerts, links to the original objects.
 */
import { FORMS, STATEMENT_KEYS, type StatementKey } from '../../../shared/domain/forms';
import { dec, grouped } from '../../../shared/domain/money';
import type { StatementJson } from '../../../shared/domain/model';
import type { Finding } from '../../../shared/domain/reconcile';
import type { ShowJson } from '../../../shared/read/types';
import { alertsTable } from './alerts';
import { dayUrl, firmUrl, h, money, page, statementName, type Html, type PageOptions } from './html';

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;
const anchor = (key: StatementKey, code: string) => `L-${key}-${code}`;

function offBy(f: Finding): string {
  if (f.expected === null || f.actual === null) return '';
  const diff = dec(f.actual).minus(dec(f.expected));
  return diff.isZero() ? '' : `, off by ${grouped(diff.abs())}`;
}

function why(f: Finding): Html {
  return h`<tr class="why"><td></td><td colspan="3"><span class="rule">${f.ruleId}</span> ${
    f.expected !== null && f.actual !== null
      ? h`Expected <b class="expected">${money(f.expected)}</b>, filed <b class="actual">${money(f.actual)}</b>${offBy(f)}. `
      : ''
  }${f.message}</td></tr>`;
}

function statementTable(show: ShowJson, key: StatementKey, st: StatementJson): Html {
  const variant = FORMS.variantById.get(st.variant);
  const findings = show.findings.filter((f) => f.statement === key);
  const byLine = new Map<string, Finding[]>();
  for (const f of findings) if (f.line) byLine.set(f.line, [...(byLine.get(f.line) ?? []), f]);
  // Statement-level errors and warnings again above its table (info stays in the list at the top).
  const general = findings.filter((f) => f.severity !== 'info' && (!f.line || !variant?.byCode.has(f.line)));
  const rows: Html[] = [];
  const shown = new Set<string>();
  const line = (code: string, lineNo: string, label: string, amount: string | undefined, derived: boolean) => {
    const bad = byLine.get(code)?.filter((f) => f.severity === 'error') ?? [];
    const cls = [derived ? 'derived' : '', bad.length ? 'bad' : ''].filter(Boolean).join(' ');
    rows.push(
      h`<tr id="${anchor(key, code)}" class="${cls}" data-code="${code}"><td>${lineNo}</td><td class="label">${label}</td><td class="code">[${code}]</td><td class="n">${amount === undefined ? h`<span class="muted">not filed</span>` : money(amount)}</td></tr>`,
    );
    for (const f of byLine.get(code) ?? []) rows.push(why(f));
    shown.add(code);
  };
  if (variant) {
    for (const l of variant.lines) {
      if (l.parts)
        for (const u of st.uncoded.filter((x) => x.partOf === l.code))
          rows.push(
            h`<tr class="part"><td>${u.id}</td><td class="label">${u.label}</td><td class="code"></td><td class="n">${money(u.amount)}</td></tr>`,
          );
      line(l.code, l.line, l.label, st.lines[l.code], l.kind === 'derived');
    }
  }
  const extra = Object.keys(st.lines).filter((c) => !shown.has(c));
  for (const code of extra) line(code, '', 'Filed, but not a line of this form', st.lines[code], false);
  return h`<section aria-labelledby="h-${key}" data-statement="${key}">
<h2 id="h-${key}">${st.title}</h2>
<p class="lede">${statementName(key)} · form variant <code>${st.variant}</code>${variant ? ` (${variant.description})` : ' (not a variant this version of segwatch knows)'}</p>
${general.length ? h`<ul class="findings">${general.map((f) => h`<li class="finding-${f.severity}">${f.ruleId} ${f.message}</li>`)}</ul>` : ''}
${st.conflicts.length ? h`<p class="notice bad">Filed twice with different amounts: ${st.conflicts.map((c) => `[${c.code}] ${c.amounts.map((a) => money(a)).join(' and ')}`).join('; ')}</p>` : ''}
<div class="wrap"><table class="form">
<caption>${statementName(key)} as filed for ${show.endDate}${variant ? '' : ' (lines by code)'}</caption>
<thead><tr><th scope="col">Line</th><th scope="col">Description</th><th scope="col">Code</th><th scope="col" class="n">Amount</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>
</section>`;
}

export interface FilingPageOptions extends Omit<PageOptions, 'title' | 'nav'> {
  /** Links to the original objects are available. */
  originals: boolean;
}

export function filingPage(show: ShowJson, o: FilingPageOptions): Html {
  const f = show.filing;
  const effective = show.versions.find((v) => v.effective);
  const findings = [...show.findings].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  const errors = findings.filter((x) => x.severity === 'error').length;
  const findingItem = (x: Finding) =>
    h`<li class="finding-${x.severity}"><b>${x.severity}</b> ${x.ruleId} ${
      x.statement && x.line ? h`<a href="#${anchor(x.statement, x.line)}">${x.message}</a>` : x.message
    }</li>`;
  const original = (versionKey: string) =>
    `${dayUrl(show.firmId, show.endDate)}/original?version=${encodeURIComponent(versionKey)}`;
  const body = h`<h1>${show.firmName}: filing for ${show.endDate}</h1>
<p class="lede">${f.filingType === 'AMENDMENT' ? 'Amendment' : 'Initial filing'} submitted ${f.submitDate} · ${f.form} · ${show.versions.length} version${show.versions.length === 1 ? '' : 's'} ·
<a href="${firmUrl(show.firmId)}">history</a> · <a href="/days/${show.endDate}">board for ${show.endDate}</a> · <a href="/api${dayUrl(show.firmId, show.endDate)}">JSON</a>${
    o.originals && effective ? h` · <a href="${original(effective.versionKey)}">original file</a>` : ''
  }</p>
<section aria-labelledby="h-findings">
<h2 id="h-findings">Findings</h2>
${errors ? h`<p class="notice bad">${errors} error${errors === 1 ? '' : 's'}: the filing does not add up where marked below.</p>` : ''}
${findings.length ? h`<ul class="findings">${findings.map(findingItem)}</ul>` : h`<p>None: every identity holds.</p>`}
</section>
${STATEMENT_KEYS.filter((k) => f.statements[k]).map((k) => statementTable(show, k, f.statements[k]!))}
${f.unknownCodes.length ? h`<section><h2>Codes no form knows</h2><ul>${f.unknownCodes.map((u) => h`<li>[${u.code}] ${money(u.amount)}</li>`)}</ul></section>` : ''}
<section aria-labelledby="h-versions">
<h2 id="h-versions">Versions</h2>
<div class="wrap"><table>
<caption>Every version filed for ${show.endDate}, in the order submitted; the effective one is marked</caption>
<thead><tr><th scope="col">Version</th><th scope="col">Type</th><th scope="col">Submitted</th><th scope="col">Arrived</th><th scope="col">Effective</th><th scope="col">Why</th>${o.originals ? h`<th scope="col">Original</th>` : ''}</tr></thead>
<tbody>${show.versions.map(
    (v) =>
      h`<tr class="${v.effective ? 'effective' : 'superseded'}"><td><code>${v.versionKey}</code></td><td>${v.filingType === 'AMENDMENT' ? 'amendment' : 'initial'}</td><td>${v.submitDate}</td><td>${v.arrivedAt}</td><td>${v.effective ? 'yes' : 'no'}</td><td>${v.status}</td>${
        o.originals ? h`<td><a href="${original(v.versionKey)}">${v.source.key}</a></td>` : ''
      }</tr>`,
  )}</tbody>
</table></div>
</section>
<section aria-labelledby="h-alerts">
<h2 id="h-alerts">Alerts</h2>
${show.alerts.length ? alertsTable(show.alerts, `Alerts for ${show.firmName} on ${show.endDate}`, false) : h`<p>No alerts for this day.</p>`}
</section>`;
  return page({ ...o, title: `${show.firmName} ${show.endDate}` }, body);
}
