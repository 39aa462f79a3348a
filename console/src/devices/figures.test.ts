import { describe, expect, it } from 'vitest';
import { figureRows, KIND_FIGURES } from './figures';

describe('a device card’s figures', () => {
  it('shows numbers with their unit, yes/no for flags, texts as they are, and — for what is missing', () => {
    const rows = figureRows(KIND_FIGURES.wallbox, {
      current_power_w: 7400,
      mode: 'CHARGING',
      is_plugged_in: true,
      is_charging: false,
      boost_state: '',
      is_ocpp_connected: null,
    });
    expect(Object.fromEntries(rows)).toEqual({
      Power: '7400 W',
      Mode: 'CHARGING',
      'Plugged in': 'yes',
      Charging: 'no',
      Boost: '—',
      'Boost armed for the next plug-in': '—',
      'OCPP connected': '—',
    });
  });

  it('keeps the order the kind lists its figures in', () => {
    const rows = figureRows(KIND_FIGURES.electric_vehicle, { battery_level: 64 });
    expect(rows[0]).toEqual(['State of charge', '64 %']);
    expect(rows.map(([label]) => label)).toEqual(KIND_FIGURES.electric_vehicle.map((f) => f.label));
  });
});
