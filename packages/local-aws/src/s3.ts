import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { LocalEndpoint } from './dynamodb';
import { listenLocally } from './listen';

/**
 * A small S3 stand-in speaking the real service's REST protocol, path-style (`PUT /<bucket>/<key>`), so the
 * real `@aws-sdk/client-s3` (with `forcePathStyle: true`) talks to it through a client `endpoint` as it talks
 * to AWS: CreateBucket, HeadBucket, ListObjectsV2, PutObject (plain or `aws-chunked` bodies, the SDK's
 * streaming checksums), GetObject and HeadObject (with `If-Match` / `If-None-Match` on the ETag),
 * DeleteObject; errors as S3's XML (`NoSuchKey`, `NoSuchBucket`, `PreconditionFailed`...). Like S3 → Lambda,
 * it delivers object-created notifications in S3's event JSON to the listeners registered for a bucket and
 * key prefix, after the PUT has been answered. In memory, no versioning. Signatures are not checked:
 * loopback use by tests and the local stack only.
 */
export interface StartLocalS3Options {
  port?: number;
  host?: string;
  region?: string;
  /** Epoch ms (the objects' LastModified and the events' eventTime). */
  clock?: () => number;
  /** The largest object PutObject takes (default 5 MiB: what a single PUT here is for). */
  maxObjectBytes?: number;
  /** A notification listener threw or rejected (the local stack logs it; AWS would retry the invoke). */
  onDeliveryError?: (error: unknown, event: S3ObjectCreatedEvent) => void;
}

/** One record of S3's event notification (the shape Lambda receives from S3, event version 2.1). */
export interface S3ObjectCreatedRecord {
  readonly eventVersion: '2.1';
  readonly eventSource: 'aws:s3';
  readonly awsRegion: string;
  readonly eventTime: string;
  readonly eventName: 'ObjectCreated:Put';
  readonly userIdentity: { readonly principalId: string };
  readonly requestParameters: { readonly sourceIPAddress: string };
  readonly responseElements: { readonly 'x-amz-request-id': string; readonly 'x-amz-id-2': string };
  readonly s3: {
    readonly s3SchemaVersion: '1.0';
    readonly configurationId: string;
    readonly bucket: {
      readonly name: string;
      readonly ownerIdentity: { readonly principalId: string };
      readonly arn: string;
    };
    /** `key` is URL-encoded as S3 sends it (a space as `+`); `eTag` without quotes. */
    readonly object: {
      readonly key: string;
      readonly size: number;
      readonly eTag: string;
      readonly sequencer: string;
    };
  };
}

export interface S3ObjectCreatedEvent {
  readonly Records: readonly S3ObjectCreatedRecord[];
}

export type ObjectCreatedListener = (event: S3ObjectCreatedEvent) => unknown;

export interface LocalS3 extends LocalEndpoint {
  /** Requests per operation. */
  counters(): Record<string, number>;
  /**
   * Delivers S3's object-created event for every object put in `bucket` under `prefix` (as a bucket
   * notification to a Lambda function does); returns the unsubscribe.
   */
  onObjectCreated(bucket: string, prefix: string, listener: ObjectCreatedListener): () => void;
  /** Resolves once every notification sent so far has been handled (tests). */
  settled(): Promise<void>;
  /** An object as stored (tests): its bytes and its ETag (quoted, as S3 answers it). */
  object(bucket: string, key: string): { readonly body: Buffer; readonly etag: string } | undefined;
}

interface StoredObject {
  body: Buffer;
  etag: string;
  contentType: string;
  lastModified: number;
}

class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly resource?: string,
  ) {
    super(message);
  }
}

const OWNER = 'LOCAL';
const DEFAULT_MAX_OBJECT_BYTES = 5 * 1024 * 1024;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const xmlEscape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const httpDate = (ms: number) => new Date(ms).toUTCString();
const isoDate = (ms: number) => new Date(ms).toISOString();

