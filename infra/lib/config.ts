/**
 * Per-stage configuration of the CDK app, validated with zod.
 *
 * Where values come from, later wins:
 *   1. `defaults` in the stages file (`infra/stages.json` unless `-c stagesFile=PATH`),
 *   2. `stages.<name>` in that file (`-c stage=NAME`, default `dev`; an unknown name uses the defaults),
 *   3. `-c stageConfig='{"jwt":{"issuer":"https://..."}}'`: a JSON object merged on top, for one-off overrides.
 *
 * Objects merge deeply; arrays and scalars replace; `null` removes a key. The result is parsed by `stageConfigSchema`, so a typo or
 * a wrong type fails `cdk synth` with the path of the offending field.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bridgeSettingsShape, checkBridgeSettings, formatIssues } from '@podero-bridge/cdk/internal';
import * as z from 'zod';

export {
  PLACEHOLDER_CONSOLE_CLIENT_ID,
  PLACEHOLDER_JWT_ISSUER,
  PLACEHOLDER_ORG_ID,
  placeholdersIn,
  returnUrlOriginsOf,
} from '@podero-bridge/cdk/internal';

/**
 * One stage: the bridge's settings (the construct's props, @podero-bridge/cdk props.ts, with the same rules)
 * and where the stack goes.
 */
export const stageConfigSchema = z
  .strictObject({
    ...bridgeSettingsShape,
    /** Omit both for an environment-agnostic stack (synthesizes with no AWS account, deploys to the CLI's). */
    account: z
      .string()
      .regex(/^\d{12}$/, 'a 12-digit AWS account id')
      .optional(),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as eu-central-1')
      .optional(),
  })
  .superRefine(checkBridgeSettings);

export type StageConfig = z.infer<typeof stageConfigSchema>;

/** Shape of the stages file: shared defaults plus per-stage partial overrides. */
const stagesFileSchema = z.strictObject({
  $comment: z.string().optional(),
  defaults: z.record(z.string(), z.unknown()),
  stages: z.record(z.string(), z.record(z.string(), z.unknown())),
});

type JsonObject = Record<string, unknown>;

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Deep merge of plain objects; arrays and scalars from `override` replace those in `base`, and `null` removes
 * the key (a stage with its own identity provider drops the defaults' `jwt`: `"jwt": null`).
 */
export function deepMerge(base: JsonObject, override: JsonObject): JsonObject {
  const merged: JsonObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === null) {
      delete merged[key];
      continue;
    }
    const existing = merged[key];
    merged[key] = isPlainObject(existing) && isPlainObject(value) ? deepMerge(existing, value) : value;
  }
  return merged;
}

export class StageConfigError extends Error {
  override readonly name = 'StageConfigError';
}

export interface ResolveStageConfigInput {
  /** `-c stage=NAME`; default `dev`. */
  readonly stage?: unknown;
  /** Parsed stages file content. */
  readonly stagesFile: unknown;
  /** `-c stageConfig=...` (a JSON string from the CLI, or an object from cdk.json / tests). */
  readonly overrides?: unknown;
}

/** Pure resolution from already-read inputs (what tests call). */
export function resolveStageConfig(input: ResolveStageConfigInput): StageConfig {
  const stage = input.stage ?? 'dev';
  if (typeof stage !== 'string') {
    throw new StageConfigError('context "stage" must be a string');
  }
  const file = stagesFileSchema.safeParse(input.stagesFile);
  if (!file.success) {
    throw new StageConfigError(`stages file is invalid:\n${formatIssues(file.error)}`);
  }
  let overrides: unknown = input.overrides ?? {};
  if (typeof overrides === 'string') {
    try {
      overrides = JSON.parse(overrides) as unknown;
    } catch {
      throw new StageConfigError('context "stageConfig" must be a JSON object');
    }
  }
  if (!isPlainObject(overrides)) {
    throw new StageConfigError('context "stageConfig" must be a JSON object');
  }
  const merged = deepMerge(
    deepMerge(deepMerge(file.data.defaults, file.data.stages[stage] ?? {}), overrides),
    { stage },
  );
  const parsed = stageConfigSchema.safeParse(merged);
  if (!parsed.success) {
    throw new StageConfigError(`stage "${stage}" configuration is invalid:\n${formatIssues(parsed.error)}`);
  }
  return parsed.data;
}

/** Minimal view of a construct node's context (App.node satisfies it). */
export interface ContextSource {
  tryGetContext(key: string): unknown;
}

export const DEFAULT_STAGES_FILE = path.join(import.meta.dirname, '..', 'stages.json');

/** Reads `-c stage`, `-c stagesFile` and `-c stageConfig` from the app context and resolves the config. */
export function loadStageConfig(context: ContextSource): StageConfig {
  const stagesFilePath = context.tryGetContext('stagesFile') ?? DEFAULT_STAGES_FILE;
  if (typeof stagesFilePath !== 'string') {
    throw new StageConfigError('context "stagesFile" must be a path');
  }
  let stagesFile: unknown;
  try {
    stagesFile = JSON.parse(readFileSync(path.resolve(stagesFilePath), 'utf8')) as unknown;
  } catch (error) {
    throw new StageConfigError(`cannot read stages file ${stagesFilePath}: ${(error as Error).message}`);
  }
  return resolveStageConfig({
    stage: context.tryGetContext('stage'),
    stagesFile,
    overrides: context.tryGetContext('stageConfig'),
  });
}
