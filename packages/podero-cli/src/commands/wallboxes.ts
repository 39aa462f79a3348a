import { Command } from 'commander';
import { buildBody, type CommandContext, DATA_FLAG_HELP, numberFlag, requireSomething } from './context';
import { addDeviceKindCommands } from './device-kind';

/**
 * `podero wallboxes list|get|update|delete|boost|cancel-boost|claim-token|claim-token-status|auth-session`.
 */
export function makeWallboxesCommand(ctx: CommandContext): Command {
  const wallboxes = new Command('wallboxes').description("a user's wallboxes");
  const ids = (command: Command) =>
    command.argument('<userId>', 'Podero user id (uuid)').argument('<wallboxId>', 'wallbox id (uuid)');
  addDeviceKindCommands(wallboxes, ctx, (client) => client.wallboxes, {
    singular: 'wallbox',
    plural: 'wallboxes',
    idArgument: '<wallboxId>',
  });
  ids(wallboxes.command('update').description('update wallbox settings (partial)'))
    .option('--smart-optimization', 'turn smart optimisation on')
    .option('--no-smart-optimization', 'turn smart optimisation off')
    .option('--charge-policy', 'turn the charge policy on')
    .option('--no-charge-policy', 'turn the charge policy off')
    .option('--charge-deadline <HH:MM>', 'time of day the minimum charge must be reached by')
    .option('--minimum-charge-limit <percent>', 'charge to reach by the deadline, 0-100', numberFlag)
    .option('--data <json>', DATA_FLAG_HELP)
    .action(
      ctx.withClient(
        (
          client,
          userId: string,
          wallboxId: string,
          options: {
            smartOptimization?: boolean;
            chargePolicy?: boolean;
            chargeDeadline?: string;
            minimumChargeLimit?: number;
            data?: string;
          },
        ) => {
          const body = buildBody(options.data, {
            is_smart_optimization_active: options.smartOptimization,
            is_charge_policy_enabled: options.chargePolicy,
            charge_deadline_at: options.chargeDeadline,
            minimum_charge_limit: options.minimumChargeLimit,
          });
          requireSomething(
            body,
            'give --smart-optimization, --charge-policy, --charge-deadline, --minimum-charge-limit or --data',
          );
          return client.wallboxes.update(userId, wallboxId, body as never);
        },
      ),
    );
  ids(
    wallboxes
      .command('boost')
      .description('charge at full rate now (plugged in) or arm a boost (unplugged); a 409 names its reason'),
  ).action(
    ctx.withClient((client, userId: string, wallboxId: string) => client.wallboxes.boost(userId, wallboxId)),
  );
  ids(wallboxes.command('cancel-boost').description('cancel a live boost and clear an armed one')).action(
    ctx.withClient((client, userId: string, wallboxId: string) =>
      client.wallboxes.cancelBoost(userId, wallboxId),
    ),
  );
  wallboxes
    .command('claim-token')
    .description(
      "a one-time token for an installer's app to claim a wallbox (printed once: it is a secret until used)",
    )
    .argument('<userId>', 'Podero user id (uuid)')
    .action(ctx.withClient((client, userId: string) => client.wallboxes.claimToken(userId)));
  wallboxes
    .command('claim-token-status')
    .description('whether a claim token was used, and by which wallbox')
    .argument('<onboardingSessionId>', 'onboarding session id (uuid)')
    .argument('<token>', 'the claim token (a secret: it shows up in shell history)')
    .action(
      ctx.withClient((client, onboardingSessionId: string, token: string) =>
        client.wallboxes.claimTokenStatus(onboardingSessionId, token),
      ),
    );
  return wallboxes;
}
