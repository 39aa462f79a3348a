/**
 * The sync's writes, streamed while users are still being fetched from Podero.
 *
 * Readings and main-table writes (snapshots, list markers, deletes) fill two buffers; a buffer is sent
 * as one BatchWriteItem (through `batchWriteChunk`: UnprocessedItems retries, failures per owner) the
 * moment it holds 25 items, a few calls in flight at once. A partial batch is sent only when the caller
 * says nothing more will join it soon (`isIdle`), so a busy run always sends full batches.
 *
 * Per user, the main-table writes are queued only after every reading of that user was written: the
 * snapshot's state timestamp is what dedupes the next reading, so it may only move forward once the
 * reading for that state is stored. A user whose readings could not be written gets no main-table
 * write at all (the old snapshot stays, and the next pass writes the reading).
 */
import pLimit, { type LimitFunction } from 'p-limit';
import {
  BATCH_WRITE_MAX_ITEMS,
  batchWriteChunk,
  defaultBatchWriteOptions,
  type PendingWrite,
} from '../storage/batch-write';
import type { SyncRunDeps, SyncSettings } from './types';

export interface UserWrites {
  readings: PendingWrite[];
  main: PendingWrite[];
}

/** Called once per `add`, when all of the user's writes were settled; `error` if any could not be written. */
export type WritesSettled = (error: string | undefined) => void;

interface Job {
  readingsLeft: number;
  mainLeft: number;
  main: PendingWrite[];
  error?: string;
  settled: WritesSettled;
}

interface Queued {
  write: PendingWrite;
  job: Job;
}

/** What the pipeline uses of the sync's dependencies. */
export type WritePipelineDeps = Pick<SyncRunDeps, 'db' | 'batchWriteOptions'> & {
  readonly config: Pick<SyncSettings, 'mainTableName' | 'readingsTableName'>;
};

/** How the pipeline and its run talk: the run's state, read and told. */
export interface WritePipelineHooks {
  /** True when no more writes will be added soon: partial batches may go. */
  isIdle: () => boolean;
  /** Something changed (a user's writes settled, a call finished): the caller re-checks its conditions. */
  onProgress: () => void;
  /** An unexpected error (not a write failure, those are per owner): the run must stop. */
  onFatal: (error: unknown) => void;
}

export class WritePipeline {
  private readonly readings: Queued[] = [];
  private readonly main: Queued[] = [];
  private readingsChunksPending = 0;
  private chunksPending = 0;
  private readonly limit: LimitFunction;
  private readonly parallelCalls: number;
  readonly totals = { calls: 0, readingsWritten: 0, mainWritten: 0 };

  constructor(
    private readonly deps: WritePipelineDeps,
    private readonly hooks: WritePipelineHooks,
  ) {
    this.parallelCalls = deps.batchWriteOptions?.parallelCalls ?? defaultBatchWriteOptions.parallelCalls;
    this.limit = pLimit(this.parallelCalls);
  }

  /** BatchWriteItem chunks sent or waiting for a call slot, and items still buffered. */
  get pending(): number {
    return this.chunksPending + this.readings.length + this.main.length;
  }

  add(writes: UserWrites, settled: WritesSettled): void {
    const job: Job = { readingsLeft: writes.readings.length, mainLeft: 0, main: writes.main, settled };
    if (job.readingsLeft === 0) this.queueMain(job);
    else for (const write of writes.readings) this.readings.push({ write, job });
    this.flush();
  }

  /**
   * Sends every full batch, and the partial ones if the caller is idle and a call slot is free. Call
   * after any state change.
   */
  flush(): void {
    while (this.readings.length >= BATCH_WRITE_MAX_ITEMS) this.send(this.readings, true);
    while (this.main.length >= BATCH_WRITE_MAX_ITEMS) this.send(this.main, false);
    if (!this.hooks.isIdle()) return;
    // With every call slot busy, a partial batch would only queue behind them while more items could
    // join it; the next call to finish flushes again. Without this, a run whose window was full (so
    // "idle") under a slow database sent a batch of one or two items per flush, thousands of small
    // calls that slowed the database further (`pnpm bench sync`, 10,000 users at C = 64).
    if (this.chunksPending >= this.parallelCalls) return;
    if (this.readings.length > 0) this.send(this.readings, true);
    // Main writes of users whose readings are still on their way would join the buffer: wait for them.
    if (this.main.length > 0 && this.readings.length === 0 && this.readingsChunksPending === 0)
      this.send(this.main, false);
  }

  private queueMain(job: Job): void {
    job.mainLeft = job.main.length;
    if (job.mainLeft === 0) {
      job.settled(job.error);
      return;
    }
    for (const write of job.main) this.main.push({ write, job });
    job.main = [];
  }

  private send(buffer: Queued[], readings: boolean): void {
    const chunk = buffer.splice(0, BATCH_WRITE_MAX_ITEMS);
    this.chunksPending++;
    if (readings) this.readingsChunksPending++;
    void this.limit(() =>
      batchWriteChunk(
        this.deps.db,
        chunk.map((q) => q.write),
        this.deps.batchWriteOptions,
      ),
    )
      .then((result) => {
        this.chunksPending--;
        if (readings) this.readingsChunksPending--;
        this.totals.calls += result.calls;
        this.totals.readingsWritten += result.written.get(this.deps.config.readingsTableName) ?? 0;
        this.totals.mainWritten += result.written.get(this.deps.config.mainTableName) ?? 0;
        for (const { write, job } of chunk) {
          const failure = result.failedOwners.get(write.owner);
          if (failure !== undefined) job.error ??= failure;
          if (readings) {
            job.readingsLeft--;
            if (job.readingsLeft > 0) continue;
            // A user whose readings failed keeps its old snapshot: no main-table writes.
            if (job.error !== undefined) job.settled(job.error);
            else this.queueMain(job);
          } else {
            job.mainLeft--;
            if (job.mainLeft === 0) job.settled(job.error);
          }
        }
        this.flush();
        this.hooks.onProgress();
      })
      .catch(this.hooks.onFatal);
  }
}
