import * as z from 'zod';

/**
 * The Powertools log level of the loggers tests create: SILENT unless `BRIDGE_TEST_LOG_LEVEL` says
 * otherwise. `pnpm test` sets DEBUG together with a log capture (test/support/leak-capture-setup.ts),
 * so the whole suite's function logs are written to files and scanned for secrets, not printed.
 */
export const TEST_LOG_LEVEL_ENV = 'BRIDGE_TEST_LOG_LEVEL';
const testLogLevelSchema = z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('SILENT');
export type TestLogLevel = z.infer<typeof testLogLevelSchema>;

export function testLogLevel(env: NodeJS.ProcessEnv = process.env): TestLogLevel {
  const parsed = testLogLevelSchema.safeParse(env[TEST_LOG_LEVEL_ENV] || undefined);
  if (!parsed.success) {
    throw new Error(`${TEST_LOG_LEVEL_ENV}: must be one of DEBUG, INFO, WARN, ERROR, SILENT`);
  }
  return parsed.data;
}
