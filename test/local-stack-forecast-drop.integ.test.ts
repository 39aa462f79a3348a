import { addDays, dayInZone, marketDay } from '@podero-bridge/podero-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './support/local-stack';

/**
 * `pnpm dev`'s forecast drop: a file PUT into the local S3 (its REST protocol, path-style, as any S3 client
 * sends it) reaches trading-forecast-drop through the bucket's object-created notification, and its day and
 * its result appear as in AWS.
 */
const deliveryDay = addDays(dayInZone(Date.now()), 2);
const csv = [
  'timestamp,price_eur_mwh',
  ...marketDay(deliveryDay).quarterHours.map((start, i) => `${start},${(40 + (i % 8)).toFixed(2)}`),
].join('\n');

describe('the local stack takes a dropped forecast file', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({});
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stores the day from a file put under forecasts/ and writes its result under results/', async () => {
    const { s3Endpoint, forecastBucket } = t.stack;
    const put = await fetch(`${s3Endpoint}/${forecastBucket}/forecasts/DE_LU/${deliveryDay}.csv`, {
      method: 'PUT',
      headers: { 'content-type': 'text/csv' },
      body: csv,
    });
    expect(put.status).toBe(200);
    await t.stack.forecastDropsSettled();
    const result = await fetch(
      `${s3Endpoint}/${forecastBucket}/results/DE_LU/${deliveryDay}.csv.result.json`,
    );
    expect(result.status).toBe(200);
    expect(await result.json()).toMatchObject({
      status: 'accepted',
      outcome: 'created',
      price_zone: 'DE_LU',
    });
    const day = await t.api(`/trading/day-ahead/DE_LU/days/${deliveryDay}`, { admin: true });
    expect(day.status).toBe(200);
    expect(await day.json()).toMatchObject({ state: 'prices_received', delivery_day: deliveryDay });
  });
});
