import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { REPO_ROOT } from '@podero-bridge/cdk/internal';
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as z from 'zod';
import type { StageConfig } from './config';
import { PoderoBridgeStack, stackNameFor } from './podero-bridge-stack';
import { failOnEveryFinding } from './policy-gate';

/** The version the functions report: the root package.json's. */
export function readAppVersion(): string {
  const pkg = z
    .object({ version: z.string().min(1) })
    .parse(JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')));
  return pkg.version;
}

/**
 * The policy checks `cdk synth` runs on every stack: cdk-nag's AwsSolutions and AWS Control Tower's proactive
 * controls (cfn-guard, the binary ships in the package). Any finding of either, whatever its severity, that is
 * not acknowledged in nag-acknowledgements.ts fails the synth (policy-gate.ts).
 */
export function policyValidationPlugins(app: App) {
  return [new AwsSolutionsChecks(app), new CfnGuardValidator()].map(failOnEveryFinding);
}

/** Adds one stage's stack to the app and registers the policy checks on the app. */
export function addPoderoBridge(app: App, config: StageConfig): PoderoBridgeStack {
  const stack = addPoderoBridgeStack(app, config);
  Validations.of(app).addPlugins(...policyValidationPlugins(app));
  return stack;
}

/**
 * The stack alone, without the policy checks: for tests of what the stack contains, which would otherwise spend
 * nine tenths of every synth in cdk-nag and cfn-guard (measured: 9 s against 0.3-0.6 s a synth); the policy
 * tests (infra/test/nag.integ.test.ts) synthesize through addPoderoBridge.
 */
export function addPoderoBridgeStack(app: App, config: StageConfig): PoderoBridgeStack {
  return new PoderoBridgeStack(app, stackNameFor(config.stage), {
    config,
    appVersion: readAppVersion(),
    env: config.account || config.region ? { account: config.account, region: config.region } : undefined,
    description: `podero-bridge (${config.stage}): Podero partner bridge API, token refresh and heat-pump sync`,
    tags: { project: 'podero-bridge', stage: config.stage },
  });
}
