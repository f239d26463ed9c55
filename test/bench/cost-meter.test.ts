/**
 * The bench's capacity meter (bench/cost.ts capacityMeterPlugin) as an SDK middleware in a
 * real DynamoDB client made by shared/adapters/clients.ts (useDynamoPlugin), against a canned HTTP
 * answer: it asks for the consumed capacity, adds it up by item, counts refused conditions; clients
 * made without it ask for nothing.
 */
import { Readable } from 'node:stream';
import { GetItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dynamoClient, useDynamoPlugin } from '../../shared/adapters/clients';
import { capacityMeterPlugin, newCapacityMeter } from '../../bench/cost';

function answering(
  client: DynamoDBClient,
  answer: (body: Record<string, unknown>) => { status: number; json: unknown },
) {
  const seen: Record<string, unknown>[] = [];
  client.config.requestHandler = {
    handle: async (req: { body?: string }) => {
      const body = JSON.parse(String(req.body ?? '{}')) as Record<string, unknown>;
      seen.push(body);
      const a = answer(body);
      return {
        response: {
          statusCode: a.status,
          reason: '',
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            ...(a.status >= 400 ? { 'x-amzn-errortype': 'ConditionalCheckFailedException' } : {}),
          },
          body: Readable.from([Buffer.from(JSON.stringify(a.json))]),
        },
      };
    },
  } as never;
  return seen;
}

afterEach(() => vi.unstubAllEnvs());

describe('the capacity meter', () => {
  it('counts write and read units by item and refused conditions, and asks DynamoDB for them only in metered clients', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'x');
    const meter = newCapacityMeter();
    const remove = useDynamoPlugin(capacityMeterPlugin(meter));
    const metered = dynamoClient();
    remove();
    const plain = dynamoClient();
    const seen = answering(metered, (b) =>
      b.ConditionExpression === 'refuse'
        ? {
            status: 400,
            json: {
              __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
              message: 'The conditional request failed',
            },
          }
        : { status: 200, json: { ConsumedCapacity: { TableName: 't', CapacityUnits: b.Item ? 2.5 : 1 } } },
    );
    const plainSeen = answering(plain, () => ({ status: 200, json: {} }));
    await metered.send(
      new PutItemCommand({ TableName: 't', Item: { pk: { S: 'p' }, sk: { S: 'V#1' }, type: { S: 'filing' } } }),
    );
    await metered.send(
      new UpdateItemCommand({
        TableName: 't',
        Key: { pk: { S: 'p' }, sk: { S: 'HEAD' } },
        UpdateExpression: 'SET a = :a',
        ExpressionAttributeValues: { ':a': { S: 'x' } },
      }),
    );
    await metered.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'p' }, sk: { S: 'HEAD' } } }));
    await expect(
      metered.send(
        new PutItemCommand({
          TableName: 't',
          Item: { pk: { S: 'p' }, sk: { S: 'R#1' }, type: { S: 'result' } },
          ConditionExpression: 'refuse',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    await plain.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'p' }, sk: { S: 'HEAD' } } }));
    expect(seen.map((b) => b.ReturnConsumedCapacity)).toEqual(['TOTAL', 'TOTAL', 'TOTAL', 'TOTAL']);
    expect(plainSeen.map((b) => b.ReturnConsumedCapacity)).toEqual([undefined]);
    expect(meter).toEqual({
      writeUnits: 3.5,
      readUnits: 1,
      conditionFailures: 1,
      writeUnitsByItem: { 'put filing': 2.5, 'update head': 1 },
    });
  });
});
