// JSON text → TiDB binary JSON (types/json_binary.go; MySQL 5.7 layout, little endian). Numbers keep their
// literal text for classification: '.', 'e', 'E' → double; else int64 if it fits, uint64, else double.
// Object keys sorted by byte order; the last duplicate wins.
import { Writer } from './writer.js';

export const JT = { Object: 0x01, Array: 0x03, Literal: 0x04, Int64: 0x09, Uint64: 0x0a, Double: 0x0b, String: 0x0c } as const;

type JVal =
  | { t: 'obj'; entries: [Buffer, JVal][] }
  | { t: 'arr'; items: JVal[] }
  | { t: 'lit'; v: 0 | 1 | 2 }
  | { t: 'i64'; v: bigint }
  | { t: 'u64'; v: bigint }
  | { t: 'f64'; v: number }
  | { t: 'str'; v: Buffer };

export class JsonSyntaxError extends Error {}

class P {
  i = 0;
  constructor(readonly s: string) {}
  ws(): void { while (this.i < this.s.length && ' \t\n\r'.includes(this.s[this.i]!)) this.i++; }
  value(): JVal {
    this.ws();
    const c = this.s[this.i];
    if (c === '{') return this.obj();
    if (c === '[') return this.arr();
    if (c === '"') return { t: 'str', v: Buffer.from(this.str(), 'utf8') };
    if (this.s.startsWith('null', this.i)) { this.i += 4; return { t: 'lit', v: 0 }; }
    if (this.s.startsWith('true', this.i)) { this.i += 4; return { t: 'lit', v: 1 }; }
    if (this.s.startsWith('false', this.i)) { this.i += 5; return { t: 'lit', v: 2 }; }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.i));
    if (!m) throw new JsonSyntaxError(`invalid JSON text at ${this.i}`);
    this.i += m[0].length;
    return num(m[0]);
  }
  str(): string {
    const start = this.i;
    this.i++;
    while (this.i < this.s.length) {
      const c = this.s[this.i]!;
      if (c === '\\') this.i += 2;
      else if (c === '"') { this.i++; return JSON.parse(this.s.slice(start, this.i)) as string; }
      else this.i++;
    }
    throw new JsonSyntaxError('unterminated JSON string');
  }
  obj(): JVal {
    this.i++;
    const map = new Map<string, JVal>();
    this.ws();
    if (this.s[this.i] === '}') { this.i++; return { t: 'obj', entries: [] }; }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') throw new JsonSyntaxError('expected object key');
      const k = this.str();
      this.ws();
      if (this.s[this.i++] !== ':') throw new JsonSyntaxError('expected :');
      const v = this.value();
      map.delete(k);
      map.set(k, v);
      this.ws();
      const c = this.s[this.i++];
      if (c === '}') break;
      if (c !== ',') throw new JsonSyntaxError('expected , or }');
    }
    const entries: [Buffer, JVal][] = [...map].map(([k, v]) => [Buffer.from(k, 'utf8'), v]);
    entries.sort((a, b) => Buffer.compare(a[0], b[0]));
    return { t: 'obj', entries };
  }
  arr(): JVal {
    this.i++;
    const items: JVal[] = [];
    this.ws();
    if (this.s[this.i] === ']') { this.i++; return { t: 'arr', items }; }
    for (;;) {
      items.push(this.value());
      this.ws();
      const c = this.s[this.i++];
      if (c === ']') break;
      if (c !== ',') throw new JsonSyntaxError('expected , or ]');
    }
    return { t: 'arr', items };
  }
}

function num(text: string): JVal {
  if (/[.eE]/.test(text)) return { t: 'f64', v: Number(text) };
  const b = BigInt(text);
  if (b >= -(1n << 63n) && b < 1n << 63n) return { t: 'i64', v: b };
  if (b >= 0n && b < 1n << 64n) return { t: 'u64', v: b };
  return { t: 'f64', v: Number(text) };
}

function typeCode(v: JVal): number {
  switch (v.t) {
    case 'obj': return JT.Object;
    case 'arr': return JT.Array;
    case 'lit': return JT.Literal;
    case 'i64': return JT.Int64;
    case 'u64': return JT.Uint64;
    case 'f64': return JT.Double;
    case 'str': return JT.String;
  }
}

