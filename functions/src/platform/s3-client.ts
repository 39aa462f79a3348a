import { S3Client } from '@aws-sdk/client-s3';
import { type AwsClientConfig, asIs, base, type Instrument } from './aws-clients';

/**
 * The S3 client, in a module of its own (as dynamodb-client.ts): only the function that reads the forecast
 * bucket carries the S3 SDK in its bundle. On a local endpoint it addresses buckets path-style
 * (`http://127.0.0.1:port/<bucket>/<key>`), which the local stand-in speaks; in AWS the SDK's default.
 */
export function createS3Client(config: AwsClientConfig, instrument: Instrument = asIs): S3Client {
  const endpoint = config.endpoints.s3;
  return instrument(
    new S3Client({ ...base(config, endpoint), ...(endpoint ? { forcePathStyle: true } : {}) }),
  );
}
