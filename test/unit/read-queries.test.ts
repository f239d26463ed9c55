/**
 * The read queries on the in-memory source (with and without the head's `versions` and `late`),
 * and on the DynamoDB adapter over the fake table (3 items a page, so every read follows
 * LastEvaluatedKey; only Query requests, never Scan). The same scenario runs on DynamoDB Local in
 * test/integration/read-queries.test.ts.
 */
import { expect, it } from 'vitest';
import { Store } from '../../shared/adapters/store';
import { MemorySource } from '../../shared/read/source';
import { StoreSource } from '../../shared/read/store-source';
import { FakeDynamo } from '../support/mock-dynamodb';
import { queryScenarioTests, writeScenario } from '../support/read-scenario';

queryScenarioTests('the in-memory source (heads without versions and late)', async () => {
  const m = new MemorySource();
  await writeScenario(m);
  return m;
});

queryScenarioTests('the in-memory source (heads with versions and late)', async () => {
  const m = new MemorySource();
  await writeScenario(m, { headFacts: true });
  return m;
});

queryScenarioTests(
  'the in-memory source (missing firms found from the window\'s days, not firm by firm)',
  async () => {
    const m = new MemorySource();
    await writeScenario(m);
    return m;
  },
  { missingByFirm: 0 },
);

const fake = new FakeDynamo({ pageSize: 3 });
queryScenarioTests('the DynamoDB adapter on a fake table (3 items a page)', async () => {
  await writeScenario(new Store(fake.client(), 'segwatch-test'));
  return new StoreSource(fake.client(), 'segwatch-test');
});

it('the DynamoDB adapter made only Query requests, following pages', () => {
  const reads = fake.log.filter((r) => !r.write);
  expect(reads.length).toBeGreaterThan(0);
  expect(new Set(reads.map((r) => r.kind))).toEqual(new Set(['query']));
});
