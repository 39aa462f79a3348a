#!/usr/bin/env node
/**
 * `pnpm --dir infra bootstrap-policy [-- stage]` (default `dev`, the stages file infra/stages.json): prints the
 * least-privilege CloudFormation execution policy for the resource types the stage's synthesized stack
 * contains (@podero-bridge/cdk bootstrap-policy.ts). infra/README.md, "A least-privilege bootstrap".
 */
import { readFileSync } from 'node:fs';
import { executionPolicyFor } from '@podero-bridge/cdk/internal';
import { App } from 'aws-cdk-lib';
import { addPoderoBridgeStack } from '../lib/app';
import { DEFAULT_STAGES_FILE, resolveStageConfig } from '../lib/config';

const stage = process.argv.slice(2).find((arg) => arg !== '--') ?? 'dev';
const config = resolveStageConfig({
  stage,
  stagesFile: JSON.parse(readFileSync(DEFAULT_STAGES_FILE, 'utf8')) as unknown,
});
// The resource types do not depend on the functions' code: no bundling, no policy checks.
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = addPoderoBridgeStack(app, config);
const template = app.synth().getStackByName(stack.stackName).template as unknown;
process.stdout.write(
  `${JSON.stringify(executionPolicyFor(template, { stackName: stack.stackName }), null, 2)}\n`,
);
