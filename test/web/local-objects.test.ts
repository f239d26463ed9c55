/**
 * Links to the original files on the local stack: a presigned GET of the local S3 (s3rver), as on
 * AWS, that downloads exactly the bytes uploaded; anything outside the bucket's incoming/ is
 * never linked.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localObjects } from '../../infra/local/serve';
import { LocalS3 } from '../../infra/local/s3';

const BUCKET = 'segwatch-objects-test';
let s3: LocalS3;
let client: S3Client;

beforeAll(async () => {
  s3 = new LocalS3({ bucket: BUCKET, prefix: 'incoming/', onRecord: () => undefined });
  client = await s3.start();
});
afterAll(async () => {
  await s3?.stop();
});

describe('local original-file links', () => {
  it('a presigned URL of the local S3 downloads the uploaded bytes, as an attachment', async () => {
    const body = 'Daily Seg - FOCUS II\n<u>1,234</u> [7010]\n';
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'incoming/a filing (1).txt', Body: body }));
    const url = await localObjects(client, BUCKET).url({ bucket: BUCKET, key: 'incoming/a filing (1).txt' });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(url).toMatch(/X-Amz-Expires=60/);
    const r = await fetch(url!);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe(body);
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="a_filing__1_.txt"');
  });

  it('never links outside incoming/ or another bucket', async () => {
    const links = localObjects(client, BUCKET);
    expect(await links.url({ bucket: BUCKET, key: 'results/x.txt' })).toBeNull();
    expect(await links.url({ bucket: 'other-bucket', key: 'incoming/x.txt' })).toBeNull();
    expect(await links.url({ bucket: BUCKET, key: 'incoming/../secret.txt' })).toBeNull();
  });
});
