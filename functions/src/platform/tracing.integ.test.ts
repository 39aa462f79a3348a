import { createSocket, type Socket } from 'node:dgram';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { type LocalEndpoint, startDynalite } from '@podero-bridge/local-aws';
import { createPoderoClient, PoderoNotFoundError, staticTokenProvider } from '@podero-bridge/podero-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

/**
 * Tracing as Lambda runs it: the X-Ray SDK in Lambda mode (it reads LAMBDA_TASK_ROOT when it loads, hence
 * the dynamic import in tracing.ts), sending to a daemon on a loopback UDP port: this test's socket, which reads
 * the documents the way the X-Ray daemon does (a `{"format":"json","version":1}` header line, then JSON).
 */
const ORG_ID = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
const USER_ID = '6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d';
const CUE_ID = '1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9';
const CUE_SECRET = 'cue-secret-that-must-not-be-traced';

interface XRayDocument {
  name: string;
  namespace?: string;
  annotations?: Record<string, unknown>;
  aws?: { operation?: string };
  fault?: boolean;
  error?: boolean;
  parent_id?: string;
  trace_id?: string;
}

let daemon: Socket;
let dynalite: LocalEndpoint;
const received: string[] = [];

beforeAll(async () => {
  daemon = createSocket('udp4');
  daemon.on('message', (message) => received.push(message.toString('utf8')));
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  dynalite = await startDynalite();
  const { port } = daemon.address();
  vi.stubEnv('LAMBDA_TASK_ROOT', '/var/task');
  vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs24.x');
  vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'podero-bridge-api');
  vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
  vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'true');
  vi.stubEnv('AWS_XRAY_DAEMON_ADDRESS', `127.0.0.1:${port}`);
  vi.stubEnv('AWS_XRAY_CONTEXT_MISSING', 'IGNORE_ERROR');
  vi.stubEnv(
    '_X_AMZN_TRACE_ID',
    'Root=1-67a1b2c3-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1',
  );
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await dynalite.close();
  await new Promise<void>((resolve) => daemon.close(() => resolve()));
});

async function documents(atLeast: number): Promise<XRayDocument[]> {
  for (let i = 0; i < 100 && received.length < atLeast; i++) await new Promise((r) => setTimeout(r, 20));
  return received.map((packet) => {
    const [header, body] = packet.split('\n');
    expect(JSON.parse(header ?? '')).toEqual({ format: 'json', version: 1 });
    return JSON.parse(body ?? '') as XRayDocument;
  });
}

describe('tracing in Lambda', () => {
  it('sends a handler subsegment, one per SDK call and one per Podero request, and no query string', async () => {
    const { loadTracing } = await import('./tracing');
    expect((await loadTracing('api', { POWERTOOLS_TRACE_ENABLED: 'false' })).enabled).toBe(false);
    const tracing = await loadTracing('api', process.env);
    expect(tracing.enabled).toBe(true);
    const dynamodb = tracing.instrument(
      new DynamoDBClient({
        endpoint: dynalite.endpoint,
        region: 'eu-central-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
    );
    const podero = createPoderoClient({
      baseUrl: 'https://podero.test',
      orgId: ORG_ID,
      tokenProvider: staticTokenProvider('token'),
      retry: { maxRetries: 0 },
      ...(tracing.poderoSpan ? { span: tracing.poderoSpan } : {}),
      fetch: async (url) => {
        const found = url.includes('/cues/');
        return {
          status: found ? 200 : 404,
          headers: { get: () => null },
          text: async () => (found ? JSON.stringify({ redirect_url: 'https://podero.test/r' }) : '{}'),
        };
      },
    });
    const handler = tracing.handler(async (_event: unknown) => {
      await dynamodb.send(new ListTablesCommand({}));
      await podero.cues.resolve(CUE_ID, CUE_SECRET, {
        successUrl: 'https://partner.test/ok',
        cancelUrl: 'https://partner.test/cancel',
      });
      await expect(podero.users.get(USER_ID)).rejects.toBeInstanceOf(PoderoNotFoundError);
      return 'done';
    });
    await expect(handler({})).resolves.toBe('done');

    const docs = await documents(4);
    const byName = (name: string) => docs.find((d) => d.name === name);
    const root = byName('## handler');
    expect(root?.annotations).toMatchObject({ ColdStart: true, Service: 'api' });
    expect(root?.trace_id).toBe('1-67a1b2c3-0123456789abcdef01234567');
    expect(byName('DynamoDB')?.aws?.operation).toBe('ListTables');
    const resolved = byName('podero cues.resolve');
    expect(resolved).toMatchObject({
      namespace: 'remote',
      annotations: { podero_operation: 'cues.resolve' },
    });
    expect(resolved?.fault ?? false).toBe(false);
    const missing = byName('podero users.get');
    expect(missing?.fault || missing?.error).toBe(true);
    expect(received.join('\n')).not.toContain(CUE_SECRET);
    expect(received.join('\n')).not.toContain('redirect_url');
  });
});
