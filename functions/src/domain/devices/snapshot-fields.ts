/**
 * What a stored snapshot keeps of Podero's device object: a projection, declared by each kind as data
 * (`DeviceKindStorage.snapshotFields`), not Podero's whole object. Podero's object is 2.4–2.9 KB and carries
 * what the bridge never shows or judges (the owner's e-mail, back-office comments, the manufacturer cloud's
 * links) and the cue links' secrets (`actions[].resolution_link.url`); a snapshot rewritten every pass pays for
 * every byte of it (issue 39: three of five write units per device and pass).
 *
 * A kind's projection is the union of what reads a snapshot:
 * - its view's allow-list (every field a cached answer shows: the view of the projection is the view of
 *   Podero's object, snapshot-fields.test.ts and the simulator test check it for every kind);
 * - its reading fields;
 * - the fields its controls may change (the keys of each control's body: a change's settlement compares
 *   them with an observation);
 * - what else its rules read (`alsoKept`: a change check such as the boost's, an event's field);
 * - and what the shared rules read on every kind (`BRIDGE_FIELDS`): ownership, deletion, the connection and
 *   its pending actions, the health's inputs, the model, the building.
 * Nested objects the rules read only a part of are cut to that part (`owner` to its id, `actions` to their
 * codes, `device_model` to its descriptive fields), so no secret and no personal data is stored.
 * Pure: no I/O.
 */
import type { DeviceJson } from './state';

/** What the shared rules (rules.ts, health.ts, view.ts, changes.ts, statements) read of every kind. */
export const BRIDGE_FIELDS = [
  'id',
  'owner',
  'deleted_at',
  'is_authenticated',
  'action_needed',
  'actions',
  'device_model',
  'steering_status',
  'actual_steering_state',
  'current_state_last_updated_at',
  'building',
  'building_id',
] as const;

export interface SnapshotFieldSources {
  /** The view's allow-listed fields (the kind's field schemas: only the keys are read). */
  readonly viewFields: Readonly<Record<string, unknown>>;
  readonly readingFields: readonly string[];
  /** The kind's controls: the keys of an object body are fields a settlement compares. */
  readonly controls?: Readonly<Record<string, { readonly body: unknown }>>;
  /** Fields a rule of the kind reads that none of the above names. */
  readonly alsoKept?: readonly string[];
}

/** The keys of a zod object schema (`shape`), without importing zod's classes: anything else has none. */
function bodyKeysOf(body: unknown): string[] {
  if (body === null || typeof body !== 'object' || !('shape' in body)) return [];
  const shape = (body as { shape: unknown }).shape;
  return shape !== null && typeof shape === 'object' ? Object.keys(shape) : [];
}

/** A kind's snapshot fields, sorted (a stable declaration: the same list whatever the sources' order). */
export function snapshotFieldsOf(sources: SnapshotFieldSources): readonly string[] {
  const fields = new Set<string>([
    ...BRIDGE_FIELDS,
    ...Object.keys(sources.viewFields),
    ...sources.readingFields,
    ...Object.values(sources.controls ?? {}).flatMap((control) => bodyKeysOf(control.body)),
    ...(sources.alsoKept ?? []),
  ]);
  return [...fields].sort();
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Only the parts of a nested object the rules read; anything else as it came. */
const NESTED_CUTS: Readonly<Record<string, (value: unknown) => unknown>> = {
  // Ownership (rules.ts ownedBy) reads the id; the rest is the owner's personal data.
  owner: (value) => (isObject(value) && 'id' in value ? { id: value.id } : value),
  // The connection and the view read each action's code; the resolution link carries the cue's secret.
  actions: (value) =>
    Array.isArray(value)
      ? value.map((entry) => (isObject(entry) && 'code' in entry ? { code: entry.code } : entry))
      : value,
  // The view (view.ts pickDeviceModel) and the change metrics (changes.ts manufacturerOf) read these four.
  device_model: (value) => {
    if (!isObject(value)) return value;
    const kept: Record<string, unknown> = {};
    for (const key of ['device_type', 'manufacturer', 'model', 'year'] as const) {
      if (key in value) kept[key] = value[key];
    }
    if (isObject(kept.device_type)) {
      const { short_name, long_name } = kept.device_type;
      kept.device_type = { short_name, long_name };
    }
    return kept;
  },
};

/**
 * The part of Podero's object a snapshot stores: the declared fields present in it, in Podero's order (so the
 * same answer projects to the same JSON, pass after pass: the sync compares them to skip a rewrite).
 */
export function projectDevice(device: DeviceJson, fields: readonly string[]): DeviceJson {
  const keep = new Set(fields);
  const projected: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(device)) {
    if (!keep.has(key) || value === undefined) continue;
    const cut = NESTED_CUTS[key];
    projected[key] = cut ? cut(value) : value;
  }
  return { ...projected, id: device.id };
}