/** How S3 writes a key into an event: URL-encoded, a space as `+`, slashes kept. */
export function s3EventKeyOf(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
}

/**
 * The body of an `aws-chunked` upload (the SDK's streaming checksums): `<hex size>[;chunk-signature=...]\r\n`
 * `<bytes>\r\n` ... until a chunk of size 0, then trailing headers (the checksum), which are dropped.
 */
function decodeAwsChunked(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', offset);
    if (lineEnd === -1) throw new S3Error(400, 'IncompleteBody', 'The aws-chunked body ended early.');
    const size = Number.parseInt(raw.subarray(offset, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isInteger(size) || size < 0) {
      throw new S3Error(400, 'InvalidRequest', 'The aws-chunked body has an invalid chunk size.');
    }
    offset = lineEnd + 2;
    if (size === 0) return Buffer.concat(parts);
    if (offset + size > raw.length)
      throw new S3Error(400, 'IncompleteBody', 'The aws-chunked body ended early.');
    parts.push(raw.subarray(offset, offset + size));
    offset += size + 2;
  }
}

/** An ETag condition header matches (`*`, or one of the quoted ETags listed). */
function etagMatches(header: string, etag: string): boolean {
  return header
    .split(',')
    .map((value) => value.trim())
    .some((value) => value === '*' || value === etag || `"${value}"` === etag);
}

