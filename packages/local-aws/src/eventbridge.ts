import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { AwsError, parseInput, startAwsJsonServer } from './aws-json-server';
import type { LocalEndpoint } from './dynamodb';

/**
 * A small EventBridge stand-in speaking the real service's JSON protocol (awsJson1_1, `X-Amz-Target:
 * AWSEvents.PutEvents`): it accepts `PutEvents` for the buses it was told about and keeps every entry in
 * order (the local equivalent of the bus's archive), so tests and `pnpm dev` can see what a partner's rule
 * would receive. Entries to an unknown bus fail per entry, as EventBridge reports them.
 */
export interface StartLocalEventBridgeOptions {
  port?: number;
  host?: string;
  /** Bus names that exist (`default` always does). */
  buses?: readonly string[];
  /** Called for every accepted entry (the local stack logs them). */
  onEvent?: (event: ArchivedEvent) => void;
}

export interface ArchivedEvent {
  id: string;
  bus: string;
  source: string;
  detailType: string;
  detail: unknown;
  resources: string[];
  time: string;
}

export interface LocalEventBridge extends LocalEndpoint {
  /** Every accepted entry, oldest first. */
  events(): readonly ArchivedEvent[];
}

const entrySchema = z.looseObject({
  Source: z.string().min(1).max(256),
  DetailType: z.string().min(1).max(128),
  Detail: z.string().min(2).max(262_144),
  EventBusName: z.string().min(1).optional(),
  Resources: z.array(z.string()).optional(),
  Time: z.union([z.number(), z.string()]).optional(),
});
const putEventsInput = z.looseObject({ Entries: z.array(z.looseObject({})).min(1).max(10) });

export async function startLocalEventBridge(
  options: StartLocalEventBridgeOptions = {},
): Promise<LocalEventBridge> {
  const { port = 0, host = '127.0.0.1' } = options;
  const buses = new Set(['default', ...(options.buses ?? [])]);
  const archive: ArchivedEvent[] = [];
  const busName = (nameOrArn: string | undefined) => {
    if (nameOrArn === undefined) return 'default';
    return nameOrArn.includes(':event-bus/')
      ? nameOrArn.slice(nameOrArn.indexOf(':event-bus/') + 11)
      : nameOrArn;
  };
  const endpoint = await startAwsJsonServer({
    targetPrefix: 'AWSEvents',
    jsonVersion: '1.1',
    port,
    host,
    operations: {
      PutEvents(body) {
        const input = parseInput(putEventsInput, body, 'ValidationException');
        let failed = 0;
        const entries = input.Entries.map((raw) => {
          const parsed = entrySchema.safeParse(raw);
          if (!parsed.success) {
            failed++;
            return {
              ErrorCode: 'MalformedDetail',
              ErrorMessage: parsed.error.issues[0]?.message ?? 'invalid entry',
            };
          }
          const entry = parsed.data;
          const bus = busName(entry.EventBusName);
          if (!buses.has(bus)) {
            failed++;
            return {
              ErrorCode: 'ResourceNotFoundException',
              ErrorMessage: `Event bus ${bus} does not exist.`,
            };
          }
          let detail: unknown;
          try {
            detail = JSON.parse(entry.Detail);
          } catch {
            failed++;
            return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
          }
          if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
            failed++;
            return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail must be a JSON object.' };
          }
          const event: ArchivedEvent = {
            id: randomUUID(),
            bus,
            source: entry.Source,
            detailType: entry.DetailType,
            detail,
            resources: entry.Resources ?? [],
            time: new Date(
              typeof entry.Time === 'number' ? entry.Time * 1000 : (entry.Time ?? Date.now()),
            ).toISOString(),
          };
          archive.push(event);
          options.onEvent?.(event);
          return { EventId: event.id };
        });
        return { FailedEntryCount: failed, Entries: entries };
      },
      DescribeEventBus(body) {
        const name = busName(z.looseObject({ Name: z.string().optional() }).parse(body).Name);
        if (!buses.has(name))
          throw new AwsError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
        return { Name: name, Arn: `arn:aws:events:eu-central-1:000000000000:event-bus/${name}` };
      },
    },
  });
  return { ...endpoint, events: () => [...archive] };
}
