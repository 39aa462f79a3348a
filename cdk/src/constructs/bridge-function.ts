import path from 'node:path';
import {
  type EnvironmentValues,
  environmentFor,
  type FunctionDeclaration,
  type LogLevel,
  METRICS_NAMESPACE,
  XRAY_BUNDLE_DEFINE,
} from '@podero-bridge/functions/declarations';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  ARTIFACT_MODE,
  bundleVariantOf,
  FUNCTIONS_ROOT,
  PACKED_ROOT,
  prebuiltFunctionDir,
  REPO_ROOT,
} from '../artifacts';

// Declared with the functions (their Powertools metrics use it); re-exported for the monitoring construct.
export { METRICS_NAMESPACE };

/** The runtime every function runs on (tests assert it; esbuild targets it). */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * The esbuild settings every bundle is built with, at synth time here (NodejsFunction) and at pack time
 * (scripts/build.ts): one definition, so the published bundles are the ones the repository tests.
 */
export const BUNDLE_SETTINGS = {
  format: 'esm',
  target: 'node24',
  platform: 'node',
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: true,
  // Keep the map small: stack traces need names and lines, not the original sources.
  sourcesContent: false,
  // ESM bundles have no `require`; some CommonJS dependencies call it for Node built-ins.
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  /** The bundle's file name: Lambda's handler is `index.handler`. */
  outputFile: 'index.mjs',
} as const;

/** esbuild's `define` for a stage: one without tracing gets no X-Ray SDK (functions/src/platform/tracing.ts). */
export function bundleDefine(tracing: boolean): Record<string, string> {
  return tracing ? {} : { [XRAY_BUNDLE_DEFINE]: JSON.stringify('false') };
}

export type { EnvironmentValues };

export interface BridgeFunctionProps {
  readonly declaration: FunctionDeclaration;
  /** Values for all declared names; the function receives only the names its declaration lists. */
  readonly environment: EnvironmentValues;
  readonly logLevel: LogLevel;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  /** The stage's `sourceMaps`: run with `--enable-source-maps` (the maps ship either way). */
  readonly sourceMaps: boolean;
  /** The stage's `tracing`: X-Ray active tracing, and Powertools Tracer on (off: not even sampled). */
  readonly tracing: boolean;
}

/**
 * One Lambda function from its declaration: arm64, Node.js 24, ESM bundle of its own entry (esbuild
 * tree-shakes per entry), minified with source maps, an explicit log group with retention, and a role that
 * starts with nothing but write access to that log group (grants are added by the stack from `access`).
 */
export class BridgeFunction extends Construct {
  readonly declaration: FunctionDeclaration;
  /** Whether the stage traces this function (X-Ray active). */
  readonly tracing: boolean;
  /** A NodejsFunction in the repository, a plain Function on the packed bundle in the published package. */
  readonly function: lambda.Function;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: BridgeFunctionProps) {
    super(scope, id);
    const { declaration } = props;
    this.declaration = declaration;
    this.tracing = props.tracing;

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

    const settings: Omit<lambda.FunctionProps, 'code' | 'handler'> = {
      description: declaration.description,
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: declaration.memoryMb,
      timeout: Duration.seconds(declaration.timeoutSeconds),
      reservedConcurrentExecutions: declaration.reservedConcurrency,
      role: this.role,
      logGroup: this.logGroup,
      environment: environmentFor(declaration, props.environment, {
        sourceMaps: props.sourceMaps,
        logLevel: props.logLevel,
        tracing: props.tracing,
      }),
      // Off: no TracingConfig (Lambda's PassThrough), no X-Ray grant, and Tracer disabled by its variable.
      tracing: props.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      // Lambda's JSON log format: START/END/REPORT are JSON lines too, and the application log level
      // filters below the stage's level (Powertools reads the same level).
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel[props.logLevel],
      systemLogLevelV2: lambda.SystemLogLevel.INFO,
    };
    this.function =
      ARTIFACT_MODE === 'packed'
        ? new lambda.Function(this, 'Function', {
            ...settings,
            handler: 'index.handler',
            code: lambda.Code.fromAsset(
              prebuiltFunctionDir(PACKED_ROOT, bundleVariantOf(props.tracing), declaration.id),
            ),
          })
        : new NodejsFunction(this, 'Function', {
            ...settings,
            entry: path.join(FUNCTIONS_ROOT, declaration.entry),
            handler: 'handler',
            projectRoot: REPO_ROOT,
            depsLockFilePath: path.join(REPO_ROOT, 'pnpm-lock.yaml'),
            bundling: {
              format: OutputFormat.ESM,
              target: BUNDLE_SETTINGS.target,
              mainFields: [...BUNDLE_SETTINGS.mainFields],
              minify: BUNDLE_SETTINGS.minify,
              sourceMap: BUNDLE_SETTINGS.sourceMap,
              sourcesContent: BUNDLE_SETTINGS.sourcesContent,
              // Bundle the AWS SDK too: the function runs the exact SDK versions the tests ran against, instead of
              // whatever the Lambda runtime ships that week.
              bundleAwsSDK: true,
              externalModules: [],
              banner: BUNDLE_SETTINGS.banner,
              metafile: false,
              define: bundleDefine(props.tracing),
            },
          });
  }
}
