/**
 * The audit trail in the main table: one item per write through the API.
 *
 *   entry  pk `AUDIT`  sk `ENTRY#<at>#<request id>`  gsi1pk `AUDIT#USER#<external_user_id>`  gsi1sk `<at>#<request id>`
 *
 * One partition for the organisation's trail (newest first is one Query backwards), the customer's entries
 * through gsi1. Outside the customer's partition on purpose: an offboarding's sweep must not take the
 * record of the offboarding with it; erasePersonalDataOf strips what names the person instead. Entries
 * expire after AUDIT_RETENTION_DAYS (`expires_at`, DynamoDB TTL). Operators' writes are a few a second at
 * most, far below one partition's 1,000 writes a second.
 */
import { type DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { AUDIT_RETENTION_DAYS, AUDIT_ROLES, erasePersonalData } from '../domain/audit';
import { InvalidError } from '../domain/errors';

const AUDIT_PK = 'AUDIT';
const ENTRY_SK_PREFIX = 'ENTRY#';
export const auditUserGsiPk = (externalUserId: string) => `AUDIT#USER#${externalUserId}`;

export const auditEntrySchema = z.object({
  /** The request's id (the `x-request-id` of the answer). */
  request_id: z.string(),
  at: z.string(),
  /** The token's `sub`; null for an operator token without one. */
  actor: z.string().nullable(),
  /** The operator role the caller held, or `user` for an end user's own token. */
  role: z.enum(AUDIT_ROLES),
  /** The operation (its OpenAPI operationId). */
  action: z.string(),
  target: z.object({
    /** The customer the write was about, if any. */
    external_user_id: z.string().nullable(),
    method: z.string(),
    /** The concrete path written to. */
    path: z.string(),
  }),
  /** The request body as recorded (domain/audit.ts `changesOf`); null without one. */
  changes: z.record(z.string(), z.unknown()).nullable(),
  /**
   * Recorded `attempted` before the change is made; `succeeded` (2xx/3xx) or `failed` (4xx: nothing changed)
   * after. It stays `attempted` when the outcome is unknown: the answer was a 5xx (Podero may have made the
   * change before a timeout), or the process died between the change and the record.
   */
  outcome: z.enum(['attempted', 'succeeded', 'failed']),
  status: z.number().int().nullable(),
  /** When the customer's personal data was erased from this entry (offboarding). */
  erased_at: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export interface AuditPage {
  items: AuditEntry[];
  next_cursor: string | null;
}

export class InvalidAuditCursorError extends InvalidError {
  override readonly name = 'InvalidAuditCursorError';
  constructor() {
    super('not a cursor returned by this API for this list', {
      summary: 'the cursor is not valid for this request',
      fields: [{ field: 'query.cursor', message: 'not a cursor returned by this API for this list' }],
    });
  }
}

/** A page's position: the last key read (opaque to callers: base64url JSON). */
const cursorSchema = z.strictObject({ sk: z.string().min(1), scope: z.string().min(1) });
const encodeCursor = (sk: string, scope: string) =>
  Buffer.from(JSON.stringify({ sk, scope })).toString('base64url');
function decodeCursor(cursor: string, scope: string): string {
  try {
    const parsed = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.scope !== scope) throw new InvalidAuditCursorError();
    return parsed.sk;
  } catch {
    throw new InvalidAuditCursorError();
  }
}

/** The most entries one filtered page may read before it answers with what it found and a cursor. */
export const AUDIT_SCAN_MAX = 1000;

const itemOf = (stored: Record<string, unknown>) => auditEntrySchema.parse(stored);

export class AuditStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private keyOf(entry: Pick<AuditEntry, 'at' | 'request_id'>) {
    return { pk: AUDIT_PK, sk: `${ENTRY_SK_PREFIX}${entry.at}#${entry.request_id}` };
  }

  /** Records a write before it is made (`attempted`); a request id is recorded once. */
  async begin(entry: Omit<AuditEntry, 'outcome' | 'status' | 'erased_at'>): Promise<void> {
    const key = this.keyOf(entry);
    const customer = entry.target.external_user_id;
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...key,
          entity: 'audit_entry',
          ...entry,
          outcome: 'attempted',
          status: null,
          erased_at: null,
          ...(customer === null
            ? {}
            : { gsi1pk: auditUserGsiPk(customer), gsi1sk: `${entry.at}#${entry.request_id}` }),
          expires_at: Math.floor(Date.parse(entry.at) / 1000) + AUDIT_RETENTION_DAYS * 86_400,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** The write's outcome, once known. */
  async finish(
    entry: Pick<AuditEntry, 'at' | 'request_id'>,
    outcome: AuditEntry['outcome'],
    status: number,
  ): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.keyOf(entry),
        UpdateExpression: 'SET outcome = :outcome, #status = :status',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':outcome': outcome, ':status': status },
      }),
    );
  }

  /**
   * The organisation's trail, newest first, optionally only one actor's or one action's. A filtered page reads
   * at most AUDIT_SCAN_MAX entries and may come back short with a cursor: go on with it.
   */
  async list(options: {
    limit: number;
    cursor?: string | undefined;
    actor?: string | undefined;
    action?: string | undefined;
  }): Promise<AuditPage> {
    const scope = `org:${options.actor ?? ''}:${options.action ?? ''}`;
    const filters: string[] = [];
    const values: Record<string, unknown> = { ':pk': AUDIT_PK, ':prefix': ENTRY_SK_PREFIX };
    if (options.actor !== undefined) {
      filters.push('actor = :actor');
      values[':actor'] = options.actor;
    }
    if (options.action !== undefined) {
      filters.push('#action = :action');
      values[':action'] = options.action;
    }
    return this.page({
      scope,
      cursor: options.cursor,
      limit: options.limit,
      keyCondition: 'pk = :pk AND begins_with(sk, :prefix)',
      values,
      startKey: (sk) => ({ pk: AUDIT_PK, sk }),
      positionOf: (item) => String(item.sk),
      ...(filters.length > 0 ? { filter: filters.join(' AND ') } : {}),
      ...(options.action !== undefined ? { names: { '#action': 'action' } } : {}),
    });
  }

  /** One customer's entries, newest first. */
  async listForUser(
    externalUserId: string,
    options: { limit: number; cursor?: string | undefined },
  ): Promise<AuditPage> {
    const gsi1pk = auditUserGsiPk(externalUserId);
    return this.page({
      scope: `user:${externalUserId}`,
      cursor: options.cursor,
      limit: options.limit,
      index: 'gsi1',
      keyCondition: 'gsi1pk = :pk',
      values: { ':pk': gsi1pk },
      // A gsi1 position needs the table key too: both are in the entry's sort keys.
      startKey: (position) => {
        const [gsi1sk, sk] = position.split('|');
        return { gsi1pk, gsi1sk, pk: AUDIT_PK, sk };
      },
      positionOf: (item) => `${String(item.gsi1sk)}|${String(item.sk)}`,
    });
  }

  private async page(q: {
    scope: string;
    cursor: string | undefined;
    limit: number;
    index?: string;
    keyCondition: string;
    values: Record<string, unknown>;
    names?: Record<string, string>;
    filter?: string;
    startKey: (position: string) => Record<string, unknown>;
    positionOf: (item: Record<string, unknown>) => string;
  }): Promise<AuditPage> {
    let position = q.cursor === undefined ? undefined : decodeCursor(q.cursor, q.scope);
    const items: AuditEntry[] = [];
    let read = 0;
    let exhausted = false;
    while (items.length < q.limit && read < AUDIT_SCAN_MAX) {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          ...(q.index ? { IndexName: q.index } : {}),
          KeyConditionExpression: q.keyCondition,
          ExpressionAttributeValues: q.values,
          ...(q.names ? { ExpressionAttributeNames: q.names } : {}),
          ...(q.filter ? { FilterExpression: q.filter } : {}),
          ScanIndexForward: false,
          Limit: q.filter ? Math.min(100, AUDIT_SCAN_MAX - read) : q.limit - items.length,
          ...(position === undefined ? {} : { ExclusiveStartKey: q.startKey(position) }),
        }),
      );
      read += out.ScannedCount ?? 0;
      let more = false;
      for (const item of out.Items ?? []) {
        if (items.length === q.limit) {
          more = true;
          break;
        }
        items.push(itemOf(item));
        position = q.positionOf(item);
      }
      if (more) break;
      if (out.LastEvaluatedKey === undefined) {
        exhausted = true;
        break;
      }
      // A filtered read may stop past the last kept entry: go on from where DynamoDB stopped.
      position = q.positionOf(out.LastEvaluatedKey);
    }
    return {
      items,
      next_cursor: exhausted || position === undefined ? null : encodeCursor(position, q.scope),
    };
  }

  /**
   * An offboarded customer's entries keep who did what when (actor, role, action, target, outcome) and lose
   * the personal data in what was changed (domain/audit.ts `erasePersonalData`). Idempotent; each sweep
   * writes only the entries no earlier sweep erased, and answers how many.
   */
  async erasePersonalDataOf(externalUserId: string, nowMs: number): Promise<number> {
    let erased = 0;
    let cursor: string | undefined;
    do {
      const page = await this.listForUser(externalUserId, { limit: 100, cursor });
      for (const entry of page.items) {
        // Erased by an earlier sweep: nothing of it names the person any more (a request's later outcome
        // changes no field), and its erased_at keeps saying when that was.
        if (entry.erased_at !== null) continue;
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: this.keyOf(entry),
            UpdateExpression: 'SET changes = :changes, erased_at = :now',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: {
              ':changes': entry.changes === null ? null : erasePersonalData(entry.changes),
              ':now': new Date(nowMs).toISOString(),
            },
          }),
        );
        erased++;
      }
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
    return erased;
  }
}

/**
 * The cursor of `listForUser` that continues after `entry` (the customer timeline pages the trail itself,
 * a few entries at a time, and resumes after the last one it showed).
 */
export function auditUserCursorAfter(
  externalUserId: string,
  entry: Pick<AuditEntry, 'at' | 'request_id'>,
): string {
  const position = `${entry.at}#${entry.request_id}|${ENTRY_SK_PREFIX}${entry.at}#${entry.request_id}`;
  return encodeCursor(position, `user:${externalUserId}`);
}
