import path from 'node:path';
import { type EnvName, type FunctionDeclaration, nodeOptionsOf } from '@podero-bridge/functions/declarations';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Repository root: NodejsFunction runs `pnpm exec esbuild` here, next to pnpm-lock.yaml. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
/** The functions package root; declaration entries are relative to it. */
export const FUNCTIONS_ROOT = path.join(REPO_ROOT, 'functions');

/** CloudWatch namespace of every custom metric the functions emit (Powertools metrics). */
export const METRICS_NAMESPACE = 'PoderoBridge';

/** The runtime every function runs on (tests assert it; esbuild targets it). */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;
const ESBUILD_TARGET = 'node24';

/** A value for every declared environment variable name: the one place the stack fills them. */
export type EnvironmentValues = Readonly<Record<EnvName, string>>;

export interface BridgeFunctionProps {
  readonly declaration: FunctionDeclaration;
  /** Values for all declared names; the function receives only the names its declaration lists. */
  readonly environment: EnvironmentValues;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  /** The stage's `sourceMaps`: run with `--enable-source-maps` (the maps ship either way). */
  readonly sourceMaps: boolean;
}

/**
 * One Lambda function from its declaration: arm64, Node.js 24, ESM bundle of its own entry (esbuild
 * tree-shakes per entry), minified with source maps, an explicit log group with retention, and a role that
 * starts with nothing but write access to that log group (grants are added by the stack from `access`).
 */
export class BridgeFunction extends Construct {
  readonly declaration: FunctionDeclaration;
  readonly function: NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: BridgeFunctionProps) {
    super(scope, id);
    const { declaration } = props;
    this.declaration = declaration;

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });

    // Our own role instead of the default one with the AWSLambdaBasicExecutionRole managed policy: that
    // policy allows writing to every log group in the account; this role may write only to its own.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `podero-bridge ${declaration.name} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      description: declaration.description,
      entry: path.join(FUNCTIONS_ROOT, declaration.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'pnpm-lock.yaml'),
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: declaration.memoryMb,
      timeout: Duration.seconds(declaration.timeoutSeconds),
      reservedConcurrentExecutions: declaration.reservedConcurrency,
      role: this.role,
      logGroup: this.logGroup,
      environment: buildEnvironment(declaration, props.environment, { sourceMaps: props.sourceMaps }),
      bundling: {
        format: OutputFormat.ESM,
        target: ESBUILD_TARGET,
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        // Keep the map small: stack traces need names and lines, not the original sources.
        sourcesContent: false,
        // Bundle the AWS SDK too: the function runs the exact SDK versions the tests ran against, instead of
        // whatever the Lambda runtime ships that week.
        bundleAwsSDK: true,
        externalModules: [],
        // ESM bundles have no `require`; some CommonJS dependencies call it for Node built-ins.
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        metafile: false,
      },
    });
  }
}

/**
 * The function's environment, assembled in one place: the declared variables (values from the stack) plus
 * the settings every function shares. A name set twice is a bug in the stack, so it fails the synth instead of
 * silently keeping one of the values.
 */
export function buildEnvironment(
  declaration: FunctionDeclaration,
  values: EnvironmentValues,
  options: { sourceMaps: boolean },
): Record<string, string> {
  const nodeOptions = nodeOptionsOf(declaration, options);
  const shared: Record<string, string> = {
    ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    POWERTOOLS_SERVICE_NAME: declaration.name,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    POWERTOOLS_LOG_LEVEL: 'INFO',
  };
  const environment: Record<string, string> = { ...shared };
  for (const name of declaration.environment) {
    if (name in environment) {
      throw new Error(`environment variable ${name} of ${declaration.name} is set twice`);
    }
    environment[name] = values[name];
  }
  return environment;
}
