/** U1..U6: users of the token's organisation. DELETE is a soft delete. */
import { conflict, type Handler, jsonBody, queryObject, type SimResponse } from '../core';
import { emailTaken, newUserRecord, now, requireUser } from '../domain';
import { notFound, parseOr422 } from '../errors';
import type { UserRecord } from '../store';
import { userView } from '../views';
import { createUserBodySchema, includeDeletedQuerySchema, updateUserBodySchema } from '../wire';

const DUPLICATE_EMAIL = 'A user with this email already exists in the organization.';

export const listUsers: Handler = (core, request) => {
  const { include_deleted } = parseOr422(includeDeletedQuerySchema, queryObject(request), ['query']);
  const users: ReturnType<typeof userView>[] = [];
  for (const user of core.store.users.values()) {
    if (user.organization_id === request.orgId && (include_deleted || user.deleted_at === null))
      users.push(userView(core, user));
  }
  return { status: 200, json: users };
};

export const createUser: Handler = (core, request) => {
  const { country_iso2, ...body } = parseOr422(createUserBodySchema, jsonBody(request), ['body']);
  if (emailTaken(core, request.orgId, body.email)) throw conflict(DUPLICATE_EMAIL);
  const user = newUserRecord(core, request.orgId, {
    ...withoutUndefined(body),
    ...(body.country === undefined && country_iso2 !== undefined ? { country: country_iso2 } : {}),
  });
  core.store.addUser(user);
  core.changed();
  return { status: 200, json: userView(core, user) };
};

export const getUser: Handler = (core, request) => ({
  status: 200,
  json: userView(core, requireUser(core, request.orgId, request.params.user_id ?? '')),
});

export const getUserByExternalId: Handler = (core, request) => {
  const { include_deleted } = parseOr422(includeDeletedQuerySchema, queryObject(request), ['query']);
  const externalId = request.params.external_id ?? '';
  // Prefer a live user; with include_deleted, fall back to the most recently deleted one.
  let found: UserRecord | undefined;
  for (const user of core.store.users.values()) {
    if (user.organization_id !== request.orgId || user.external_user_id !== externalId) continue;
    if (user.deleted_at === null) {
      found = user;
      break;
    }
    if (include_deleted && (found === undefined || (found.deleted_at ?? '') < user.deleted_at)) found = user;
  }
  if (!found) throw notFound();
  return { status: 200, json: userView(core, found) };
};

export const updateUser: Handler = (core, request) => {
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  const { country_iso2, ...body } = parseOr422(updateUserBodySchema, jsonBody(request) ?? {}, ['body']);
  if (body.email !== undefined && emailTaken(core, request.orgId, body.email, user.id)) {
    throw conflict(DUPLICATE_EMAIL);
  }
  Object.assign(user, withoutUndefined(body));
  if (body.country === undefined && country_iso2 !== undefined) user.country = country_iso2;
  core.changed();
  return { status: 200, json: userView(core, user) };
};

export const deleteUser: Handler = (core, request): SimResponse => {
  const user = requireUser(core, request.orgId, request.params.user_id ?? '');
  user.deleted_at = now(core);
  core.changed();
  return { status: 204, empty: true };
};

/** Partial updates: a key that is absent changes nothing; an explicit null clears the field. */
export function withoutUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
