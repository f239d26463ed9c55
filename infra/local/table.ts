/**
 * The table, created from the shared definition (shared/table.ts), the same one the CDK stack
 * deploys: pk/sk, the GSIs (all attributes projected), on-demand, stream NEW_IMAGE.
 * Idempotent: an existing table is kept (its stream enabled if it is not).
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTableCommand,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { TABLE } from '../../shared/table';

export function createTableInput(tableName: string) {
  const attributes = new Set<string>([TABLE.partitionKey, TABLE.sortKey]);
  for (const ix of TABLE.indexes) {
    attributes.add(ix.partitionKey);
    attributes.add(ix.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...attributes].map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: TABLE.indexes.map((ix) => ({
      IndexName: ix.name,
      KeySchema: [
        { AttributeName: ix.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: ix.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE.streamView },
  };
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | null> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table ?? null;
  } catch (e) {
    if (e instanceof ResourceNotFoundException || (e as Error).name === 'ResourceNotFoundException') return null;
    throw e;
  }
}

/** Create the table if it does not exist; wait until it is ACTIVE; return its stream ARN. */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<{ streamArn: string; created: boolean }> {
  let created = false;
  let table = await describe(client, tableName);
  if (!table) {
    try {
      await client.send(new CreateTableCommand(createTableInput(tableName)));
      created = true;
    } catch (e) {
      if (!(e instanceof ResourceInUseException || (e as Error).name === 'ResourceInUseException')) throw e;
    }
  }
  for (let i = 0; ; i++) {
    table = await describe(client, tableName);
    if (table?.TableStatus === 'ACTIVE') break;
    if (i > 400) throw new Error(`table ${tableName} did not become ACTIVE`);
    await new Promise((r) => setTimeout(r, 25));
  }
  if (!table.StreamSpecification?.StreamEnabled || !table.LatestStreamArn) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE.streamView },
      }),
    );
    table = await describe(client, tableName);
  }
  if (!table?.LatestStreamArn) throw new Error(`table ${tableName} has no stream`);
  return { streamArn: table.LatestStreamArn, created };
}
