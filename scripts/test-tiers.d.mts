// Types for scripts/test-tiers.mjs (plain JavaScript so scripts/test.mjs runs it under bare Node).
export declare const DEVELOPER_NODE_TESTS: readonly string[];
export declare function developerTestFilter(glob: string): string;
