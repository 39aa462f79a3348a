/** The history backfill's operator route (admin): an adapter over ../../../history/status.ts. */
import * as z from 'zod';
import { queryInt } from '../../../devices/schemas';
import { RUN_ENDINGS } from '../../../storage/backfill-state';
import { defineRoute, errorResponse } from './types';

const figures = z.strictObject({
  devices: z.number().int().meta({ description: 'Devices whose gaps were looked at' }),
  requests: z
    .number()
    .int()
    .meta({ description: "Podero `/data` requests sent (the job's share of the rate budget)" }),
  filled: z.number().int().meta({ description: 'Quarter-hours filled' }),
  unfillable: z.number().int().meta({ description: 'Quarter-hours recorded as unfillable' }),
});
const reason = z.enum(['no_series', 'beyond_retention', 'no_data_at_podero']);

const backfillStatusSchema = z
  .strictObject({
    run: z.strictObject({
      pass: z.number().int().meta({ description: "Passes begun over every onboarded user's devices" }),
      pass_started_at: z.string().nullable(),
      in_pass_after_user: z
        .string()
        .nullable()
        .meta({ description: 'The last user done in the current pass (null: the next run starts a pass)' }),
      last_pass_completed_at: z.string().nullable(),
      last_run_at: z.string().nullable(),
      last_run_ending: z.enum(RUN_ENDINGS).nullable().meta({
        description:
          '`pass_complete`; `requests_spent` or `time_spent` (the next run continues); `rate_limited` (Podero answered 429: the run gave way at once)',
      }),
      last_run: figures,
      totals: figures,
    }),
    // Partial, not z.record: a record over an enum lists its keys as required without properties (Redocly warns).
    reasons: z.partialRecord(reason, z.string()).meta({ description: 'What each unfillable reason means' }),
    devices: z.array(
      z.strictObject({
        kind: z.string(),
        device_id: z.string(),
        external_user_id: z.string(),
        checked_through: z.string().nullable(),
        filled_quarters: z.number().int(),
        unfillable_quarters: z.number().int(),
        unfillable: z.array(z.strictObject({ from: z.string(), to: z.string(), reason })),
        updated_at: z.string(),
      }),
    ),
    next_cursor: z.string().nullable(),
  })
  .meta({ id: 'BackfillStatus' });

export const getBackfillStatus = defineRoute({
  operationId: 'getBackfillStatus',
  query: z.strictObject({
    limit: queryInt(1, 200, 50).meta({ description: 'Device records per page, 1..200, default 50.' }),
    cursor: z.string().min(1).max(300).optional().meta({ description: "The previous page's `next_cursor`." }),
  }),
  responses: {
    200: {
      description:
        "The backfill's progress and each device's record: what was filled, what could not be and why",
      schema: backfillStatusSchema,
    },
    400: errorResponse('Invalid query'),
    401: errorResponse('No valid token'),
    403: errorResponse('An operator role (viewer or higher) only'),
  },
  handle: async ({ query, deps }) => ({ status: 200, body: await deps.services.backfill.status(query) }),
});
