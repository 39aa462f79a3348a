// Types for scripts/lambda-node.mjs (plain JavaScript so scripts/test.mjs runs it under bare Node).
export declare const LAMBDA_NODE_MAJOR: number;
export declare function lambdaNodePrefix(root: string): string;
export declare function lambdaNodeInstallArgs(root: string): string[];
export declare function ensureLambdaNode(
  root: string,
  options: {
    execPath: string;
    nodeVersion: string;
    install(args: string[]): boolean;
    /** Default: the file system's. */
    exists?(path: string): boolean;
  },
): string | null;
