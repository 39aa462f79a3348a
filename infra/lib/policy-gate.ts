import type {
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  PolicyValidationPluginReport,
  PolicyViolation,
} from 'aws-cdk-lib';

/** The severities CDK counts as failing once it has applied the app's acknowledgements. */
const FAILING_SEVERITIES = new Set(['error', 'fatal']);

/**
 * Makes every finding of a policy plugin fail `cdk synth` (and so `cdk deploy`) unless it is acknowledged.
 *
 * Why: as soon as the app acknowledges any finding, CDK recomputes each report's success as "no violation of
 * severity error or fatal". cfn-guard's violations carry no severity and cdk-nag's warnings say "warning", so
 * without this they would pass while the report still printed them. The plugin's name is kept: acknowledgements
 * are addressed as `<plugin name>::<rule>`.
 */
export function failOnEveryFinding(plugin: IPolicyValidationPlugin): IPolicyValidationPlugin {
  return {
    name: plugin.name,
    version: plugin.version,
    ruleIds: plugin.ruleIds,
    validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
      const report = plugin.validate(context);
      return {
        ...report,
        success: report.success && report.violations.length === 0,
        violations: report.violations.map(asFailing),
      };
    },
  };
}

function asFailing(violation: PolicyViolation): PolicyViolation {
  const severity = violation.severity?.toLowerCase();
  return severity !== undefined && FAILING_SEVERITIES.has(severity)
    ? violation
    : { ...violation, severity: 'error' };
}
