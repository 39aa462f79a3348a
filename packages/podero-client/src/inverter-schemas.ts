/**
 * Wire types of solar inverters and the home batteries behind them (§3.9: I1–I7, and Appendix B's inverter
 * savings). Tolerant responses, strict requests (see schemas.ts).
 */
import * as z from 'zod';
import {
  bool,
  deviceModelWriteSchema,
  deviceUpdateOnlyFields,
  deviceWritableFields,
  instantSchema,
  num,
  oneOrMany,
  percentSchema,
} from './schema-parts';
import { dataResolutionSchema, poderoDeviceSchema } from './schemas';

/**
 * A solar inverter: the common device fields plus its own (§3.9). Signs as Podero documents them:
 * `current_power_to_grid_w` positive when exporting, negative when importing;
 * `battery_charge_discharge_power_w` positive when the battery discharges, negative when it charges
 * (the old guide had the opposite sign).
 */
export const poderoInverterSchema = poderoDeviceSchema.extend({
  solar_power_rating_kw: num,
  is_battery_connected: bool,
  battery_capacity_kwh: num,
  min_battery_charge: num,
  max_battery_charge: num,
  current_power_to_grid_w: num,
  current_solar_production_w: num,
  household_consumption_w: num,
  solar_surplus_w: num,
  /** 0–100; null (or 0) without a battery. */
  battery_charge_level_percent: num,
  battery_charge_discharge_power_w: num,
});
export type PoderoInverter = z.infer<typeof poderoInverterSchema>;

/** The inverter's writable fields: the common ones, the rating and the battery (§3.9 "W"). */
const inverterWritableFields = {
  ...deviceWritableFields,
  solar_power_rating_kw: z.number().nonnegative().nullish(),
  is_battery_connected: z.boolean().optional(),
  /** Required by Podero when a battery is connected. */
  battery_capacity_kwh: z.number().nonnegative().nullish(),
  min_battery_charge: percentSchema.nullish(),
  max_battery_charge: percentSchema.nullish(),
};

/** The battery's limits, when both are sent: a minimum above the maximum is refused before sending. */
function batteryLimitsInOrder(body: {
  min_battery_charge?: number | null;
  max_battery_charge?: number | null;
}) {
  const { min_battery_charge: min, max_battery_charge: max } = body;
  return min === undefined || min === null || max === undefined || max === null || min <= max;
}
const batteryLimitsMessage = {
  message: 'must not be above max_battery_charge',
  path: ['min_battery_charge'],
};

/** I2 `POST .../inverters`: every field optional. */
export const createInverterRequestSchema = z
  .strictObject({
    ...inverterWritableFields,
    is_forecasting_enabled: z.boolean().optional(),
    device_model: deviceModelWriteSchema.optional(),
  })
  .refine(batteryLimitsInOrder, batteryLimitsMessage);
export type CreateInverterRequest = z.infer<typeof createInverterRequestSchema>;

/** I4 `PUT .../inverters/{id}`: a partial update (the battery limits, say). */
export const updateInverterRequestSchema = z
  .strictObject({
    ...inverterWritableFields,
    device_model: deviceModelWriteSchema.optional(),
    ...deviceUpdateOnlyFields,
  })
  .refine(batteryLimitsInOrder, batteryLimitsMessage);
export type UpdateInverterRequest = z.infer<typeof updateInverterRequestSchema>;

// ---------------------------------------------------------------------------------------------
// Data (I6, beta)

export const INVERTER_DATA_KEYWORDS = [
  'export_power_to_grid_w',
  'battery_charge_level_percent',
  'battery_charge_discharge_power_w',
  'household_consumption_w',
  'solar_production_w',
] as const;
export const inverterDataKeywordSchema = z.enum(INVERTER_DATA_KEYWORDS);
export type InverterDataKeyword = z.infer<typeof inverterDataKeywordSchema>;

export const inverterDataQuerySchema = z.strictObject({
  from_datetime: instantSchema.optional(),
  to_datetime: instantSchema.optional(),
  resolution: dataResolutionSchema.optional(),
  /** Sent comma-separated with no spaces, as I6 requires. */
  keywords: oneOrMany(inverterDataKeywordSchema).optional(),
  /** Sent as the `fill-missing` header (as for heat pumps, H8). */
  fillMissing: z.boolean().optional(),
});
export type InverterDataQuery = z.input<typeof inverterDataQuerySchema>;

const inverterDataPointSchema = z.looseObject({
  time: z.string(),
  price: num,
  solar_production_w: num,
  export_power_to_grid_w: num,
  household_consumption_w: num,
  battery_charge_level_percent: num,
  battery_charge_discharge_power_w: num,
  estimated_consumption: num,
  unoptimized_consumption: num,
});
export const inverterDataResponseSchema = z.looseObject({
  metadata: z.looseObject({}).nullish(),
  data: z.array(inverterDataPointSchema),
});
export type InverterDataResponse = z.infer<typeof inverterDataResponseSchema>;
export type InverterDataPoint = z.infer<typeof inverterDataPointSchema>;
