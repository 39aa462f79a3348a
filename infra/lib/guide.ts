/**
 * The parts of the deploy guide (infra/README.md) that are facts about the stack, generated from the
 * declarations and the synthesized template so that they cannot fall behind it: the inventory (counts, the
 * function list with its triggers and bundle sizes) and the services the template uses (the cost section
 * prices each). infra/test/guide.integ.test.ts compares the README with them (`UPDATE_GUIDE=1` rewrites it).
 */

import { resourceTypesIn } from '@podero-bridge/cdk/internal';
import {
  type FunctionDeclaration,
  functionDeclarations,
  type RouteDeclaration,
  routeDeclarations,
  type ScheduleDeclaration,
  scheduleDeclarations,
} from '@podero-bridge/functions/declarations';
import * as z from 'zod';
import { BUNDLE_BASELINE_BYTES } from './budgets';

const templateSchema = z.object({ Resources: z.record(z.string(), z.object({ Type: z.string() }).loose()) });

/** The AWS service (as the cost section names it) of each resource type's prefix. */
export const SERVICE_OF_TYPE_PREFIX: Readonly<Record<string, string>> = {
  'AWS::ApiGatewayV2': 'API Gateway (HTTP API)',
  // Custom resources (resourceTypesIn names each AWS::CloudFormation::CustomResource) run as Lambda functions.
  'AWS::CloudFormation': 'Lambda',
  'AWS::CloudFront': 'CloudFront',
  'AWS::CloudWatch': 'CloudWatch',
  'AWS::Cognito': 'Cognito',
  'AWS::DynamoDB': 'DynamoDB',
  'AWS::Events': 'EventBridge',
  'AWS::IAM': 'IAM',
  'AWS::KMS': 'KMS',
  'AWS::Lambda': 'Lambda',
  'AWS::Logs': 'CloudWatch Logs',
  'AWS::S3': 'S3',
  'AWS::SNS': 'SNS',
  'AWS::SQS': 'SQS',
  'AWS::Scheduler': 'EventBridge Scheduler',
  'AWS::SecretsManager': 'Secrets Manager',
};

/** The services of the template's resource types (the bootstrap policy's reading of them). */
export function servicesIn(template: unknown): string[] {
  const services = resourceTypesIn(template).map((type) => {
    const service = SERVICE_OF_TYPE_PREFIX[type.split('::').slice(0, 2).join('::')];
    if (service === undefined)
      throw new Error(`no service named for ${type} (guide.ts SERVICE_OF_TYPE_PREFIX)`);
    return service;
  });
  return [...new Set(services)].sort();
}

function count(template: z.infer<typeof templateSchema>, type: string): number {
  return Object.values(template.Resources).filter((r) => r.Type === type).length;
}

function triggerOf(declaration: FunctionDeclaration): string {
  const triggers: string[] = [];
  const routes = (routeDeclarations as readonly RouteDeclaration[]).filter(
    (r) => r.function === declaration.id,
  );
  if (routes.length > 0) triggers.push(`${routes.length} API routes`);
  for (const schedule of scheduleDeclarations as readonly ScheduleDeclaration[]) {
    if (schedule.function === declaration.id)
      triggers.push(`schedule \`${schedule.name}\` (${schedule.everyMinutes} min)`);
  }
  const { trigger } = declaration;
  if (trigger?.kind === 'queue')
    triggers.push(`queue \`${trigger.queue}\` (≤ ${trigger.maxConcurrency} at once)`);
  if (trigger?.kind === 'outboxStream') triggers.push('main table stream');
  if (trigger?.kind === 'objectCreated')
    triggers.push(`S3 \`${trigger.bucket}\` under \`${trigger.prefix}\``);
  return triggers.join(', ') || 'invoked by another function';
}

/** The inventory block of the guide for a synthesized template (dev's: prod deploys the same resources). */
export function inventoryMarkdown(template: unknown): string {
  const t = templateSchema.parse(template);
  const declarations = Object.values(functionDeclarations) as FunctionDeclaration[];
  const lambdaCount = count(t, 'AWS::Lambda::Function');
  const lines = [
    `- **${declarations.length} functions** of the bridge (and ${lambdaCount - declarations.length} of CDK's own for deploy-time custom resources), ${routeDeclarations.length} API routes, ${scheduleDeclarations.length} schedules;`,
    `- **${count(t, 'AWS::CloudWatch::Alarm')} alarms** and one dashboard;`,
    `- **${count(t, 'AWS::SQS::Queue')} SQS queues** (the declared queues, each with its dead-letter queue, and the schedules' dead-letter queue), ${count(t, 'AWS::DynamoDB::Table')} DynamoDB tables, ${count(t, 'AWS::SecretsManager::Secret')} secrets, ${count(t, 'AWS::S3::Bucket')} S3 buckets, ${count(t, 'AWS::Events::EventBus')} event bus with ${count(t, 'AWS::Events::Archive')} archive, ${count(t, 'AWS::CloudFront::Distribution')} CloudFront distribution.`,
    '',
    '| function | triggered by | memory | timeout | bundle (minified, `lib/budgets.ts`) |',
    '| --- | --- | --- | --- | --- |',
    ...declarations.map(
      (d) =>
        `| ${d.name} | ${triggerOf(d)} | ${d.memoryMb} MB | ${d.timeoutSeconds} s | ${Math.round(BUNDLE_BASELINE_BYTES[d.id] / 1024)} KB |`,
    ),
  ];
  return lines.join('\n');
}

/** Markdown compared cell by cell: biome pads tables, which must not count as a difference. */
export function normalizedMarkdown(markdown: string): string {
  return markdown
    .split('\n')
    .map((line) =>
      line.trim().startsWith('|')
        ? line
            .split('|')
            .map((cell) => cell.trim().replace(/^-+$/, '---'))
            .join('|')
        : line.trimEnd(),
    )
    .filter((line) => line !== '')
    .join('\n');
}

export const INVENTORY_START =
  '<!-- generated:inventory (infra/lib/guide.ts; UPDATE_GUIDE=1 pnpm vitest run infra/test/guide.integ.test.ts) -->';
export const INVENTORY_END = '<!-- /generated:inventory -->';

/** The text between two markers of the README (throws when they are missing). */
export function blockBetween(readme: string, start: string, end: string): string {
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`infra/README.md lacks ${start} ... ${end}`);
  return readme.slice(from + start.length, to);
}

export function withBlock(readme: string, start: string, end: string, content: string): string {
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`infra/README.md lacks ${start} ... ${end}`);
  return `${readme.slice(0, from + start.length)}\n\n${content}\n\n${readme.slice(to)}`;
}
