import { CUE_OUTCOMES, type CueLink, parseCueLink } from '@podero-bridge/podero-client';
import { Command, Option } from 'commander';
import { type CommandContext, UsageError } from './context';

function cueLink(link: string): CueLink {
  const parsed = parseCueLink(link);
  if (!parsed) throw new UsageError('the link is not a resolution link (.../cues/<id>/resolve?secret=...)');
  return parsed;
}

/** `podero cues resolve|report-state|read-information`: a device's pending actions, by resolution link. */
export function makeCuesCommand(ctx: CommandContext): Command {
  const cues = new Command('cues').description(
    "a device's pending actions: pass the action's resolution_link.url (it holds the cue id and secret)",
  );
  cues
    .command('resolve')
    .description('start a reauthenticate action; prints the redirect_url for the owner')
    .argument('<link>', "the action's resolution_link.url")
    .requiredOption('--success-url <url>', 'where the owner returns after signing in')
    .requiredOption('--cancel-url <url>', 'where the owner returns on cancel or failure')
    .option('--language <tag>', 'IETF language tag of the page')
    .action(
      ctx.withClient(
        (client, link: string, options: { successUrl: string; cancelUrl: string; language?: string }) => {
          const cue = cueLink(link);
          return client.cues.resolve(cue.cueId, cue.secret, {
            successUrl: options.successUrl,
            cancelUrl: options.cancelUrl,
            ...(options.language ? { language: options.language } : {}),
          });
        },
      ),
    );
  cues
    .command('report-state')
    .description('report the outcome of an action (no token needed: the secret authorises)')
    .argument('<link>', "the action's resolution_link.url")
    .addOption(new Option('--state <state>').choices(CUE_OUTCOMES).makeOptionMandatory())
    .action(
      ctx.withClient((client, link: string, options: { state: (typeof CUE_OUTCOMES)[number] }) => {
        const cue = cueLink(link);
        return client.cues.reportState(cue.cueId, cue.secret, { state: options.state });
      }),
    );
  cues
    .command('read-information')
    .description('mark an information action read')
    .argument('<link>', "the action's resolution_link.url")
    .action(
      ctx.withClient((client, link: string) => {
        const cue = cueLink(link);
        return client.cues.resolveInformation(cue.cueId, cue.secret);
      }),
    );
  return cues;
}
