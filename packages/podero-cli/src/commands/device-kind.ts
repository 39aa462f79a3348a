/**
 * The commands every device kind beyond heat pumps shares (`list`, `get`, `delete`, `auth-session`), added to
 * the kind's group by its module (electric-vehicles.ts, wallboxes.ts, inverters.ts).
 */
import type { DeviceKindResource, PoderoClient } from '@podero-bridge/podero-client';
import type { Command } from 'commander';
import type { CommandContext } from './context';

export interface DeviceKindNames {
  /** `electric vehicle`, in descriptions. */
  singular: string;
  /** `electric vehicles`, in descriptions. */
  plural: string;
  /** `<electricVehicleId>`, the argument. */
  idArgument: string;
}

type AnyDeviceKind = DeviceKindResource<unknown, never, never>;

export function addDeviceKindCommands(
  group: Command,
  ctx: CommandContext,
  resourceOf: (client: PoderoClient) => AnyDeviceKind,
  names: DeviceKindNames,
): void {
  const id = [names.idArgument, `${names.singular} id (uuid)`] as const;
  group
    .command('list')
    .description(`list a user's ${names.plural}`)
    .argument('<userId>', 'Podero user id (uuid)')
    .action(ctx.withClient((client, userId: string) => resourceOf(client).list(userId)));
  group
    .command('get')
    .description(`get one ${names.singular} with its latest state`)
    .argument('<userId>', 'Podero user id (uuid)')
    .argument(...id)
    .option('--include-deleted', `include a soft-deleted ${names.singular}`)
    .action(
      ctx.withClient((client, userId: string, deviceId: string, options: { includeDeleted?: boolean }) =>
        resourceOf(client).get(userId, deviceId, options.includeDeleted ? { includeDeleted: true } : {}),
      ),
    );
  group
    .command('delete')
    .description(`offboard a ${names.singular} the documented way (PUT deleted_at: a soft delete)`)
    .argument('<userId>', 'Podero user id (uuid)')
    .argument(...id)
    .action(
      ctx.withClient((client, userId: string, deviceId: string) =>
        resourceOf(client).softDelete(userId, deviceId),
      ),
    );
  group
    .command('auth-session')
    .description(
      `start a re-authentication session; prints the authentication_url for the owner (a secret: it signs them in)`,
    )
    .argument('<userId>', 'Podero user id (uuid)')
    .argument(...id)
    .option('--success-url <url>', 'where the owner returns after reconnecting')
    .option('--cancel-url <url>', 'where the owner returns on cancel or failure')
    .action(
      ctx.withClient(
        (client, userId: string, deviceId: string, options: { successUrl?: string; cancelUrl?: string }) =>
          resourceOf(client).authSession(userId, deviceId, {
            ...(options.successUrl === undefined ? {} : { success_url: options.successUrl }),
            ...(options.cancelUrl === undefined ? {} : { cancel_url: options.cancelUrl }),
          }),
      ),
    );
}
