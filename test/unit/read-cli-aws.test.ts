/**
 * `segwatch history|board|alerts|show --aws` against mocked AWS clients: the stack's outputs are
 * read (CloudFormation DescribeStacks with the stack and region asked for), the table they name is
 * queried (Query only, answered by the fake table loaded with the read scenario), and AWS
 * problems come out as one line with exit 2.
 */
import { Writable } from 'node:stream';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { readCommand, type ReadCommand } from '../../bin/read';
import { Store } from '../../shared/adapters/store';
import { FakeDynamo } from '../support/mock-dynamodb';
import { writeScenario } from '../support/read-scenario';

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

const TABLE = 'Segwatch-Table1A2B3C4D-XYZ';
const fake = new FakeDynamo({ pageSize: 4 });
const loaded = writeScenario(new Store(fake.client(), TABLE));
const cfn = mockClient(CloudFormationClient);
const ddb = mockClient(DynamoDBDocumentClient);
afterAll(() => {
  cfn.restore();
  ddb.restore();
});

beforeEach(async () => {
  await loaded;
  cfn.reset();
  ddb.reset();
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'Segwatch',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date(),
        Outputs: [
          { OutputKey: 'BucketName', OutputValue: 'segwatch-filings' },
          { OutputKey: 'TableName', OutputValue: TABLE },
        ],
      },
    ],
  });
  ddb.on(QueryCommand).callsFake((input) => {
    if (input.TableName !== TABLE) throw new Error(`queried ${input.TableName}`);
    return fake.send(new QueryCommand(input));
  });
});

async function run(command: ReadCommand, ...args: string[]) {
  const out = new Sink();
  const err = new Sink();
  const code = await readCommand(command, args, out, err, { now: () => new Date('2014-11-20T12:00:00Z') });
  return { code, out: out.text, err: err.text };
}

describe('--aws', () => {
  it('history: reads the stack outputs, queries the table they name (Query only), answers', async () => {
    const r = await run('history', 'northgate', '--aws', '--region', 'eu-west-1', '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).days.map((d: { endDate: string }) => d.endDate)).toEqual([
      '2014-10-31',
      '2014-11-03',
      '2014-11-04',
    ]);
    const describe = cfn.commandCalls(DescribeStacksCommand);
    expect(describe).toHaveLength(1);
    expect(describe[0].args[0].input).toEqual({ StackName: 'Segwatch' });
    expect(await cfn.call(0).thisValue.config.region()).toBe('eu-west-1');
    const queries = ddb.commandCalls(QueryCommand);
    expect(queries.length).toBeGreaterThan(1);
    for (const q of queries) expect(q.args[0].input.TableName).toBe(TABLE);
    expect(ddb.calls().length).toBe(queries.length);
    expect(queries.some((q) => q.args[0].input.IndexName === 'gsi1')).toBe(true);
  });

  it('board, alerts and show on the same table; --stack names another stack', async () => {
    expect(
      JSON.parse((await run('board', '2014-11-04', '--aws', '--region', 'us-east-1', '--json')).out).firms,
    ).toHaveLength(3);
    expect(
      JSON.parse(
        (
          await run(
            'alerts',
            '--aws',
            '--region',
            'us-east-1',
            '--stack',
            'SegwatchProd',
            '--from',
            '2014-11-01',
            '--to',
            '2014-11-30',
            '--json',
          )
        ).out,
      ).alerts,
    ).toHaveLength(5);
    expect(cfn.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input.StackName)).toEqual([
      'Segwatch',
      'SegwatchProd',
    ]);
    const show = await run('show', 'example clearing', '2014-11-04', '--aws', '--region', 'us-east-1');
    expect(show.code).toBe(0);
    expect(show.out).toContain('effective: the latest submitted amendment');
  });

  it('a missing stack, a stack without the output, access denied: one line, exit 2', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('Stack with id Nope does not exist'), { name: 'ValidationError' }));
    let r = await run('board', '--aws', '--region', 'us-east-1', '--stack', 'Nope');
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toBe(
      'segwatch board: stack Nope does not exist in this account and region (Stack with id Nope does not exist)\n',
    );
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'Segwatch', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [] }],
    });
    r = await run('board', '--aws', '--region', 'us-east-1');
    expect(r.err).toMatch(/^segwatch board: stack Segwatch has no TableName output/);
    expect(r.code).toBe(2);
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Segwatch',
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: [{ OutputKey: 'TableName', OutputValue: TABLE }],
        },
      ],
    });
    ddb.on(QueryCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: dynamodb:Query'), {
        name: 'AccessDeniedException',
      }),
    );
    r = await run('history', 'northgate', '--aws', '--region', 'us-east-1');
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `segwatch history: access denied to table ${TABLE}: User is not authorized to perform: dynamodb:Query\n`,
    );
  });

  it('--stack and --region belong with --aws', async () => {
    const r = await run('board', '--region', 'us-east-1');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--stack and --region go with --aws/);
  });
});
