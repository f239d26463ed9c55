/**
 * notify handler: stream records of pending alerts in, one SNS Publish per alert and a mark-sent
 * out; an alert already sent is not published; a failed publish is reported and leaves the alert
 * pending with nothing written.
 */
import 'aws-sdk-client-mock-vitest/extend';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { PublishCommand } from '@aws-sdk/client-sns';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeFiling } from '../support/filings';
import { lambdaContext, streamEvent, streamRecord } from '../support/fixtures-events';
import {
  acceptPublishes,
  ddbMock,
  routeDynamo,
  snsMock,
  stubHandlerEnv,
  TABLE_NAME,
  TOPIC_ARN,
} from '../support/mock-aws';
import { World } from '../support/mock-pipeline';
import { versionFromItem } from '../../shared/adapters/store';
import { reconcileVersion } from '../../shared/pipeline/reconcile-version';

stubHandlerEnv();
let notify: (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;
beforeAll(async () => {
  ({ handler: notify } = await import('../../functions/notify/index'));
});

const ctx = lambdaContext('segwatch-notify');
const FIRM = 'Brightwater Futures LLC';

let w: World;
beforeEach(() => {
  w = new World();
  routeDynamo(w.dynamo);
  acceptPublishes();
});

/** Parse and reconcile (service level, no notify): the alert items' stream images. */
async function pendingAlerts(...files: [string, string][]): Promise<Record<string, AttributeValue>[]> {
  for (const [name, text] of files) {
    await w.deliver(w.upload(name, text));
  }
  for (const r of [...w.dynamo.stream]) {
    const image = unmarshall(r.dynamodb.NewImage, { wrapNumbers: true });
    if (image.type === 'filing' && image.state === 'pending')
      await reconcileVersion(w.reconcileDeps, versionFromItem(image));
  }
  ddbMock.resetHistory();
  return w.dynamo.stream
    .filter((r) => r.eventName === 'INSERT' && r.dynamodb.NewImage.type.S === 'alert')
    .map((r) => r.dynamodb.NewImage);
}

const publishes = () => snsMock.commandCalls(PublishCommand).map((c) => c.args[0].input);
const markSent = () =>
  ddbMock
    .commandCalls(UpdateCommand)
    .map((c) => c.args[0].input)
    .filter((u) => u.ExpressionAttributeValues?.[':sent'] === 'sent');

describe('a pending alert', () => {
  it('is published once, with a short ASCII subject, the figures with thousands separators and its attributes; then marked sent', async () => {
    const [image] = await pendingAlerts(['short.txt', makeFiling({ firmName: FIRM, swapsCashCut: 400_000_000n })]);
    expect(image.kind.S).toBe('deficiency');

    const out = await notify(streamEvent(streamRecord('INSERT', image)), ctx);

    expect(out).toEqual({ batchItemFailures: [] });
    expect(snsMock).toHaveReceivedCommandOnce(PublishCommand);
    const [p] = publishes();
    expect(p.TopicArn).toBe(TOPIC_ARN);
    expect(p.Subject).toBe(`[DEFICIENCY] ${FIRM} cleared swaps 2014-11-06 short $162,191,464`);
    expect(p.Subject!.length).toBeLessThanOrEqual(100);
    expect(p.Subject).toMatch(/^[\x20-\x7e]+$/);
    const body = p.Message!;
    for (const line of [
      `Firm:        ${FIRM} (brightwater-futures-llc)`,
      'End date:    2014-11-06',
      'Statement:   Cleared Swaps Statement',
      'Required:    $5,574,863,884',
      'Funds:       $5,412,672,420',
      'Excess:      -$162,191,464',
      'Target:      $208,075,000',
      'Shortfall:   $370,266,464 (target - excess)',
      'Below zero:  $162,191,464',
    ])
      expect(body.split('\n')).toContain(line);
    expect(body).toContain(`Alert id: ${image.id.S}`);
    expect(body).toContain('Filing object: s3://segwatch-filings-123456789012/incoming/short.txt');
    expect(p.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'critical' },
      kind: { DataType: 'String', StringValue: 'deficiency' },
      firmId: { DataType: 'String', StringValue: 'brightwater-futures-llc' },
      statement: { DataType: 'String', StringValue: 'clearedSwaps' },
    });

    const [mark] = markSent();
    expect(mark).toMatchObject({
      TableName: TABLE_NAME,
      Key: { pk: image.pk.S, sk: image.sk.S },
      ConditionExpression: 'attribute_exists(pk) AND #s = :pending',
      ExpressionAttributeValues: { ':m': '00000001-aaaa-bbbb-cccc-dddddddddddd' },
    });
    expect(w.dynamo.get(image.pk.S!, image.sk.S!)).toMatchObject({
      state: 'sent',
      messageId: '00000001-aaaa-bbbb-cccc-dddddddddddd',
    });
  });

  it('a below-target alert in a long unicode firm name: subject still <= 100 printable ASCII, no line break', async () => {
    const name =
      'Société Générale Ｆｕｔｕｒｅｓ & Options — Très Longue Dénomination Sociale Numéro Un Deux Trois Quatre Cinq LLC';
    const [image] = await pendingAlerts(['bt.txt', makeFiling({ firmName: name, swapsCashCut: 100_000_000n })]);
    await notify(streamEvent(streamRecord('INSERT', image)), ctx);
    const [p] = publishes();
    expect(p.Subject!.length).toBeLessThanOrEqual(100);
    expect(p.Subject).toMatch(/^\[BELOW TARGET\] Societe Generale Futures & Opt/);
    expect(p.Message).toContain(`Firm:        Societe Generale Futures & Options Tres Longue Denomination Sociale`);
    expect(p.Subject).toMatch(/\.\.\. cleared swaps 2014-11-06 \$70,266,464 under target$/);
    expect(p.Subject).toMatch(/^[\x20-\x7e]+$/);
    expect(p.Message).toContain('Excess:      $137,808,536');
  });

  it('a rejected-file alert: subject names the key, no firm or statement attribute', async () => {
    const [image] = await pendingAlerts(['minutes of the meeting.txt', 'Minutes of the risk committee\n']);
    await notify(streamEvent(streamRecord('INSERT', image)), ctx);
    const [p] = publishes();
    expect(p.Subject).toBe('[REJECTED] file incoming/minutes of the meeting.txt');
    expect(p.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'warning' },
      kind: { DataType: 'String', StringValue: 'rejected' },
    });
    expect(p.Message).toMatch(/not-a-filing: /);
  });
});

