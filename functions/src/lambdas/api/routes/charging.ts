/**
 * The charging controls (adapters over ../../../devices/charging.ts and charging-config.ts): an electric
 * vehicle's boost, weekly charge policy and sessions; a wallbox's boost and claim token; the user's charging
 * configuration. Path parameters and not-found answers are the kinds' own (`electric_vehicle_id`,
 * `wallbox_id`: domain/devices/<kind>-api.ts); ownership is checked by the kind's device service.
 */
import * as z from 'zod';
import {
  changeAnswerSchema,
  changeListSchema,
  changePathSchema,
  changeSchema,
  changesQuerySchema,
} from '../../../devices/change-schemas';
import {
  boostOutcomeSchema,
  boostRefusedBodySchema,
  chargePolicyAnswerSchema,
  chargePolicyBodySchema,
  chargePolicyWriteAnswerSchema,
  chargingConfigAnswerSchema,
  chargingConfigBodySchema,
  chargingConfigWriteAnswerSchema,
  chargingSessionListSchema,
  claimTokenAnswerSchema,
  currentChargingSessionSchema,
  sessionsQuerySchema,
} from '../../../devices/charging-schemas';
import { electricVehicleKind } from '../../../domain/devices/electric-vehicle';
import { wallboxKind } from '../../../domain/devices/wallbox';
import { userPathSchema } from '../schemas';
import { deviceErrors, deviceIdOf, devicePathSchema } from './device-shared';
import { defineRoute, errorResponse } from './types';

const vehicleErrors = deviceErrors(electricVehicleKind);
const wallboxErrors = deviceErrors(wallboxKind);
const vehiclePath = devicePathSchema(electricVehicleKind);
const wallboxPath = devicePathSchema(wallboxKind);
const vehicleId = (params: Record<string, unknown>) => deviceIdOf(electricVehicleKind, params);
const wallboxId = (params: Record<string, unknown>) => deviceIdOf(wallboxKind, params);

const bodyErrors = {
  413: errorResponse('Body larger than 64 KB'),
  415: errorResponse('Body is not JSON'),
};

/** A boost's answer: what it did, the device read after it, and the tracked change it recorded. */
const boostAnswerOf = (name: string, view: z.ZodType, id: string) =>
  z
    .strictObject({
      outcome: boostOutcomeSchema,
      [name]: view.nullable().meta({
        description:
          'The device read live after the boost; null when that read failed (the boost went through: read the device again)',
      }),
      change: changeSchema.meta({
        description:
          'The boost as a tracked change (`control` `boost`, `fields.boost` the outcome): confirmed once the device shows `boost_state` requested or ongoing (or, armed, `boost_for_next_session`)',
      }),
    })
    .meta({ id });
const vehicleBoostAnswer = boostAnswerOf(
  electricVehicleKind.name,
  electricVehicleKind.viewSchema,
  'ElectricVehicleBoost',
);
const wallboxBoostAnswer = boostAnswerOf(wallboxKind.name, wallboxKind.viewSchema, 'WallboxBoost');

const boostRefused = (noun: string) => ({
  description: `Podero refused to boost the ${noun}: \`reason\` says why (already_charging, fully_charged, no_active_session, internal_error, or unknown), \`state\` is the boost state it saw`,
  schema: boostRefusedBodySchema,
});

export const boostElectricVehicle = defineRoute({
  operationId: 'boostElectricVehicle',
  params: vehiclePath,
  responses: {
    200: { description: 'Boosting now, or armed for the next plug-in', schema: vehicleBoostAnswer },
    ...vehicleErrors,
    409: boostRefused('electric vehicle'),
  },
  handle: async ({ params, deps, logger, caller }) => {
    const id = vehicleId(params);
    const { outcome, view, change } = await deps.services.charging.boostVehicle(
      params.external_user_id,
      id,
      caller?.sub ?? 'unknown',
    );
    logger.info('electric-vehicle boost', { electric_vehicle_id: id, outcome, change_id: change.id });
    return { status: 200, body: { outcome, [electricVehicleKind.name]: view, change } };
  },
});

