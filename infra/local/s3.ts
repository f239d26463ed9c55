/**
 * s3rver on 127.0.0.1 with the bucket created, its object-created events converted to the real
 * S3 shape (s3-events.ts) and handed to a callback (the local queue).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { LOOPBACK } from './ports';
import { toRealS3Records, type RealS3EventRecord, type S3rverEvent } from './s3-events';
import { SDK_LOGGER } from '../../shared/adapters/clients';

export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface LocalS3Options {
  bucket: string;
  /** Keep objects here; default: a temp dir removed on stop. */
  directory?: string;
  port?: number;
  region?: string;
  prefix?: string;
  onRecord: (record: RealS3EventRecord) => void;
  onLog?: (line: string) => void;
}

export class LocalS3 {
  private _client?: S3Client;
  private server?: S3rver;
  private tempDir?: string;
  private pending = 0;
  /** The bucket did not exist before this start (S3 sends a test event when notifications are set up). */
  createdBucket = false;
  port = 0;

  constructor(private readonly o: LocalS3Options) {}

  /** An S3 client for this s3rver (after start). */
  get client(): S3Client {
    if (!this._client) throw new Error('s3rver is not started');
    return this._client;
  }

  get endpoint(): string {
    return `http://${LOOPBACK}:${this.port}`;
  }

  /** Event conversions still running (copies need a HEAD for their eTag). */
  get converting(): number {
    return this.pending;
  }

  s3Client(): S3Client {
    return new S3Client({
      endpoint: this.endpoint,
      region: this.o.region ?? 'us-east-1',
      credentials: S3RVER_CREDENTIALS,
      logger: SDK_LOGGER,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private directory?: string;

  async start(): Promise<S3Client> {
    let directory = this.o.directory;
    if (!directory) directory = this.tempDir = mkdtempSync(join(tmpdir(), 'segwatch-s3-'));
    mkdirSync(directory, { recursive: true });
    this.directory = directory;
    this.createdBucket = !existsSync(join(directory, this.o.bucket));
    await this.listen(this.o.port ?? 0);
    this._client = this.s3Client();
    return this._client;
  }

  private async listen(port: number): Promise<void> {
    this.server = new S3rver({
      address: LOOPBACK,
      port,
      silent: true,
      directory: this.directory,
      configureBuckets: [{ name: this.o.bucket }],
    });
    this.server.on('event', (event: S3rverEvent) => this.onEvent(event));
    const addr = await this.server.run();
    this.port = addr.port;
  }

  /** An S3 outage: stop answering (objects kept), or answer again on the same port. */
  async setAvailable(available: boolean): Promise<void> {
    if (!available && this.server) {
      const server = this.server;
      this.server = undefined;
      await server.close();
    } else if (available && !this.server) {
      await this.listen(this.port);
    }
  }

  private onEvent(event: S3rverEvent): void {
    const needsETag = event.Records?.some((r) => r.eventName.startsWith('ObjectCreated:') && !r.s3.object.eTag);
    if (!needsETag) {
      for (const r of toRealS3Records(event, { region: this.o.region, prefix: this.o.prefix })) this.o.onRecord(r);
      return;
    }
    // s3rver's copy events carry no eTag: look it up, as S3 would have it.
    this.pending++;
    void (async () => {
      const tags = new Map<string, string>();
      for (const r of event.Records) {
        try {
          const head = await this.client.send(
            new HeadObjectCommand({ Bucket: r.s3.bucket.name, Key: r.s3.object.key }),
          );
          if (head.ETag) tags.set(`${r.s3.bucket.name}/${r.s3.object.key}`, head.ETag);
          if (r.s3.object.size === undefined && head.ContentLength !== undefined) r.s3.object.size = head.ContentLength;
        } catch (e) {
          this.o.onLog?.(`s3: could not read ${r.s3.object.key} for its event: ${(e as Error).message}`);
        }
      }
      for (const r of toRealS3Records(event, {
        region: this.o.region,
        prefix: this.o.prefix,
        eTagOf: (b, k) => tags.get(`${b}/${k}`),
      }))
        this.o.onRecord(r);
    })().finally(() => this.pending--);
  }

  async stop(): Promise<void> {
    this._client?.destroy();
    if (this.server) {
      await this.server.close().catch(() => undefined);
      this.server = undefined;
    }
    if (this.tempDir) rmSync(this.tempDir, { recursive: true, force: true });
  }
}
