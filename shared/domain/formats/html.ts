/**
 * HTML to text: a saved web page of a filing (WinJammer's, or a browser's "Save as") read as the
 * text it shows. Any tags with any attributes; entities decoded by the `entities` package
 * (`&amp;`, `&nbsp;` as U+00A0, numeric ones, legacy ones without a semicolon); scripts, styles
 * and comments dropped; a table cell ends with a tab and a row, paragraph or `<br>` with a line
 * break, so a header field split across cells (`<td>End Date:</td><td>11/6/2014</td>`) reads as
 * `End Date:\t11/6/2014` and an amount and its code in two cells as `1,234\t[7010]`. Inline tags
 * (`<u>`, `<span>`) leave nothing, as a browser shows them, but `<sup>` and `<sub>` a space (a
 * footnote's mark after an amount is not more digits of it); runs of source whitespace are one
 * space, as a browser shows them (a no-break space stays one).
 */
import { decodeHTML } from 'entities/decode';

/** A structural tag first: an HTML document or fragment, not WinJammer's markup (`<u>`, `<b>` inside text). */
export function looksLikeHtml(text: string): boolean {
  let i = 0;
  while (i < text.length && (text.charCodeAt(i) <= 32 || text.charCodeAt(i) === 0xfeff)) i++;
  if (text.charCodeAt(i) !== 60 /* < */) return false;
  const m = /^<\s*([!?]|[a-zA-Z][a-zA-Z0-9]*)/.exec(text.slice(i, i + 24));
  if (!m) return false;
  const tag = m[1].toLowerCase();
  return tag !== 'u' && tag !== 'b';
}

const BLOCK = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'body',
  'br',
  'caption',
  'center',
  'dd',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'html',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'tbody',
  'tfoot',
  'thead',
  'title',
  'tr',
  'ul',
]);
const CELL = new Set(['td', 'th']);
// A superscript or subscript stands apart from the text before it (`0<sup>1</sup>` is a footnote's
// mark after 0, not 01): a space, as `innerText` would not give but as a reader sees it.
const APART = new Set(['sup', 'sub']);

// Comments, and elements whose content is not shown.
const HIDDEN = /<!--[\s\S]*?(?:-->|$)|<(script|style|head|template|noscript)\b[^>]*>[\s\S]*?(?:<\/\1\s*>|$)/gi;
const TAG = /<\/?([a-zA-Z][a-zA-Z0-9]*)\b(?:[^>"']|"[^"]*"|'[^']*')*>|<![^>]*>|<\?[^>]*>/g;

/** The text an HTML page shows, laid out in lines and tab-separated cells (see the file comment). */
export function htmlToText(html: string): string {
  const source = html.replace(HIDDEN, ' ');
  let out = '';
  let last = 0;
  const text = (s: string) => {
    if (s.length === 0) return;
    const collapsed = s.replace(/[ \t\r\n\f]+/g, ' ');
    out += collapsed.indexOf('&') === -1 ? collapsed : decodeHTML(collapsed);
  };
  TAG.lastIndex = 0;
  for (let m = TAG.exec(source); m; m = TAG.exec(source)) {
    text(source.slice(last, m.index));
    last = m.index + m[0].length;
    const name = m[1]?.toLowerCase();
    if (!name) continue;
    if (CELL.has(name)) out += '\t';
    else if (BLOCK.has(name)) out += '\n';
    else if (APART.has(name)) out += ' ';
  }
  text(source.slice(last));
  // Tidy the layout: spaces around tabs and line breaks, one tab between cells, one line break between rows.
  return out
    .replace(/ *\t[\t ]*/g, '\t')
    .replace(/[ \t]*\n[ \t\n]*/g, '\n')
    .replace(/^[\t\n ]+/, '');
}
