/** Publishing alerts to the SNS topic. */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';

export interface AlertMessage {
  subject: string;
  body: string;
  attributes: Record<string, string>;
}

export interface Publisher {
  /** Returns the message id. */
  publish(message: AlertMessage): Promise<string>;
}

export class SnsPublisher implements Publisher {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(m: AlertMessage): Promise<string> {
    const attrs: Record<string, { DataType: 'String'; StringValue: string }> = {};
    for (const [k, v] of Object.entries(m.attributes)) attrs[k] = { DataType: 'String', StringValue: v };
    const out = await this.sns.send(
      new PublishCommand({ TopicArn: this.topicArn, Subject: m.subject, Message: m.body, MessageAttributes: attrs }),
    );
    return out.MessageId ?? '';
  }
}
