/**
 * A customer's monthly savings statement: the bridge's readings of each device's power (consumption), Podero's
 * unoptimised series where the kind has one (baseline, H8), the customer's energy contract at Podero (C1) for
 * the prices, folded by the pure arithmetic in domain/statements/. Nothing is stored: a statement is computed
 * when asked. A vehicle's baseline cost and money saving come from its completed charging sessions (E10).
 *
 * A device that left the account is found through its removal record (storage/device-removals.ts) and is
 * named in every month it had readings in, labelled removed: one removed at Podero with its kept readings
 * (and Podero's baseline where Podero still answers for it), one offboarded through the bridge with every
 * figure missing (`readings_erased`: the offboarding erased its readings), in the months its readings spanned.
 */
import { type PoderoEnergyContract, PoderoNotFoundError } from '@podero-bridge/podero-client';
import type { DeviceKind } from '../domain/devices/kinds';
import type { DeviceSnapshot } from '../domain/devices/state';
import { InvalidError, UnknownUserError } from '../domain/errors';
import { monthOf, monthRange, nextMonth } from '../domain/statements/month';
import { statementStatusAt } from '../domain/statements/ready';
import {
  buildStatement,
  type ChargingSessionFigures,
  type DeviceRemoval,
  type PowerSample,
  type StatementDeviceInput,
  type StatementFigures,
} from '../domain/statements/statement';
import { type Tariff, tariffOf } from '../domain/statements/tariff';
import type { DeviceRemovalRecord, DeviceRemovalStore } from '../storage/device-removals';
import type { UserDeviceState } from '../storage/device-snapshots';
import type { Reading, ReadingsStore } from '../storage/readings';
import type { UserRecord } from '../storage/users';

/** Readings per page while reading a month (a month at one reading per 5 minutes is ~9,000). */
const READINGS_PAGE = 1_000;

/** The month asked for has no statement: before the user was onboarded, or not begun yet. */
export class StatementMonthUnavailableError extends InvalidError {
  override readonly name = 'StatementMonthUnavailableError';
  constructor(month: string, why: 'before_onboarding' | 'future') {
    const message =
      why === 'future'
        ? `${month} has not begun: a statement exists from the month's first day on`
        : `${month} ended before the user was onboarded: the bridge has no data for it`;
    super(message, {
      summary: message,
      fields: [{ field: 'path.month', message }],
    });
  }
}

export interface StatementUpstream {
  energyContracts: { list(userId: string): Promise<PoderoEnergyContract[]> };
}

export interface StatementServiceDeps<Upstream = unknown> {
  podero: Upstream & StatementUpstream;
  /** Every kind, with the store of its readings (in the order `loadDevices` returns their states). */
  kinds: readonly { kind: DeviceKind; readings: Pick<ReadingsStore, 'list'> }[];
  /** The user's profile and each kind's device snapshots, in `kinds`' order. */
  loadDevices(externalUserId: string): Promise<{ user: UserRecord | undefined; states: UserDeviceState[] }>;
  /** The devices that left the user's account (their removal records). */
  removals: Pick<DeviceRemovalStore, 'list'>;
  now: () => number;
}

export interface Statement extends StatementFigures {
  external_user_id: string;
  month: string;
  time_zone: string;
  /** `final` once the month closed a day ago (domain/statements/ready.ts); `provisional` before (figures may still grow). */
  status: 'final' | 'provisional';
  generated_at: string;
}

export interface StatementMonth {
  month: string;
  from: string;
  to: string;
  status: 'final' | 'provisional';
}

export class StatementService {
  constructor(private readonly deps: StatementServiceDeps) {}

  /** The months a statement exists for: from the onboarding month to the current one, newest first. */
  async months(externalUserId: string, timeZone: string): Promise<StatementMonth[]> {
    const { user } = await this.deps.loadDevices(externalUserId);
    if (!user) throw new UnknownUserError(externalUserId);
    const now = this.deps.now();
    const last = monthOf(now, timeZone);
    const months: StatementMonth[] = [];
    // Bounded: ten years of months at most.
    for (
      let month = monthOf(Date.parse(user.created_at), timeZone);
      months.length < 120;
      month = nextMonth(month)
    ) {
      const range = monthRange(month, timeZone);
      months.push({ month, from: range.from, to: range.to, status: this.statusOf(range.to, now) });
      if (month === last) break;
    }
    return months.reverse();
  }

  async get(externalUserId: string, month: string, timeZone: string): Promise<Statement> {
    const range = monthRange(month, timeZone);
    const { user, states } = await this.deps.loadDevices(externalUserId);
    if (!user) throw new UnknownUserError(externalUserId);
    const now = this.deps.now();
    if (Date.parse(range.from) > now) throw new StatementMonthUnavailableError(month, 'future');
    if (Date.parse(range.to) <= Date.parse(user.created_at))
      throw new StatementMonthUnavailableError(month, 'before_onboarding');

    const [contracts, removals] = await Promise.all([
      this.deps.podero.energyContracts.list(user.podero_user_id),
      this.deps.removals.list(externalUserId),
    ]);
    const devices = (
      await Promise.all(
        this.deps.kinds.flatMap(({ kind, readings }, index) => {
          const snapshots = [...(states[index]?.snapshots.values() ?? [])].sort((a, b) =>
            a.deviceId.localeCompare(b.deviceId),
          );
          const current = new Set(snapshots.map((snapshot) => snapshot.deviceId));
          const source = { kind, readings, poderoUserId: user.podero_user_id, contracts, range };
          return [
            ...snapshots.map((snapshot) =>
              this.deviceInput(source, snapshot.deviceId, buildingOf(snapshot), null),
            ),
            ...removals
              .filter((removal) => removal.kind === kind.name && !current.has(removal.deviceId))
              .sort((a, b) => a.deviceId.localeCompare(b.deviceId))
              .map((removal) => this.removedDeviceInput(source, removal)),
          ];
        }),
      )
    ).flatMap((device) => (device ? [device] : []));
    return {
      external_user_id: externalUserId,
      month,
      time_zone: timeZone,
      status: this.statusOf(range.to, now),
      generated_at: new Date(now).toISOString(),
      ...buildStatement(devices, range.from, range.to),
    };
  }

