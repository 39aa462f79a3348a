import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { CFN_GUARD_PLUGIN } from '../lib/nag-acknowledgements';
import { type Synthesized, stageConfig, synthesize } from './support';

const ACK_KEY = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;

let stages: Synthesized[];

beforeAll(() => {
  stages = [
    synthesize(stageConfig('dev')),
    synthesize(stageConfig('prod')),
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
    ),
  ];
});

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

/** These tests synthesize whole apps with cdk-nag and cfn-guard as validation plugins: tens of seconds each on a loaded 2-core machine. */
const SYNTH_TIMEOUT_MS = 120_000;
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
    const s = synthesize(stageConfig('dev'));
    // A wildcard permission nobody acknowledged, on a function role.
    s.stack.functions.api.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:*'],
        resources: [s.stack.tables.byId.readings.tableArn],
      }),
    );
    const report = new AwsSolutionsChecks().validateScope(s.stack);
    expect(report.violations.map((v) => v.ruleName)).toContain('AwsSolutions-IAM5[Action::dynamodb:*]');
    expect(report.violations.find((v) => v.ruleName.startsWith('AwsSolutions-IAM5'))?.severity).toBe('error');
  });

  it(
    'runs as a validation plugin of the app, so `cdk synth` fails on a finding',
    () => {
      expect(() => synthesize(stageConfig('dev')).app.synth({ force: true })).not.toThrow();
      const s = synthesize(stageConfig('dev'));
      s.stack.functions.api.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }),
      );
      expect(() => s.app.synth({ force: true })).toThrow(/AwsSolutions-IAM5/);
    },
    SYNTH_TIMEOUT_MS,
  );
});

describe("Control Tower's proactive controls (cfn-guard)", () => {
  it(
    'pass in dev, prod and an imported-resources stage, with every accepted finding acknowledged',
    () => {
      for (const s of stages) {
        expect(() => s.app.synth({ force: true }), s.config.stage).not.toThrow();
        const guardAcks = acknowledgements(s).filter((a) => a.id.startsWith(`${CFN_GUARD_PLUGIN}::`));
        expect(new Set(guardAcks.map((a) => a.id.split('::')[1]))).toEqual(
          new Set([
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
          ]),
        );
      }
    },
    SYNTH_TIMEOUT_MS,
  );

  it(
    'fail the synth on a new finding: an SQS queue without a dead-letter queue',
    () => {
      const s = synthesize(stageConfig('dev'));
      new sqs.Queue(s.stack, 'UnacknowledgedQueue', { enforceSSL: true });
      expect(() => s.app.synth({ force: true })).toThrow(/CT\.SQS\.PR\.1/);
    },
    SYNTH_TIMEOUT_MS,
  );
});
