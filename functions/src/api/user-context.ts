import type { UserRecord } from '../storage/users';
import type { ApiDeps } from './deps';
import { notFound } from './http';

/** The onboarded user the path names, or 404. Shared by every `/users/{external_user_id}/...` route. */
export async function requireOnboardedUser(deps: ApiDeps, externalUserId: string): Promise<UserRecord> {
  const user = await deps.users.get(externalUserId);
  if (!user) throw notFound('user');
  return user;
}
