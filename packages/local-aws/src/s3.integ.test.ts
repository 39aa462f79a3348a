import { createHash } from 'node:crypto';
import {
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuckets, type LocalS3, type S3ObjectCreatedEvent, startLocalS3 } from './index';

describe('local S3 with the real AWS SDK', () => {
  let s3: LocalS3;
  let client: S3Client;
  beforeAll(async () => {
    s3 = await startLocalS3({ clock: () => Date.UTC(2026, 2, 27, 8, 0) });
    client = new S3Client({
      endpoint: s3.endpoint,
      region: 'eu-central-1',
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await ensureBuckets(client, ['drops', 'other']);
    // Idempotent: a bucket this account owns is kept.
    await ensureBuckets(client, ['drops']);
  });
  afterAll(async () => {
    client.destroy();
    await s3.close();
  });

  it('puts, heads and gets an object with its ETag (the MD5 of its bytes)', async () => {
    const put = await client.send(
      new PutObjectCommand({
        Bucket: 'drops',
        Key: 'a/b c.csv',
        Body: 'x,y\n1,2\n',
        ContentType: 'text/csv',
      }),
    );
    expect(put.ETag).toBe(`"${createHash('md5').update('x,y\n1,2\n').digest('hex')}"`);
    expect(s3.object('drops', 'a/b c.csv')?.etag).toBe(put.ETag);
    const head = await client.send(new HeadObjectCommand({ Bucket: 'drops', Key: 'a/b c.csv' }));
    expect(head.ContentLength).toBe(8);
    expect(head.ContentType).toBe('text/csv');
    const got = await client.send(new GetObjectCommand({ Bucket: 'drops', Key: 'a/b c.csv' }));
    expect(await got.Body?.transformToString()).toBe('x,y\n1,2\n');
    expect(got.ETag).toBe(put.ETag);
  });

  it('takes an aws-chunked body (what streaming uploads with a trailing checksum send)', async () => {
    // As the AWS CLI and the SDKs frame a streamed upload: hex-sized chunks, a 0 chunk, trailing checksum.
    const body = '6\r\nhello \r\n5\r\nworld\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n';
    const response = await fetch(`${s3.endpoint}/drops/streamed.txt`, {
      method: 'PUT',
      headers: {
        'content-encoding': 'aws-chunked',
        'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        'x-amz-decoded-content-length': '11',
        'x-amz-trailer': 'x-amz-checksum-crc32',
      },
      body,
    });
    expect(response.status).toBe(200);
    expect(s3.object('drops', 'streamed.txt')?.body.toString()).toBe('hello world');
  });

  it('answers NoSuchKey, NotFound and a failed If-Match as the SDK expects them', async () => {
    await expect(
      client.send(new GetObjectCommand({ Bucket: 'drops', Key: 'missing' })),
    ).rejects.toBeInstanceOf(NoSuchKey);
    await expect(
      client.send(new HeadObjectCommand({ Bucket: 'drops', Key: 'missing' })),
    ).rejects.toBeInstanceOf(NotFound);
    await expect(client.send(new HeadBucketCommand({ Bucket: 'nobucket' }))).rejects.toBeInstanceOf(NotFound);
    await client.send(new PutObjectCommand({ Bucket: 'drops', Key: 'v', Body: 'one' }));
    const error = await client
      .send(new GetObjectCommand({ Bucket: 'drops', Key: 'v', IfMatch: '"0123"' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3ServiceException);
    expect((error as S3ServiceException).name).toBe('PreconditionFailed');
    expect((error as S3ServiceException).$metadata.httpStatusCode).toBe(412);
    const etag = s3.object('drops', 'v')?.etag;
    const matched = await client.send(new GetObjectCommand({ Bucket: 'drops', Key: 'v', IfMatch: etag }));
    expect(await matched.Body?.transformToString()).toBe('one');
  });

  it('lists a prefix page by page', async () => {
    for (const name of ['p/1', 'p/2', 'p/3', 'q/1']) {
      await client.send(new PutObjectCommand({ Bucket: 'other', Key: name, Body: name }));
    }
    const first = await client.send(new ListObjectsV2Command({ Bucket: 'other', Prefix: 'p/', MaxKeys: 2 }));
    expect(first.Contents?.map((o) => o.Key)).toEqual(['p/1', 'p/2']);
    expect(first.IsTruncated).toBe(true);
    const second = await client.send(
      new ListObjectsV2Command({
        Bucket: 'other',
        Prefix: 'p/',
        ContinuationToken: first.NextContinuationToken,
      }),
    );
    expect(second.Contents?.map((o) => o.Key)).toEqual(['p/3']);
    expect(second.IsTruncated).toBe(false);
  });

  it("delivers S3's object-created event for keys under the registered prefix only, after the PUT", async () => {
    const events: S3ObjectCreatedEvent[] = [];
    const unsubscribe = s3.onObjectCreated('drops', 'forecasts/', (event) => {
      events.push(event);
    });
    await client.send(
      new PutObjectCommand({ Bucket: 'drops', Key: 'forecasts/DE_LU/2026 03.csv', Body: 'abc' }),
    );
    await client.send(new PutObjectCommand({ Bucket: 'drops', Key: 'results/ignored.json', Body: '{}' }));
    await s3.settled();
    unsubscribe();
    expect(events).toHaveLength(1);
    const record = events[0]?.Records[0];
    expect(record?.eventSource).toBe('aws:s3');
    expect(record?.eventName).toBe('ObjectCreated:Put');
    expect(record?.s3.bucket).toMatchObject({ name: 'drops', arn: 'arn:aws:s3:::drops' });
    expect(record?.s3.object).toMatchObject({ key: 'forecasts/DE_LU/2026+03.csv', size: 3 });
    expect(`"${record?.s3.object.eTag}"`).toBe(s3.object('drops', 'forecasts/DE_LU/2026 03.csv')?.etag);
    expect(s3.counters().PutObject).toBeGreaterThanOrEqual(2);
  });
});