export const disarmElectricVehicleBoost = defineRoute({
  operationId: 'disarmElectricVehicleBoost',
  params: vehiclePath,
  responses: { 204: { description: 'No boost is armed (also when none was)' }, ...vehicleErrors },
  handle: async ({ params, deps, logger }) => {
    const id = vehicleId(params);
    await deps.services.charging.disarmVehicleBoost(params.external_user_id, id);
    logger.info('electric-vehicle boost disarmed', { electric_vehicle_id: id });
    return { status: 204 };
  },
});

export const getElectricVehicleChargePolicy = defineRoute({
  operationId: 'getElectricVehicleChargePolicy',
  params: vehiclePath,
  responses: {
    200: { description: 'The weekly charge policy', schema: chargePolicyAnswerSchema },
    ...vehicleErrors,
  },
  handle: async ({ params, deps }) => ({
    status: 200,
    body: await deps.services.charging.chargePolicy(params.external_user_id, vehicleId(params)),
  }),
});

export const updateElectricVehicleChargePolicy = defineRoute({
  operationId: 'updateElectricVehicleChargePolicy',
  params: vehiclePath,
  body: chargePolicyBodySchema,
  responses: {
    200: {
      description:
        'The weekly charge policy as Podero now has it (read back after the write), and the tracked change the write recorded',
      schema: chargePolicyWriteAnswerSchema,
    },
    ...vehicleErrors,
    ...bodyErrors,
  },
  handle: async ({ params, body, deps, logger, caller }) => {
    const id = vehicleId(params);
    const policy = await deps.services.charging.putChargePolicy(
      params.external_user_id,
      id,
      body,
      caller?.sub ?? 'unknown',
    );
    logger.info('electric-vehicle charge policy set', {
      electric_vehicle_id: id,
      change_id: policy.change.id,
    });
    return { status: 200, body: policy };
  },
});

export const listElectricVehicleSessions = defineRoute({
  operationId: 'listElectricVehicleSessions',
  params: vehiclePath,
  query: sessionsQuerySchema,
  responses: {
    200: { description: 'One page of completed charging sessions', schema: chargingSessionListSchema },
    ...vehicleErrors,
  },
  handle: async ({ params, query, deps }) => ({
    status: 200,
    body: await deps.services.charging.sessions(params.external_user_id, vehicleId(params), query),
  }),
});

export const getElectricVehicleCurrentSession = defineRoute({
  operationId: 'getElectricVehicleCurrentSession',
  params: vehiclePath,
  responses: {
    200: { description: 'The session under way, or null', schema: currentChargingSessionSchema },
    ...vehicleErrors,
  },
  handle: async ({ params, deps }) => ({
    status: 200,
    body: await deps.services.charging.currentSession(params.external_user_id, vehicleId(params)),
  }),
});

export const boostWallbox = defineRoute({
  operationId: 'boostWallbox',
  params: wallboxPath,
  responses: {
    200: { description: 'Boosting now, or armed for the next plug-in', schema: wallboxBoostAnswer },
    ...wallboxErrors,
    409: boostRefused('wallbox'),
  },
  handle: async ({ params, deps, logger, caller }) => {
    const id = wallboxId(params);
    const { outcome, view, change } = await deps.services.charging.boostWallbox(
      params.external_user_id,
      id,
      caller?.sub ?? 'unknown',
    );
    logger.info('wallbox boost', { wallbox_id: id, outcome, change_id: change.id });
    return { status: 200, body: { outcome, [wallboxKind.name]: view, change } };
  },
});

