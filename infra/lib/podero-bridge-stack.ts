import { PoderoBridge } from '@podero-bridge/cdk/internal';
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StageConfig } from './config';

export interface PoderoBridgeStackProps extends StackProps {
  readonly config: StageConfig;
  /** Reported by the functions (APP_VERSION) and the health route. */
  readonly appVersion: string;
}

/** Stack name for a stage: `PoderoBridge-dev`, `PoderoBridge-prod`, ... */
export function stackNameFor(stage: string): string {
  return `PoderoBridge-${stage}`;
}

/**
 * One stage of podero-bridge in this repository: a stack holding the construct a partner's own app would hold
 * (@podero-bridge/cdk). The bridge's logical ids do not depend on its construct id, so this stack's template
 * kept every id it had before the construct existed (infra/test/template-snapshot.integ.test.ts).
 */
export class PoderoBridgeStack extends Stack {
  readonly bridge: PoderoBridge;

  constructor(scope: Construct, id: string, props: PoderoBridgeStackProps) {
    super(scope, id, props);
    const { account: _account, region: _region, ...settings } = props.config;
    this.bridge = new PoderoBridge(this, 'Bridge', { ...settings, appVersion: props.appVersion });
  }
}
