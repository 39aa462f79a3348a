import { LANGUAGES, PRICE_ZONES } from '@podero-bridge/podero-client';
import { Command, Option } from 'commander';
import { buildBody, type CommandContext, DATA_FLAG_HELP } from './context';

interface OnboardingFlags {
  userId?: string;
  language?: string;
  priceZone?: string;
  successUrl?: string;
  cancelUrl?: string;
  buildingId?: string;
  smartOptimization?: boolean;
  data?: string;
}

/** `podero onboarding create|get`: Connect UI sessions. */
export function makeOnboardingCommand(ctx: CommandContext): Command {
  const onboarding = new Command('onboarding').description('device onboarding sessions (Connect UI)');
  onboarding
    .command('create')
    .description('create an onboarding session and print its authentication_url')
    .option('--user-id <uuid>', 'owner of the future device')
    .addOption(new Option('--language <code>', 'Connect UI language').choices(LANGUAGES))
    .addOption(new Option('--price-zone <zone>', 'price_zone_default').choices(PRICE_ZONES))
    .option('--success-url <url>')
    .option('--cancel-url <url>')
    .option('--building-id <uuid>')
    .option('--smart-optimization', 'start with smart optimisation on')
    .option('--no-smart-optimization', 'start with smart optimisation off')
    .option('--data <json>', DATA_FLAG_HELP)
    .action(
      ctx.withClient((client, options: OnboardingFlags) =>
        client.onboarding.create(
          buildBody(options.data, {
            user_id: options.userId,
            language: options.language,
            price_zone_default: options.priceZone,
            success_url: options.successUrl,
            cancel_url: options.cancelUrl,
            building_id: options.buildingId,
            is_smart_optimization_active_default: options.smartOptimization,
          }) as never,
        ),
      ),
    );
  onboarding
    .command('get')
    .description('get an onboarding session (object_id is the device id once completed)')
    .argument('<sessionId>', 'onboarding session id (uuid)')
    .action(ctx.withClient((client, sessionId: string) => client.onboarding.get(sessionId)));
  return onboarding;
}
