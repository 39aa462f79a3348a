/**
 * The charging controls' wire schemas (devices/charging.ts, lambdas/api/routes/charging.ts): the weekly
 * charge policy, charging sessions, the boost's refusal, the wallbox claim token and the user's charging
 * configuration. Requests are strict; answers are allow-listed from Podero's tolerant shapes (Podero's
 * unknown fields never reach a caller). The same zod schemas generate the OpenAPI document.
 */
import {
  CHARGING_MODES,
  type ChargePolicyResponse,
  type ChargingConfig,
  type ChargingSession,
  SESSIONS_PAGE_MAX,
  WEEKDAYS,
} from '@podero-bridge/podero-client';
import * as z from 'zod';
import { BOOST_REFUSAL_REASONS, BOOST_REFUSAL_STATES } from '../domain/charging-controls';
import { changeSchema } from './change-schemas';
import { queryInt } from './schemas';

const timeOfDay = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h)')
  .meta({ description: 'HH:MM, 24 h, in the policy’s timezone' });

const chargePolicyDaySchema = z
  .strictObject({
    charge_percentage: z
      .number()
      .int('must be a whole number')
      .min(0)
      .max(100)
      .meta({ description: 'State of charge to reach by the deadline, % (0..100)' }),
    charge_deadline: timeOfDay,
  })
  .meta({ id: 'ChargePolicyDay' });

const weekShape = <T extends z.ZodType>(day: T) =>
  Object.fromEntries(WEEKDAYS.map((name) => [name, day])) as Record<(typeof WEEKDAYS)[number], T>;

/** PUT body: every one of the seven days (a policy with a day left out is ambiguous), and the timezone. */
export const chargePolicyBodySchema = z
  .strictObject({
    ...weekShape(chargePolicyDaySchema),
    timezone: z
      .string()
      .regex(
        /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/,
        'must be an IANA timezone such as Europe/Vienna',
      )
      .max(64)
      .optional()
      .meta({ description: 'IANA timezone of the deadlines (Podero keeps its own when left out)' }),
  })
  .meta({
    id: 'ChargePolicyUpdate',
    description:
      'The weekly charge policy: a target and a deadline for each of the seven days. Applied while the vehicle’s `is_charge_policy_enabled` is true.',
  });
export type ChargePolicyBody = z.output<typeof chargePolicyBodySchema>;

const policyDayViewSchema = z
  .strictObject({ charge_percentage: z.number().nullable(), charge_deadline: z.string().nullable() })
  .nullable();

export const chargePolicyAnswerSchema = z
  .strictObject({
    electric_vehicle_id: z.string(),
    ...weekShape(policyDayViewSchema),
    timezone: z.string().nullable(),
  })
  .meta({ id: 'ChargePolicy', description: 'The weekly charge policy, live from Podero' });
export type ChargePolicyAnswer = z.output<typeof chargePolicyAnswerSchema>;

/** The PUT's answer: the policy as E8 reads it after the write, and the tracked change the write recorded. */
export const chargePolicyWriteAnswerSchema = chargePolicyAnswerSchema
  .extend({
    change: changeSchema.meta({
      description:
        'The policy as a tracked change (`control` `charge_policy`, `fields` the week as sent): confirmed once a read of the policy (E8: this answer’s read, `GET …/charge-policy`, or the sync’s, which reads it while the change is open) shows every requested day and the timezone if sent',
    }),
  })
  .meta({
    id: 'ChargePolicyWrite',
    description: 'The weekly charge policy, read live from Podero after the write, with its tracked change',
  });
export type ChargePolicyWriteAnswer = z.output<typeof chargePolicyWriteAnswerSchema>;

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const num = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

export function chargePolicyAnswerOf(
  electricVehicleId: string,
  read: ChargePolicyResponse | undefined,
): ChargePolicyAnswer {
  const data = read?.data ?? undefined;
  const days = Object.fromEntries(
    WEEKDAYS.map((name) => {
      const day = data?.[name];
      return [
        name,
        day
          ? { charge_percentage: num(day.charge_percentage), charge_deadline: str(day.charge_deadline) }
          : null,
      ];
    }),
  ) as Record<(typeof WEEKDAYS)[number], z.output<typeof policyDayViewSchema>>;
  return { electric_vehicle_id: electricVehicleId, ...days, timezone: str(data?.timezone) };
}

// ---------------------------------------------------------------------------------------------
// Charging sessions (E10, E11)

