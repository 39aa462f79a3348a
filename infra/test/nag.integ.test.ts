import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CFN_GUARD_PLUGIN } from '@podero-bridge/cdk/internal';
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  CUSTOM_CONSOLE_STAGE,
  IDENTITY_PROVIDER_STAGE,
  type Synthesized,
  stageApp,
  stageConfig,
  synthesize,
} from './support';

const ACK_KEY = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;

/** These tests synthesize whole apps with cdk-nag and cfn-guard as validation plugins: tens of seconds each on a loaded 2-core machine. */
const SYNTH_TIMEOUT_MS = 120_000;
/** The app as `cdk synth` builds it: with the policy plugins, the subject of these tests. */
const POLICY = { policy: true } as const;

let stages: Synthesized[];

beforeAll(() => {
  stages = [
    synthesize(stageConfig('dev'), POLICY),
    synthesize(stageConfig('prod'), POLICY),
    synthesize(
      stageConfig('prod', {
        credentialsSecret: {
          mode: 'import',
          arn: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:podero/credentials-AbCdEf',
        },
        alarms: { topicArn: 'arn:aws:sns:eu-central-1:123456789012:ops' },
        account: '123456789012',
        region: 'eu-central-1',
      }),
      POLICY,
    ),
    synthesize(stageConfig('prod', CUSTOM_CONSOLE_STAGE), POLICY),
    synthesize(stageConfig('prod', IDENTITY_PROVIDER_STAGE), POLICY),
  ];
}, 5 * SYNTH_TIMEOUT_MS);

function acknowledgements(s: Synthesized): { path: string; id: string; reason: string }[] {
  const found: { path: string; id: string; reason: string }[] = [];
  for (const construct of s.stack.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== ACK_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.push({ path: construct.node.path, id, reason });
      }
    }
  }
  return found;
}

const validationReportSchema = z.object({
  pluginReports: z.array(
    z.object({
      pluginName: z.string(),
      violations: z.array(
        z.object({
          ruleName: z.string(),
          violatingConstructs: z.array(z.object({ constructPath: z.string().optional() })),
        }),
      ),
    }),
  ),
});

/**
 * The policy findings CDK's validation report of the synthesized app still lists after acknowledgements. The
 * report is read rather than trusted for its conclusion, which is what the policy gate decides.
 * (The construct annotations' warnings, the placeholders of a stage, are not policy findings.)
 */
function unacknowledgedFindings(s: Synthesized): string[] {
  const assembly = s.app.synth();
  const report = validationReportSchema.parse(
    JSON.parse(readFileSync(path.join(assembly.directory, cxapi.VALIDATION_REPORT_FILE), 'utf8')),
  );
  return report.pluginReports
    .filter((plugin) => plugin.pluginName !== 'Construct Annotations')
    .flatMap((plugin) =>
      plugin.violations.map(
        (v) =>
          `${plugin.pluginName}::${v.ruleName} ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`,
      ),
    );
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding, error or warning, in dev, prod and an imported-resources stage', () => {
    for (const s of stages) {
      const report = new AwsSolutionsChecks().validateScope(s.stack);
      const summary = report.violations.map(
        (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      );
      expect(summary, s.config.stage).toEqual([]);
      expect(report.success).toBe(true);
    }
  });

  it('gives every acknowledgement a real reason, on a specific construct rather than the whole stack', () => {
    for (const s of stages) {
      const acks = acknowledgements(s);
      expect(acks.length).toBeGreaterThan(0);
      for (const ack of acks) {
        expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThan(40);
        expect(ack.path, ack.id).not.toBe(s.stack.node.path);
      }
    }
  });

  it('still reports a new finding: acknowledgements are narrow, not blanket', () => {
    // cdk-nag reads the construct tree: no synth needed.
    const { stack } = stageApp(stageConfig('dev'), POLICY);
    // A wildcard permission nobody acknowledged, on a function role.
    stack.bridge.functions.api.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:*'],
        resources: [stack.bridge.tables.byId.readings.tableArn],
      }),
    );
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toContain('AwsSolutions-IAM5[Action::dynamodb:*]');
    expect(report.violations.find((v) => v.ruleName.startsWith('AwsSolutions-IAM5'))?.severity).toBe('error');
  });

  it(
    'runs as a validation plugin of the app, so `cdk synth` fails on a finding',
    () => {
      // The same app without this statement synthesizes: see "pass in dev, prod, an imported-resources stage…".
      const { app, stack } = stageApp(stageConfig('dev'), POLICY);
      stack.bridge.functions.api.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }),
      );
      expect(() => app.synth()).toThrow(/AwsSolutions-IAM5/);
    },
    SYNTH_TIMEOUT_MS,
  );
});

const GUARD_ACKNOWLEDGED = [
  'lambda_function_public_access_prohibited_check',
  'api_gw_v2_authorization_type_configured_check',
  'cloudwatch_log_group_retention_period_check',
  'cloudwatch_log_group_encrypted_check',
  'sqs_dlq_check',
  'lambda_inside_vpc_check',
  // The operator console's site (nag-acknowledgements.ts, acknowledgeConsoleFindings).
  'cloudfront_origin_failover_enabled_check',
  'cloudfront_custom_ssl_certificate_check',
  'cloudfront_sni_enabled_check',
  'cloudfront_security_policy_check',
  's3_bucket_default_encryption_kms_check',
  's3_event_notifications_enabled_check',
  's3_bucket_object_lock_enabled_check',
  's3_bucket_logging_enabled_check',
  's3_bucket_acl_prohibited_check',
  // The forecast bucket, unversioned on purpose (nag-acknowledgements.ts, acknowledgeFileDropFindings).
  's3_bucket_versioning_enabled_check',
];
const DEFAULT_CERTIFICATE_CHECKS = [
  'cloudfront_custom_ssl_certificate_check',
  'cloudfront_sni_enabled_check',
  'cloudfront_security_policy_check',
];

describe("Control Tower's proactive controls (cfn-guard)", () => {
  it(
    'pass in dev, prod, an imported-resources stage and a console on its own domain, with every accepted finding acknowledged',
    () => {
      for (const s of stages) {
        // beforeAll synthesized each stage with the policy checks; CDK's report must list no finding left.
        expect(unacknowledgedFindings(s), s.config.stage).toEqual([]);
        const guardAcks = acknowledgements(s).filter((a) => a.id.startsWith(`${CFN_GUARD_PLUGIN}::`));
        // A console on its own domain has its own certificate: CloudFront's default one needs no acknowledgement.
        const expected = s.config.console.domain
          ? GUARD_ACKNOWLEDGED.filter((id) => !DEFAULT_CERTIFICATE_CHECKS.includes(id))
          : GUARD_ACKNOWLEDGED;
        expect(new Set(guardAcks.map((a) => a.id.split('::')[1]))).toEqual(new Set(expected));
      }
    },
    SYNTH_TIMEOUT_MS,
  );

  it(
    'fail the synth on a new finding that only cfn-guard reports: a log group kept one week',
    () => {
      const { app, stack } = stageApp(stageConfig('dev'), POLICY);
      new logs.LogGroup(stack, 'UnacknowledgedLogGroup', {
        retention: logs.RetentionDays.ONE_WEEK,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      // cdk-nag has no rule on it, so only the cfn-guard plugin can fail this synth.
      expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
      expect(() => app.synth()).toThrow(
        /CT\.CLOUDWATCH\.PR\.\d[^\n]*\n\s*PoderoBridge-dev\/UnacknowledgedLogGroup/,
      );
    },
    SYNTH_TIMEOUT_MS,
  );
});
