/**
 * The batch encoders: items as the sync writes them with BatchWriteItem, which takes no condition (the
 * write rules and why: sync/plan.ts). Everything else writes through the stores' conditional
 * methods (`sendIfCondition`).
 */
export {
  listMarkerWholeItem as listMarkerBatchItem,
  snapshotWholeItem as snapshotBatchItem,
} from './device-snapshots';
export { readingItem as readingBatchItem } from './readings';
