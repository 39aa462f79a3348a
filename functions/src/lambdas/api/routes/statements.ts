/**
 * `GET /users/{external_user_id}/statements` (the months a statement exists for) and
 * `.../statements/{month}` (one month's savings statement, JSON or CSV): adapters over
 * ../../../statements/service.ts.
 */
import * as z from 'zod';
import {
  statementMonthListSchema,
  statementMonthParamSchema,
  statementMonthsQuerySchema,
  statementQuerySchema,
  statementSchema,
} from '../../../statements/schemas';
import type { Statement } from '../../../statements/service';
import { toCsv, wantsCsv } from '../csv';
import { externalUserIdSchema } from '../schemas';
import { defineRoute, errorResponse } from './types';

const podero = {
  502: errorResponse('Podero failed or timed out'),
  503: {
    ...errorResponse('Podero is rate-limiting; retry after Retry-After seconds'),
    headers: { 'retry-after': 'seconds' },
  },
};

export const listStatements = defineRoute({
  operationId: 'listStatements',
  params: z.strictObject({ external_user_id: externalUserIdSchema }),
  query: statementMonthsQuerySchema,
  responses: {
    200: {
      description: 'The months with a statement, newest first: from the onboarding month to the current one',
      schema: statementMonthListSchema,
    },
    400: errorResponse('Invalid path or query (details name the field)'),
    401: errorResponse('No valid token'),
    403: errorResponse('The token may not access this user'),
    404: errorResponse('Unknown user'),
  },
  handle: async ({ params, query, deps }) => ({
    status: 200,
    body: {
      items: await deps.services.statements.months(params.external_user_id, query.time_zone),
      next_cursor: null,
    },
  }),
});

export const getStatement = defineRoute({
  operationId: 'getStatement',
  params: z.strictObject({ external_user_id: externalUserIdSchema, month: statementMonthParamSchema }),
  query: statementQuerySchema,
  responses: {
    200: {
      description:
        'The month’s statement per device and in total, each figure with its coverage; `Accept: text/csv` or `format=csv` answers one row per device and a total row',
      schema: statementSchema,
      csv: true,
    },
    400: errorResponse(
      'Invalid month or zone, or a month without a statement (before the user was onboarded, or not begun yet): details name `path.month`',
    ),
    401: errorResponse('No valid token'),
    403: errorResponse('The token may not access this user'),
    404: errorResponse('Unknown user'),
    ...podero,
  },
  handle: async ({ params, query, deps, headers }) => {
    const statement = await deps.services.statements.get(
      params.external_user_id,
      params.month,
      query.time_zone,
    );
    if (query.format !== 'csv' && (query.format === 'json' || !wantsCsv(headers.accept)))
      return { status: 200, body: statement };
    return {
      status: 200,
      text: statementCsv(statement),
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="statement-${statement.month}.csv"`,
      },
    };
  },
});

const FIGURES = ['consumption', 'baseline', 'cost', 'baseline_cost', 'saving_energy', 'saving'] as const;

/**
 * One row per device (a removed one with its removal), then `total`: each figure's value, its coverage ratio
 * and, when it is missing, why.
 */
export function statementCsv(statement: Statement): string {
  const columns = [
    'month',
    'time_zone',
    'status',
    'type',
    'device_id',
    'contract_id',
    'currency',
    'removed_at',
    'removed_by',
    'readings',
    'baseline_source',
    ...FIGURES.flatMap((name) => [
      name.endsWith('cost') || name === 'saving' ? `${name}_minor` : `${name}_kwh`,
      `${name}_coverage`,
      `${name}_unavailable`,
    ]),
    'notes',
  ];
  type Figures = Pick<Statement['total'], (typeof FIGURES)[number]>;
  const values = (figures: Figures) =>
    FIGURES.flatMap((name) => {
      const figure = figures[name];
      return [
        'amount_minor' in figure ? figure.amount_minor : figure.kwh,
        figure.coverage.ratio,
        figure.unavailable,
      ];
    });
  const head = [statement.month, statement.time_zone, statement.status];
  return toCsv(columns, [
    ...statement.devices.map((device) => [
      ...head,
      device.type,
      device.device_id,
      device.contract_id,
      device.currency,
      device.removed?.at ?? null,
      device.removed?.by ?? null,
      device.removed?.readings ?? null,
      device.baseline_source,
      ...values(device),
      device.notes.join(' '),
    ]),
    [
      ...head,
      'total',
      null,
      null,
      statement.total.currency,
      null,
      null,
      null,
      null,
      ...values(statement.total),
      null,
    ],
  ]);
}
