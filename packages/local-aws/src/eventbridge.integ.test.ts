import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalEventBridge, startLocalEventBridge } from './index';

describe('local EventBridge with the real AWS SDK', () => {
  let bus: LocalEventBridge;
  let client: EventBridgeClient;
  beforeAll(async () => {
    bus = await startLocalEventBridge({ buses: ['bridge-events'] });
    client = new EventBridgeClient({
      endpoint: bus.endpoint,
      region: 'eu-central-1',
      maxAttempts: 1,
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    });
  });
  afterAll(async () => {
    client.destroy();
    await bus.close();
  });

  it('keeps accepted entries in order and fails entries of an unknown bus or with a malformed detail', async () => {
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: 'bridge-events', Source: 'podero-bridge', DetailType: 'a', Detail: '{"n":1}' },
          {
            EventBusName: 'arn:aws:events:eu-central-1:000000000000:event-bus/bridge-events',
            Source: 'podero-bridge',
            DetailType: 'b',
            Detail: '{"n":2}',
          },
          { EventBusName: 'other', Source: 'podero-bridge', DetailType: 'c', Detail: '{}' },
          { EventBusName: 'bridge-events', Source: 'podero-bridge', DetailType: 'd', Detail: '[1]' },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(2);
    expect(out.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual([
      'ok',
      'ok',
      'ResourceNotFoundException',
      'MalformedDetail',
    ]);
    expect(bus.events().map((e) => [e.detailType, e.detail])).toEqual([
      ['a', { n: 1 }],
      ['b', { n: 2 }],
    ]);
  });
});