  private statusOf(to: string, now: number): 'final' | 'provisional' {
    return statementStatusAt(to, now);
  }

  private async deviceInput(
    source: DeviceSource,
    deviceId: string,
    buildingId: string | null,
    removal: DeviceRemoval | null,
  ): Promise<StatementDeviceInput> {
    const { kind, readings, poderoUserId, range } = source;
    const { baseline, sessions } = kind.statement;
    // A device removed at Podero may no longer be answered for there: its baseline is then missing.
    const goneTolerant = <T>(call: Promise<T>, fallback: T) =>
      removal
        ? call.catch((error) => (error instanceof PoderoNotFoundError ? fallback : Promise.reject(error)))
        : call;
    const [consumption, baselineSeries, chargingSessions] = await Promise.all([
      this.powerReadings(readings, deviceId, kind.statement.powerField, range),
      baseline ? goneTolerant(baseline(this.deps.podero, poderoUserId, deviceId, range), []) : null,
      sessions
        ? goneTolerant<ChargingSessionFigures[]>(
            sessions(this.deps.podero, poderoUserId, deviceId, range),
            [],
          )
        : null,
    ]);
    return {
      type: kind.name,
      deviceId,
      removal,
      consumption,
      baseline: baselineSeries,
      sessions: chargingSessions,
      tariff: tariffFor(buildingId, source.contracts),
    };
  }

  /**
   * A removed device's entry, or none when it had no readings in the month: one removed before the month
   * began, one whose kept readings hold none of the month, one offboarded whose readings (erased) spanned
   * other months.
   */
  private async removedDeviceInput(
    source: DeviceSource,
    record: DeviceRemovalRecord,
  ): Promise<StatementDeviceInput | undefined> {
    const { range } = source;
    if (!(Date.parse(record.at) > Date.parse(range.from))) return undefined;
    const removal: DeviceRemoval = { at: record.at, by: record.by, readings: record.readings };
    if (record.readings === 'erased') {
      const spanned =
        record.firstReadingAt !== null &&
        record.firstReadingAt < range.to &&
        (record.lastReadingAt ?? record.at) >= range.from;
      if (!spanned) return undefined;
      return {
        type: source.kind.name,
        deviceId: record.deviceId,
        removal,
        consumption: [],
        baseline: null,
        tariff: tariffFor(record.buildingId, source.contracts),
      };
    }
    const input = await this.deviceInput(source, record.deviceId, record.buildingId, removal);
    // The readings were read for the month: any is one of the month's.
    return input.consumption.length > 0 ? input : undefined;
  }

  private async powerReadings(
    readings: Pick<ReadingsStore, 'list'>,
    deviceId: string,
    field: string,
    range: { from: string; to: string },
  ): Promise<PowerSample[]> {
    const samples: PowerSample[] = [];
    let cursor: string | undefined;
    do {
      const page = await readings.list(deviceId, range, READINGS_PAGE, cursor);
      for (const reading of page.readings) {
        const watts = powerOf(reading, field);
        if (watts !== undefined) samples.push({ at: reading.stateAt, watts });
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return samples;
  }
}

function powerOf(reading: Reading, field: string): number | undefined {
  const value = reading.values[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

interface DeviceSource {
  kind: DeviceKind;
  readings: Pick<ReadingsStore, 'list'>;
  poderoUserId: string;
  contracts: readonly PoderoEnergyContract[];
  range: { from: string; to: string };
}

const buildingOf = (snapshot: DeviceSnapshot) =>
  typeof snapshot.device.building_id === 'string' ? snapshot.device.building_id : null;

/**
 * The contract that prices a device: the one for its building, else the one for all of the user's buildings
 * (Podero §3.11: no building applies it to all). None: the device's cost is missing.
 */
export function tariffFor(
  building: string | null,
  contracts: readonly PoderoEnergyContract[],
): Tariff | null {
  const usable = contracts.filter((contract) => typeof contract.id === 'string');
  const chosen =
    (building === null ? undefined : usable.find((contract) => contract.building === building)) ??
    usable.find((contract) => contract.building === null || contract.building === undefined);
  if (!chosen || typeof chosen.id !== 'string') return null;
  return tariffOf({
    contractId: chosen.id,
    type: typeof chosen.energy_contract_type === 'string' ? chosen.energy_contract_type : null,
    currency: typeof chosen.currency_energy_price === 'string' ? chosen.currency_energy_price : null,
    prices: (chosen.energy_prices ?? []).map((entry) => ({
      price: typeof entry.price === 'number' ? entry.price : null,
      timestamp: typeof entry.timestamp === 'string' ? entry.timestamp : null,
    })),
  });
}
