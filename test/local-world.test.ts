/**
 * The one local world's environment is complete: a value for every declared variable, every function's
 * environment carrying each variable its declaration lists, and every function's own config loader
 * accepting it. Unit tier: the offline world creates nothing and listens nowhere.
 */
import {
  ConfigError,
  composeInProcess,
  createLogger,
  createRecordingMetrics,
} from '@podero-bridge/functions';
import {
  ENV,
  type EnvironmentValues,
  type FunctionDeclaration,
  functionDeclarations,
  queueDeclarations,
  tableDeclarations,
} from '@podero-bridge/functions/declarations';
import { localWorldNames, offlineLocalWorld } from '@podero-bridge/functions/testing';
import { describe, expect, it } from 'vitest';

const declarations = Object.values(functionDeclarations) as FunctionDeclaration[];

describe('the local world', () => {
  const world = offlineLocalWorld();

  it('has a value for every declared variable, and nothing else', () => {
    expect(Object.keys(world.values).sort()).toEqual(Object.values(ENV).sort());
    for (const [name, value] of Object.entries(world.values)) expect(typeof value, name).toBe('string');
  });

  it("gives every function each variable its declaration lists, with the world's value", () => {
    for (const declaration of declarations) {
      const environment = world.environment(declaration.id);
      for (const name of declaration.environment) {
        expect(environment[name], `${declaration.id}: ${name}`).toBe(world.values[name]);
      }
      expect(environment.AWS_ENDPOINT_URL_DYNAMODB, declaration.id).toBe(
        world.awsEnvironment.AWS_ENDPOINT_URL_DYNAMODB,
      );
    }
  });

  it('names each table and queue variable after the resource the world created', () => {
    for (const table of Object.values(tableDeclarations)) {
      expect(world.values[table.envVar]).toBe(world.names.tables[table.id]);
    }
    for (const queue of Object.values(queueDeclarations)) {
      expect(world.values[queue.envVar]).toBe(world.queues[queue.id].url);
      if ('deadLetterEnvVar' in queue) {
        expect(world.values[queue.deadLetterEnvVar]).toBe(world.queues[queue.id].deadLetterUrl);
      }
    }
    // `local` is what `pnpm dev` has always used (persisted .data/ stays valid).
    expect(localWorldNames('local')).toMatchObject({
      tables: { main: 'podero-bridge-local-main', readings: 'podero-bridge-local-readings' },
      queues: { webhookDeliveries: 'podero-bridge-local-webhook-deliveries' },
      secrets: {
        credentials: 'podero-bridge/local/podero-credentials',
        token: 'podero-bridge/local/podero-token',
      },
      eventBus: 'podero-bridge-local-events',
    });
  });

  it("is accepted by every function's own configuration (the one in-process composition loads them all)", () => {
    const quiet = (id: keyof typeof functionDeclarations) => ({
      logger: createLogger(id, { logLevel: 'SILENT' }),
      metrics: createRecordingMetrics(),
    });
    const bridge = composeInProcess({
      environment: (id) => world.environment(id),
      tokenRefresh: quiet('tokenRefresh'),
      api: quiet('api'),
      sync: quiet('syncWorker'),
      planner: quiet('syncPlanner'),
      eventRelay: quiet('eventRelay'),
      webhookDelivery: quiet('webhookDelivery'),
      erasureWorker: quiet('erasureWorker'),
    });
    bridge.close();
  });

  it("checks overrides against the functions' schemas, naming the variable and never its value", () => {
    const attempt = () => offlineLocalWorld('test', { [ENV.poderoOrgId]: 'not-a-uuid-secretish' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/PODERO_ORG_ID is invalid/);
    expect(attempt).not.toThrow(/secretish/);
    expect(() => world.environment('api', { [ENV.syncConcurrency]: '0' })).toThrow(/SYNC_CONCURRENCY/);
  });

  it('types a map missing a declared variable as an error (checked by tsc)', () => {
    const { [ENV.poderoOrgId]: _orgId, ...withoutOrgId } = world.values;
    // @ts-expect-error PODERO_ORG_ID is declared, so a map without it is not EnvironmentValues.
    const incomplete: EnvironmentValues = withoutOrgId;
    expect(Object.keys(incomplete)).not.toContain(ENV.poderoOrgId);
  });
});
