import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTables, type LocalEndpoint, startDynalite } from '@podero-bridge/local-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableDeclarations } from '../declarations';
import { SAVINGS_MAX_RANGE_DAYS } from '../devices/insights-schemas';
import { heatPumpKind } from '../domain/devices/heat-pump';
import { InsightsCache, insightKey } from './insights-cache';

let dynalite: LocalEndpoint;
let doc: DynamoDBDocumentClient;
const tables = { main: 'insights-main', readings: 'insights-readings' };

beforeAll(async () => {
  dynalite = await startDynalite();
  const client = new DynamoDBClient({ endpoint: dynalite.endpoint, region: 'eu-central-1' });
  await ensureTables(client, tables, tableDeclarations);
  doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
});
afterAll(async () => {
  doc?.destroy();
  await dynalite?.close();
});

const FETCHED_AT = '2026-06-01T12:00:00.000Z';
const DAY_MS = 86_400_000;

/** Full-precision numbers that compress as badly as real ones can (a fixed seed: the same every run). */
function numbers(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return (state / 2 ** 31) * 10_000;
  };
}

/** H7's answer for the longest documented query: a daily bucket per day, every documented field set. */
function longestSavingsAnswer() {
  const next = numbers(7);
  const start = Date.parse(FETCHED_AT) - SAVINGS_MAX_RANGE_DAYS * DAY_MS;
  const data = Array.from({ length: SAVINGS_MAX_RANGE_DAYS + 1 }, (_, day) => ({
    resolution: '1DAY',
    period: {
      start_period: new Date(start + day * DAY_MS).toISOString(),
      end_period: new Date(start + (day + 1) * DAY_MS).toISOString(),
    },
    savings: { total: next(), percentage: next() },
    consumption: { total: next() },
    [heatPumpKind.name]: { estimated_consumption_wh: next() },
    electric_vehicle: {
      estimated_consumption_wh: next(),
      charge_session_count: next(),
      average_charge_power_w: next(),
    },
    inverter: { solar_production_wh: next(), grid_export_wh: next() },
  }));
  return {
    metadata: { requested_at: FETCHED_AT, query: {}, units: { savings: 'EUR' }, error: '' },
    data,
  };
}

describe('the insights cache in the main table (dynalite, real SDK)', () => {
  const cache = () => new InsightsCache(doc, tables.main);
  const owner = { externalUserId: 'ada', deviceId: 'hp-1' };

  it('stores and returns exactly the longest documented answer, far larger than an item as JSON', async () => {
    const answer = longestSavingsAnswer();
    expect(JSON.stringify(answer).length).toBeGreaterThan(400 * 1024);
    const stored = await cache().put(owner, 'savings', 'long', answer, FETCHED_AT, 7_200);
    expect(stored).toEqual({ created: true, sk: insightKey(owner, 'savings', 'long').sk });
    expect(await cache().get(owner, 'savings', 'long')).toEqual({ body: answer, fetchedAt: FETCHED_AT });
  });

  it('does not store an answer too large for an item even compressed, and keeps the entry it had', async () => {
    const small = { data: [] };
    await cache().put(owner, 'savings', 'huge', small, FETCHED_AT, 7_200);
    const huge = { noise: randomBytes(450_000).toString('base64') };
    const later = '2026-06-01T13:00:00.000Z';
    expect(await cache().put(owner, 'savings', 'huge', huge, later, 7_200)).toBeUndefined();
    expect(await cache().get(owner, 'savings', 'huge')).toEqual({ body: small, fetchedAt: FETCHED_AT });
  });
});
