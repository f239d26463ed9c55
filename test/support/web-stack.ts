/**
 * The dashboard's scenario (test/support/web-scenario.ts: the demo filings and a generated month of
 * history) on a real local stack: every file uploaded to the local S3 and pushed through the real
 * pipeline (queue, parse, DynamoDB Local, stream, reconcile, notify), then served as `segwatch
 * serve` serves it (infra/local/serve.ts serveLocalPipeline: the read queries over the stack's table).
 *
 * What the tests know of the data comes from the files, not from the stack: `known` holds, per
 * firm-day, every version the test put in (the filing as built before it was rendered to text,
 * named as the parser names the file's firm), so expected figures are the test's own.
 *
 * Two ways markup reaches the table:
 * - through the pipeline: the scenario's `<script>` firm, whose tags the parser strips from the
 *   name (what is stored is what the parser makes of the file: `alert("pwned") Evil & Sons
 *   Futures`), and whose objects' keys carry `<script>` (kept as they are);
 * - written straight through the store (as reconcile writes a version, its result and head): the
 *   same month of that firm under its full name `<script>alert("pwned")</script> Evil & Sons
 *   <b>Futures</b>`, as a parser of another format could hand it over. The pages must not rely on
 *   the parser for their escaping.
 */
import type { LocalPipeline } from '../../infra/local/stack';
import type { Filing } from '../../shared/domain/model';
import { parseFilingText } from '../../shared/domain/parser';
import { INCOMING_PREFIX } from '../../shared/table';
import { startTestStack } from './local-stack';
import { HistoryWriter } from './read-load';
import { DEMO_FILES, firmId, renderScenario, scenarioVersions } from './web-scenario';

export interface KnownVersion {
  filing: Filing;
  /** The object it came from (for a version written through the store: the object of the same day). */
  key: string;
  /** The file as uploaded (undefined: written through the store). */
  text?: string;
  through: 'pipeline' | 'store';
}

export interface ScenarioStack {
  stack: LocalPipeline;
  /** Every version put in, by `firmId|endDate`. */
  known: Map<string, KnownVersion[]>;
  /** The `<script>` firm as the pipeline stored it (parser's name) and as written through the store. */
  markup: { parsed: { firmId: string; firmName: string }; stored: { firmId: string; firmName: string } };
  /** How long the upload and processing took. */
  loadMs: number;
}

export const knownKey = (firm: string, day: string) => `${firm}|${day}`;

/** The demo's amendment: uploaded after everything else is processed, so its initial raised its alert first. */
const LAST = DEMO_FILES[1];

export async function loadScenarioStack(): Promise<ScenarioStack> {
  // Parse: four batches of ten at once (a Lambda with some concurrency); the stream in batches of 100.
  const stack = await startTestStack({ queue: { concurrency: 4, batchSize: 10 }, stream: { batchSize: 100 } });
  try {
    const started = Date.now();
    const known = new Map<string, KnownVersion[]>();
    const note = (v: KnownVersion) => {
      const k = knownKey(v.filing.firmId, v.filing.endDate);
      known.set(k, [...(known.get(k) ?? []), v]);
    };
    const files = renderScenario();
    const markupId = firmId('markup');
    let parsed: ScenarioStack['markup']['parsed'] | undefined;
    for (const f of files) {
      // The firm as the parser names it (only the `<script>` firm's name changes: tags stripped).
      const p = parseFilingText(f.text).filing;
      if (f.version.filing.firmId === markupId) parsed ??= { firmId: p.firmId, firmName: p.firmName };
      note({
        filing: { ...f.version.filing, firmId: p.firmId, firmName: p.firmName },
        key: f.version.source.key,
        text: f.text,
        through: 'pipeline',
      });
    }

    // The `<script>` firm under its full name, straight through the store (in date order, as the writer wants).
    const writer = new HistoryWriter(stack.store, { bucket: stack.bucket, headFacts: true });
    const direct = scenarioVersions().filter((v) => v.filing.firmId === markupId);
    for (const v of direct) {
      await writer.write(v.filing, v.arrivedAt, v.source.key);
      note({ filing: v.filing, key: v.source.key, through: 'store' });
    }

    const upload = async (batch: typeof files) => {
      const keys: string[] = [];
      for (let i = 0; i < batch.length; i += 20)
        keys.push(
          ...(await Promise.all(
            batch.slice(i, i + 20).map((f) => stack.upload(Buffer.from(f.text, 'utf8'), `${INCOMING_PREFIX}${f.name}`)),
          )),
        );
      const outcomes = await stack.waitUntilProcessed(keys, 240_000);
      const bad = outcomes.filter((o) => o.status !== 'stored');
      if (bad.length)
        throw new Error(
          `not stored: ${bad.map((o) => `${o.key} (${o.status}: ${o.problem ?? o.object?.reason ?? ''})`).join(', ')}`,
        );
    };
    await upload(files.filter((f) => f.name !== LAST));
    await upload(files.filter((f) => f.name === LAST));
    // The versions written through the store went through reconcile and notify too (their stream records).
    await stack.waitForIdle(60_000);
    const stored = { firmId: markupId, firmName: direct[0].filing.firmName };
    return { stack, known, markup: { parsed: parsed!, stored }, loadMs: Date.now() - started };
  } catch (e) {
    await stack.stop();
    throw e;
  }
}

/** The effective version of each firm-day, worked out from what was put in: the latest submitted amendment, else the initial. */
export function effectiveOf(known: Map<string, KnownVersion[]>): Map<string, KnownVersion> {
  const rank = (f: Filing) => `${f.filingType === 'AMENDMENT' ? 1 : 0}${f.submitDate}`;
  const out = new Map<string, KnownVersion>();
  for (const [k, vs] of known)
    out.set(
      k,
      vs.reduce((a, b) => (rank(b.filing) > rank(a.filing) ? b : a)),
    );
  return out;
}