const utcDay = z.iso.date('must be a date, YYYY-MM-DD');
export const SESSIONS_LIMIT_DEFAULT = 50;
/** A year and a day: Podero's range is not bounded in the reference; the bridge keeps one page's question small. */
export const SESSIONS_RANGE_MAX_DAYS = 366;

export const sessionsQuerySchema = z
  .strictObject({
    from: utcDay.meta({
      description: 'First UTC day (inclusive) a session’s plug-in may fall on, YYYY-MM-DD',
    }),
    to: utcDay.meta({ description: 'Last UTC day (inclusive), YYYY-MM-DD; at most 366 days after from' }),
    limit: queryInt(1, SESSIONS_PAGE_MAX, SESSIONS_LIMIT_DEFAULT).meta({
      description: `Sessions per page, 1..${SESSIONS_PAGE_MAX}. Default ${SESSIONS_LIMIT_DEFAULT}.`,
    }),
    cursor: z.string().min(1).max(512).optional().meta({
      description: 'Opaque `next_cursor` of the previous page, with the same vehicle, from and to.',
    }),
  })
  .refine((q) => q.from <= q.to, { path: ['to'], message: 'must not be before from' })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= SESSIONS_RANGE_MAX_DAYS * 86_400_000, {
    path: ['to'],
    message: `must be at most ${SESSIONS_RANGE_MAX_DAYS} days after from`,
  });
export type SessionsQuery = z.output<typeof sessionsQuerySchema>;

const SESSION_TIMES = [
  'plug_in_time',
  'unplug_time',
  'inferred_session_end',
  'desired_charging_start_time',
  'desired_charging_end_time',
  'charge_deadline',
] as const;
const SESSION_NUMBERS = [
  'target_soc_pct',
  'initial_soc_pct',
  'final_soc_pct',
  'energy_charged_kwh',
  'avg_charge_power_kw',
  'peak_charge_power_kw',
  'actual_cost_eur',
  'expected_savings_eur',
  'actual_savings_eur',
] as const;

export const chargingSessionSchema = z
  .strictObject({
    id: z.string(),
    ...(Object.fromEntries(SESSION_TIMES.map((name) => [name, z.string().nullable()])) as Record<
      (typeof SESSION_TIMES)[number],
      z.ZodNullable<z.ZodString>
    >),
    ...(Object.fromEntries(SESSION_NUMBERS.map((name) => [name, z.number().nullable()])) as Record<
      (typeof SESSION_NUMBERS)[number],
      z.ZodNullable<z.ZodNumber>
    >),
    is_at_home: z.boolean().nullable(),
    session_outcome: z
      .string()
      .nullable()
      .meta({ description: 'Podero’s outcome code (`not_at_home` is documented; others may appear)' }),
  })
  .meta({ id: 'ChargingSession', description: 'One charging session, as Podero reports it' });
export type ChargingSessionView = z.output<typeof chargingSessionSchema>;

/** An outcome code is passed on only when it looks like one (never free text). */
const codeOf = (value: unknown): string | null =>
  typeof value === 'string' && /^[a-z][a-z0-9_]{0,63}$/.test(value) ? value : null;

export function chargingSessionViewOf(session: ChargingSession): ChargingSessionView {
  const view: Record<string, unknown> = { id: session.id };
  for (const name of SESSION_TIMES) view[name] = str(session[name]);
  for (const name of SESSION_NUMBERS) view[name] = num(session[name]);
  view.is_at_home = typeof session.is_at_home === 'boolean' ? session.is_at_home : null;
  view.session_outcome = codeOf(session.session_outcome);
  return view as ChargingSessionView;
}

export const chargingSessionListSchema = z
  .strictObject({
    items: z.array(chargingSessionSchema),
    total: z.number().int().meta({ description: 'Sessions in the whole range, as Podero counts them' }),
    next_cursor: z
      .string()
      .nullable()
      .meta({ description: 'Pass as `cursor` for the next page; null on the last.' }),
  })
  .meta({
    id: 'ChargingSessionList',
    description: 'Completed sessions whose plug-in is in the range, newest first',
  });

export const currentChargingSessionSchema = z
  .strictObject({
    session: chargingSessionSchema
      .nullable()
      .meta({ description: 'The session under way; null when the vehicle is not plugged in' }),
  })
  .meta({ id: 'CurrentChargingSession' });

// ---------------------------------------------------------------------------------------------
// Boost

export const boostOutcomeSchema = z.enum(['started', 'armed']).meta({
  description:
    'started: the vehicle was plugged in and charges now, bypassing optimisation; armed: it was not, and the boost fires at the next plug-in',
});

