import type { Template } from 'aws-cdk-lib/assertions';

/**
 * A synthesized template as a reviewable file: stable key order and indentation, and the values that change
 * on every build without changing what gets deployed masked. Asset hashes (a 64-hex-character digest in an S3
 * key, an asset parameter or a BucketDeployment's source) change with every line of function or console code,
 * which the bundle tests and the code review already cover; everything else (resources, logical ids, IAM,
 * environment, alarms) stays as synthesized, so a change to what gets deployed is a diff in this file.
 */
export const ASSET_HASH = /[0-9a-f]{64}/g;
export const MASKED_ASSET_HASH = '<asset-hash>';

export function redactedTemplate(template: Template): string {
  return `${JSON.stringify(sortKeys(template.toJSON()), null, 2).replace(ASSET_HASH, MASKED_ASSET_HASH)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, inner]) => [key, sortKeys(inner)]),
    );
  }
  return value;
}
