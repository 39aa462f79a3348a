import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { describe, expect, it } from 'vitest';
import { cdkJsonContext } from './support';

/**
 * Flags deliberately left at their legacy value, each with its reason (a flag that would replace a stateful
 * resource, say). None today: setting all of them changed the template only by the console log bucket's
 * access-log permission (a bucket policy instead of the LogDeliveryWrite ACL) and a log group for CDK's
 * BucketDeployment function (infra/test/snapshots).
 */
const LEGACY_ON_PURPOSE: Readonly<Record<string, string>> = {};

describe('cdk.json', () => {
  it('sets every feature flag the installed aws-cdk-lib recommends, to its recommended value', () => {
    const context = cdkJsonContext();
    const off = Object.entries(CURRENTLY_RECOMMENDED_FLAGS)
      .filter(([flag]) => LEGACY_ON_PURPOSE[flag] === undefined)
      .filter(([flag, value]) => JSON.stringify(context[flag]) !== JSON.stringify(value))
      .map(([flag]) => flag);
    expect(off).toEqual([]);
  });
});
