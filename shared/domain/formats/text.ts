/**
 * Bytes to text: UTF-8 with or without a byte-order mark, UTF-16 LE or BE with one, and
 * Windows-1252 when the bytes are not UTF-8 (the caller notes it). Anything else that is not
 * text (NUL bytes, control characters) is refused as binary.
 */
import { FilingError } from '../parser/errors';

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface DecodedText {
  text: string;
  encoding: TextEncoding;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf16le = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true });
const utf16be = new TextDecoder('utf-16be', { fatal: true, ignoreBOM: true });
const latin1 = new TextDecoder('latin1');

/**
 * Windows-1252's bytes 0x80-0x9F, as the WHATWG Encoding Standard maps them (U+0081, U+008D,
 * U+008F, U+0090 and U+009D stay themselves: unassigned). Node 20's TextDecoder('windows-1252')
 * decodes this range as ISO-8859-1 (0x96 as U+0096, not an en dash), so the 27 assigned bytes are
 * mapped here, after a Latin-1 decode.
 */
export const CP1252_80_9F =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/** Bytes as Windows-1252. */
export function decodeCp1252(bytes: Uint8Array): string {
  return latin1.decode(bytes).replace(/[\x80-\x9f]/g, (c) => CP1252_80_9F[c.charCodeAt(0) - 0x80]);
}

// Control characters no text filing holds (tab, line breaks and form feed aside), and the C1
// range, where Windows-1252's five unassigned bytes land.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x01-\x08\x0e-\x1f\x7f\x80-\x9f]/g;

function checkText(text: string): void {
  const controls = text.match(CONTROLS);
  if (controls && controls.length > 16)
    throw new FilingError('binary', 'the file is binary (control characters), not a text filing');
}

/** Decode a file's bytes as text; throws FilingError('binary') when they are not text. */
export function decodeText(bytes: Uint8Array): DecodedText {
  const b0 = bytes[0];
  const b1 = bytes[1];
  if (b0 === 0xef && b1 === 0xbb && bytes[2] === 0xbf) {
    try {
      const text = utf8.decode(bytes.subarray(3));
      checkText(text);
      return { text, encoding: 'utf-8' };
    } catch (e) {
      if (e instanceof FilingError) throw e;
      throw new FilingError('binary', 'the file starts with a UTF-8 byte-order mark but is not valid UTF-8');
    }
  }
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) {
    const le = b0 === 0xff;
    if (le && bytes[2] === 0 && bytes[3] === 0)
      throw new FilingError(
        'binary',
        'the file is UTF-32, not a text filing segwatch reads (UTF-8, UTF-16 or Windows-1252)',
      );
    let text: string;
    try {
      text = (le ? utf16le : utf16be).decode(bytes.subarray(2));
    } catch {
      throw new FilingError(
        'binary',
        `the file starts with a UTF-16 ${le ? 'LE' : 'BE'} byte-order mark but is not valid UTF-16`,
      );
    }
    if (text.indexOf('\u0000') !== -1)
      throw new FilingError('binary', 'the file is binary (it contains NUL characters), not a text filing');
    checkText(text);
    return { text, encoding: le ? 'utf-16le' : 'utf-16be' };
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    // Text with every other byte NUL is UTF-16 without its byte-order mark: say so.
    let zeros = 0;
    const n = Math.min(bytes.length, 512);
    for (let i = 0; i < n; i++) if (bytes[i] === 0) zeros++;
    if (zeros * 2 >= n - 1 && n > 8)
      throw new FilingError(
        'binary',
        'the file looks like UTF-16 without a byte-order mark; save it as UTF-8, or as UTF-16 with a byte-order mark',
      );
    throw new FilingError('binary', 'the file is binary (it contains NUL bytes), not a text filing');
  }
  let text: string;
  let encoding: TextEncoding = 'utf-8';
  try {
    text = utf8.decode(bytes);
  } catch {
    text = decodeCp1252(bytes);
    encoding = 'windows-1252';
  }
  checkText(text);
  return { text, encoding };
}