export async function startLocalS3(options: StartLocalS3Options = {}): Promise<LocalS3> {
  const {
    port = 0,
    host = '127.0.0.1',
    region = 'eu-central-1',
    clock = Date.now,
    maxObjectBytes = DEFAULT_MAX_OBJECT_BYTES,
  } = options;
  const buckets = new Map<string, Map<string, StoredObject>>();
  const counts: Record<string, number> = {};
  const listeners: { bucket: string; prefix: string; listener: ObjectCreatedListener }[] = [];
  const inFlight = new Set<Promise<void>>();
  let sequence = 0;

  const count = (operation: string) => {
    counts[operation] = (counts[operation] ?? 0) + 1;
  };
  const bucketOf = (name: string) => {
    const bucket = buckets.get(name);
    if (!bucket) throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist.', name);
    return bucket;
  };
  const objectOf = (bucketName: string, key: string) => {
    const object = bucketOf(bucketName).get(key);
    if (!object) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', key);
    return object;
  };

  const notify = (bucket: string, key: string, object: StoredObject, requestId: string, sourceIp: string) => {
    const matching = listeners.filter((l) => l.bucket === bucket && key.startsWith(l.prefix));
    if (matching.length === 0) return;
    sequence++;
    const event: S3ObjectCreatedEvent = {
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: region,
          eventTime: isoDate(object.lastModified),
          eventName: 'ObjectCreated:Put',
          userIdentity: { principalId: `AWS:${OWNER}` },
          requestParameters: { sourceIPAddress: sourceIp },
          responseElements: { 'x-amz-request-id': requestId, 'x-amz-id-2': randomUUID() },
          s3: {
            s3SchemaVersion: '1.0',
            configurationId: 'local-notification',
            bucket: { name: bucket, ownerIdentity: { principalId: OWNER }, arn: `arn:aws:s3:::${bucket}` },
            object: {
              key: s3EventKeyOf(key),
              size: object.body.length,
              eTag: object.etag.replace(/"/g, ''),
              sequencer: sequence.toString(16).toUpperCase().padStart(18, '0'),
            },
          },
        },
      ],
    };
    for (const { listener } of matching) {
      // After the PUT's answer, as S3 notifies asynchronously.
      const delivery = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => listener(event))
        .then(
          () => undefined,
          (error: unknown) => options.onDeliveryError?.(error, event),
        )
        .finally(() => inFlight.delete(delivery));
      inFlight.add(delivery);
    }
  };

  const listObjectsV2 = (bucketName: string, query: URLSearchParams): string => {
    const bucket = bucketOf(bucketName);
    const prefix = query.get('prefix') ?? '';
    const maxKeys = Math.min(1000, Math.max(0, Number(query.get('max-keys') ?? 1000) || 0));
    const token = query.get('continuation-token');
    const after = token ? Buffer.from(token, 'base64url').toString('utf8') : (query.get('start-after') ?? '');
    const keys = [...bucket.keys()].filter((key) => key.startsWith(prefix) && key > after).sort();
    const page = keys.slice(0, maxKeys);
    const truncated = keys.length > page.length;
    const last = page.at(-1);
    const contents = page
      .map((key) => {
        const object = bucket.get(key) as StoredObject;
        return `<Contents><Key>${xmlEscape(key)}</Key><LastModified>${isoDate(object.lastModified)}</LastModified><ETag>${xmlEscape(object.etag)}</ETag><Size>${object.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join('');
    return (
      '<?xml version="1.0" encoding="UTF-8"?>' +
      '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      `<Name>${xmlEscape(bucketName)}</Name><Prefix>${xmlEscape(prefix)}</Prefix>` +
      `<KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
      (token ? `<ContinuationToken>${xmlEscape(token)}</ContinuationToken>` : '') +
      (truncated && last
        ? `<NextContinuationToken>${Buffer.from(last).toString('base64url')}</NextContinuationToken>`
        : '') +
      `${contents}</ListBucketResult>`
    );
  };

  const readBody = async (req: IncomingMessage): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      // Room for aws-chunked framing around the largest object.
      if (size > maxObjectBytes + 64 * 1024) {
        throw new S3Error(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size.');
      }
      chunks.push(chunk as Buffer);
    }
    const raw = Buffer.concat(chunks);
    const encoding = String(req.headers['content-encoding'] ?? '');
    const sha = String(req.headers['x-amz-content-sha256'] ?? '');
    const body =
      encoding.includes('aws-chunked') || sha.startsWith('STREAMING-') ? decodeAwsChunked(raw) : raw;
    if (body.length > maxObjectBytes) {
      throw new S3Error(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size.');
    }
    return body;
  };

  const objectHeaders = (object: StoredObject) => ({
    'content-type': object.contentType,
    'content-length': String(object.body.length),
    etag: object.etag,
    'last-modified': httpDate(object.lastModified),
    'accept-ranges': 'bytes',
  });

  /** GetObject/HeadObject's conditions on the ETag: If-Match (412 when it differs), If-None-Match (304). */
  const checkConditions = (req: IncomingMessage, object: StoredObject, key: string): 'ok' | 'notModified' => {
    const ifMatch = req.headers['if-match'];
    if (typeof ifMatch === 'string' && !etagMatches(ifMatch, object.etag)) {
      throw new S3Error(
        412,
        'PreconditionFailed',
        'At least one of the pre-conditions you specified did not hold',
        key,
      );
    }
    const ifNoneMatch = req.headers['if-none-match'];
    if (typeof ifNoneMatch === 'string' && etagMatches(ifNoneMatch, object.etag)) return 'notModified';
    return 'ok';
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, requestId: string) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const [rawBucket = '', ...rest] = url.pathname.slice(1).split('/');
    const bucketName = decodeURIComponent(rawBucket);
    const key = rest.length > 0 ? decodeURIComponent(rest.join('/')) : '';
    const method = req.method ?? 'GET';
    const base = { 'x-amz-request-id': requestId, 'x-amz-id-2': requestId };
    if (bucketName === '') throw new S3Error(501, 'NotImplemented', 'ListBuckets is not implemented here.');

    if (key === '') {
      if (method === 'PUT') {
        count('CreateBucket');
        if (!BUCKET_NAME.test(bucketName)) {
          throw new S3Error(400, 'InvalidBucketName', 'The specified bucket is not valid.', bucketName);
        }
        await readBody(req);
        if (buckets.has(bucketName)) {
          throw new S3Error(
            409,
            'BucketAlreadyOwnedByYou',
            'Your previous request to create the named bucket succeeded and you already own it.',
            bucketName,
          );
        }
        buckets.set(bucketName, new Map());
        res.writeHead(200, { ...base, location: `/${bucketName}` });
        res.end();
        return;
      }
      if (method === 'HEAD') {
        count('HeadBucket');
        bucketOf(bucketName);
        res.writeHead(200, { ...base, 'x-amz-bucket-region': region });
        res.end();
        return;
      }
      if (method === 'GET' && url.searchParams.get('list-type') === '2') {
        count('ListObjectsV2');
        const xml = listObjectsV2(bucketName, url.searchParams);
        res.writeHead(200, { ...base, 'content-type': 'application/xml' });
        res.end(xml);
        return;
      }
      throw new S3Error(501, 'NotImplemented', `${method} on a bucket is not implemented here.`, bucketName);
    }

    if (method === 'PUT') {
      count('PutObject');
      if (req.headers['x-amz-copy-source'] !== undefined) {
        throw new S3Error(501, 'NotImplemented', 'CopyObject is not implemented here.', key);
      }
      const bucket = bucketOf(bucketName);
      const body = await readBody(req);
      const object: StoredObject = {
        body,
        etag: `"${createHash('md5').update(body).digest('hex')}"`,
        contentType: String(req.headers['content-type'] ?? 'binary/octet-stream'),
        lastModified: clock(),
      };
      bucket.set(key, object);
      res.writeHead(200, { ...base, etag: object.etag });
      res.end();
      notify(bucketName, key, object, requestId, req.socket.remoteAddress ?? '127.0.0.1');
      return;
    }
    if (method === 'GET' || method === 'HEAD') {
      count(method === 'GET' ? 'GetObject' : 'HeadObject');
      const object = objectOf(bucketName, key);
      if (checkConditions(req, object, key) === 'notModified') {
        res.writeHead(304, { ...base, etag: object.etag });
        res.end();
        return;
      }
      res.writeHead(200, { ...base, ...objectHeaders(object) });
      res.end(method === 'GET' ? object.body : undefined);
      return;
    }
    if (method === 'DELETE') {
      count('DeleteObject');
      bucketOf(bucketName).delete(key);
      res.writeHead(204, base);
      res.end();
      return;
    }
    throw new S3Error(501, 'NotImplemented', `${method} on an object is not implemented here.`, key);
  };

  const server = createServer((req, res) => {
    const requestId = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
    handle(req, res, requestId).catch((error: unknown) => {
      const s3Error =
        error instanceof S3Error
          ? error
          : new S3Error(500, 'InternalError', 'We encountered an internal error.');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // A HEAD answer has no body: the SDK reads the error from the status alone (NotFound for 404).
      const body =
        req.method === 'HEAD'
          ? undefined
          : '<?xml version="1.0" encoding="UTF-8"?>' +
            `<Error><Code>${s3Error.code}</Code><Message>${xmlEscape(s3Error.message)}</Message>` +
            (s3Error.resource ? `<Resource>${xmlEscape(s3Error.resource)}</Resource>` : '') +
            `<RequestId>${requestId}</RequestId></Error>`;
      res.writeHead(s3Error.status, {
        'content-type': 'application/xml',
        'x-amz-request-id': requestId,
        'x-amz-id-2': requestId,
      });
      res.end(body);
    });
  });
  const listening = await listenLocally(server, port, host);
  return {
    endpoint: `http://${host}:${listening.port}`,
    port: listening.port,
    close: listening.close,
    counters: () => ({ ...counts }),
    onObjectCreated(bucket, prefix, listener) {
      const entry = { bucket, prefix, listener };
      listeners.push(entry);
      return () => {
        const index = listeners.indexOf(entry);
        if (index !== -1) listeners.splice(index, 1);
      };
    },
    async settled() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    object(bucket, key) {
      const object = buckets.get(bucket)?.get(key);
      return object ? { body: Buffer.from(object.body), etag: object.etag } : undefined;
    },
  };
}
