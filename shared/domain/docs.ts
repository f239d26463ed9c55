/**
 * Documentation generated from the form definitions and the rule catalogue, so the docs read
 * the same data as the parser and the reconciler (`segwatch forms`; README.md embeds it and a
 * test keeps the two in step).
 */
import { FORMS, STATEMENT_KEYS, type FormSet, type LineDef } from './forms';
import { RULES } from './rules';
import { ALERT_RULE, ALERT_SEVERITY, type AlertKind } from './alerts';
import { firmIdOf, LEGAL_FORMS } from './parser/firm';

function identity(l: LineDef): string {
  if (l.sum) return l.sum.map((t, i) => (t.weight < 0 ? `- ${t.code}` : i === 0 ? t.code : `+ ${t.code}`)).join(' ');
  if (l.greaterOf) return `greater of ${l.greaterOf.join(', ')}`;
  if (l.equals) return `${l.equals} (funds page)`;
  if (l.parts) return `${l.parts.map((p) => p.id).join(' + ')} (uncoded)`;
  return 'input';
}

export function formsMarkdown(forms: FormSet = FORMS): string {
  const out: string[] = [];
  out.push('| variant | statement | lines | description |', '| --- | --- | --- | --- |');
  for (const v of forms.variants)
    out.push(`| \`${v.id}\` | ${forms.statements[v.statement].name} | ${v.lines.length} | ${v.description} |`);
  out.push('');
  out.push('Identities (derived lines) per variant:');
  out.push('');
  for (const key of STATEMENT_KEYS) {
    for (const v of forms.statements[key].variants) {
      const derived = v.lines.filter((l) => l.kind === 'derived' || l.equals || l.parts);
      const roles = Object.entries(v.roles)
        .filter(([, c]) => c)
        .map(([r, c]) => `${r} ${c}`)
        .join(', ');
      out.push(`- \`${v.id}\` (${roles}): ${derived.map((l) => `${l.code} = ${identity(l)}`).join('; ')}`);
    }
  }
  return out.join('\n');
}

export function rulesMarkdown(): string {
  const out = ['| id | name | severity | checks |', '| --- | --- | --- | --- |'];
  for (const r of RULES) out.push(`| ${r.id} | ${r.name} | ${r.severity} | ${r.description} |`);
  return out.join('\n');
}

export function alertsMarkdown(): string {
  const out = ['| alert kind | severity | meaning |', '| --- | --- | --- |'];
  for (const k of Object.keys(ALERT_SEVERITY) as AlertKind[])
    out.push(`| ${k} | ${ALERT_SEVERITY[k]} | ${ALERT_RULE[k]} |`);
  return out.join('\n');
}

/** How firm names fold into firm ids: the steps, the legal forms (LEGAL_FORMS) and examples, each computed by firmIdOf. */
export function firmIdsMarkdown(): string {
  const out = [
    'A firm id is the firm name with HTML entities decoded (`&amp;` is `&`), Unicode normalized (NFKD, accents dropped), lower case, `&` read as `and`, every run of other characters one `-`, and the legal forms at the end of the name written one way; at most 64 characters.',
    '',
    '| legal form at the end of the name (any case, any punctuation) | in the id |',
    '| --- | --- |',
  ];
  for (const f of LEGAL_FORMS)
    out.push(
      `| ${f.spellings.map((s) => `\`${s.replace(/ /g, '.').toUpperCase()}${s.includes(' ') ? '.' : ''}\``).join(', ')} | \`${f.id}\` |`,
    );
  out.push('', '| name as filed | firm id |', '| --- | --- |');
  for (const name of [
    'Smith & Co',
    'Smith &amp; Co',
    'SMITH & CO.',
    'Smith and Co',
    'Goldman Sachs & Co. L.L.C.',
    'CITIGROUP GLOBAL MARKETS, INCORPORATED',
    'Société Générale Ltd.',
  ])
    out.push(`| \`${name}\` | \`${firmIdOf(name)}\` |`);
  return out.join('\n');
}

/** The generated part of README.md, between the `<!-- forms:start -->` and `<!-- forms:end -->` markers. */
export function generatedDocs(): string {
  return `### Form variants\n\n${formsMarkdown()}\n\n### Rules\n\n${rulesMarkdown()}\n\n### Alerts\n\n${alertsMarkdown()}\n\n### Firm ids\n\n${firmIdsMarkdown()}\n`;
}
