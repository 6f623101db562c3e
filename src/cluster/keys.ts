// TiDB's memcomparable byte encoding (protocol.md §3.6). PD and TiKV region metadata hold encoded keys; the
// clients convert at the boundary. Kept here (not in src/encode) so src/cluster has no dependency on the codec.
const GROUP = 8;
const MARKER = 0xff;
const PAD = 0x00;

export function encodeBytes(raw: Uint8Array): Buffer {
  const groups = Math.floor(raw.length / GROUP) + 1;
  const out = Buffer.alloc(groups * (GROUP + 1));
  let o = 0;
  for (let i = 0; i <= raw.length; i += GROUP) {
    const remain = raw.length - i;
    const n = Math.min(remain, GROUP);
    out.set(raw.subarray(i, i + n), o);
    out.fill(PAD, o + n, o + GROUP);
    out[o + GROUP] = MARKER - (GROUP - n);
    o += GROUP + 1;
    if (remain < GROUP) break;
  }
  return out.subarray(0, o);
}

/** Decodes one encoded key from the front of `buf`; returns the raw key and the number of bytes consumed. */
export function decodeBytes(buf: Uint8Array): { key: Buffer; read: number } {
  const parts: Uint8Array[] = [];
  let o = 0;
  for (;;) {
    if (o + GROUP + 1 > buf.length) throw new Error('insufficient bytes to decode value');
    const marker = buf[o + GROUP]!;
    const pad = MARKER - marker;
    if (pad > GROUP) throw new Error(`invalid marker byte 0x${marker.toString(16)}`);
    const realLen = GROUP - pad;
    parts.push(buf.subarray(o, o + realLen));
    for (let i = realLen; i < GROUP; i++) if (buf[o + i] !== PAD) throw new Error('invalid padding byte');
    o += GROUP + 1;
    if (pad !== 0) break;
  }
  return { key: Buffer.concat(parts), read: o };
}

/** Decodes a region bound: empty stays empty (unbounded). */
export function decodeRegionKey(k: Uint8Array): Buffer {
  return k.length === 0 ? Buffer.alloc(0) : decodeBytes(k).key;
}
