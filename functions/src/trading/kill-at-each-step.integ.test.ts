/**
 * Nothing twice, nothing lost: each trading day is advanced by real processes (child processes running one
 * trading-workflow run: functions/test-support/children/trading-process.ts), and the first process of each day
 * is killed (SIGKILL) at one step boundary. The next process starts from what DynamoDB holds, which is what a
 * killed Lambda's successor sees. Every day must end confirmed, with exactly one upload at the simulator and at
 * most one confirmation held by it (ADR 0015: on the guide, a process killed right after sending its
 * confirmation has its successor send the same answer again, which Podero treats as a repeat).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTables, type LocalEndpoint, startDynalite } from '@podero-bridge/local-aws';
import type { TradingVariant } from '@podero-bridge/podero-client';
import { type Simulator, startSimulator } from '@podero-bridge/podero-simulator';
import { issueToken } from '@podero-bridge/podero-simulator/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../test-support/environment';
import { tableDeclarations } from '../declarations';
import { DEFAULT_TRADING_CALENDAR, deadlinesOf, quarterHoursOf } from '../domain/trading/market';
import { TradingDayStore } from '../storage/trading-days';
import { TRADING_STEP_NAMES, TradingService, type TradingStepName } from './service';

const region = 'eu-central-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const tables = { main: 'trading-kill-main', readings: 'trading-kill-readings' };
const CHILD = fileURLToPath(new URL('../../test-support/children/trading-process.ts', import.meta.url));
const ZONE = 'AT';

let dynalite: LocalEndpoint;
let doc: DynamoDBDocumentClient;

beforeAll(async () => {
  dynalite = await startDynalite();
  const client = new DynamoDBClient({ endpoint: dynalite.endpoint, region, credentials });
  await ensureTables(client, tables, tableDeclarations);
  doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}, 60_000);
afterAll(async () => {
  doc?.destroy();
  await dynalite?.close();
});

function runProcess(config: Record<string, unknown>): Promise<{ killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(config)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ killed: true });
      else if (code === 0) resolve({ killed: false });
      else reject(new Error(`the trading process failed (${code}): ${stderr.slice(-800)}`));
    });
  });
}

for (const variant of ['guide', 'reference'] as const satisfies readonly TradingVariant[]) {
  describe(`the trading workflow killed at each step (${variant})`, () => {
    let sim: Simulator;
    let token: string;
    // Day i's D−1 is START + i days; each day's processes run on its own D−1 (the clocks only move forward).
    const START = Date.parse('2026-11-09T06:00:00Z'); // 07:00 Berlin
    const clock = { now: START };
    const moveTo = (ms: number) => {
      if (ms > clock.now) {
        sim.control.advanceClock((ms - clock.now) / 1000);
        clock.now = ms;
      }
    };

    beforeAll(async () => {
      sim = await startSimulator({ startTime: new Date(START), seed: 5, tradingVariant: variant });
      sim.control.seed({ users: 2, heatPumpsPerUser: 1, externalIdPrefix: `kill-${variant}` });
    }, 60_000);
    afterAll(async () => {
      await sim?.close();
    });

    const table = `${tables.main}`;
    const steps: (TradingStepName | null)[] = [...TRADING_STEP_NAMES, null].slice(
      0,
      Number(process.env.KSTEPS ?? 99),
    );

    it('resumes every day and never uploads twice or holds two confirmations', async () => {
      const store = new TradingDayStore(doc, table);
      const days: { day: string; killAt: TradingStepName | null; killed: boolean }[] = [];
      for (const [index, killAt] of steps.entries()) {
        // One delivery day per kill step (a different zone per variant keeps the two describes apart).
        const day = new Date(Date.UTC(2026, 10, 10 + index + (variant === 'guide' ? 0 : 12)))
          .toISOString()
          .slice(0, 10);
        const deadlines = deadlinesOf(day, DEFAULT_TRADING_CALENDAR);
        moveTo(Date.parse(deadlines.upload_by) - 2 * 3_600_000);
        const service = new TradingService({
          store,
          podero: { variant } as never,
          calendar: DEFAULT_TRADING_CALENDAR,
          autoConfirm: 'accept',
          now: () => clock.now,
          logger: silentLogger('trading'),
        });
        await service.submitPrices(
          ZONE,
          day,
          quarterHoursOf(day).map((start, i) => ({ start, price_eur_mwh: (i % 24) * 5 - 20 })),
        );
        let killed = false;
        for (let round = 0; round < 8; round++) {
          const state = (await store.get({ zone: ZONE, day }))?.state;
          if (state === 'confirmed' || state === 'missed' || state === 'failed') break;
          // Once uploaded, the next process runs after the calculation is ready (10:30 Berlin).
          if (state === 'uploaded') moveTo(Date.parse(deadlines.curves_expected_at) + 60_000);
          // Tokens live 10 simulated hours; the clock moves days: each process gets a fresh one.
          token = await issueToken(sim);
          const outcome = await runProcess({
            killAt: killed ? null : killAt,
            region,
            dynamo: dynalite.endpoint,
            table,
            poderoBaseUrl: sim.baseUrl,
            orgId: sim.orgId,
            token,
            variant,
            nowMs: clock.now,
          });
          if (outcome.killed) killed = true;
        }
        days.push({ day, killAt, killed });
      }

      const trades = sim.control.trading.snapshot().trades;
      for (const { day, killAt, killed } of days) {
        const stored = await store.get({ zone: ZONE, day });
        expect(stored?.state, `${day} killed at ${killAt}: ${stored?.reason} ${stored?.last_error}`).toBe(
          'confirmed',
        );
        // Every kill step is reached on its day (the last entry runs without a kill); the reference sends no
        // confirmation, so its confirmation steps do not exist there.
        const reachable = killAt !== null && !(variant === 'reference' && killAt.startsWith('after-confirm'));
        expect(killed, `${day} killed at ${killAt}`).toBe(reachable);
        const trade = trades.find((t) => t.delivery_day === day);
        expect(trade?.upload_requests, `${day} uploads (killed at ${killAt})`).toBe(1);
        if (variant === 'guide') {
          expect(trade?.confirmation, `${day} confirmation`).toMatchObject({ accepted: true });
          expect(stored?.podero_confirmation).toBe('sent');
          // Only a process killed between sending and recording makes its successor send the answer again.
          expect(trade?.confirmation_requests, `${day} confirmations (killed at ${killAt})`).toBe(
            killAt === 'after-confirm-sent' ? 2 : 1,
          );
        } else {
          expect(trade?.confirmation_requests).toBe(0);
          expect(stored?.podero_confirmation).toBe('unsupported');
        }
      }
      expect(sim.control.trading.snapshot().counters.uploads_accepted).toBe(days.length);
    }, 240_000);
  });
}
