/**
 * Savings and statistics: Podero's H6, H7, E12, the inverter's savings and S1 behind the programme routes
 * (a device's through its kind: `kind.insights`), cached for the
 * age each route declares (insights-schemas.ts). A device's figures are served only after ownership is
 * proven (DeviceService.requireOwnedForHistory: our snapshot, or Podero with deleted devices), and a
 * cache entry lives in the user's partition, so one user's answer never reaches another.
 */
import {
  PoderoNotFoundError,
  type OrganisationSavingsResponse as PoderoOrganisationSavings,
  type StatisticsResponse,
} from '@podero-bridge/podero-client';
import type { DeviceKind, deviceKinds } from '../domain/devices/kinds';
import { UnknownUserError } from '../domain/errors';
import type { CachedInsight, InsightOwner, InsightsCache } from '../storage/insights-cache';
import {
  INSIGHTS_MAX_AGE_SECONDS,
  type InsightBucket,
  type InsightsResponse,
  type OrganisationSavingsQuery,
  type OrganisationSavingsResponse,
  type SavingsQuery,
  type StatisticsQuery,
} from './insights-schemas';
import { UnknownDeviceError } from './service';

type Intersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type KindInsights = Extract<(typeof deviceKinds)[number], { insights: unknown }>['insights'];
/** The client each kind's insight calls take (the bucket's part name is no call). */
type UpstreamOf<T> = T extends unknown
  ? { [K in keyof T]: T[K] extends (podero: infer U, ...rest: never[]) => unknown ? U : never }[keyof T]
  : never;

/** The part of the Podero client this service uses: every kind's savings and statistics calls, and S1. */
export type InsightsUpstream = Intersection<UpstreamOf<KindInsights>> & {
  devices: { savings(query: { from: string; to: string }): Promise<PoderoOrganisationSavings> };
};

export interface InsightsServiceDeps {
  podero: InsightsUpstream;
  /**
   * The device's Podero user id once it is proven the user's device of the kind; throws
   * UnknownUserError/UnknownDeviceError.
   */
  requireOwned(kind: DeviceKind, externalUserId: string, deviceId: string): Promise<string>;
  /** Erasure under a racing offboarding: false (and the entry removed) if the user was offboarded. */
  keepIfOnboarded(
    externalUserId: string,
    poderoUserId: string,
    createdSortKeys: readonly string[],
  ): Promise<boolean>;
  cache: InsightsCache;
  now?: () => number;
}

/** Entries stay a little past the longest age a caller may accept, then TTL removes them. */
const KEEP_SECONDS = INSIGHTS_MAX_AGE_SECONDS * 2;

export class DeviceInsightsService {
  private readonly now: () => number;

