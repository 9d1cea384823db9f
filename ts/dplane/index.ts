// The dataplane-side FIB mirror: the store, its change-source contract and helpers.
export * from './types';
// The store, its options, status shapes and counters (store.ts re-exports model.ts's).
export * from './store';
export { laneOf, LANE_OF_PROTOCOL } from './lanes';
