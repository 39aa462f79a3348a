/**
 * Metrics of settled changes by manufacturer (confirmation rate and latency: which vendors steer badly).
 * The dimension is the manufacturer Podero reports, normalised (domain/devices/changes.ts manufacturerOf),
 * bounded per container: the first MANUFACTURER_DIMENSIONS_MAX distinct ones keep their name, the rest
 * count as `other`, so a fleet of odd names cannot multiply CloudWatch's metric streams.
 */
import { changeLatencyMs, type DeviceChange } from '../domain/devices/changes';
import { type MetricEntry, type MetricsSink, MetricUnit } from '../platform/observability';

export const MANUFACTURER_DIMENSIONS_MAX = 25;
export const CHANGE_METRICS = {
  confirmed: 'ChangesConfirmed',
  failed: 'ChangesFailed',
  superseded: 'ChangesSuperseded',
  latency: 'ChangeConfirmationLatency',
} as const;

export class ChangeMetrics {
  private readonly seen = new Set<string>();

  constructor(private readonly sink: Pick<MetricsSink, 'publishWithDimensions'>) {}

  /** The dimension value of a manufacturer: its name while there is room, `other` after. */
  dimensionOf(manufacturer: string | null): string {
    if (manufacturer === null) return 'unknown';
    if (this.seen.has(manufacturer)) return manufacturer;
    if (this.seen.size >= MANUFACTURER_DIMENSIONS_MAX) return 'other';
    this.seen.add(manufacturer);
    return manufacturer;
  }

  /** One document per manufacturer and kind, with the counts and each confirmation's latency. */
  record(changes: readonly DeviceChange[]): void {
    const groups = new Map<string, { kind: string; manufacturer: string; entries: MetricEntry[] }>();
    for (const change of changes) {
      const manufacturer = this.dimensionOf(change.manufacturer);
      const key = `${change.kind}\u0000${manufacturer}`;
      const group = groups.get(key) ?? { kind: change.kind, manufacturer, entries: [] };
      groups.set(key, group);
      if (change.status === 'confirmed') {
        group.entries.push({ name: CHANGE_METRICS.confirmed, unit: MetricUnit.Count, value: 1 });
        const latency = changeLatencyMs(change);
        if (latency !== null)
          group.entries.push({ name: CHANGE_METRICS.latency, unit: MetricUnit.Milliseconds, value: latency });
      } else if (change.status === 'failed') {
        group.entries.push({ name: CHANGE_METRICS.failed, unit: MetricUnit.Count, value: 1 });
      } else if (change.status === 'superseded') {
        group.entries.push({ name: CHANGE_METRICS.superseded, unit: MetricUnit.Count, value: 1 });
      }
    }
    for (const group of groups.values()) {
      this.sink.publishWithDimensions(
        { device_kind: group.kind, manufacturer: group.manufacturer },
        group.entries,
      );
    }
  }
}
