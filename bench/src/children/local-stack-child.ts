/**
 * The whole local stack (`startLocalStack`: simulator, dynalite, local Secrets Manager, the functions, the
 * local API gateway with its JWT authorizer) in its own process, so that the load generator in the parent
 * does not share its event loop. Onboards one user with one heat pump, warms the cache, and reports over
 * IPC the URL to load (cache hits) and a bearer token for that user. Lives until the parent disconnects.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { seedOnboardedUsers } from '@podero-bridge/functions/testing';
import { startLocalStack } from '@podero-bridge/local';

const stack = await startLocalStack({ functionLogLevel: 'SILENT', scheduleTimers: false });
const [user] = stack.simulator.control.seed({
  users: 1,
  heatPumpsPerUser: 1,
  externalIdPrefix: 'bench-gateway',
}).users;
if (!user) throw new Error('seeding returned no user');
const db = DynamoDBDocumentClient.from(
  new DynamoDBClient({ endpoint: stack.dynamoEndpoint, region: stack.region }),
);
await seedOnboardedUsers(db, stack.tableNames.main, [
  { externalUserId: user.external_user_id, poderoUserId: user.id },
]);

const token = await stack.mintToken({ sub: user.external_user_id, ttlSeconds: 3600 });
const path = `/users/${encodeURIComponent(user.external_user_id)}/heat-pumps`;
const headers = { authorization: `Bearer ${token}` };
const live = await fetch(`${stack.apiUrl}${path}?max_age_seconds=0`, { headers });
if (live.status !== 200) throw new Error(`warm-up GET answered ${live.status}`);
const cachedUrl = `${stack.apiUrl}${path}?max_age_seconds=3600`;
const cached = (await (await fetch(cachedUrl, { headers })).json()) as { source?: unknown };
if (cached.source !== 'cache') throw new Error(`expected a cache hit, got source=${String(cached.source)}`);

process.send?.({ url: cachedUrl, token });
process.on('disconnect', () => {
  void stack.close().finally(() => process.exit(0));
});
