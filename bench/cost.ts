/**
 * Cost per filing on AWS list prices (us-east-1), from what the local run measured: DynamoDB
 * capacity units (ReturnConsumedCapacity), Lambda invocations and their durations, alerts
 * published, log bytes. Free tiers are left out (they do not scale with filings).
 *
 * The arithmetic is pure (bench.test.ts checks it). The capacity comes from an SDK middleware the
 * bench installs in the handlers' DynamoDB clients (capacityMeterPlugin): production code asks
 * for no consumed capacity and counts nothing.
 */
import type { DynamoPlugin } from '../shared/adapters/clients';
import { round } from './parse-bench';

/** Consumed capacity, summed over every request of the metered clients. */
export interface CapacityMeter {
  writeUnits: number;
  readUnits: number;
  /** Conditional writes that failed their condition: AWS bills each one write unit, DynamoDB Local reports none. */
  conditionFailures: number;
  /** Write units by what was written (`put filing`, `update head`, ...). */
  writeUnitsByItem: Record<string, number>;
}

export function newCapacityMeter(): CapacityMeter {
  return { writeUnits: 0, readUnits: 0, conditionFailures: 0, writeUnitsByItem: {} };
}

const METERED = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'GetItemCommand', 'QueryCommand']);
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);

/** A string attribute as the document client gives it, or as a low-level `{ S }` value. */
const text = (v: unknown): string =>
  typeof v === 'string' ? v : typeof (v as { S?: unknown } | undefined)?.S === 'string' ? (v as { S: string }).S : '';

/** What a write wrote, from the command's input (document-level or low-level): `put filing`, `update head`, ... */
export function writeLabel(
  commandName: string,
  input: { Item?: Record<string, unknown>; Key?: Record<string, unknown> },
): string {
  if (commandName === 'PutItemCommand') return `put ${text(input.Item?.type) || 'other'}`;
  const sk = text(input.Key?.sk);
  const what = sk.startsWith('V#')
    ? 'filing'
    : sk.startsWith('A#')
      ? 'alert'
      : sk === 'HEAD'
        ? 'head'
        : sk === 'RECHECK'
          ? 'recheck'
          : 'other';
  return `${commandName === 'DeleteItemCommand' ? 'delete' : 'update'} ${what}`;
}

/**
 * An SDK plugin that asks DynamoDB for the consumed capacity of every item request and adds it
 * to `meter` (install it with useDynamoPlugin before the handlers create their clients).
 */
export function capacityMeterPlugin(meter: CapacityMeter): DynamoPlugin {
  return {
    applyToStack(stack) {
      stack.add(
        (next, context) => async (args) => {
          const name = String((context as { commandName?: string }).commandName ?? '');
          if (!METERED.has(name)) return next(args);
          const input = args.input as Record<string, unknown> & {
            Item?: Record<string, unknown>;
            Key?: Record<string, unknown>;
          };
          input.ReturnConsumedCapacity = 'TOTAL';
          try {
            const out = await next(args);
            const units =
              (out.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity?.CapacityUnits ?? 0;
            if (WRITES.has(name)) {
              meter.writeUnits += units;
              const what = writeLabel(name, input);
              meter.writeUnitsByItem[what] = (meter.writeUnitsByItem[what] ?? 0) + units;
            } else meter.readUnits += units;
            return out;
          } catch (e) {
            if ((e as { name?: string }).name === 'ConditionalCheckFailedException') meter.conditionFailures++;
            throw e;
          }
        },
        { step: 'initialize', name: 'segwatchCapacityMeter', priority: 'high' },
      );
    },
  };
}

/** us-east-1 list prices, in dollars. Check https://aws.amazon.com/<service>/pricing/ before quoting them. */
export const PRICES = {
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    unit: 'GB-s',
    service: 'Lambda duration, arm64',
    listed: '$0.0000133334 per GB-second (first 7.5 billion GB-s/month)',
  },
  lambdaRequest: { usd: 0.2 / 1e6, unit: 'request', service: 'Lambda requests', listed: '$0.20 per 1M requests' },
  sqsRequest: {
    usd: 0.4 / 1e6,
    unit: 'request',
    service: 'SQS standard queue',
    listed: '$0.40 per 1M requests (each 64 KB chunk is a request)',
  },
  dynamoWriteUnit: {
    usd: 0.625 / 1e6,
    unit: 'WRU',
    service: 'DynamoDB on-demand writes',
    listed: '$0.625 per 1M write request units',
  },
  dynamoReadUnit: {
    usd: 0.125 / 1e6,
    unit: 'RRU',
    service: 'DynamoDB on-demand reads',
    listed: '$0.125 per 1M read request units',
  },
  s3Put: {
    usd: 0.005 / 1000,
    unit: 'request',
    service: 'S3 Standard PUT',
    listed: '$0.005 per 1,000 PUT/COPY/POST/LIST requests',
  },
  s3Get: { usd: 0.0004 / 1000, unit: 'request', service: 'S3 Standard GET', listed: '$0.0004 per 1,000 GET requests' },
  snsPublish: {
    usd: 0.5 / 1e6,
    unit: 'request',
    service: 'SNS publish',
    listed: '$0.50 per 1M publish requests (each 64 KB chunk)',
  },
  snsEmail: {
    usd: 2 / 100_000,
    unit: 'email',
    service: 'SNS email delivery',
    listed: '$2.00 per 100,000 email notifications',
  },
  logsIngestGb: {
    usd: 0.5,
    unit: 'GB',
    service: 'CloudWatch Logs ingestion',
    listed: '$0.50 per GB ingested (standard class)',
  },
} as const;

