/**
 * Wire schemas of the statement routes: the month and zone asked for, and the answer (the pure statement's
 * figures, domain/statements/statement.ts). The same schemas validate and document (OpenAPI).
 */
import * as z from 'zod';
import { isTimeZone, MONTH_PATTERN } from '../domain/statements/month';

export const statementQuerySchema = z.strictObject({
  time_zone: z
    .string()
    .max(64)
    .refine(isTimeZone, 'must be an IANA time zone such as Europe/Vienna')
    .optional()
    .transform((zone) => zone ?? 'UTC')
    .meta({
      description:
        "The zone whose calendar month the statement covers (the customer's, e.g. Europe/Vienna); default UTC",
      example: 'Europe/Vienna',
    }),
  format: z
    .enum(['json', 'csv'])
    .optional()
    .meta({ description: 'csv: the same answer as CSV (as `Accept: text/csv`)' }),
});

export const statementMonthsQuerySchema = statementQuerySchema.pick({ time_zone: true });

export const statementMonthParamSchema = z
  .string()
  .regex(MONTH_PATTERN, 'must be a month YYYY-MM')
  .meta({ description: 'The calendar month, YYYY-MM', example: '2026-01' });

const coverage = z
  .strictObject({
    expected_quarter_hours: z.number().int().meta({ description: 'Whole quarter-hours in the month' }),
    covered_quarter_hours: z.number().int().meta({ description: 'Quarter-hours the figure rests on' }),
    ratio: z.number().meta({ description: 'covered / expected, 4 decimals' }),
  })
  .meta({ id: 'StatementCoverage' });

const gap = z.strictObject({ from: z.string(), to: z.string() }).meta({ id: 'StatementGap' });

const energy = z
  .strictObject({
    kwh: z.number().nullable().meta({ description: 'kWh to 3 decimals; null: no data (missing, not zero)' }),
    coverage,
  })
  .meta({ id: 'StatementEnergy' });

const money = z
  .strictObject({
    amount_minor: z
      .number()
      .int()
      .nullable()
      .meta({ description: "Minor units (cents) of the contract's currency; null: missing" }),
    coverage,
  })
  .meta({ id: 'StatementMoney' });

const NOTES = [
  'no_readings',
  'no_baseline_series',
  'no_baseline_data',
  'no_energy_contract',
  'no_price',
] as const;

const device = z
  .strictObject({
    type: z
      .string()
      .meta({ description: 'The device kind (heat_pump, electric_vehicle, wallbox, inverter)' }),
    device_id: z.string(),
    contract_id: z
      .string()
      .nullable()
      .meta({ description: 'The energy contract that priced it; null: none' }),
    currency: z.string().nullable(),
    consumption: energy
      .extend({ gaps: z.array(gap).meta({ description: 'Quarter-hours without a reading, runs merged' }) })
      .meta({ id: 'StatementConsumption' }),
    baseline: energy,
    cost: money,
    baseline_cost: money,
    saving_energy: energy,
    saving: money,
    notes: z.array(z.enum(NOTES)).meta({ description: 'Why figures are missing or partial' }),
  })
  .meta({ id: 'StatementDevice' });

export const statementSchema = z
  .strictObject({
    external_user_id: z.string(),
    month: z.string(),
    time_zone: z.string(),
    from: z.string().meta({ description: 'Local midnight of the 1st (ISO UTC), inclusive' }),
    to: z.string().meta({ description: "Local midnight of the next month's 1st (ISO UTC), exclusive" }),
    status: z.enum(['final', 'provisional']).meta({
      description: 'final: the month closed a day ago or more; provisional: its figures may still grow',
    }),
    generated_at: z.string(),
    devices: z.array(device),
    total: z
      .strictObject({
        currency: z
          .string()
          .nullable()
          .meta({ description: 'null when devices are priced in different currencies' }),
        consumption: energy,
        baseline: energy,
        cost: money,
        baseline_cost: money,
        saving_energy: energy,
        saving: money,
      })
      .meta({ id: 'StatementTotal' }),
  })
  .meta({ id: 'Statement' });

export const statementMonthListSchema = z
  .strictObject({
    items: z.array(
      z
        .strictObject({
          month: z.string(),
          from: z.string(),
          to: z.string(),
          status: z.enum(['final', 'provisional']),
        })
        .meta({ id: 'StatementMonth' }),
    ),
    next_cursor: z.null(),
  })
  .meta({ id: 'StatementMonthList' });
