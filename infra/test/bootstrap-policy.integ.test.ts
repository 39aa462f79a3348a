import { ACTIONS_BY_RESOURCE_TYPE, executionPolicyFor, resourceTypesIn } from '@podero-bridge/cdk/internal';
import { describe, expect, it } from 'vitest';
import { IDENTITY_PROVIDER_STAGE, stageConfig, synthesize } from './support';

/**
 * The bootstrap policy covers what the repository's stacks deploy: every resource type in dev, prod and a stage
 * with its own identity provider has actions in ACTIONS_BY_RESOURCE_TYPE. A new kind of resource fails here
 * until the table (and so the guide's policy) grants CloudFormation what it needs to create it.
 */
describe('the least-privilege bootstrap policy', () => {
  const scenarios = {
    dev: () => synthesize(stageConfig('dev')),
    prod: () => synthesize(stageConfig('prod')),
    'prod with its own identity provider, alarm e-mail and a custom console domain': () =>
      synthesize(
        stageConfig('prod', {
          ...IDENTITY_PROVIDER_STAGE,
          alarms: { email: 'ops@partner.example' },
          console: {
            clientId: null,
            domain: {
              name: 'console.partner.example',
              certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abcd-1234',
            },
          },
        }),
      ),
  };
  for (const [scenario, synth] of Object.entries(scenarios)) {
    it(`${scenario}: has actions for every resource type in the template`, () => {
      const { template, stack } = synth();
      const json = template.toJSON();
      const types = resourceTypesIn(json);
      expect(types.filter((type) => ACTIONS_BY_RESOURCE_TYPE[type] === undefined)).toEqual([]);
      const policy = executionPolicyFor(json, { stackName: stack.stackName });
      const granted = new Set(policy.Statement.flatMap((s) => s.Action));
      for (const type of types) {
        for (const action of ACTIONS_BY_RESOURCE_TYPE[type] ?? [])
          expect(granted.has(action), action).toBe(true);
      }
    });
  }
});
