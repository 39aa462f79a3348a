/**
 * Tracked changes on the wire (domain/devices/changes.ts): the change a control answers with, one change,
 * a device's page of them, and the list query. Answers are allow-listed: the requested fields are the
 * caller's own body, already validated by the control's schema.
 */
import * as z from 'zod';
import { CHANGE_ID_PATTERN, CHANGE_STATUSES, type DeviceChange } from '../domain/devices/changes';
import { queryInt } from './schemas';

export const changeSchema = z
  .strictObject({
    id: z.string().meta({ description: 'The change’s id (`chg_…`), sortable by request time' }),
    control: z.string().meta({ description: 'The control that requested it (`settings`)' }),
    fields: z
      .record(z.string(), z.unknown())
      .meta({ description: 'The fields requested, as sent (what later observations are compared with)' }),
    status: z.enum(CHANGE_STATUSES).meta({
      description:
        'pending: sent to Podero, not yet seen applied; confirmed: an observation of the device (the sync, a live read) shows every requested field; failed: not seen applied before `deadline_at`; superseded: a newer change requested one of its fields before it settled',
    }),
    requested_at: z.string(),
    settled_at: z.string().nullable().meta({ description: 'When it left pending; null while pending' }),
    deadline_at: z.string().meta({
      description: 'Still pending at the first observation after this, it fails (the kind’s timeout)',
    }),
    by: z.string().meta({ description: 'The `sub` of the caller who requested it' }),
    reason: z.string().nullable().meta({
      description: '`timeout` for a failed change; the superseding change’s id for a superseded one',
    }),
  })
  .meta({ id: 'DeviceChange', description: 'A control write tracked until the device shows it' });
export type ChangeView = z.output<typeof changeSchema>;

export function changeViewOf(change: DeviceChange): ChangeView {
  return {
    id: change.id,
    control: change.control,
    fields: { ...change.fields },
    status: change.status,
    requested_at: change.requestedAt,
    settled_at: change.settledAt,
    deadline_at: change.deadlineAt,
    by: change.by,
    reason: change.reason,
  };
}

export const CHANGES_LIMIT_DEFAULT = 50;
export const CHANGES_LIMIT_MAX = 200;

export const changesQuerySchema = z.strictObject({
  limit: queryInt(1, CHANGES_LIMIT_MAX, CHANGES_LIMIT_DEFAULT).meta({
    description: `Changes per page, newest first (1..${CHANGES_LIMIT_MAX}, default ${CHANGES_LIMIT_DEFAULT})`,
  }),
  cursor: z
    .string()
    .regex(CHANGE_ID_PATTERN, 'must be a next_cursor this route answered')
    .optional()
    .meta({ description: 'The previous page’s `next_cursor`' }),
});
export type ChangesQuery = z.output<typeof changesQuerySchema>;

export const changeListSchema = z
  .strictObject({
    items: z.array(changeSchema),
    next_cursor: z
      .string()
      .nullable()
      .meta({ description: 'Pass as `cursor` for the next page; null on the last.' }),
  })
  .meta({ id: 'DeviceChangeList' });

export const changeAnswerSchema = z.strictObject({ change: changeSchema }).meta({ id: 'DeviceChangeRead' });

export const changePathSchema = z.strictObject({
  change_id: z.string().regex(CHANGE_ID_PATTERN, 'must be a change id (chg_…)'),
});
