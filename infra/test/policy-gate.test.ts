import { App, CfnResource, type IPolicyValidationPlugin, Stack, Validations } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { failOnEveryFinding } from '../lib/policy-gate';

const PLUGIN = 'fake-policy';

/**
 * A plugin that reports one finding per rule on the `Checked` resource, with the severity given (undefined:
 * none, as cfn-guard reports).
 */
function fakePlugin(findings: Record<string, string | undefined>): IPolicyValidationPlugin {
  return {
    name: PLUGIN,
    validate: (context) => ({
      success: Object.keys(findings).length === 0,
      violations: Object.entries(findings).map(([ruleName, severity]) => ({
        ruleName,
        description: `${ruleName} is not met`,
        severity,
        violatingResources: context.templatePaths.map((templatePath) => ({
          resourceLogicalId: 'Checked',
          templatePath,
          locations: ['Properties'],
        })),
      })),
    }),
  };
}

/** A one-resource app checked by the plugin, with the findings named in `acknowledged` acknowledged on it. */
function appWith(plugin: IPolicyValidationPlugin, acknowledged: readonly string[]): App {
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Gated');
  const checked = new CfnResource(stack, 'Checked', { type: 'AWS::SQS::Queue' });
  for (const rule of acknowledged) {
    Validations.of(checked).acknowledge({ id: `${PLUGIN}::${rule}`, reason: 'accepted for this test' });
  }
  Validations.of(app).addPlugins(plugin);
  return app;
}

describe('failOnEveryFinding', () => {
  it('fails the synth on a finding without severity when another finding is acknowledged', () => {
    // Prepare: the shape of cfn-guard's report, with one of its two findings acknowledged.
    const findings = { 'acknowledged-rule': undefined, 'new-rule': undefined };

    // Act / Assess: CDK alone lets the unacknowledged finding pass; gated, it fails the synth.
    expect(() => appWith(fakePlugin(findings), ['acknowledged-rule']).synth()).not.toThrow();
    expect(() => appWith(failOnEveryFinding(fakePlugin(findings)), ['acknowledged-rule']).synth()).toThrow(
      /new-rule/,
    );
  });

  it('fails the synth on a finding of severity warning when another finding is acknowledged', () => {
    const findings = { 'acknowledged-rule': 'error', 'new-rule': 'warning' };

    expect(() => appWith(failOnEveryFinding(fakePlugin(findings)), ['acknowledged-rule']).synth()).toThrow(
      /new-rule/,
    );
  });

  it('fails the synth on a finding of a report that claims success, when nothing is acknowledged', () => {
    // Prepare: with no acknowledgement anywhere CDK takes the plugin's own word for success.
    const plugin = fakePlugin({ 'new-rule': undefined });
    const claimsSuccess: IPolicyValidationPlugin = {
      name: plugin.name,
      validate: (context) => ({ ...plugin.validate(context), success: true }),
    };

    expect(() => appWith(claimsSuccess, []).synth()).not.toThrow();
    expect(() => appWith(failOnEveryFinding(claimsSuccess), []).synth()).toThrow(/new-rule/);
  });

  it('passes the synth when every finding is acknowledged, whatever its severity', () => {
    const findings = { 'no-severity': undefined, warning: 'warning', error: 'error' };

    expect(() =>
      appWith(failOnEveryFinding(fakePlugin(findings)), ['no-severity', 'warning', 'error']).synth(),
    ).not.toThrow();
  });

  it('keeps the plugin name, so acknowledgements still address its rules as <plugin>::<rule>', () => {
    const gated = failOnEveryFinding({ ...fakePlugin({}), version: '1.2.3', ruleIds: ['a', 'b'] });

    expect({ name: gated.name, version: gated.version, ruleIds: gated.ruleIds }).toEqual({
      name: PLUGIN,
      version: '1.2.3',
      ruleIds: ['a', 'b'],
    });
  });
});
