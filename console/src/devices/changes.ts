import type { Schemas } from '../api/client';
import { formatDateTime } from '../dates';

/**
 * A tracked change in words (README, "Changes you can verify"): its status, the fields it requested, and why it
 * failed or was superseded. Pure, so the card's latest change and the change list say the same.
 */
export type DeviceChange = Schemas['DeviceChange'];
export type ChangeStatus = DeviceChange['status'];

export const CHANGE_STATUS_LABELS: Readonly<Record<ChangeStatus, string>> = {
  pending: 'Pending',
  confirmed: 'Confirmed',
  failed: 'Failed',
  superseded: 'Superseded',
};

/** The fields whose generic label would read badly (the console writes "optimisation", the API "optimization"). */
const FIELD_LABELS: Readonly<Record<string, string>> = {
  is_smart_optimization_active: 'Smart optimisation',
  optimization_level: 'Optimisation level',
  pause_power_until: 'Paused until',
  dhw_standard_temperature: 'Hot-water setpoint',
  boost: 'Boost',
};

/** Words a field's name abbreviates, written as the console writes them elsewhere. */
const WORDS: Readonly<Record<string, string>> = {
  dhw: 'hot-water',
  kw: 'kW',
  kwh: 'kWh',
  w: 'W',
  ocpp: 'OCPP',
};

/** A requested field's name in words: `is_space_heating_enabled` is "Space heating enabled". */
export function fieldLabel(name: string): string {
  const known = FIELD_LABELS[name];
  if (known !== undefined) return known;
  const words = name.split('_').filter((word) => word !== '');
  if (words.length > 1 && words[0] === 'is') words.shift();
  const text = words.map((word) => WORDS[word] ?? word).join(' ');
  return text === '' ? name : text.charAt(0).toUpperCase() + text.slice(1);
}

/** An ISO date-time as the API writes them (`2026-07-12T11:04:00.000Z`), not a bare date or a number. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** A requested value in words: yes/no, a time in the console's format and zone, `cleared` for null. */
export function fieldValueText(value: unknown, formatTime: (iso: string) => string = formatDateTime): string {
  if (value === null || value === undefined) return 'cleared';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return DATE_TIME.test(value) ? formatTime(value) : value;
  return JSON.stringify(value);
}

/** The change's fields as label and text, in the order the API sent them. */
export function changeFieldRows(
  fields: DeviceChange['fields'],
  formatTime: (iso: string) => string = formatDateTime,
): [label: string, text: string][] {
  return Object.entries(fields).map(([name, value]) => [fieldLabel(name), fieldValueText(value, formatTime)]);
}

/** The control that requested it: `settings` is a settings write (PATCH), `boost` a boost (POST …/boost). */
export function controlLabel(control: string): string {
  if (control === 'settings') return 'Settings';
  if (control === 'boost') return 'Boost';
  return fieldLabel(control);
}

/**
 * Why the change stands as it does, where the API says: a failed change's reason (`timeout`: not seen applied
 * by its deadline), the newer change that superseded one, a pending change's deadline. Nothing for a confirmed one.
 */
export function changeExplanation(
  change: Pick<DeviceChange, 'status' | 'reason' | 'deadline_at'>,
  formatTime: (iso: string) => string = formatDateTime,
): string | undefined {
  switch (change.status) {
    case 'confirmed':
      return undefined;
    case 'pending':
      return `Not seen applied yet; fails if still not seen by ${formatTime(change.deadline_at)}.`;
    case 'failed':
      if (change.reason === 'timeout')
        return `The device did not show it by its deadline, ${formatTime(change.deadline_at)}.`;
      return change.reason === null ? 'The API gave no reason.' : `Failed: ${change.reason}.`;
    case 'superseded':
      return change.reason === null
        ? 'A newer change to one of its fields replaced it before it settled.'
        : `Change ${change.reason}, newer, requested one of its fields before it settled.`;
  }
}