export const cancelWallboxBoost = defineRoute({
  operationId: 'cancelWallboxBoost',
  params: wallboxPath,
  responses: { 204: { description: 'No boost runs or is armed (also when none did)' }, ...wallboxErrors },
  handle: async ({ params, deps, logger }) => {
    const id = wallboxId(params);
    await deps.services.charging.cancelWallboxBoost(params.external_user_id, id);
    logger.info('wallbox boost cancelled', { wallbox_id: id });
    return { status: 204 };
  },
});

export const createWallboxClaimToken = defineRoute({
  operationId: 'createWallboxClaimToken',
  params: userPathSchema,
  responses: {
    201: {
      description:
        'A one-time claim token: hand it to the installer’s app now. Shown in this answer only; the bridge does not keep it.',
      schema: claimTokenAnswerSchema,
    },
    ...wallboxErrors,
    404: errorResponse('Unknown user'),
  },
  // A replay of the request (same Idempotency-Key) answers these as null: they are never stored.
  shownOnce: ['token', 'wss_url'],
  handle: async ({ params, deps, logger }) => {
    const claim = await deps.services.charging.claimToken(params.external_user_id);
    // Nothing of the answer is logged: the token and its URL are secrets until used.
    logger.info('wallbox claim token issued', { expires_at: claim.expires_at });
    return { status: 201, body: claim };
  },
});

const userErrors = {
  400: errorResponse('Invalid path or body (details name the field)'),
  401: errorResponse('No valid token'),
  403: errorResponse('The token may not access this user'),
  404: errorResponse('Unknown user'),
  502: errorResponse('Podero failed or timed out'),
  503: {
    ...errorResponse('Podero is rate-limiting; retry after Retry-After seconds'),
    headers: { 'retry-after': 'seconds' },
  },
};

export const getChargingConfig = defineRoute({
  operationId: 'getChargingConfig',
  params: userPathSchema,
  responses: {
    200: { description: 'The charging configuration', schema: chargingConfigAnswerSchema },
    ...userErrors,
  },
  handle: async ({ params, deps }) => ({
    status: 200,
    body: await deps.services.chargingConfig.get(params.external_user_id),
  }),
});

export const updateChargingConfig = defineRoute({
  operationId: 'updateChargingConfig',
  params: userPathSchema,
  body: chargingConfigBodySchema,
  responses: {
    200: {
      description:
        'The charging configuration as Podero now has it (read back after the write), and the tracked change the write recorded',
      schema: chargingConfigWriteAnswerSchema,
    },
    ...userErrors,
    400: errorResponse(
      'Invalid body, or a mode the user’s devices cannot support (Podero’s refusal; details name `body.mode`)',
    ),
    ...bodyErrors,
  },
  handle: async ({ params, body, deps, logger, caller }) => {
    const config = await deps.services.chargingConfig.put(
      params.external_user_id,
      body,
      caller?.sub ?? 'unknown',
    );
    logger.info('charging configuration changed', { mode: body.mode, change_id: config.change.id });
    return { status: 200, body: config };
  },
});

export const listChargingConfigChanges = defineRoute({
  operationId: 'listChargingConfigChanges',
  params: userPathSchema,
  query: changesQuerySchema,
  responses: {
    200: {
      description: 'One page of the charging configuration’s changes, newest first',
      schema: changeListSchema,
    },
    ...userErrors,
  },
  handle: async ({ params, query, deps }) => ({
    status: 200,
    body: await deps.services.chargingConfig.listChanges(params.external_user_id, query),
  }),
});

export const getChargingConfigChange = defineRoute({
  operationId: 'getChargingConfigChange',
  params: userPathSchema.extend(changePathSchema.shape),
  responses: {
    200: { description: 'The change', schema: changeAnswerSchema },
    ...userErrors,
    404: errorResponse('Unknown user, or no such change of its charging configuration'),
  },
  handle: async ({ params, deps }) => ({
    status: 200,
    body: await deps.services.chargingConfig.getChange(params.external_user_id, params.change_id),
  }),
});
