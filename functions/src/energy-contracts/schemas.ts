/**
 * Wire schemas of the energy-contract routes (admin: the retailer sets its customers' tariffs, which
 * Podero optimises against). Stricter than Podero's own (§3.11, every field optional): a contract the
 * bridge creates has a type and at least one price, prices are in time order, and an hourly spot contract
 * names its currency.
 */
import { ENERGY_CONTRACT_TYPES } from '@podero-bridge/podero-client';
import * as z from 'zod';
import { freeText } from '../api/schemas';

/** A price per kWh this far out is a unit mistake (cents for euros), not a tariff. */
export const MAX_PRICE_PER_KWH = 10;
export const MAX_PRICES = 10_000;

const price = z
  .strictObject({
    price: z
      .number()
      .min(-MAX_PRICE_PER_KWH)
      .max(MAX_PRICE_PER_KWH)
      .meta({
        description: `Currency per kWh, -${MAX_PRICE_PER_KWH}..${MAX_PRICE_PER_KWH} (spot prices go negative)`,
      }),
    timestamp: z.iso
      .datetime({ offset: true })
      .meta({ description: 'From when the price applies (ISO-8601 with a zone)' }),
  })
  .meta({ id: 'EnergyPrice' });

const prices = z
  .array(price)
  .min(1)
  .max(MAX_PRICES)
  .refine(
    (list) =>
      list.every(
        (entry, i) => i === 0 || Date.parse(entry.timestamp) > Date.parse(list[i - 1]?.timestamp ?? ''),
      ),
    { message: 'timestamps must be strictly increasing (one price per point in time, in order)' },
  )
  .meta({ description: 'One entry for a constant price, several for variable prices' });

const fields = {
  energy_contract_type: z.enum(ENERGY_CONTRACT_TYPES),
  energy_prices: prices,
  building_id: z.guid('must be a UUID').nullable().meta({
    description: "One of the user's buildings; null (or absent) applies the contract to all of them",
  }),
  meter_id: freeText(19).nullable(),
  supplier: freeText(100).nullable(),
  currency_energy_price: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')
    .nullable()
    .meta({ description: 'ISO 4217; required for spot_hourly contracts' }),
  energy_price_includes_external_components: z
    .boolean()
    .nullable()
    .meta({ description: 'false: the price is the wholesale spot price (without grid fees and taxes)' }),
};

const needsCurrency = (contract: { energy_contract_type?: string; currency_energy_price?: string | null }) =>
  contract.energy_contract_type !== 'spot_hourly' || Boolean(contract.currency_energy_price);

export const createEnergyContractSchema = z
  .strictObject({
    energy_contract_type: fields.energy_contract_type,
    energy_prices: fields.energy_prices,
    building_id: fields.building_id.optional(),
    meter_id: fields.meter_id.optional(),
    supplier: fields.supplier.optional(),
    currency_energy_price: fields.currency_energy_price.optional(),
    energy_price_includes_external_components: fields.energy_price_includes_external_components.optional(),
  })
  .refine(needsCurrency, {
    path: ['currency_energy_price'],
    message: 'is required for spot_hourly contracts',
  })
  .meta({ id: 'CreateEnergyContractRequest' });
export type CreateEnergyContract = z.output<typeof createEnergyContractSchema>;

export const updateEnergyContractSchema = z
  .strictObject({
    energy_contract_type: fields.energy_contract_type.optional(),
    energy_prices: fields.energy_prices.optional(),
    building_id: fields.building_id.optional(),
    meter_id: fields.meter_id.optional(),
    supplier: fields.supplier.optional(),
    currency_energy_price: fields.currency_energy_price.optional(),
    energy_price_includes_external_components: fields.energy_price_includes_external_components.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'must change at least one field' })
  .meta({ id: 'UpdateEnergyContractRequest', minProperties: 1 });
export type UpdateEnergyContract = z.output<typeof updateEnergyContractSchema>;

export const energyContractSchema = z
  .strictObject({
    id: z.string(),
    energy_contract_type: z.string().nullable(),
    energy_prices: z.array(
      z.strictObject({ price: z.number().nullable(), timestamp: z.string().nullable() }),
    ),
    building_id: z.string().nullable(),
    meter_id: z.string().nullable(),
    supplier: z.string().nullable(),
    currency_energy_price: z.string().nullable(),
    energy_price_includes_external_components: z.boolean().nullable(),
  })
  .meta({ id: 'EnergyContract' });
export type EnergyContractView = z.infer<typeof energyContractSchema>;

export const energyContractListSchema = z
  .strictObject({
    items: z.array(energyContractSchema),
    next_cursor: z.null().meta({ description: 'Always null: a user has few contracts, all on one page' }),
  })
  .meta({ id: 'EnergyContractList' });

/** Cross-field rule on the contract as it will be after a PATCH (current merged with the body). */
export function contractIssues(merged: {
  energy_contract_type?: string | null;
  currency_energy_price?: string | null;
}) {
  return merged.energy_contract_type === 'spot_hourly' && !merged.currency_energy_price
    ? [{ path: ['currency_energy_price'], message: 'is required for spot_hourly contracts' }]
    : [];
}
