// The Node.js major version the Lambda functions run on (infra's LAMBDA_RUNTIME; an infra test keeps the
// two equal). `pnpm test` runs the suite on it too, installing it from the npm registry when the machine's
// Node is another major (scripts/test.mjs).
export const LAMBDA_NODE_MAJOR = 24;
