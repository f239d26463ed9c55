/**
 * Least privilege to the action. For every SegwatchFunction in the synthesized template:
 *  - its role holds exactly the grants of its list (functions/<name>/permissions.ts, expanded by
 *    shared/permissions.ts roleGrants), read back from the template: a grant without a listed
 *    call fails, and so does a listed call without a grant;
 *  - its list's `calls` are exactly what its code calls (the Store methods its modules use,
 *    mapped through STORE_ACTIONS, and the SDK commands they construct): a new call without a
 *    list entry fails, and so does a list entry no code uses.
 * A new function needs only its own list file; every Lambda in the template must be a
 * SegwatchFunction or CDK's bucket-notifications handler (checked here too).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  FORBIDDEN_ACTIONS,
  FORBIDDEN_ALLOWED,
  grantPairs,
  REDRIVE_OPERATOR_GRANTS,
  type FunctionPermissions,
} from '../../shared/permissions';
import { REPO_ROOT, SegwatchFunction } from '../../infra/function';
import { grantTableActions } from '../../infra/grants';
import {
  codeCalls,
  codeProblems,
  handlerLogicalId,
  loadLists,
  segwatchFunctions,
  templatePairs,
  templateProblems,
  unknownFunctions,
} from './permissions-check';
import {
  list,
  logicalId,
  removeScratch,
  resourcesOfType,
  roleStatements,
  synth,
  type Statement,
  type Synth,
} from './support';

let s: Synth;
let lists: Record<string, FunctionPermissions>;
const listOf = (name: string) => lists[name];
beforeAll(async () => {
  s = synth();
  lists = await loadLists();
});
afterAll(removeScratch);

const entryOf = (fn: SegwatchFunction) => `functions/${fn.segwatchName}/index.ts`;

describe('every function has a list, and its role is exactly that list', () => {
  it('every Lambda is a SegwatchFunction with a list (or the notifications handler), and every list is a function in the template', () => {
    expect(segwatchFunctions(s).map((f) => f.segwatchName)).toEqual(
      expect.arrayContaining(['notify', 'parse', 'reconcile']),
    );
    expect(Object.keys(lists).sort()).toEqual(
      segwatchFunctions(s)
        .map((f) => f.segwatchName)
        .sort(),
    );
    expect(unknownFunctions(s)).toEqual([]);
    for (const fn of segwatchFunctions(s))
      expect(listOf(fn.segwatchName)?.function, fn.segwatchName).toBe(fn.segwatchName);
  });

  it('no role in the template differs from its list', () => {
    expect(templateProblems(s, lists)).toEqual([]);
  });

  it('the roles, as they stand (the report lists these)', () => {
    const roles = Object.fromEntries(
      segwatchFunctions(s)
        .filter((fn) => ['parse', 'reconcile', 'notify'].includes(fn.segwatchName))
        .map((fn) => [fn.segwatchName, templatePairs(s, fn).pairs]),
    );
    expect(roles).toEqual({
      parse: [
        'key/filings kms:Decrypt via:s3',
        'key/queues kms:Decrypt via:sqs',
        'key/table kms:Decrypt via:dynamodb',
        'objects/incoming/* s3:GetObject',
        'objects/incoming/* s3:GetObjectVersion',
        'queue/ingest sqs:DeleteMessage',
        'queue/ingest sqs:GetQueueAttributes',
        'queue/ingest sqs:ReceiveMessage',
        'table dynamodb:GetItem',
        'table dynamodb:PutItem',
        'table dynamodb:UpdateItem',
      ],
      reconcile: [
        '* dynamodb:ListStreams',
        'key/queues kms:Decrypt via:sqs',
        'key/queues kms:GenerateDataKey via:sqs',
        'key/table kms:Decrypt via:dynamodb',
        'queue/stream-failures sqs:SendMessage',
        'table dynamodb:BatchGetItem',
        'table dynamodb:GetItem',
        'table dynamodb:PutItem',
        'table dynamodb:Query',
        'table dynamodb:UpdateItem',
        'table/index/gsi1 dynamodb:Query',
        'table/stream dynamodb:DescribeStream',
        'table/stream dynamodb:GetRecords',
        'table/stream dynamodb:GetShardIterator',
      ],
      notify: [
        '* dynamodb:ListStreams',
        'key/alerts kms:Decrypt via:sns',
        'key/alerts kms:GenerateDataKey via:sns',
        'key/queues kms:Decrypt via:sqs',
        'key/queues kms:GenerateDataKey via:sqs',
        'key/table kms:Decrypt via:dynamodb',
        'queue/stream-failures sqs:SendMessage',
        'table dynamodb:GetItem',
        'table dynamodb:Query',
        'table dynamodb:UpdateItem',
        'table/stream dynamodb:DescribeStream',
        'table/stream dynamodb:GetRecords',
        'table/stream dynamodb:GetShardIterator',
        'topic/alerts sns:Publish',
      ],
    });
  });

  it('a grant outside the list fails (CDK grant helpers are wider than the list)', () => {
    const wrong = synth({ mutate: (stack) => stack.table.grantReadData(stack.notifyFn) });
    const problems = templateProblems(wrong, lists);
    expect(problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/^notify: granted but not in its list: table dynamodb:Scan$/)]),
    );
    expect(problems.some((p) => /notify: granted but not in its list: table\/index\/\* /.test(p) || /\?/.test(p))).toBe(
      true,
    );
  });

  it('a listed call without its grant fails', () => {
    const p = listOf('notify')!;
    const withMore: FunctionPermissions = {
      ...p,
      calls: { ...p.calls, table: [...(p.calls.table ?? []), 'dynamodb:PutItem'] },
    };
    expect(templateProblems(s, { ...lists, notify: withMore })).toEqual([
      'notify: in its list but not granted: table dynamodb:PutItem',
    ]);
  });

  it('a new SegwatchFunction without a list file fails; with helpers and a list it passes', () => {
    const missing = synth({
      mutate: (stack) => {
        const fn = new SegwatchFunction(stack, 'Ghost', {
          name: 'ghost',
          entry: 'functions/notify/index.ts',
          description: 'a function with no list',
        });
        grantTableActions(fn, stack.resources, { table: ['dynamodb:GetItem'] });
      },
    });
    expect(templateProblems(missing, lists)).toEqual([
      'ghost: no permission list (functions/ghost/permissions.ts exporting PERMISSIONS)',
    ]);
    const ghost: FunctionPermissions = { function: 'ghost', calls: { table: ['dynamodb:GetItem'] } };
    expect(templateProblems(missing, { ...lists, ghost })).toEqual([]);
  });

  it('an event source that does not match the list fails', () => {
    const p = listOf('parse')!;
    const noSource: FunctionPermissions = { function: 'parse', calls: p.calls };
    const problems = templateProblems(s, { ...lists, parse: noSource });
    expect(problems).toContain('parse: event source in the template ingest-queue, in its list none');
    expect(problems).toContain('parse: granted but not in its list: queue/ingest sqs:ReceiveMessage');
  });

  it('every KMS grant of a function names one key and is conditioned on the service it goes through', () => {
    for (const fn of segwatchFunctions(s)) {
      for (const pair of templatePairs(s, fn).pairs.filter((x) => / kms:/.test(x)))
        expect(pair, fn.segwatchName).toMatch(/^key\/[a-z]+ kms:[A-Za-z]+ via:(dynamodb|sqs|s3|sns)$/);
    }
  });
});

describe('the lists match the code', () => {
  for (const name of ['parse', 'reconcile', 'notify']) {
    it(`${name}: the calls its modules make are exactly its list's calls`, () => {
      expect(codeProblems(`functions/${name}/index.ts`, listOf(name)!)).toEqual([]);
    });
  }

  it('every SegwatchFunction in the template is checked against its code', () => {
    for (const fn of segwatchFunctions(s))
      expect(codeProblems(entryOf(fn), listOf(fn.segwatchName)!), fn.segwatchName).toEqual([]);
  });

  it('what the code check sees for notify: the Store methods by module, and the publish', () => {
    const c = codeCalls('functions/notify/index.ts');
    expect(Object.keys(c.storeMethods)).toEqual(['shared/pipeline/notify-alert.ts']);
    expect(c.storeMethods['shared/pipeline/notify-alert.ts']!.sort()).toEqual([
      'getAlert',
      'getResult',
      'listAlertsOf',
      'markAlertSent',
      'markAlertSuppressed',
    ]);
    expect(c.topic).toEqual(['sns:Publish']);
    expect(c.objects).toEqual([]);
  });

  describe('a change to the code that the list does not follow fails', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'segwatch-perm-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const entry = (name: string, body: string) => {
      const path = join(dir, `${name}.ts`);
      writeFileSync(path, `import { Store } from '${join(REPO_ROOT, 'shared/adapters/store')}';\n${body}\n`);
      return path;
    };

    it('a new Store call (listFirms: a Query) without a list entry', () => {
      const e = entry(
        'new-call',
        'export const handler = async (s: Store) => { await s.getAlert("p", "s"); await s.markAlertSent("p", "s", "m", "t"); return s.listFirms(); };',
      );
      const p: FunctionPermissions = { function: 'x', calls: { table: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] } };
      expect(codeProblems(e, p)).toEqual(['x: the code calls dynamodb:Query on the table, its list does not have it']);
    });

    it('a list entry no code uses', () => {
      const e = entry('fewer', 'export const handler = async (s: Store) => s.getAlert("p", "s");');
      const p: FunctionPermissions = {
        function: 'x',
        calls: { table: ['dynamodb:GetItem', 'dynamodb:PutItem'], indexes: { gsi2: ['dynamodb:Query'] } },
      };
      expect(codeProblems(e, p).sort()).toEqual([
        'x: its list has dynamodb:PutItem on the table, no code calls it',
        'x: its list has dynamodb:Query on index gsi2, no code calls it',
      ]);
    });

    it('an SDK command outside the store: a DeleteItem, an index Query, an unknown command', () => {
      const e = join(dir, 'raw.ts');
      writeFileSync(
        e,
        [
          "import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';",
          "import { PurgeQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';",
          "export const a = new DeleteCommand({ TableName: 't', Key: {} });",
          "export const b = new QueryCommand({ TableName: 't', IndexName: 'gsi2', KeyConditionExpression: 'x' });",
          "export const c = new SendMessageCommand({ QueueUrl: 'q', MessageBody: 'b' });",
          "export const d = new PurgeQueueCommand({ QueueUrl: 'q' });",
          '// new ScanCommand( in a comment is not a call',
        ].join('\n'),
      );
      const c = codeCalls(e);
      expect(c.table).toEqual(['dynamodb:DeleteItem']);
      expect(c.indexes).toEqual({ gsi2: ['dynamodb:Query'] });
      expect(c.other).toEqual(['sqs:SendMessage']);
      expect(c.problems).toEqual([expect.stringMatching(/PurgeQueueCommand is not in COMMAND_ACTIONS/)]);
      expect(
        codeProblems(e, {
          function: 'x',
          calls: { table: ['dynamodb:DeleteItem'], indexes: { gsi2: ['dynamodb:Query'] } },
        }),
      ).toEqual([
        expect.stringMatching(/PurgeQueueCommand is not in COMMAND_ACTIONS/),
        'x: the code calls sqs:SendMessage, which no list entry covers',
      ]);
    });
  });
});

describe('the redrive operator policy', () => {
  it('is exactly REDRIVE_OPERATOR_GRANTS, and its table and stream part is exactly what the redrive code calls', () => {
    const id = logicalId(s.stack, s.stack.redriveOperatorPolicy);
    const doc = s.json.Resources[id]!.Properties!.PolicyDocument;
    expect(list<Statement>(doc.Statement).length).toBe(REDRIVE_OPERATOR_GRANTS.length);
    const c = codeCalls('shared/pipeline/stream-redrive.ts');
    expect(c.problems).toEqual([]);
    const grants = (name: string) => REDRIVE_OPERATOR_GRANTS.find((g) => g.resource === name)?.actions ?? [];
    expect([...grants('table')].sort()).toEqual(c.table);
    expect(Object.fromEntries(Object.entries(c.indexes))).toEqual({ gsi2: [...grants('table/index/gsi2')] });
    expect([...grants('table/stream')].sort()).toEqual(c.stream);
    expect([...grants('queue/stream-failures')].sort()).toEqual(c.other.filter((a) => a.startsWith('sqs:')));
    expect(JSON.stringify(doc)).toContain(JSON.stringify({ Ref: 'AWS::StackId' }));
    for (const st of list<Statement>(doc.Statement))
      for (const a of list(st.Action)) expect(FORBIDDEN_ACTIONS as readonly string[]).not.toContain(a);
  });
});

describe('forbidden actions and logs', () => {
  /** Every Allow statement of every identity policy in the template (roles' inline and attached policies, managed policies). */
  const allStatements = (): [string, Statement][] =>
    [
      ...resourcesOfType(s.json, 'AWS::IAM::Policy'),
      ...resourcesOfType(s.json, 'AWS::IAM::ManagedPolicy'),
      ...resourcesOfType(s.json, 'AWS::IAM::Role'),
    ].flatMap(([id, r]) =>
      [r.Properties?.PolicyDocument, ...list<any>(r.Properties?.Policies).map((p) => p.PolicyDocument)]
        .filter(Boolean)
        .flatMap((doc) => list<Statement>(doc.Statement).map((st) => [id, st] as [string, Statement])),
    );

  it(`no policy anywhere allows ${FORBIDDEN_ACTIONS.join(', ')} (or dynamodb:*, PartiQL), unless a function's code reason is recorded`, () => {
    const roleOf = new Map(segwatchFunctions(s).map((fn) => [logicalId(s.stack, fn.role!), fn.segwatchName]));
    const used = new Set<string>();
    for (const [id, st] of allStatements()) {
      if (st.Effect !== 'Allow') continue;
      const policy = s.json.Resources[id]!;
      const fn = list<{ Ref: string }>(policy.Properties?.Roles)
        .map((r) => roleOf.get(r.Ref))
        .find(Boolean);
      for (const a of list(st.Action)) {
        expect(a, id).not.toMatch(/^dynamodb:(\*|PartiQL)/);
        if (!(FORBIDDEN_ACTIONS as readonly string[]).includes(a)) continue;
        const reason = fn ? FORBIDDEN_ALLOWED[`${fn} ${a}`] : undefined;
        expect(
          reason,
          `${id}${fn ? ` (${fn})` : ''}: ${a} without a code reason in FORBIDDEN_ALLOWED (shared/permissions.ts)`,
        ).toBeDefined();
        expect(reason!.length).toBeGreaterThanOrEqual(40);
        used.add(`${fn} ${a}`);
      }
    }
    // A recorded reason whose grant is gone is stale.
    expect(Object.keys(FORBIDDEN_ALLOWED).filter((k) => !used.has(k))).toEqual([]);
  });

  it('the only principal that may write logs anywhere writes to its own log group (the notifications handler too: no logs:* on *)', () => {
    for (const [id, st] of allStatements()) {
      if (st.Effect !== 'Allow') continue;
      const logs = list(st.Action).filter((a) => a.startsWith('logs:'));
      if (logs.length === 0) continue;
      expect(logs.sort(), id).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      expect(list(st.Resource).length, id).toBe(1);
      expect(JSON.stringify(st.Resource), id).toMatch(
        /^\{"Fn::GetAtt":\["[A-Za-z0-9]+LogGroup[A-Za-z0-9]*","Arn"\]\}$/,
      );
    }
    const handlerRole = (s.json.Resources[handlerLogicalId(s)]!.Properties!.Role as { 'Fn::GetAtt': [string, string] })[
      'Fn::GetAtt'
    ][0];
    expect(s.json.Resources[handlerRole]!.Properties?.ManagedPolicyArns).toBeUndefined();
    const handlerGrants = roleStatements(s.json, handlerRole).flatMap((st) =>
      list(st.Action).map((a) => `${a} ${JSON.stringify(st.Resource)}`),
    );
    expect(handlerGrants.sort()).toEqual(
      [
        `logs:CreateLogStream ${JSON.stringify({ 'Fn::GetAtt': [logicalId(s.stack, s.stack.notificationsHandlerLogGroup), 'Arn'] })}`,
        `logs:PutLogEvents ${JSON.stringify({ 'Fn::GetAtt': [logicalId(s.stack, s.stack.notificationsHandlerLogGroup), 'Arn'] })}`,
        `s3:PutBucketNotification ${JSON.stringify({ 'Fn::GetAtt': [logicalId(s.stack, s.stack.bucket), 'Arn'] })}`,
      ].sort(),
    );
  });

  it('no role or managed policy in the template is an AWS managed policy attachment', () => {
    for (const [id, r] of resourcesOfType(s.json, 'AWS::IAM::Role'))
      expect(r.Properties?.ManagedPolicyArns, id).toBeUndefined();
  });

  it('grantPairs is the form the template is compared in', () => {
    expect(
      grantPairs([
        { resource: 'key/table', actions: ['kms:Decrypt'], viaService: 'dynamodb' },
        { resource: 'table', actions: ['dynamodb:Query', 'dynamodb:GetItem'] },
      ]),
    ).toEqual(['key/table kms:Decrypt via:dynamodb', 'table dynamodb:GetItem', 'table dynamodb:Query']);
    void iam;
  });
});
