import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type * as z from 'zod';
import type { LocalEndpoint } from './dynamodb';
import { listenLocally } from './listen';

/**
 * The AWS JSON protocols (awsJson1_0 for SQS, awsJson1_1 for EventBridge and Secrets Manager): every call
 * is `POST /` with `X-Amz-Target: <prefix>.<Operation>` and a JSON body; errors are `{"__type", "message"}`
 * with `x-amzn-errortype`. The local stand-ins declare their operations; this serves them to the real SDK.
 * Signatures are not checked: loopback use by tests and the local stack only.
 */
export class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export type AwsOperations = Record<string, (body: unknown) => unknown | Promise<unknown>>;

export interface AwsJsonServerOptions {
  /** `AmazonSQS`, `AWSEvents`... */
  targetPrefix: string;
  /** `1.0` or `1.1` (the content type the SDK expects back). */
  jsonVersion: '1.0' | '1.1';
  operations: AwsOperations;
  port: number;
  host: string;
  /** Called once per request with the operation name (counters). */
  onCall?: (operation: string) => void;
  /** The service's own name for an internal error (default `InternalFailure`). */
  internalErrorType?: string;
}

/** Parses an operation's input, answering the SDK's InvalidParameterValue-style error naming the field. */
export function parseInput<T>(schema: z.ZodType<T>, body: unknown, errorType = 'InvalidParameterValue'): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new AwsError(
      errorType,
      `Invalid parameter ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`,
    );
  }
  return result.data;
}

export async function startAwsJsonServer(options: AwsJsonServerOptions): Promise<LocalEndpoint> {
  const contentType = `application/x-amz-json-${options.jsonVersion}`;
  const send = (res: ServerResponse, status: number, body: unknown, errorType?: string) => {
    res.writeHead(status, {
      'content-type': contentType,
      'x-amzn-requestid': randomUUID(),
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    });
    res.end(JSON.stringify(body));
  };
  const prefix = `${options.targetPrefix}.`;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const target = req.headers['x-amz-target'];
      const name = typeof target === 'string' && target.startsWith(prefix) ? target.slice(prefix.length) : '';
      const operation = Object.hasOwn(options.operations, name) ? options.operations[name] : undefined;
      if (req.method !== 'POST' || !operation) {
        throw new AwsError('UnknownOperationException', `Unsupported operation: ${name || String(target)}`);
      }
      options.onCall?.(name);
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        throw new AwsError('SerializationException', 'Request body is not valid JSON');
      }
      send(res, 200, await operation(body));
    } catch (error) {
      if (error instanceof AwsError) {
        send(res, error.status, { __type: error.type, message: error.message }, error.type);
      } else {
        const type = options.internalErrorType ?? 'InternalFailure';
        send(res, 500, { __type: type, message: 'internal error' }, type);
      }
    }
  };
  const server = createServer((req, res) => void handle(req, res));
  const listening = await listenLocally(server, options.port, options.host);
  return {
    endpoint: `http://${options.host}:${listening.port}`,
    port: listening.port,
    close: listening.close,
  };
}
