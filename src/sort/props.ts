// Range properties of an engine's merged data file (like Lightning's Pebble range properties): every
// `sizeDistance` bytes or `keysDistance` keys, the key that starts there, its file offset and the cumulative
// pairs and bytes before it. Split-range computation and seeks use them; memory is one entry per distance
// (4 MiB by default: 256 k entries per TiB).
export interface RangeProp {
  key: Buffer;
  offset: number;
  /** pairs before `key` */
  kvs: number;
  /** Σ len(key)+len(value) before `key` */
  bytes: number;
}

export interface KeyRange {
  start: Buffer;
  /** exclusive; empty = unbounded */
  end: Buffer;
}

export const DEFAULT_PROP_SIZE_DISTANCE = 4 << 20;
export const DEFAULT_PROP_KEYS_DISTANCE = 40 * 1024;

export class PropsCollector {
  readonly props: RangeProp[] = [];
  private kvs = 0;
  private bytes = 0;
  private lastProp = { kvs: -Infinity, bytes: -Infinity };

  constructor(private readonly sizeDistance = DEFAULT_PROP_SIZE_DISTANCE, private readonly keysDistance = DEFAULT_PROP_KEYS_DISTANCE) {}

  /** Call before writing each record at `offset`. */
  add(key: Buffer, valueLen: number, offset: number): void {
    if (this.bytes - this.lastProp.bytes >= this.sizeDistance || this.kvs - this.lastProp.kvs >= this.keysDistance) {
      const p = { key: Buffer.from(key), offset, kvs: this.kvs, bytes: this.bytes };
      this.props.push(p);
      this.lastProp = p;
    }
    this.kvs++;
    this.bytes += key.length + valueLen;
  }

  get totals(): { kvs: number; bytes: number } { return { kvs: this.kvs, bytes: this.bytes }; }
}

/** The smallest key greater than `k` (raw keys): k ++ 0x00. */
export function nextKey(k: Buffer): Buffer {
  return Buffer.concat([k, Buffer.alloc(1)]);
}

/**
 * Consecutive ranges covering every key, each holding ≤ maxBytes and ≤ maxKeys. Boundaries are prop keys, so a
 * range exceeds the limits only when one prop interval alone does. The last range ends at nextKey(lastKey).
 */
export function splitRanges(props: RangeProp[], totals: { kvs: number; bytes: number }, lastKey: Buffer,
  maxBytes: number, maxKeys: number): KeyRange[] {
  const m = props.length;
  const cum = (i: number) => (i < m ? props[i]! : totals);
  const out: KeyRange[] = [];
  for (let s = 0; s < m;) {
    let t = s + 1;
    while (t < m && cum(t + 1).bytes - cum(s).bytes <= maxBytes && cum(t + 1).kvs - cum(s).kvs <= maxKeys) t++;
    out.push({ start: props[s]!.key, end: t < m ? props[t]!.key : nextKey(lastKey) });
    s = t;
  }
  return out;
}
