/**
 * `podero conformance`: runs every check (checks.ts) against the configured Podero, cleans up what it
 * created (even after a failure), and reports. Exit code 0 when nothing diverges, 1 when something does.
 */
import { randomBytes } from 'node:crypto';
import type { FetchLike } from '@podero-bridge/podero-client';
import { CHECKS, type Check, type ProbeContext, type Verdict } from './checks';
import { DEVICE_CHECKS } from './device-checks';
import { ProbeHttp } from './http';
import { TRADING_CHECKS } from './trading-checks';

export interface CheckReport {
  id: string;
  verdict: Verdict;
  expected: string;
  observed: string;
}

export interface ProbeReport {
  checks: CheckReport[];
  created: { user_id: string; external_user_id: string; heat_pump_ids: string[] }[];
  cleanup: { user_id: string; outcome: string }[];
  /** The day-ahead trading API found by `trading.variant` (null when that check did not run). */
  trading_variant: 'reference' | 'guide' | 'both' | 'neither' | null;
}

export interface ProbeOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  orgId: string;
  fetch: FetchLike;
  /** How long the onboarding check waits for a person to complete the Connect UI (0: skipped). */
  waitSeconds: number;
  pollMs?: number;
  say(line: string): void;
  sleep?: (ms: number) => Promise<void>;
  checks?: readonly Check[];
}

/** Every check, in order: the contract's assumptions, the trading variant, then the other device kinds. */
export const ALL_CHECKS: readonly Check[] = [...CHECKS, ...TRADING_CHECKS, ...DEVICE_CHECKS];

export async function runConformance(options: ProbeOptions): Promise<ProbeReport> {
  const http = new ProbeHttp(options.fetch, options.baseUrl.replace(/\/+$/, ''), options.orgId);
  const ctx: ProbeContext = {
    http,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    prefix: `podero-conformance-${randomBytes(4).toString('hex')}`,
    waitSeconds: options.waitSeconds,
    pollMs: options.pollMs ?? 2_000,
    say: options.say,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    created: new Map(),
  };
  const results: CheckReport[] = [];
  const verdicts = new Map<string, Verdict>();
  for (const check of options.checks ?? ALL_CHECKS) {
    const missing = (check.requires ?? []).filter((id) => verdicts.get(id) !== 'holds');
    let outcome: { verdict: Verdict; observed: string };
    if (missing.length > 0) {
      outcome = { verdict: 'skipped', observed: `needs ${missing.join(', ')} to hold` };
    } else {
      try {
        outcome = await check.run(ctx);
      } catch (error) {
        outcome = {
          verdict: 'diverges',
          observed: `failed: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
    }
    verdicts.set(check.id, outcome.verdict);
    results.push({
      id: check.id,
      verdict: outcome.verdict,
      expected: check.expected,
      observed: outcome.observed,
    });
  }
  // Every check catches its own failure, so this always runs; it touches only the users this run created.
  const cleanup = await cleanUp(ctx);
  return {
    checks: results,
    created: [...ctx.created].map(([id, entry]) => ({
      user_id: id,
      external_user_id: entry.externalId,
      heat_pump_ids: entry.heatPumpIds,
    })),
    cleanup,
    trading_variant: ctx.tradingVariant ?? null,
  };
}

async function cleanUp(ctx: ProbeContext): Promise<{ user_id: string; outcome: string }[]> {
  const outcomes: { user_id: string; outcome: string }[] = [];
  for (const [userId, entry] of ctx.created) {
    if (entry.deleted) {
      outcomes.push({ user_id: userId, outcome: 'deleted by a check' });
      continue;
    }
    try {
      for (const heatPumpId of entry.heatPumpIds) {
        await ctx.http.request('PUT', ctx.http.org(`/users/${userId}/heat-pumps/${heatPumpId}`), {
          body: { deleted_at: new Date().toISOString() },
        });
      }
      for (const path of entry.devicePaths ?? []) {
        await ctx.http.request('PUT', path, { body: { deleted_at: new Date().toISOString() } });
      }
      const removed = await ctx.http.request('DELETE', ctx.http.org(`/users/${userId}`));
      outcomes.push({ user_id: userId, outcome: `DELETE ${removed.status}` });
    } catch (error) {
      outcomes.push({
        user_id: userId,
        outcome: `failed: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }
  return outcomes;
}

export function divergences(report: ProbeReport): number {
  return report.checks.filter((check) => check.verdict === 'diverges').length;
}

/** The report as a plain-text table, one check per line. */
export function renderTable(report: ProbeReport): string {
  const rows = report.checks.map((c) => [c.id, c.verdict, c.expected, c.observed]);
  const header = ['check', 'verdict', 'the bridge assumes', 'observed'];
  const widths = [0, 1].map((i) => Math.max(header[i]?.length ?? 0, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell))
      .join('  ')
      .trimEnd();
  const counts = (['holds', 'diverges', 'skipped'] as const).map(
    (v) => `${report.checks.filter((c) => c.verdict === v).length} ${v}`,
  );
  const created = report.created.map((c) => `  ${c.user_id} (${c.external_user_id})`);
  const cleanup = report.cleanup.map((c) => `  ${c.user_id}: ${c.outcome}`);
  return [
    line(header),
    ...rows.map((row) => line(row.map(String))),
    '',
    counts.join(', '),
    ...(report.trading_variant === null ? [] : [`day-ahead trading variant: ${report.trading_variant}`]),
    ...(created.length > 0 ? ['created:', ...created, 'cleanup:', ...cleanup] : []),
    '',
  ].join('\n');
}
