import {
  type BucketDeclaration,
  type BucketId,
  bucketDeclarations,
  type FunctionAccess,
  type FunctionTrigger,
} from '@podero-bridge/functions/declarations';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { BridgeFunction } from './bridge-function';
import { pascal } from './tables';

/**
 * The declared buckets (functions/src/declarations.ts `bucketDeclarations`: the forecast drop's) and the
 * object-created notifications that trigger their functions.
 *
 * Each bucket is private (public access blocked, objects owned by the bucket, no ACLs), encrypted with
 * S3-managed keys, reachable over TLS only, and every object expires `expireAfterDays` after it was written.
 * No versioning: a dropped file matters only until its result is written (the accepted forecast itself is
 * stored with its trading day), and a partner who corrects a file drops it again under the same key, which
 * must replace it rather than keep every earlier version for the expiry to chase (noncurrent versions).
 * No server access logs: who dropped each file is in the drop function's log (S3's principal id), and the
 * function writes each file's outcome beside it (infra/README.md; the acknowledgement in
 * nag-acknowledgements.ts).
 *
 * The buckets outlive the stack whatever the stage's removal policy, as the console's do: CloudFormation
 * cannot delete a bucket that still holds objects, and emptying it on delete needs a custom resource with
 * delete rights on it; the lifecycle rule empties a retained bucket within a month anyway.
 */
export class FileDrops extends Construct {
  readonly byId: Readonly<Record<BucketId, s3.Bucket>>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const byId: Partial<Record<BucketId, s3.Bucket>> = {};
    for (const declaration of Object.values(bucketDeclarations) as BucketDeclaration[]) {
      byId[declaration.id] = new s3.Bucket(this, pascal(declaration.name), {
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        encryption: s3.BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        versioned: false,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        lifecycleRules: [
          {
            id: 'expire',
            expiration: Duration.days(declaration.expireAfterDays),
            abortIncompleteMultipartUploadAfter: Duration.days(1),
          },
        ],
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
    this.byId = byId as Record<BucketId, s3.Bucket>;
  }

  /** The declared bucket access: GetObject under the read prefix, PutObject under the write prefix, no more. */
  grantBuckets(fn: BridgeFunction, access: FunctionAccess['buckets']): void {
    for (const [bucketId, { read, write }] of Object.entries(access ?? {}) as [
      BucketId,
      { read?: string; write?: string },
    ][]) {
      const bucket = this.byId[bucketId];
      if (read !== undefined) {
        fn.function.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['s3:GetObject'],
            resources: [bucket.arnForObjects(`${read}*`)],
          }),
        );
      }
      if (write !== undefined) {
        fn.function.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['s3:PutObject'],
            resources: [bucket.arnForObjects(`${write}*`)],
          }),
        );
      }
    }
  }

  /** An `objectCreated` trigger: the bucket's notification for keys under the prefix invokes the function. */
  attachTrigger(fn: BridgeFunction, trigger: FunctionTrigger | undefined): void {
    if (trigger?.kind !== 'objectCreated') return;
    fn.function.addEventSource(
      new sources.S3EventSourceV2(this.byId[trigger.bucket], {
        events: [s3.EventType.OBJECT_CREATED],
        filters: [{ prefix: trigger.prefix }],
      }),
    );
  }
}
