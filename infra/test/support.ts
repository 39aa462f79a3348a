import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@podero-bridge/cdk/internal';
import { App, CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as z from 'zod';
import { addPoderoBridge, addPoderoBridgeStack } from '../lib/app';
import { DEFAULT_STAGES_FILE, resolveStageConfig, type StageConfig } from '../lib/config';
import type { PoderoBridgeStack } from '../lib/podero-bridge-stack';

/** The feature flags and settings the CLI passes from the root cdk.json, so tests synthesize the same app. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = z
    .object({ context: z.record(z.string(), z.unknown()) })
    .parse(JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')));
  return cdkJson.context;
}

export function stageConfig(stage: string, overrides: Record<string, unknown> = {}): StageConfig {
  return resolveStageConfig({
    stage,
    stagesFile: JSON.parse(readFileSync(DEFAULT_STAGES_FILE, 'utf8')) as unknown,
    overrides,
  });
}

export interface Synthesized {
  readonly app: App;
  readonly stack: PoderoBridgeStack;
  readonly template: Template;
  readonly config: StageConfig;
}

/**
 * One stage's app, not synthesized yet, without bundling (the `aws:cdk:bundling-stacks: []` context skips esbuild)
 * and without the built-in CloudFormation validation (seconds per synth). The policy checks still run on
 * `app.synth()`, which throws on any unacknowledged finding: a test that adds a finding synthesizes only once.
 */
/**
 * `policy`: run cdk-nag and cfn-guard as `cdk synth` does (nine tenths of a synth's time): the policy tests in
 * nag.integ.test.ts do; the tests of what the stack contains do not.
 */
export interface SynthOptions {
  bundle?: boolean;
  outdir?: string;
  policy?: boolean;
}

export function stageApp(
  config: StageConfig,
  options: SynthOptions = {},
): { app: App; stack: PoderoBridgeStack } {
  const app = new App({
    builtinCloudFormationValidation: false,
    outdir: options.outdir,
    context: {
      ...cdkJsonContext(),
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
  return { app, stack: options.policy ? addPoderoBridge(app, config) : addPoderoBridgeStack(app, config) };
}

/** Synthesizes one stage (see stageApp); with `policy`, Template.fromStack fails on any unacknowledged finding. */
export function synthesize(config: StageConfig, options: SynthOptions = {}): Synthesized {
  const { app, stack } = stageApp(config, options);
  const template = Template.fromStack(stack);
  return { app, stack, template, config };
}

/** `Resources` of a template, typed loosely for lookups the assertion helpers do not cover. */
export type CfnResource = { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown };

export function resourcesOfType(template: Template, type: string): Record<string, CfnResource> {
  return template.findResources(type) as Record<string, CfnResource>;
}

export function logicalIdOf(
  stack: PoderoBridgeStack,
  construct: { node: { defaultChild?: unknown } },
): string {
  const child = construct.node.defaultChild;
  if (!child || !CfnElement.isCfnElement(child))
    throw new Error('construct has no CloudFormation default child');
  // The element's own id (the bridge anchors its ids), not the one its path below the stack would give.
  return stack.resolve(child.logicalId) as string;
}

/** Properties of one resource; throws (failing the test) when the resource does not exist. */
export function propertiesOf(template: Template, type: string, logicalId: string): Record<string, unknown> {
  const properties = resourcesOfType(template, type)[logicalId]?.Properties;
  if (!properties) throw new Error(`${type} ${logicalId} not found`);
  return properties;
}

/** Environment variables of a function in the template. */
export function environmentOf(template: Template, functionLogicalId: string): Record<string, unknown> {
  const environment = propertiesOf(template, 'AWS::Lambda::Function', functionLogicalId).Environment as
    | { Variables: Record<string, unknown> }
    | undefined;
  return environment?.Variables ?? {};
}

/** A stage with the console on its own domain (Cognito sign-in): console.integ tests it, nag.integ checks its policy. */
export const CUSTOM_CONSOLE_STAGE = {
  jwt: {
    issuer: 'https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Example',
    audiences: ['console-app'],
  },
  console: {
    clientId: 'console-app',
    authOrigins: ['https://partner.auth.eu-central-1.amazoncognito.com'],
    domain: {
      name: 'console.partner.example',
      certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abcd-1234',
    },
  },
};

/**
 * A stage that brings its own identity provider (a Cognito user pool in the same deploy): the defaults' issuer
 * and console client removed (`null`), the pool's used instead.
 */
export const IDENTITY_PROVIDER_STAGE = {
  identityProvider: { enabled: true },
  jwt: null,
  console: { clientId: null },
};
