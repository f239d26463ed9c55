/**
 * Firm names: the name as shown (plain text, one line) and the firm id the filings of one firm
 * share whatever way the name is written.
 */
import { decodeHTML } from 'entities/decode';

/** Firm names are shown in alert subjects and emails: plain text, one line, bounded; HTML entities decoded. */
export function cleanText(raw: string, max = 200): string {
  return (raw.indexOf('&') === -1 ? raw : decodeHTML(raw))
    .replace(/<[^>]*>?/g, ' ')
    .replace(/\*\*/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max)
    .trim();
}

/**
 * Legal-form spellings, folded to one: the words (after case and punctuation are folded) a
 * trailing legal form may be written with, and the one word the id uses. `L.L.C.` reads as the
 * words `l l c`, `LLC` as `llc`: both become `llc`.
 */
export const LEGAL_FORMS: readonly { spellings: readonly string[]; id: string }[] = [
  { spellings: ['l l c', 'llc'], id: 'llc' },
  { spellings: ['l l p', 'llp'], id: 'llp' },
  { spellings: ['l p', 'lp'], id: 'lp' },
  { spellings: ['p l c', 'plc'], id: 'plc' },
  { spellings: ['incorporated', 'inc'], id: 'inc' },
  { spellings: ['corporation', 'corp'], id: 'corp' },
  { spellings: ['limited', 'ltd'], id: 'ltd' },
  { spellings: ['company', 'co'], id: 'co' },
];
/** Spellings as word lists, longest first (so `l l c` is tried before `l`-anything shorter). */
const FORM_WORDS = LEGAL_FORMS.flatMap((f) => f.spellings.map((s) => ({ words: s.split(' '), id: f.id }))).sort(
  (a, b) => b.words.length - a.words.length,
);

/**
 * Stable id of a firm from its name as written: "Citigroup Global Markets Inc." ->
 * "citigroup-global-markets-inc". The same firm written `Smith & Co`, `Smith &amp; Co`,
 * `SMITH & CO.` or `Smith and Co` gets one id: HTML entities decoded, Unicode normalized (NFKD,
 * accents dropped), case folded, `&` read as `and`, every run of other characters (punctuation,
 * spaces) one hyphen, and the legal forms at the end of the name (LEGAL_FORMS: `L.L.C.`/`LLC`,
 * `Inc.`/`Incorporated`, `L.P.`/`LP`, ...) written one way. At most 64 characters.
 */
export function firmIdOf(name: string): string {
  const words = (name.indexOf('&') === -1 ? name : decodeHTML(name))
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
  // Legal forms, from the end of the name back to the first word that is not one.
  const tail: string[] = [];
  let end = words.length;
  for (;;) {
    const form = FORM_WORDS.find(
      (f) => f.words.length <= end && f.words.every((w, i) => words[end - f.words.length + i] === w),
    );
    // A name is never only a legal form: "Co" alone stays the firm's name.
    if (!form || form.words.length === end) break;
    tail.unshift(form.id);
    end -= form.words.length;
  }
  return [...words.slice(0, end), ...tail].join('-').slice(0, 64).replace(/-+$/, '');
}