export type PriceName = keyof typeof PRICES;

/** infra/function.ts DEFAULT_MEMORY_MB (not imported: that module loads aws-cdk-lib). */
export const FUNCTION_MEMORY_MB = 512;

/** Lambda writes START, END and REPORT lines per invocation (about this many bytes together). */
export const PLATFORM_LOG_BYTES_PER_INVOCATION = 420;

export interface FunctionUsage {
  invocations: number;
  /** Sum of the invocations' durations, ms (each billed rounded up to 1 ms). */
  billedMs: number;
  memoryMb: number;
}

/** What one run used, in total, for `filings` filings. */
export interface Usage {
  filings: number;
  functions: Record<string, FunctionUsage>;
  writeUnits: number;
  readUnits: number;
  /** Conditional writes that failed (billed 1 WRU each on AWS; DynamoDB Local reports none). */
  conditionFailures: number;
  /** Write units per filing by what was written (`put filing`, `update head`, ...). */
  writeUnitsPerFilingByItem?: Record<string, number>;
  /** Parse batches (each: one ReceiveMessage that returned it and one DeleteMessageBatch). */
  parseBatches: number;
  alertsPublished: number;
  emailSubscribers: number;
  /** Bytes the handlers logged (Powertools JSON lines). */
  logBytes: number;
}

export interface CostLine {
  item: string;
  perFiling: number;
  unitUsd: number;
  unit: string;
  dollarsPerMillionFilings: number;
}

export interface Cost {
  writeUnitsPerFiling: number;
  dollarsPerMillionFilings: number;
  readUnitsPerFiling: number;
  breakdown: CostLine[];
}

export function estimateCost(u: Usage): Cost {
  const n = Math.max(1, u.filings);
  const lines: CostLine[] = [];
  const add = (item: string, perFiling: number, price: PriceName) => {
    const p = PRICES[price];
    lines.push({
      item,
      perFiling: Number(perFiling.toPrecision(4)),
      unitUsd: p.usd,
      unit: p.unit,
      dollarsPerMillionFilings: round(perFiling * p.usd * 1e6, 4),
    });
  };
  let invocations = 0;
  let gbSeconds = 0;
  for (const f of Object.values(u.functions)) {
    invocations += f.invocations;
    gbSeconds += (f.billedMs / 1000) * (f.memoryMb / 1024);
  }
  add('Lambda requests (parse + reconcile + notify invocations)', invocations / n, 'lambdaRequest');
  add('Lambda duration, GB-s (arm64, measured durations x memory)', gbSeconds / n, 'lambdaArmGbSecond');
  // S3 -> SQS SendMessage per object; per parse batch one ReceiveMessage and one DeleteMessageBatch.
  add('SQS requests (send + receive/delete per batch)', (u.filings + 2 * u.parseBatches) / n, 'sqsRequest');
  add(
    'DynamoDB write units (incl. failed conditional writes)',
    (u.writeUnits + u.conditionFailures) / n,
    'dynamoWriteUnit',
  );
  add('DynamoDB read units', u.readUnits / n, 'dynamoReadUnit');
  add('S3 PUT (the upload)', 1, 's3Put');
  add('S3 GET (parse reads the object)', 1, 's3Get');
  add('SNS publish (alerts)', u.alertsPublished / n, 'snsPublish');
  add(
    `SNS email deliveries (${u.emailSubscribers} subscriber)`,
    (u.alertsPublished * u.emailSubscribers) / n,
    'snsEmail',
  );
  add(
    'CloudWatch Logs, GB (handler lines measured + platform lines)',
    (u.logBytes + invocations * PLATFORM_LOG_BYTES_PER_INVOCATION) / 1e9 / n,
    'logsIngestGb',
  );
  return {
    writeUnitsPerFiling: round(u.writeUnits / n, 2),
    readUnitsPerFiling: round(u.readUnits / n, 2),
    dollarsPerMillionFilings: round(
      lines.reduce((a, l) => a + l.dollarsPerMillionFilings, 0),
      2,
    ),
    breakdown: lines,
  };
}

/** The price table as markdown (for the README). */
export function priceTableMarkdown(): string {
  const rows = Object.values(PRICES).map((p) => `| ${p.service} | ${p.listed} |`);
  return ['| item (us-east-1 list price, free tiers left out) | price |', '|---|---|', ...rows].join('\n');
}