  constructor(private readonly deps: InsightsServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  async statistics(
    kind: DeviceKind,
    externalUserId: string,
    deviceId: string,
    query: StatisticsQuery,
  ): Promise<InsightsResponse> {
    const resolution = query.resolution ?? ['1DAY'];
    const keywords = query.keywords ?? ['consumption', 'savings'];
    const key = `r=${resolution.join(',')};k=${keywords.join(',')}`;
    const ask = kind.insights?.statistics;
    if (ask === undefined) throw new Error(`Podero offers no statistics of a ${kind.noun}`);
    return this.deviceInsight(
      kind,
      externalUserId,
      deviceId,
      'statistics',
      key,
      query.max_age_seconds,
      (userId) =>
        ask(this.deps.podero, userId, deviceId, { resolution: [...resolution], keywords: [...keywords] }),
    );
  }

  async savings(
    kind: DeviceKind,
    externalUserId: string,
    deviceId: string,
    query: SavingsQuery,
  ): Promise<InsightsResponse> {
    const resolution = query.resolution ?? '1MONTH';
    const key = `f=${query.from};t=${query.to};r=${resolution}`;
    const ask = kind.insights?.savings;
    if (ask === undefined) throw new Error(`Podero offers no savings of a ${kind.noun}`);
    return this.deviceInsight(
      kind,
      externalUserId,
      deviceId,
      'savings',
      key,
      query.max_age_seconds,
      (userId) => ask(this.deps.podero, userId, deviceId, { from: query.from, to: query.to, resolution }),
    );
  }

  async organisationSavings(query: OrganisationSavingsQuery): Promise<OrganisationSavingsResponse> {
    const owner: InsightOwner = { organisation: true };
    const key = `f=${query.from};t=${query.to}`;
    const { body, fetchedAt, source } = await this.cached(
      owner,
      'org-savings',
      key,
      query.max_age_seconds,
      async () => {
        const answer = await this.deps.podero.devices.savings({ from: query.from, to: query.to });
        return { answer, keep: async () => {} };
      },
    );
    const totals = body as PoderoOrganisationSavings;
    return {
      total_savings: numberOrNull(totals.total_savings),
      heat_pump_savings: numberOrNull(totals.heat_pump_savings),
      electric_vehicle_savings: numberOrNull(totals.electric_vehicle_savings),
      inverter_savings: numberOrNull(totals.inverter_savings),
      from: query.from,
      to: query.to,
      source,
      fetched_at: fetchedAt,
      max_age_seconds: query.max_age_seconds,
    };
  }

  private async deviceInsight(
    deviceKind: DeviceKind,
    externalUserId: string,
    deviceId: string,
    kind: string,
    queryKey: string,
    maxAgeSeconds: number,
    ask: (poderoUserId: string) => Promise<StatisticsResponse>,
  ): Promise<InsightsResponse> {
    const poderoUserId = await this.deps.requireOwned(deviceKind, externalUserId, deviceId);
    const owner: InsightOwner = { externalUserId, deviceId };
    const { body, fetchedAt, source } = await this.cached(owner, kind, queryKey, maxAgeSeconds, async () => {
      let answer: StatisticsResponse;
      try {
        answer = await ask(poderoUserId);
      } catch (error) {
        if (error instanceof PoderoNotFoundError) throw new UnknownDeviceError(deviceKind.noun, deviceId);
        throw error;
      }
      const keep = async (sk: string) => {
        // Offboarded while Podero answered: the entry is removed again, and the user is gone.
        if (!(await this.deps.keepIfOnboarded(externalUserId, poderoUserId, [sk]))) {
          throw new UnknownUserError(externalUserId);
        }
      };
      return { answer, keep };
    });
    const response = body as StatisticsResponse;
    return {
      buckets: response.data.map((bucket) =>
        bucketView(bucket, deviceKind.insights?.bucketPart ?? 'heat_pump'),
      ),
      units: unitsOf(response.metadata?.units),
      source,
      fetched_at: fetchedAt,
      max_age_seconds: maxAgeSeconds,
    };
  }

  /** A cached answer young enough, or Podero's, stored for the next caller. */
  private async cached(
    owner: InsightOwner,
    kind: string,
    queryKey: string,
    maxAgeSeconds: number,
    fetch: () => Promise<{ answer: unknown; keep: (sk: string) => Promise<void> }>,
  ): Promise<CachedInsight & { source: 'cache' | 'live' }> {
    if (maxAgeSeconds > 0) {
      const hit = await this.deps.cache.get(owner, kind, queryKey);
      if (hit && (this.now() - Date.parse(hit.fetchedAt)) / 1000 <= maxAgeSeconds) {
        return { ...hit, source: 'cache' };
      }
    }
    const fetchedAt = new Date(this.now()).toISOString();
    const { answer, keep } = await fetch();
    // Not stored (too large for an item): nothing to erase, and the caller still gets the answer.
    const stored = await this.deps.cache.put(owner, kind, queryKey, answer, fetchedAt, KEEP_SECONDS);
    if (stored?.created) await keep(stored.sk);
    return { body: answer, fetchedAt, source: 'live' };
  }
}

const numberOrNull = (value: unknown): number | null => (typeof value === 'number' ? value : null);
const textOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** Podero's bucket, allow-listed: of its per-kind parts, only the device's kind's (`part`) is about it. */
function bucketView(bucket: StatisticsResponse['data'][number], part: string): InsightBucket {
  const b = bucket as Record<string, unknown>;
  const period = (b.period ?? {}) as Record<string, unknown>;
  const savings = b.savings as Record<string, unknown> | null | undefined;
  const consumption = b.consumption as Record<string, unknown> | null | undefined;
  const device = b[part] as Record<string, unknown> | null | undefined;
  const production = numberOrNull(device?.solar_production_wh);
  const exported = numberOrNull(device?.grid_export_wh);
  return {
    resolution: textOrNull(b.resolution),
    period: { start: textOrNull(period.start_period), end: textOrNull(period.end_period) },
    savings:
      savings && typeof savings === 'object'
        ? { total: numberOrNull(savings.total), percentage: numberOrNull(savings.percentage) }
        : null,
    consumption_total: numberOrNull(consumption?.total),
    estimated_consumption_wh: numberOrNull(device?.estimated_consumption_wh),
    charge_session_count: numberOrNull(device?.charge_session_count),
    average_charge_power_w: numberOrNull(device?.average_charge_power_w),
    solar_production_wh: production,
    grid_export_wh: exported,
    self_consumption_wh:
      numberOrNull(device?.self_consumption_wh) ??
      (production !== null && exported !== null ? production - exported : null),
  };
}

function unitsOf(units: unknown): Record<string, string> {
  if (!units || typeof units !== 'object') return {};
  return Object.fromEntries(
    Object.entries(units).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}
