/**
 * The forecast bucket as the drop sees it: a dropped file read by its ETag (the version the notification
 * announced), and a result written beside it. S3 here and nowhere else in the service.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client, S3ServiceException } from '@aws-sdk/client-s3';

export type ReadFile =
  | { readonly kind: 'read'; readonly bytes: Uint8Array }
  /** The key holds another version now (a newer drop, whose own notification follows), or nothing. */
  | { readonly kind: 'superseded' }
  | { readonly kind: 'tooLarge'; readonly size: number };

export interface ForecastFiles {
  /** The file at `key` if it is still the version `etag` names, and at most `maxBytes` long. */
  read(key: string, etag: string, maxBytes: number): Promise<ReadFile>;
  /** Writes (replaces) a JSON result object. */
  writeResult(key: string, result: unknown): Promise<void>;
}

const statusOf = (error: unknown) =>
  error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;

export class S3ForecastFiles implements ForecastFiles {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async read(key: string, etag: string, maxBytes: number): Promise<ReadFile> {
    try {
      const object = await this.s3.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, IfMatch: `"${etag.replace(/"/g, '')}"` }),
      );
      const size = object.ContentLength ?? 0;
      if (size > maxBytes) {
        await object.Body?.transformToWebStream().cancel();
        return { kind: 'tooLarge', size };
      }
      const bytes = (await object.Body?.transformToByteArray()) ?? new Uint8Array();
      return bytes.length > maxBytes ? { kind: 'tooLarge', size: bytes.length } : { kind: 'read', bytes };
    } catch (error) {
      // 412: the key was overwritten since the notification; 404: deleted. Either way not this file any more.
      const status = statusOf(error);
      if (status === 412 || status === 404) return { kind: 'superseded' };
      throw error;
    }
  }

  async writeResult(key: string, result: unknown): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: `${JSON.stringify(result, null, 2)}\n`,
        ContentType: 'application/json',
      }),
    );
  }
}
