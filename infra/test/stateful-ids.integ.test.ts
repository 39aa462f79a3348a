import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { IDENTITY_PROVIDER_STAGE, resourcesOfType, stageConfig, synthesize } from './support';

/**
 * The resources that hold data, and what CloudFormation does when one's logical id changes: it creates a new,
 * empty one and deletes (or, retained, orphans) the old. A release of @podero-bridge/cdk must never do that to
 * a partner's tables, secrets, queues, buckets, logs, keys, event archive or user pool. The ids are committed in
 * stateful-logical-ids.json; a change that would replace one fails here, and a new stateful resource must be
 * added to the list (with its id, from then on fixed) before the test passes.
 */
export const STATEFUL_TYPES = [
  'AWS::Cognito::UserPool',
  'AWS::DynamoDB::Table',
  'AWS::Events::Archive',
  'AWS::Events::EventBus',
  'AWS::KMS::Key',
  'AWS::Logs::LogGroup',
  'AWS::S3::Bucket',
  'AWS::SQS::Queue',
  'AWS::SecretsManager::Secret',
] as const;

const committedSchema = z.strictObject({
  $comment: z.string(),
  stages: z.record(z.string(), z.record(z.string(), z.enum(STATEFUL_TYPES))),
});

const committed = committedSchema.parse(
  JSON.parse(readFileSync(new URL('./stateful-logical-ids.json', import.meta.url), 'utf8')),
);

function statefulIdsOf(stage: string, overrides: Record<string, unknown> = {}): Record<string, string> {
  const { template } = synthesize(stageConfig(stage, overrides));
  return Object.fromEntries(
    STATEFUL_TYPES.flatMap((type) => Object.keys(resourcesOfType(template, type)).map((id) => [id, type])),
  );
}

const SCENARIOS: Record<string, () => Record<string, string>> = {
  dev: () => statefulIdsOf('dev'),
  prod: () => statefulIdsOf('prod'),
  'prod with its own identity provider': () => statefulIdsOf('prod', IDENTITY_PROVIDER_STAGE),
};

describe('stateful resources keep their logical ids', () => {
  for (const [scenario, synthesizeIds] of Object.entries(SCENARIOS)) {
    it(`${scenario}: every committed table, secret, queue, bucket, log group, key, bus, archive and pool is still there under its id`, () => {
      const expected = committed.stages[scenario];
      if (expected === undefined) throw new Error(`stateful-logical-ids.json has no "${scenario}"`);
      const actual = synthesizeIds();
      const replaced = Object.entries(expected)
        .filter(([id, type]) => actual[id] !== type)
        .map(([id, type]) => `${type} ${id}`);
      expect(replaced, 'these would be replaced (or removed): data lost').toEqual([]);
      const unlisted = Object.entries(actual)
        .filter(([id]) => expected[id] === undefined)
        .map(([id, type]) => `${type} ${id}`);
      expect(unlisted, 'new stateful resources: add them to stateful-logical-ids.json').toEqual([]);
    });
  }
});