describe('an alert already sent', () => {
  it('its INSERT delivered again after it was sent: no publish, no write', async () => {
    const [image] = await pendingAlerts(['short.txt', makeFiling({ firmName: FIRM, swapsCashCut: 400_000_000n })]);
    await notify(streamEvent(streamRecord('INSERT', image)), ctx);
    snsMock.resetHistory();
    ddbMock.resetHistory();
    const out = await notify(streamEvent(streamRecord('INSERT', image)), ctx);
    expect(out.batchItemFailures).toEqual([]);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
    expect(ddbMock).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('the MODIFY of the mark-sent itself (state sent) is ignored without reading anything', async () => {
    const [image] = await pendingAlerts(['short.txt', makeFiling({ firmName: FIRM, swapsCashCut: 400_000_000n })]);
    await notify(streamEvent(streamRecord('INSERT', image)), ctx);
    const sentImage = w.dynamo.raw(image.pk.S!, image.sk.S!)!;
    expect(sentImage.state.S).toBe('sent');
    snsMock.resetHistory();
    ddbMock.resetHistory();
    await notify(streamEvent(streamRecord('MODIFY', sentImage), streamRecord('REMOVE', sentImage)), ctx);
    expect(snsMock).not.toHaveReceivedAnyCommand();
    expect(ddbMock).not.toHaveReceivedAnyCommand();
  });
});

describe('an SNS failure', () => {
  it('reports that record, leaves the alert pending and writes nothing; the other alert of the batch is sent', async () => {
    const images = await pendingAlerts(
      ['a.txt', makeFiling({ firmName: 'Alpha FCM LLC', swapsCashCut: 400_000_000n })],
      ['b.txt', makeFiling({ firmName: FIRM, swapsCashCut: 100_000_000n })],
    );
    expect(images.map((i) => i.firmId.S)).toEqual(['alpha-fcm-llc', 'brightwater-futures-llc']);
    snsMock.reset();
    snsMock
      .on(PublishCommand)
      .callsFake(async (input: { MessageAttributes?: Record<string, { StringValue?: string }> }) => {
        if (input.MessageAttributes?.firmId?.StringValue === 'alpha-fcm-llc')
          throw Object.assign(new Error('Rate exceeded'), {
            name: 'ThrottledException',
            $metadata: { httpStatusCode: 400 },
          });
        return { MessageId: 'mid-b' };
      });
    const r1 = streamRecord('INSERT', images[0]);
    const r2 = streamRecord('INSERT', images[1]);

    const out = await notify(streamEvent(r1, r2), ctx);

    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: r1.dynamodb!.SequenceNumber }] });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(markSent().map((u) => u.Key)).toEqual([{ pk: images[1].pk.S, sk: images[1].sk.S }]);
    expect(ddbMock.commandCalls(UpdateCommand).filter((c) => c.args[0].input.Key?.sk === images[0].sk.S)).toEqual([]);
    expect(w.dynamo.get(images[0].pk.S!, images[0].sk.S!)).toMatchObject({ state: 'pending' });
    expect(w.dynamo.get(images[0].pk.S!, images[0].sk.S!)).not.toHaveProperty('sentAt');
    expect(w.dynamo.get(images[1].pk.S!, images[1].sk.S!)).toMatchObject({ state: 'sent', messageId: 'mid-b' });

    // The stream retries the failed record once SNS is back: published, marked sent.
    acceptPublishes();
    ddbMock.resetHistory();
    expect(await notify(streamEvent(r1), ctx)).toEqual({ batchItemFailures: [] });
    expect(snsMock).toHaveReceivedCommandOnce(PublishCommand);
    expect(markSent()).toHaveLength(1);
    expect(w.dynamo.get(images[0].pk.S!, images[0].sk.S!)).toMatchObject({ state: 'sent' });
  });
});