/** A refused boost: Podero's documented reason and the boost state it saw. */
export const boostRefusedBodySchema = z
  .strictObject({
    error: z.strictObject({
      code: z.literal('boost_refused'),
      message: z.string(),
      reason: z.enum(BOOST_REFUSAL_REASONS).meta({
        description:
          'already_charging: a boost is requested or under way; fully_charged: at its target; no_active_session: plugged in where Podero has no session (away from home); internal_error: Podero could not reach the manufacturer; unknown: a reason Podero added since',
      }),
      state: z.enum(BOOST_REFUSAL_STATES).meta({ description: 'The boost_state Podero reported' }),
      request_id: z.string().optional(),
    }),
  })
  .meta({ id: 'BoostRefused' });

// ---------------------------------------------------------------------------------------------
// Wallbox claim token (W6)

export const claimTokenAnswerSchema = z
  .strictObject({
    token: z.string().nullable().meta({
      description:
        'The one-time token for the installer’s app. A secret: shown in this answer only (a replay of the request with its Idempotency-Key answers null), never stored by the bridge.',
    }),
    wss_url: z.string().nullable().meta({
      description: 'Where the box connects to be claimed (null on a replay, as token)',
    }),
    expires_at: z.string().nullable(),
  })
  .meta({ id: 'WallboxClaimToken' });

// ---------------------------------------------------------------------------------------------
// The user's charging configuration (CC1, CC2)

export const chargingModeSchema = z.enum(CHARGING_MODES).meta({
  description:
    'none: no steering; spot: charging follows day-ahead prices; hems: the home energy system (PV surplus); hems_and_spot: both. Intraday and curtailment steering are not visible here.',
});

export const chargingConfigBodySchema = z
  .strictObject({ mode: chargingModeSchema })
  .meta({ id: 'ChargingConfigUpdate' });
export type ChargingConfigBody = z.output<typeof chargingConfigBodySchema>;

export const chargingConfigAnswerSchema = z
  .strictObject({
    mode: z
      .enum([...CHARGING_MODES, 'unknown'])
      .nullable()
      .meta({ description: 'unknown: a mode Podero added since' }),
    available_modes: z.array(chargingModeSchema).nullable(),
    unavailability_reasons: z.record(z.string(), z.array(z.string())).nullable().meta({
      description: 'Per mode the user cannot choose, Podero’s reason codes (no_ev, no_inverter, ...)',
    }),
    updated_at: z.string().nullable(),
  })
  .meta({ id: 'ChargingConfig', description: 'The user’s charging configuration, live from Podero' });
export type ChargingConfigAnswer = z.output<typeof chargingConfigAnswerSchema>;
export type ChargingConfigWriteAnswer = z.output<typeof chargingConfigWriteAnswerSchema>;

/** The PUT's answer: the configuration as CC1 reads it after the write, and the change it recorded. */
export const chargingConfigWriteAnswerSchema = chargingConfigAnswerSchema
  .extend({
    change: changeSchema.meta({
      description:
        'The write as a tracked change (`control` `charging_config`, `fields.mode` as sent): confirmed once a read of the configuration (CC1: this answer’s read, `GET …/charging-config`, or the sync’s, which reads it while a change is open) shows the requested `mode`; failed when none does within an hour',
    }),
  })
  .meta({
    id: 'ChargingConfigWrite',
    description:
      'The user’s charging configuration, read live from Podero after the write, with its tracked change',
  });

const isMode = (value: unknown): value is (typeof CHARGING_MODES)[number] =>
  typeof value === 'string' && (CHARGING_MODES as readonly string[]).includes(value);

/** Podero's configuration, allow-listed: its shape beyond `mode` is [INFERRED], so each part is optional. */
export function chargingConfigAnswerOf(config: ChargingConfig): ChargingConfigAnswer {
  const raw = config as Record<string, unknown>;
  const available = Array.isArray(raw.available_modes) ? raw.available_modes.filter(isMode) : null;
  let reasons: Record<string, string[]> | null = null;
  if (raw.unavailability_reasons && typeof raw.unavailability_reasons === 'object') {
    reasons = {};
    for (const [mode, list] of Object.entries(raw.unavailability_reasons as Record<string, unknown>)) {
      if (!isMode(mode) || !Array.isArray(list)) continue;
      reasons[mode] = list.map(codeOf).filter((code): code is string => code !== null);
    }
  }
  return {
    mode:
      config.mode === undefined || config.mode === null
        ? null
        : isMode(config.mode)
          ? config.mode
          : 'unknown',
    available_modes: available,
    unavailability_reasons: reasons,
    updated_at: str(raw.updated_at),
  };
}
