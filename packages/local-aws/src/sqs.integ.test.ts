import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSqs, startLocalSqs } from './index';

describe('local SQS with the real AWS SDK', () => {
  let now = 1_800_000_000_000;
  let sqs: LocalSqs;
  let client: SQSClient;
  beforeAll(async () => {
    sqs = await startLocalSqs({ clock: () => now });
    client = new SQSClient({
      endpoint: sqs.endpoint,
      region: 'eu-central-1',
      maxAttempts: 1,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });
  afterAll(async () => {
    client.destroy();
    await sqs.close();
  });

  const queue = async (name: string, attributes: Record<string, string> = {}) =>
    (await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl ?? '';
  const receive = async (url: string, max = 10) =>
    (
      await client.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: max,
          MessageSystemAttributeNames: ['All'],
        }),
      )
    ).Messages ?? [];

  it('sends and receives with the MD5 digests the SDK checks, and hides a received message until its visibility ends', async () => {
    const url = await queue('visibility', { VisibilityTimeout: '30' });
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{"a":1}' }));
    const [first] = await receive(url);
    expect(first?.Body).toBe('{"a":1}');
    expect(first?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(await receive(url)).toHaveLength(0);
    now += 30_001;
    const [again] = await receive(url);
    expect(again?.MessageId).toBe(first?.MessageId);
    expect(again?.Attributes?.ApproximateReceiveCount).toBe('2');
    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: again?.ReceiptHandle }));
    now += 60_000;
    expect(await receive(url)).toHaveLength(0);
  });

  it('holds a message back for its DelaySeconds', async () => {
    const url = await queue('delay');
    await client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: '1', MessageBody: 'later', DelaySeconds: 5 },
          { Id: '2', MessageBody: 'now' },
        ],
      }),
    );
    expect((await receive(url)).map((m) => m.Body)).toEqual(['now']);
    expect(sqs.depth('delay').delayed).toBe(1);
    now += 5_000;
    expect((await receive(url)).map((m) => m.Body)).toEqual(['later']);
  });

  it('moves a message received more than maxReceiveCount times to the dead-letter queue', async () => {
    const dlqUrl = await queue('dead');
    const arn = (
      await client.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn;
    const url = await queue('redrive', {
      VisibilityTimeout: '1',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 2 }),
    });
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));
    for (let i = 0; i < 2; i++) {
      expect(await receive(url)).toHaveLength(1);
      now += 1_001;
    }
    expect(await receive(url)).toHaveLength(0);
    expect((await receive(dlqUrl)).map((m) => m.Body)).toEqual(['poison']);
  });

  it('makes a message visible at once when its visibility is set to 0, and long-polls for a send', async () => {
    const url = await queue('change');
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
    const [m] = await receive(url);
    await client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: m?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    expect(await receive(url)).toHaveLength(1);
    const waiting = client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }));
    setTimeout(() => void client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'y' })), 50);
    expect((await waiting).Messages?.map((x) => x.Body)).toEqual(['y']);
  });

  it('answers QueueDoesNotExist for an unknown queue', async () => {
    await expect(
      client.send(
        new SendMessageCommand({ QueueUrl: `${sqs.endpoint}/000000000000/nope`, MessageBody: 'x' }),
      ),
    ).rejects.toBeInstanceOf(QueueDoesNotExist);
  });
});
