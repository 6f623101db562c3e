// Fast paths of convertField for the common cases of bulk data (plain integers, strings that fit), reading
// SliceFields in place and filling one reusable datum per column: the profile of the encode bench showed
// per-field views and datum objects as a large share of CPU and GC. Anything unusual (signs and spaces,
// fractions, out of range, too long, utf8 4-byte checks, BINARY(N) padding) returns null and takes the
// general path, so the result is always exactly convertField's.
import { SliceField } from '../parse/field.js';
import { FieldKind, type Field } from '../parse/types.js';
import { K, type Datum } from './datum.js';
import { Tp, isUnsigned, type FieldType } from './types.js';

const enum Mode { None, Int, Uint, Str, Bytes }

const RANGE: Record<number, [number, number, number]> = {
  [Tp.Tiny]: [-128, 127, 255], [Tp.Short]: [-32768, 32767, 65535], [Tp.Int24]: [-8388608, 8388607, 16777215],
  [Tp.Long]: [-2147483648, 2147483647, 4294967295],
  // 15 digits always fit a double exactly; longer values take the general path
  [Tp.Longlong]: [-999999999999999, 999999999999999, 999999999999999],
};

export class FastConverter {
  private readonly mode: Mode;
  private readonly min: number = 0;
  private readonly max: number = 0;
  private readonly flen: number;
  private readonly trimRight: boolean;
  /**
   * The datum handed out: valid until the next call for this column (the encoder uses datums within one row;
   * never cache it).
   */
  private readonly scratch: { k: number; v: number | Buffer; coll?: string };

  constructor(ft: FieldType) {
    this.flen = ft.Flen;
    this.trimRight = ft.Tp === Tp.String;
    const r = RANGE[ft.Tp];
    if (r) {
      this.mode = isUnsigned(ft) ? Mode.Uint : Mode.Int;
      this.min = isUnsigned(ft) ? 0 : r[0];
      this.max = isUnsigned(ft) ? r[2] : r[1];
      this.scratch = { k: this.mode === Mode.Uint ? K.Uint : K.Int, v: 0 };
    } else if ((ft.Tp === Tp.Varchar || ft.Tp === Tp.VarString || ft.Tp === Tp.String || ft.Tp === Tp.Blob || ft.Tp === Tp.TinyBlob ||
      ft.Tp === Tp.MediumBlob || ft.Tp === Tp.LongBlob) && ft.Charset !== 'utf8' && !(ft.Charset === 'binary' && ft.Tp === Tp.String)) {
      this.mode = ft.Charset === 'binary' ? Mode.Bytes : Mode.Str;
      this.scratch = this.mode === Mode.Bytes ? { k: K.Bytes, v: Buffer.alloc(0) } : { k: K.String, v: Buffer.alloc(0), coll: ft.Collate };
    } else {
      this.mode = Mode.None;
      this.scratch = { k: K.Null, v: 0 };
    }
  }

  get enabled(): boolean {
    return this.mode !== Mode.None;
  }

  /** the datum for f, or null when the general conversion must decide */
  convert(f: Field): Datum | null {
    switch (this.mode) {
      case Mode.Int: case Mode.Uint: {
        if (f.kind !== FieldKind.Num && f.kind !== FieldKind.Str) return null;
        let src: Buffer, i: number, end: number;
        if (f instanceof SliceField) { src = f.src; i = f.start; end = f.end; } else { src = f.value; i = 0; end = src.length; }
        const n = end - i;
        if (n === 0 || n > 16) return null;
        let neg = false;
        if (src[i] === 0x2d) { neg = true; i++; if (i === end) return null; }
        let v = 0;
        for (; i < end; i++) {
          const c = src[i]! - 0x30;
          if (c < 0 || c > 9) return null;
          v = v * 10 + c;
        }
        if (neg) v = v === 0 ? 0 : -v;
        if (v < this.min || v > this.max) return null;
        this.scratch.v = v;
        return this.scratch as Datum;
      }
      case Mode.Str: case Mode.Bytes: {
        if (f.kind !== FieldKind.Str && f.kind !== FieldKind.Bin) return null;
        let b = f.value;
        if (this.flen >= 0 && b.length > this.flen) return null; // length rules (runes, spaces) are the slow path's
        if (this.trimRight && this.mode === Mode.Str && b.length > 0 && b[b.length - 1] === 0x20) {
          let e = b.length - 1;
          while (e > 0 && b[e - 1] === 0x20) e--;
          b = b.subarray(0, e);
        }
        this.scratch.v = b;
        return this.scratch as Datum;
      }
      default: return null;
    }
  }
}
