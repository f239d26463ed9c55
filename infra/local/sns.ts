/**
 * An SNS stand-in: a tiny HTTP server on 127.0.0.1 that speaks the Query protocol
 * @aws-sdk/client-sns uses (form-encoded POST, XML replies), so the real SNS client and the real
 * notify handler run unchanged with AWS_ENDPOINT_URL_SNS pointed at it. It records every message
 * published (Publish and PublishBatch), and can be told to fail the next N requests with a 500
 * (the SDK retries a 500 up to its max attempts, so N counts HTTP requests, not handler calls).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { LOOPBACK } from './ports';

export interface PublishedMessage {
  messageId: string;
  topicArn: string;
  subject?: string;
  message: string;
  messageAttributes: Record<string, { dataType: string; value: string }>;
  messageGroupId?: string;
  messageDeduplicationId?: string;
  at: string;
}

export interface SnsStandInOptions {
  port?: number;
  /** Append every published message to this JSON-lines file. */
  logPath?: string;
  onPublish?: (m: PublishedMessage) => void;
}

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

function xmlEscape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** `MessageAttributes.entry.N.Name` etc. -> { name: { dataType, value } }. */
function attributes(params: URLSearchParams, prefix: string): PublishedMessage['messageAttributes'] {
  const out: PublishedMessage['messageAttributes'] = {};
  for (let i = 1; params.has(`${prefix}.entry.${i}.Name`); i++) {
    const name = params.get(`${prefix}.entry.${i}.Name`)!;
    const dataType = params.get(`${prefix}.entry.${i}.Value.DataType`) ?? 'String';
    const value =
      params.get(`${prefix}.entry.${i}.Value.StringValue`) ??
      params.get(`${prefix}.entry.${i}.Value.BinaryValue`) ??
      '';
    out[name] = { dataType, value };
  }
  return out;
}

export class SnsStandIn {
  readonly published: PublishedMessage[] = [];
  /** Every request seen (Action names), for tests. */
  readonly requests: string[] = [];
  private server?: Server;
  private failNext = 0;
  private failStatus = 500;
  private listeners: ((m: PublishedMessage) => void)[] = [];
  port = 0;

  constructor(private readonly options: SnsStandInOptions = {}) {
    if (options.onPublish) this.listeners.push(options.onPublish);
  }

  get endpoint(): string {
    return `http://${LOOPBACK}:${this.port}`;
  }

  /** Fail the next `n` requests with an InternalError 500 (or `status`). */
  failNextRequests(n: number, status = 500): void {
    this.failNext = n;
    this.failStatus = status;
  }

  onPublish(listener: (m: PublishedMessage) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((e) => this.error(res, 500, 'InternalError', (e as Error).message, 'Receiver'));
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.options.port ?? 0, LOOPBACK, () => resolve());
    });
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections?.();
    await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = undefined;
  }

  private record(m: PublishedMessage): void {
    this.published.push(m);
    if (this.options.logPath) {
      mkdirSync(dirname(this.options.logPath), { recursive: true });
      appendFileSync(this.options.logPath, `${JSON.stringify(m)}\n`);
    }
    for (const l of this.listeners) l(m);
  }

  private reply(res: ServerResponse, status: number, xml: string): void {
    res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
    res.end(`<?xml version="1.0"?>\n${xml}`);
  }

  private error(res: ServerResponse, status: number, code: string, message: string, type = 'Sender'): void {
    this.reply(
      res,
      status,
      `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const action = params.get('Action') ?? '';
    this.requests.push(action);
    if (this.failNext > 0) {
      this.failNext--;
      return this.error(res, this.failStatus, 'InternalError', 'injected failure (local SNS stand-in)', 'Receiver');
    }
    const meta = `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>`;
    if (action === 'Publish') {
      const topicArn = params.get('TopicArn') ?? params.get('TargetArn') ?? '';
      const message = params.get('Message');
      if (!topicArn)
        return this.error(
          res,
          400,
          'InvalidParameter',
          'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter',
        );
      if (message === null) return this.error(res, 400, 'ValidationError', 'Message is required');
      const subject = params.get('Subject') ?? undefined;
      if (subject !== undefined && (subject.length > 100 || /[\r\n]/.test(subject) || /[^\x20-\x7e]/.test(subject)))
        return this.error(res, 400, 'InvalidParameter', 'Invalid parameter: Subject');
      const m: PublishedMessage = {
        messageId: randomUUID(),
        topicArn,
        subject,
        message,
        messageAttributes: attributes(params, 'MessageAttributes'),
        messageGroupId: params.get('MessageGroupId') ?? undefined,
        messageDeduplicationId: params.get('MessageDeduplicationId') ?? undefined,
        at: new Date().toISOString(),
      };
      this.record(m);
      return this.reply(
        res,
        200,
        `<PublishResponse xmlns="${XMLNS}"><PublishResult><MessageId>${m.messageId}</MessageId></PublishResult>${meta}</PublishResponse>`,
      );
    }
    if (action === 'PublishBatch') {
      const topicArn = params.get('TopicArn') ?? '';
      const ok: string[] = [];
      for (let i = 1; params.has(`PublishBatchRequestEntries.member.${i}.Id`); i++) {
        const p = `PublishBatchRequestEntries.member.${i}`;
        const m: PublishedMessage = {
          messageId: randomUUID(),
          topicArn,
          subject: params.get(`${p}.Subject`) ?? undefined,
          message: params.get(`${p}.Message`) ?? '',
          messageAttributes: attributes(params, `${p}.MessageAttributes`),
          messageGroupId: params.get(`${p}.MessageGroupId`) ?? undefined,
          messageDeduplicationId: params.get(`${p}.MessageDeduplicationId`) ?? undefined,
          at: new Date().toISOString(),
        };
        this.record(m);
        ok.push(`<member><Id>${xmlEscape(params.get(`${p}.Id`)!)}</Id><MessageId>${m.messageId}</MessageId></member>`);
      }
      return this.reply(
        res,
        200,
        `<PublishBatchResponse xmlns="${XMLNS}"><PublishBatchResult><Successful>${ok.join('')}</Successful><Failed/></PublishBatchResult>${meta}</PublishBatchResponse>`,
      );
    }
    if (action === 'GetTopicAttributes' || action === 'ListTopics') {
      return this.reply(res, 200, `<${action}Response xmlns="${XMLNS}"><${action}Result/>${meta}</${action}Response>`);
    }
    return this.error(
      res,
      400,
      'InvalidAction',
      `The action ${action} is not valid for this endpoint (local SNS stand-in)`,
    );
  }
}
