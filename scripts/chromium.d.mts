// Types for scripts/chromium.mjs (plain JavaScript so scripts/test.mjs runs it under bare Node).
export declare const DEFAULT_CHROMIUM_PATH: string;
export declare const CHROMIUM_PATH_ENV: string;

export interface ChromiumContext {
  env: Record<string, string | undefined>;
  exists(path: string): boolean;
  isRoot: boolean;
}
export type ChromiumPlan =
  | { action: 'use'; path: string }
  | { action: 'install'; path: string }
  | { action: 'missing'; path: string; message: string };

export declare function chromiumPlan(context: ChromiumContext): ChromiumPlan;
export declare function ensureChromium(
  context: ChromiumContext & { run(label: string, cmd: string, args: string[]): boolean },
): boolean;
