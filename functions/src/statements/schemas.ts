/**
 * Wire schemas of the statement routes: the month and zone asked for, and the answer (the pure statement's
 * figures, domain/statements/statement.ts). The same schemas validate and document (OpenAPI).
 */
import * as z from 'zod';
import { isTimeZone, MONTH_PATTERN } from '../domain/statements/month';
import { STATEMENT_NOTES, UNAVAILABLE_REASONS } from '../domain/statements/statement';

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

const unavailable = z.enum(UNAVAILABLE_REASONS).nullable().meta({
  id: 'StatementUnavailableReason',
  description:
    'Why the figure is null (README, statements): no_readings, readings_erased (the device was offboarded and its readings erased), no_baseline_series (Podero publishes no unoptimised series for the kind), no_baseline_data, no_energy_contract, no_price, currency_mismatch, no_device_figure (a total no device has); null when the figure has a value',
});

const energy = z
  .strictObject({
    kwh: z.number().nullable().meta({ description: 'kWh to 3 decimals; null: no data (missing, not zero)' }),
    coverage,
    unavailable,
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
    unavailable,
  })
  .meta({ id: 'StatementMoney' });

const removal = z
  .strictObject({
    at: z.string().meta({
      description:
        'When the bridge saw it go (ISO): the offboarding, or the sync pass or live read that found it gone at Podero',
    }),
    by: z.enum(['offboarding', 'podero']).meta({
      description: 'offboarding: through the bridge; podero: deleted or disconnected and removed at Podero',
    }),
    readings: z.enum(['kept', 'erased']).meta({
      description: 'erased: the offboarding erased its readings, so every figure is null (readings_erased)',
    }),
  })
  .meta({ id: 'StatementDeviceRemoval' });

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
    removed: removal.nullable().meta({
      description:
        'Set for a device no longer on the account that had readings in the month; its figures cover the month up to its removal',
    }),
    baseline_source: z.enum(['unoptimized_consumption', 'charging_sessions']).nullable().meta({
      description:
        "unoptimized_consumption: Podero's unoptimised series (heat pumps, H8); charging_sessions: Podero's completed charging sessions (vehicles, E10: baseline cost and money saving only, in EUR); null: none (the figures say why)",
    }),
    consumption: energy
      .extend({ gaps: z.array(gap).meta({ description: 'Quarter-hours without a reading, runs merged' }) })
      .meta({ id: 'StatementConsumption' }),
    baseline: energy,
    cost: money,
    baseline_cost: money,
    saving_energy: energy,
    saving: money,
    notes: z.array(z.enum(STATEMENT_NOTES)).meta({ description: 'Why figures are missing or partial' }),
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
