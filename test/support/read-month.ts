/**
 * A generated stretch of filings in a local state directory, for looking at the read side (and
 * the dashboard) on more than the demo files:
 *
 *   npx tsx test/support/read-month.ts --state /tmp/month [--firms 8] [--from 2014-11-01] [--to 2014-11-30] [--seed 3]
 *   npx segwatch board --state /tmp/month
 *
 * The filings of test/support/read-load.ts generateHistory are written through the store as
 * reconcile writes them (with the target-changed and trend-to-target alerts it will raise once
 * they are wired in), into the `segwatch` table of the state's DynamoDB Local database.
 */
import { documentClient } from '../../shared/adapters/clients';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Store } from '../../shared/adapters/store';
import { TABLE } from '../../shared/table';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local';
import { ensureTable } from '../../infra/local/table';
import { generateHistory, HistoryWriter } from './read-load';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      state: { type: 'string' },
      firms: { type: 'string', default: '8' },
      from: { type: 'string', default: '2014-11-01' },
      to: { type: 'string', default: '2014-11-30' },
      seed: { type: 'string', default: '3' },
    },
  });
  if (!values.state) throw new Error('--state DIR is required');
  const db = join(resolve(values.state), 'dynamodb');
  mkdirSync(db, { recursive: true });
  const java = await startDynamoDbLocal({ dbPath: db, sharedDb: true });
  const ddb = new DynamoDBClient({
    endpoint: java.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  try {
    await ensureTable(ddb, TABLE.localName);
    const doc = documentClient(ddb);
    const w = new HistoryWriter(new Store(doc, TABLE.localName), { dayAlerts: true });
    let n = 0;
    let alerts = 0;
    for (const g of generateHistory({
      firms: Number(values.firms),
      from: values.from!,
      to: values.to!,
      seed: Number(values.seed),
      missingPerMille: 10,
      amendPerMille: 30,
      latePerMille: 20,
    })) {
      alerts += (await w.write(g.filing, g.arrivedAt)).alerts.length;
      n++;
    }
    process.stderr.write(`wrote ${n} filings (${alerts} alerts) into ${db}\n`);
  } finally {
    ddb.destroy();
    await java.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exitCode = 1;
});
