import { describe, expect, it } from 'vitest';
import { deviceFiguresOf } from '../domain/devices/kinds';
import { emptyCensus } from '../domain/fleet-census';
import type { SyncFigures } from '../domain/sync-figures';
import type { PassHistoryRecord, PassRecord } from '../storage/sync-passes';
import type { SyncRunRecord } from '../storage/sync-state';
import { fleetPassView, passHistoryView, runView } from './fleet-pass-view';
import { syncStatusSchema } from './schemas';

const figures: SyncFigures = {
  users: 9,
  ...deviceFiguresOf(),
  heat_pumps: 17,
  readings_written: 15,
  failures: 1,
};

const pass: PassRecord = {
  passId: 'p1',
  source: 'schedule',
  startedAt: '2026-03-01T00:00:00.000Z',
  updatedAt: '2026-03-01T00:05:00.000Z',
  status: 'completed',
  shardCount: 3,
  shards: { '0': 'done', '1': 'failed', '2': 'done' },
  shardsDone: 2,
  shardsFailed: 1,
  completedAt: '2026-03-01T00:05:00.000Z',
  passesCompleted: 4,
  lastPassCompletedAt: '2026-03-01T00:05:00.000Z',
  figures,
  census: emptyCensus(),
};
const history: PassHistoryRecord = {
  passId: 'p0',
  source: 'schedule',
  startedAt: '2026-02-28T23:45:00.000Z',
  completedAt: '2026-02-28T23:50:00.000Z',
  shardCount: 2,
  failedShards: [],
  figures,
};
const run: SyncRunRecord = {
  runId: 'r1',
  source: 'shard 0 of p1',
  startedAt: '2026-03-01T00:00:01.000Z',
  durationMs: 1234,
  figures,
  completedPass: true,
  stopped: 'completed_pass',
};

describe('the sync status views', () => {
  it("put the figures under the response's own field names, which the strict schema accepts", () => {
    const status = syncStatusSchema.parse({
      passes_completed: 4,
      last_pass_completed_at: pass.lastPassCompletedAt,
      current_pass: null,
      fleet_pass: fleetPassView(pass),
      passes: [passHistoryView(history)],
      runs: [runView(run)],
      failing_users: [],
    });
    expect(status.fleet_pass).toMatchObject({ ...figures, pass_id: 'p1', shards: 3, failed_shards: [1] });
    expect(status.passes[0]).toMatchObject({ ...figures, pass_id: 'p0', shards: 2 });
    expect(status.runs[0]).toMatchObject({ ...figures, run_id: 'r1', duration_ms: 1234 });
  });

  it('carry nothing but the figures from a record whose figures hold more', () => {
    const loaded = { ...figures, snapshots_written: 3 } as SyncFigures;
    expect(() => syncStatusSchema.shape.runs.parse([runView({ ...run, figures: loaded })])).not.toThrow();
  });
});
