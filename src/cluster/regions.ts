// Region scans the way Lightning's PaginateScanRegion checks them (protocol.md §3.4): the result must be
// non-empty, start at or before the start key, end at or after the end key, and be contiguous; otherwise the
// scan is retried (PD may be mid-split). Keys here are raw; PD is asked with EncodeBytes'd keys.
import { Codes, LightningError } from '../errors.js';
import { withBackoff, type Backoff } from './backoff.js';
import { decodeRegionKey, encodeBytes } from './keys.js';
import type { PdClient } from './pd.js';
import type { RegionInfo } from './types.js';

export const SCAN_BACKOFF: Backoff = { attempts: 150, firstMs: 10, maxMs: 2000 };

/** Regions covering raw [start, end) (end empty = +∞), checked for consistency. */
export async function scanRegions(pd: PdClient, start: Buffer, end: Buffer, backoff: Backoff = SCAN_BACKOFF): Promise<RegionInfo[]> {
  const s = encodeBytes(start);
  const e = end.length ? encodeBytes(end) : Buffer.alloc(0);
  return withBackoff(backoff, async () => {
    const regions = await pd.scanRegionsAll(s, e, 128);
    checkRegions(regions, s, e);
    return regions;
  }, (err) => (err instanceof LightningError ? err.retryable || err.code === Codes.KVScanRegion : true));
}

function checkRegions(rs: RegionInfo[], s: Buffer, e: Buffer): void {
  const fail = (why: string) => {
    throw new LightningError(Codes.KVScanRegion, `${why}, startKey: ${s.toString('hex')}, endKey: ${e.toString('hex')}`, { retryable: true });
  };
  if (rs.length === 0) fail('scan region return empty result');
  if (Buffer.compare(rs[0]!.region.startKey, s) > 0) fail("first region's startKey > startKey");
  const lastEnd = rs[rs.length - 1]!.region.endKey;
  if (lastEnd.length > 0 && (e.length === 0 || Buffer.compare(lastEnd, e) < 0)) fail("last region's endKey < endKey");
  for (let i = 1; i < rs.length; i++) {
    if (!rs[i]!.region.startKey.equals(rs[i - 1]!.region.endKey)) fail('region endKey not equal to next region startKey');
  }
}

/** A region's bounds as raw keys (empty = unbounded). */
export function rawBounds(r: RegionInfo): { start: Buffer; end: Buffer } {
  return { start: decodeRegionKey(r.region.startKey), end: decodeRegionKey(r.region.endKey) };
}

/** Does raw `key` fall in the region? */
export function regionContains(r: RegionInfo, key: Buffer): boolean {
  const enc = encodeBytes(key);
  return Buffer.compare(r.region.startKey, enc) <= 0 && (r.region.endKey.length === 0 || Buffer.compare(enc, r.region.endKey) < 0);
}
