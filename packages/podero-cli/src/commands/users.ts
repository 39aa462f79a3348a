import { USER_ROLES } from '@podero-bridge/podero-client';
import { Command, Option } from 'commander';
import { buildBody, type CommandContext, DATA_FLAG_HELP, requireSomething } from './context';

interface UserFlags {
  email?: string;
  role?: string;
  externalUserId?: string;
  firstName?: string;
  lastName?: string;
  data?: string;
}

/** The flags `create` and `update` share. */
const userFlags = (command: Command) =>
  command
    .option('--external-user-id <id>', "the partner's own customer id")
    .option('--first-name <name>')
    .option('--last-name <name>')
    .option('--data <json>', DATA_FLAG_HELP);

const userBody = (options: UserFlags) =>
  buildBody(options.data, {
    email: options.email,
    role: options.role,
    external_user_id: options.externalUserId,
    first_name: options.firstName,
    last_name: options.lastName,
  });

/** `podero users list|get|get-by-external-id|create|update|delete`. */
export function makeUsersCommand(ctx: CommandContext): Command {
  const users = new Command('users').description('users of the organisation');
  users
    .command('list')
    .description('list the users of the organisation')
    .option('--include-deleted', 'include soft-deleted users')
    .action(
      ctx.withClient((client, options: { includeDeleted?: boolean }) =>
        client.users.list(options.includeDeleted ? { includeDeleted: true } : {}),
      ),
    );
  users
    .command('get')
    .description('get a user by Podero id')
    .argument('<userId>', 'Podero user id (uuid)')
    .action(ctx.withClient((client, userId: string) => client.users.get(userId)));
  users
    .command('get-by-external-id')
    .description("get a user by the partner's own id (external_user_id)")
    .argument('<externalUserId>', 'external_user_id')
    .option('--include-deleted', 'include soft-deleted users')
    .action(
      ctx.withClient((client, externalUserId: string, options: { includeDeleted?: boolean }) =>
        client.users.getByExternalId(externalUserId, options.includeDeleted ? { includeDeleted: true } : {}),
      ),
    );
  userFlags(
    users
      .command('create')
      .description('create a user (POST is not retried after a server error: check before re-running)')
      .option('--email <email>', 'email (required, here or in --data)')
      .addOption(new Option('--role <role>', 'role').choices(USER_ROLES)),
  ).action(
    ctx.withClient((client, options: UserFlags) => {
      const body = userBody(options);
      body.role ??= 'user';
      return client.users.create(body as never);
    }),
  );
  userFlags(
    users
      .command('update')
      .description('update a user (partial: only the given fields change)')
      .argument('<userId>', 'Podero user id (uuid)')
      .option('--email <email>')
      .addOption(new Option('--role <role>', 'role').choices(USER_ROLES)),
  ).action(
    ctx.withClient((client, userId: string, options: UserFlags) =>
      client.users.update(userId, requireSomething(userBody(options), 'give a field flag or --data')),
    ),
  );
  users
    .command('delete')
    .description('delete a user (revokes access immediately)')
    .argument('<userId>', 'Podero user id (uuid)')
    .action(ctx.withClient((client, userId: string) => client.users.delete(userId)));
  return users;
}
