#!/usr/bin/env node
/**
 * `podero-bridge-bootstrap-policy <template.json> [stack name]`: prints the least-privilege CloudFormation
 * execution policy for a synthesized template (bootstrap-policy.ts). Run it on your own `cdk synth` output, e.g.
 * `npx podero-bridge-bootstrap-policy cdk.out/PoderoBridge-prod.template.json PoderoBridge-prod`.
 */
import { readFileSync } from 'node:fs';
import { executionPolicyFor } from '../bootstrap-policy';

const [templatePath, stackName] = process.argv.slice(2);
if (templatePath === undefined) {
  console.error('usage: podero-bridge-bootstrap-policy <template.json> [stack name]');
  process.exit(2);
}
try {
  const template = JSON.parse(readFileSync(templatePath, 'utf8')) as unknown;
  process.stdout.write(`${JSON.stringify(executionPolicyFor(template, { stackName }), null, 2)}\n`);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
