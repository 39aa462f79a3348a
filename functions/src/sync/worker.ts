/**
 * The fleet sync's worker (the sync's worker function; ADR 0012): one shard per message, synced by the same
 * engine as a whole-walk run, over the shard's range and under the shard's own lease and cursor. So a
 * worker that dies mid-shard leaves a cursor its successor resumes from once SQS redelivers the message
 * (re-processing is harmless: readings are keyed by state time).
 *
 * What the message becomes:
 * - range walked to the end: the shard settles `done` (the last one completes the pass); deleted;
 * - out of time: the same message is sent again (the next worker resumes at the cursor); deleted;
 * - anything else (Podero out, the lease lost, an error): reported as a batch item failure, so SQS brings
 *   it back after the visibility timeout; on its last receive the shard settles `failed` first and the
 *   message moves to the dead-letter queue (alarm);
 * - a shard settled already, or of a pass that is no longer current (a redelivery): deleted unread.
 */

import { emptyCensus, type FleetCensus } from '../domain/fleet-census';
import { pickSyncFigures, type SyncFigures, syncFiguresOf } from '../domain/sync-figures';
import type { SyncPassStore } from '../storage/sync-passes';
import { shardProgressKey } from '../storage/sync-state';
import { completeIfSettled, type PassCompletionDeps, passCompletionDeps } from './pass';
import { type ShardMessage, shardMessageSchema } from './shard-message';
import type { ShardQueue } from './shard-queue';
import { runHeatPumpSync, type SyncRunDeps, type SyncSummary } from './sync';

/** The sync's dependencies (handed to the run as they are) and the worker's own: its queue and its limit. */
export type WorkerDeps = SyncRunDeps & {
  readonly queue: Pick<ShardQueue, 'continueLater'>;
  /** The queue's maxReceiveCount: the receive on which a failing shard is settled `failed`. */
  readonly maxReceiveCount: number;
};

export interface ShardRecord {
  messageId: string;
  body: string;
  receiveCount: number;
}

export type ShardOutcome =
  | 'completed'
  | 'continued'
  | 'retry'
  | 'failed'
  | 'already_settled'
  | 'held_elsewhere'
  | 'invalid';

export class ShardWorker {
  private readonly passes: SyncPassStore;
  private readonly completion: PassCompletionDeps;

  constructor(private readonly deps: WorkerDeps) {
    this.completion = passCompletionDeps(deps);
    this.passes = this.completion.passes;
  }

  /** One message; true when SQS may delete it. */
  async process(
    record: ShardRecord,
    invocation: { runId: string; remainingTimeMs: () => number },
  ): Promise<ShardOutcome> {
    const parsed = shardMessageSchema.safeParse(safeJson(record.body));
    if (!parsed.success) {
      // Never valid: it goes to the dead-letter queue for a person to read.
      this.deps.logger.error('invalid sync shard message', {
        fields: parsed.error.issues.map((i) => i.path.join('.') || '(body)').join(', '),
      });
      return 'invalid';
    }
    const message = parsed.data;
    const pass = await this.passes.current();
    if (
      pass === null ||
      pass.passId !== message.pass_id ||
      pass.shards[String(message.shard)] !== 'pending'
    ) {
      this.deps.logger.info('sync shard settled already; message dropped', {
        pass_id: message.pass_id,
        shard: message.shard,
      });
      return 'already_settled';
    }
    const lastReceive = record.receiveCount >= this.deps.maxReceiveCount;
    let summary: SyncSummary;
    try {
      summary = await runHeatPumpSync(this.deps, {
        runId: invocation.runId,
        source: `shard ${message.shard} of ${message.pass_id}`,
        remainingTimeMs: invocation.remainingTimeMs,
        scope: {
          progressKey: shardProgressKey(message.pass_id, message.shard),
          after: message.after,
          until: message.until,
          completed: (figures, _startedAt, census) => this.settle(message, 'done', figures, census),
        },
      });
    } catch (error) {
      this.deps.logger.warn('sync shard failed', {
        pass_id: message.pass_id,
        shard: message.shard,
        error_name: (error as Error).name,
        receive_count: record.receiveCount,
      });
      return this.failOrRetry(message, lastReceive, syncFiguresOf());
    }
    switch (summary.stopped) {
      case 'completed_pass':
        return 'completed';
      case 'time_budget':
        await this.passes.addFigures(
          message.pass_id,
          pickSyncFigures(summary),
          this.isoNow(),
          summary.census,
        );
        await this.deps.queue.continueLater(message);
        return 'continued';
      case 'lease_held':
        // Another worker is on this shard (a redelivery while it still runs): it settles the shard.
        return lastReceive ? 'held_elsewhere' : 'retry';
      default:
        return this.failOrRetry(message, lastReceive, pickSyncFigures(summary), summary.census);
    }
  }

  private async failOrRetry(
    message: ShardMessage,
    lastReceive: boolean,
    figures: SyncFigures,
    census: FleetCensus = emptyCensus(),
  ): Promise<ShardOutcome> {
    if (!lastReceive) {
      if (figures.users > 0) await this.passes.addFigures(message.pass_id, figures, this.isoNow(), census);
      return 'retry';
    }
    await this.settle(message, 'failed', figures, census);
    this.deps.logger.error('sync shard failed on its last receive: dead-lettered', {
      pass_id: message.pass_id,
      shard: message.shard,
    });
    return 'failed';
  }

  private async settle(
    message: ShardMessage,
    outcome: 'done' | 'failed',
    figures: SyncFigures,
    census: FleetCensus,
  ): Promise<void> {
    const pass = await this.passes.settleShard(
      message.pass_id,
      message.shard,
      outcome,
      figures,
      this.isoNow(),
      census,
    );
    if (pass !== null) await completeIfSettled(this.completion, pass);
  }

  private isoNow(): string {
    return new Date(this.deps.now()).toISOString();
  }
}

function safeJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** Outcomes after which SQS deletes the message; the others come back (or go to the dead-letter queue). */
export const DELETES_MESSAGE: ReadonlySet<ShardOutcome> = new Set([
  'completed',
  'continued',
  'already_settled',
  'held_elsewhere',
]);
