/**
 * Staging batches (pure): the points one flush wrote, grouped by series.
 *
 *   version (varint, = 1) · group count (varint)
 *   per group: series key (varint) · series index of its first point (varint) ·
 *              byte length (varint) · the points as one chunk (chunk-codec.ts)
 */
import { BitReader, BitWriter } from './bits.js';
import { type Columns, decodeChunk, encodeChunk } from './chunk-codec.js';

export const BATCH_FORMAT_VERSION = 1;

export interface BatchGroup {
  key: number;
  idx: number;
  cols: Columns;
}

export function encodeBatch(groups: readonly BatchGroup[]): Uint8Array {
  const w = new BitWriter(64);
  w.writeVarint(BATCH_FORMAT_VERSION);
  w.writeVarint(groups.length);
  for (const g of groups) {
    const bytes = encodeChunk(g.cols);
    w.writeVarint(g.key);
    w.writeVarint(g.idx);
    w.writeVarint(bytes.length);
    w.writeBytes(bytes);
  }
  return w.finish();
}

export function decodeBatch(bytes: Uint8Array): BatchGroup[] {
  const r = new BitReader(bytes);
  if (r.readVarint() !== BATCH_FORMAT_VERSION) throw new RangeError('unknown staging batch version');
  const count = r.readVarint();
  const groups: BatchGroup[] = [];
  for (let i = 0; i < count; i++) {
    const key = r.readVarint();
    const idx = r.readVarint();
    const cols = decodeChunk(r.readBytes(r.readVarint()));
    groups.push({ key, idx, cols });
  }
  if (!r.intact) throw new RangeError('staging batch ends early');
  return groups;
}
