// Types for scripts/test-tiers.mjs (plain JavaScript so scripts/test.mjs runs it under bare Node).
export declare const DEVELOPER_NODE_TESTS: readonly string[];
export declare const TEST_SHARE_ENV: string;
export declare const TEST_SHARES: readonly string[];
export declare function integGlobs(globs: readonly string[]): string[];
export interface TierGlobs {
  include: string[];
  exclude: string[];
}
export declare function shareOf(
  share: string | undefined,
  tier: TierGlobs & { integ: boolean; within?: string },
): { include: string[]; exclude: string[] };
