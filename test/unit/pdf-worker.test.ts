/**
 * How pdfToText drives pdf.js (shared/domain/formats/pdf.ts): one in-thread worker for all the
 * documents of a process, over a port that copies plain messages itself (CopyingPort, plainCopy),
 * and pdf.js's own inflate while documents are read (the platform's DecompressionStream is put
 * back once none is). What each must not cost: a document that failed, ran out of time or was
 * refused leaves the worker as it was (the next reads as it reads alone, no handlers left
 * behind); a copied message is what structuredClone would give; the global is the platform's
 * again whatever way the reading ended.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CopyingPort,
  NOT_PLAIN,
  PdfError,
  pdfToText,
  pdfWorkerListeners,
  plainCopy,
} from '../../shared/domain/formats/pdf';

const FIXTURES = new URL('../fixtures/renderings/', import.meta.url);
const bytesOf = (name: string) => new Uint8Array(readFileSync(new URL(name, FIXTURES)));
const CHROMIUM = 'citigroup-2014-11-06-initial.chromium.pdf';
const PLAIN = 'citigroup-2013-06-18-amendment.plain.pdf';

/** The listeners once pdf.js has finished destroying what was given up (it gets a moment after a deadline). */
async function settledListeners(): Promise<number> {
  for (let i = 0; i < 40; i++) {
    if (pdfWorkerListeners() === 2) return 2;
    await new Promise((r) => setTimeout(r, 50));
  }
  return pdfWorkerListeners();
}

describe('one pdf.js worker for every document', () => {
  it('after damaged, refused, timed-out and simultaneous documents the next reads as it reads alone, and no handler is left behind', async () => {
    const good = bytesOf(CHROMIUM);
    const plain = bytesOf(PLAIN);
    const alone = [await pdfToText(good), await pdfToText(plain)];
    // The worker's own handler and the main side's: every document's pair is gone once it is done.
    expect(pdfWorkerListeners()).toBe(2);
    const failures: Promise<unknown>[] = [
      pdfToText(good.slice(0, Math.floor(good.length / 3))),
      pdfToText(good, { timeoutMs: 2 }),
      pdfToText(good, { maxTextItems: 10 }),
      pdfToText(good, { maxPages: 0 }),
      pdfToText(bytesOf('citigroup-2014-11-06-initial.scan.pdf')),
      pdfToText(new TextEncoder().encode('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n')),
    ];
    for (const f of failures) await expect(f).rejects.toBeInstanceOf(PdfError);
    expect(await settledListeners()).toBe(2);
    // Good and bad at once, then each good one again.
    const together = await Promise.all([
      pdfToText(plain),
      pdfToText(good, { timeoutMs: 1 }).catch((e: PdfError) => e.code),
      pdfToText(good),
      pdfToText(good.slice(0, 5000)).catch((e: PdfError) => e.code),
    ]);
    expect(together).toEqual([alone[1], 'bad-pdf', alone[0], 'bad-pdf']);
    expect([await pdfToText(good), await pdfToText(plain)]).toEqual(alone);
    expect(await settledListeners()).toBe(2);
  });
});

describe("the platform's DecompressionStream", () => {
  it('is the one it was once no document is being read, however the reading ended', async () => {
    const platform = Object.getOwnPropertyDescriptor(globalThis, 'DecompressionStream');
    const good = bytesOf(CHROMIUM);
    await pdfToText(good);
    await pdfToText(good, { timeoutMs: 1 }).catch(() => undefined);
    await pdfToText(good.slice(0, 9000)).catch(() => undefined);
    await pdfToText(new Uint8Array(10)).catch(() => undefined);
    await Promise.all([pdfToText(good), pdfToText(good, { maxTextChars: 10 }).catch(() => undefined), pdfToText(good)]);
    expect(Object.getOwnPropertyDescriptor(globalThis, 'DecompressionStream')).toEqual(platform);
    // and it still works
    const inflated = await new Response(
      new Blob([new Uint8Array([0x78, 0x9c, 0x4b, 0x04, 0x00, 0x00, 0x62, 0x00, 0x62])])
        .stream()
        .pipeThrough(new DecompressionStream('deflate')),
    ).text();
    expect(inflated).toBe('a');
  });

  it('is hidden only while a document is read', async () => {
    const platform = globalThis.DecompressionStream;
    let seenWhileReading: unknown;
    const reading = pdfToText(bytesOf(CHROMIUM));
    // Look while the reading is under way (pdf.js, in this thread, works in promise turns: look between them), then after it.
    for (let i = 0; i < 100_000 && seenWhileReading === undefined; i++) {
      await null;
      if (globalThis.DecompressionStream !== platform) seenWhileReading = globalThis.DecompressionStream;
    }
    await reading;
    expect(seenWhileReading).toBeDefined();
    expect(() => new (seenWhileReading as typeof DecompressionStream)('deflate')).toThrow(
      /inflates Flate streams itself/,
    );
    expect(globalThis.DecompressionStream).toBe(platform);
  });
});

