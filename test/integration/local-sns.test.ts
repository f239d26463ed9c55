import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SnsStandIn } from '../../infra/local/sns';

let sns: SnsStandIn;
let client: SNSClient;
beforeAll(async () => {
  sns = new SnsStandIn();
  await sns.start();
  client = new SNSClient({
    endpoint: sns.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  });
});
afterAll(async () => {
  client.destroy();
  await sns.stop();
});

describe('SNS stand-in (Query protocol) with the real SNS client', () => {
  it('captures a publish: topic, subject, message and attributes, and answers with its message id', async () => {
    const out = await client.send(
      new PublishCommand({
        TopicArn: 'arn:aws:sns:us-east-1:000000000000:alerts',
        Subject: '[DEFICIENCY] Acme & <Co>',
        Message: 'line 1\nline 2 & ünïcode',
        MessageAttributes: { severity: { DataType: 'String', StringValue: 'critical' } },
      }),
    );
    const m = sns.published.at(-1)!;
    expect(out.MessageId).toBe(m.messageId);
    expect(m).toMatchObject({
      topicArn: 'arn:aws:sns:us-east-1:000000000000:alerts',
      subject: '[DEFICIENCY] Acme & <Co>',
      message: 'line 1\nline 2 & ünïcode',
      messageAttributes: { severity: { dataType: 'String', value: 'critical' } },
    });
  });

  it('fails the next N requests with a 500; the SDK retries, so 3 failures surface as an error and 2 do not', async () => {
    const before = sns.published.length;
    sns.failNextRequests(3);
    await expect(client.send(new PublishCommand({ TopicArn: 'arn:t', Message: 'x' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 500 },
    });
    expect(sns.published.length).toBe(before);
    sns.failNextRequests(2);
    await client.send(new PublishCommand({ TopicArn: 'arn:t', Message: 'y' }));
    expect(sns.published.slice(before).map((m) => m.message)).toEqual(['y']);
  });

  it('refuses a subject SNS would refuse', async () => {
    await expect(
      client.send(new PublishCommand({ TopicArn: 'arn:t', Message: 'x', Subject: 'two\nlines' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});
