#!/usr/bin/env node
// Builds the CDK app for one stage: `pnpm cdk deploy -c stage=prod` (infra/README.md).
import { App } from 'aws-cdk-lib';
import { addPoderoBridge } from '../lib/app';
import { loadStageConfig } from '../lib/config';

const app = new App();
addPoderoBridge(app, loadStageConfig(app.node));