function writeValue(w: Writer, v: JVal): void {
  switch (v.t) {
    case 'lit': w.u8(v.v); return;
    case 'i64': case 'u64': { const u = BigInt.asUintN(64, v.v); w.u32le(Number(u & 0xffffffffn)); w.u32le(Number(u >> 32n)); return; }
    case 'f64': { const b = Buffer.allocUnsafe(8); b.writeDoubleLE(v.v); w.bytes(b); return; }
    case 'str': { let n = v.v.length; while (n >= 0x80) { w.u8((n & 0x7f) | 0x80); n >>>= 7; } w.u8(n); w.bytes(v.v); return; }
    case 'arr': case 'obj': writeContainer(w, v); return;
  }
}

function writeContainer(w: Writer, v: JVal & { t: 'obj' | 'arr' }): void {
  const start = w.pos;
  const vals = v.t === 'obj' ? v.entries.map((e) => e[1]) : v.items;
  const count = vals.length;
  w.u32le(count);
  w.u32le(0); // total size, patched
  let keyEntryOff = 0;
  if (v.t === 'obj') { keyEntryOff = w.pos - start; w.ensure(count * 6); w.pos += count * 6; }
  const valEntryOff = w.pos - start;
  w.ensure(count * 5);
  w.pos += count * 5;
  if (v.t === 'obj') {
    v.entries.forEach(([k], i) => {
      const e = start + keyEntryOff + i * 6;
      w.buf.writeUInt32LE(w.pos - start, e);
      w.buf.writeUInt16LE(k.length, e + 4);
      w.bytes(k);
    });
  }
  vals.forEach((val, i) => {
    const e = start + valEntryOff + i * 5;
    w.buf[e] = typeCode(val);
    if (val.t === 'lit') { w.buf.writeUInt32LE(val.v, e + 1); return; }
    w.buf.writeUInt32LE(w.pos - start, e + 1);
    writeValue(w, val);
  });
  w.buf.writeUInt32LE(w.pos - start, start + 4);
}

/** parse JSON text and return [typeCode, binary value] */
export function jsonToBinary(text: string): [number, Buffer] {
  const p = new P(text);
  const v = p.value();
  p.ws();
  if (p.i !== text.length) throw new JsonSyntaxError('trailing characters after JSON value');
  const w = new Writer(64);
  writeValue(w, v);
  return [typeCode(v), w.take()];
}

/** binary JSON back to text (for the decoder) */
export function binaryToJson(tc: number, b: Buffer, off = 0): string {
  switch (tc) {
    case JT.Literal: return b[off] === 0 ? 'null' : b[off] === 1 ? 'true' : 'false';
    case JT.Int64: return b.readBigInt64LE(off).toString();
    case JT.Uint64: return b.readBigUInt64LE(off).toString();
    case JT.Double: { const d = b.readDoubleLE(off); return Number.isInteger(d) && Math.abs(d) < 1e21 ? d.toFixed(1) : String(d); }
    case JT.String: {
      let n = 0, s = 0, i = off;
      for (;;) { const c = b[i++]!; n |= (c & 0x7f) << s; if (c < 0x80) break; s += 7; }
      return JSON.stringify(b.subarray(i, i + n).toString('utf8'));
    }
    case JT.Object: case JT.Array: {
      const count = b.readUInt32LE(off);
      const parts: string[] = [];
      const valBase = off + 8 + (tc === JT.Object ? count * 6 : 0);
      for (let i = 0; i < count; i++) {
        const t = b[valBase + i * 5]!;
        const vo = t === JT.Literal ? valBase + i * 5 + 1 : off + b.readUInt32LE(valBase + i * 5 + 1);
        const val = binaryToJson(t, b, vo);
        if (tc === JT.Object) {
          const ko = off + b.readUInt32LE(off + 8 + i * 6), kl = b.readUInt16LE(off + 8 + i * 6 + 4);
          parts.push(`${JSON.stringify(b.subarray(ko, ko + kl).toString('utf8'))}: ${val}`);
        } else parts.push(val);
      }
      return tc === JT.Object ? `{${parts.join(', ')}}` : `[${parts.join(', ')}]`;
    }
    default: return `"<json type ${tc}>"`;
  }
}