/** Plain data as pdf.js's messages hold it: primitives (-0, NaN, undefined too), dense arrays, plain and null-prototype objects. */
const plainData = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constantFrom(null, undefined, -0, Number.NaN, Number.POSITIVE_INFINITY),
    fc.bigInt(),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 5 }),
    fc
      .dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 5 })
      .map((o) => Object.assign(Object.create(null) as object, o)),
  ),
})).value;

describe('plainCopy', () => {
  it('copies plain data as structuredClone does, sharing no object with the original', () => {
    fc.assert(
      fc.property(plainData, (v) => {
        const c = plainCopy(v, 0);
        expect(c).toStrictEqual(structuredClone(v));
        if (typeof v === 'object' && v !== null) expect(c).not.toBe(v);
        // No object of the copy is one of the original's.
        const originals = new Set<unknown>();
        const walk = (x: unknown, into: (o: object) => void) => {
          if (typeof x !== 'object' || x === null) return;
          into(x);
          for (const k of Object.keys(x)) walk((x as Record<string, unknown>)[k], into);
        };
        walk(v, (o) => originals.add(o));
        walk(c, (o) => expect(originals.has(o)).toBe(false));
      }),
      { numRuns: 500 },
    );
  });

  it('leaves to structuredClone what is not plain: bytes, errors, maps, class instances, holes, cycles, functions', () => {
    class Ref {
      num = 1;
    }
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    // biome-ignore lint/suspicious/noSparseArray: a hole is the case
    const holey = [1, , 3];
    for (const v of [
      new Uint8Array(3),
      new ArrayBuffer(4),
      new Error('x'),
      new Map([[1, 2]]),
      new Set([1]),
      new Date(0),
      /x/,
      new Ref(),
      holey,
      cyclic,
      () => 1,
      Symbol('s'),
      { deep: { items: [{ str: 'a', transform: new Float32Array(6) }] } },
    ])
      expect(plainCopy(v, 0)).toBe(NOT_PLAIN);
  });
});

describe('CopyingPort', () => {
  it('delivers each message later, as a copy: what the sender changes after sending is not seen', async () => {
    const port = new CopyingPort();
    const got: unknown[] = [];
    port.addEventListener('message', (e) => got.push(e.data));
    const chunk = { items: [{ str: '1,234', transform: [1, 0, 0, 1, 10, 20] }], styles: {} as Record<string, unknown> };
    port.postMessage({ stream: 4, chunk });
    expect(got).toEqual([]);
    chunk.items[0].str = 'changed';
    chunk.items = [];
    await Promise.resolve();
    await Promise.resolve();
    expect(got).toEqual([
      { stream: 4, chunk: { items: [{ str: '1,234', transform: [1, 0, 0, 1, 10, 20] }], styles: {} } },
    ]);
  });

  it('sends bytes and errors through structuredClone, transfer list and all', async () => {
    const port = new CopyingPort();
    const got: { data: { bytes?: Uint8Array; reason?: Error } }[] = [];
    port.addEventListener('message', (e) => got.push(e as (typeof got)[number]));
    const bytes = new Uint8Array([1, 2, 3]);
    port.postMessage({ bytes }, [bytes.buffer]);
    expect(bytes.byteLength).toBe(0); // transferred, as pdf.js's own port does
    port.postMessage({ reason: new TypeError('bad') });
    await new Promise((r) => setImmediate(r));
    expect([...got[0].data.bytes!]).toEqual([1, 2, 3]);
    expect(got[1].data.reason).toBeInstanceOf(TypeError);
    expect(got[1].data.reason!.message).toBe('bad');
  });

  it('a listener removed, or whose signal aborts, hears no more; terminate removes them all', async () => {
    const port = new CopyingPort();
    const heard: string[] = [];
    const a = (e: { data: unknown }) => heard.push(`a${e.data}`);
    const ctl = new AbortController();
    port.addEventListener('message', a);
    port.addEventListener('message', (e) => heard.push(`b${e.data}`), { signal: ctl.signal });
    port.postMessage(1);
    await new Promise((r) => setImmediate(r));
    ctl.abort();
    port.postMessage(2);
    await new Promise((r) => setImmediate(r));
    port.removeEventListener('message', a);
    port.postMessage(3);
    await new Promise((r) => setImmediate(r));
    expect(heard).toEqual(['a1', 'b1', 'a2']);
    port.addEventListener('message', a);
    expect(port.listeners).toBe(1);
    port.terminate();
    expect(port.listeners).toBe(0);
  });
});
