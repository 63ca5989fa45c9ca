/**
 * Public surface of the history store (docs/history.md): open it with
 * `HistoryStore.open`, add it to the lifecycle, append points, query through
 * `store.reader`, publish through `readAfter` / `ackPublisher`.
 */
export { type Columns, decodeChunk, encodeChunk } from './codec/chunk-codec.js';
export { HistoryReader, MAX_RAW_POINTS } from './reader.js';
export type { HistorySettings } from './settings.js';
export { HISTORY_STORE, HistoryStore, type HistoryStoreOptions } from './store.js';
export * from './types.js';
