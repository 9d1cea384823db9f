// The dataplane-side FIB mirror: the store, its change-source contract and helpers.
export * from './types';
export { FibStore } from './store';
export type {
  FibStoreOptions,
  MacInfo,
  NhgInfo,
  ParkedStatus,
  PathInfo,
  ReplayEnd,
  ReplayState,
  ReplayStatus,
  RouteInfo,
  RouteKey,
  RouteLookup,
  RowFailure,
  StoreCounts,
} from './store';
export { StoreCounters } from './store';
export { laneOf, LANE_OF_PROTOCOL } from './lanes';
