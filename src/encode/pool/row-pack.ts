// Parsed rows packed into transferable ArrayBuffers (the encode pool's input): parsers hand out fields that
// are views into their read buffers, valid only until the next batch, so rows are copied once here and then
// moved to a worker without another copy.
//
// Copying: consecutive fields that view the same parser buffer in increasing order (the normal case: one
// INSERT statement or CSV block) are copied as one span, delimiters included, so a 1 MiB batch is a handful of
// memcpy calls instead of one per field (per-field Buffer#copy was the largest cost of packing). Other fields
// (unescaped strings the parser had to build) are copied one by one.
//
// Two buffers: `data` (the copied bytes, written in place: no copy at finish) and `meta` (little endian):
//   u32 MAGIC ‖ u32 rows ‖ u32 fields ‖ u32 dataLen ‖ f64 rowNo[rows] ‖ f64 rowEnd[rows] ‖
//   u32 rowFirstField[rows+1] ‖ u32 fieldStart[fields] ‖ u32 fieldEnd[fields] ‖ u8 kind[fields]
import { SliceField } from '../../parse/field.js';
import type { Field, FieldKind, Row } from '../../parse/types.js';
import type { BufferPool } from './buffers.js';

const MAGIC = 0x4b50524d; // "MRPK"
/** bytes between two fields a span may carry along (delimiters, quotes, `),(`) */
const MAX_GAP = 256;

export interface PackedRows {
  /** the copied bytes, [0, dataBytes) */
  data: ArrayBuffer;
  meta: ArrayBuffer;
  rows: number;
  fields: number;
  /** bytes copied (field values plus the delimiters between them) */
  dataBytes: number;
  /** rowNo of the first row, and offset just past the last row (the chunk's resume point) */
  firstRowNo: number;
  endOffset: number;
}

interface Layout { rowNo: number; rowEnd: number; first: number; fStart: number; fEnd: number; kinds: number; size: number }

function layout(rows: number, fields: number): Layout {
  const rowNo = 16, rowEnd = rowNo + rows * 8, first = rowEnd + rows * 8;
  const fStart = first + (rows + 1) * 4, fEnd = fStart + fields * 4, kinds = fEnd + fields * 4;
  return { rowNo, rowEnd, first, fStart, fEnd, kinds, size: kinds + fields };
}

export class RowPacker {
  // metadata in reused typed arrays (JS arrays of numbers showed up in profiles), copied out at finish()
  private rowNo = new Float64Array(1024);
  private rowEnd = new Float64Array(1024);
  private rowFirst = new Uint32Array(1025);
  private fieldStart = new Uint32Array(4096);
  private fieldEnd = new Uint32Array(4096);
  private kinds = new Uint8Array(4096);
  private nRows = 0;
  private nFields = 0;
  private data: Buffer;
  /** bytes of `data` in use, including the pending span */
  private pos = 0;
  // the pending span: src[spanStart, spanEnd) goes to data[spanAt, …) when flushed
  private spanSrc: Buffer | null = null;
  private spanStart = 0;
  private spanEnd = 0;
  private spanAt = 0;

  /** `buffers`: where data buffers come from (packed buffers come back there once a worker is done) */
  constructor(private readonly capacity = 1 << 20, private readonly buffers?: BufferPool) {
    this.data = this.alloc(capacity);
  }

  private alloc(n: number): Buffer {
    // own ArrayBuffers (never Node's shared pool): they are transferred
    return Buffer.from(this.buffers ? this.buffers.take(n) : new ArrayBuffer(n));
  }

  get rows(): number { return this.nRows; }
  get bytes(): number { return this.pos; }

  /** copy one row's fields */
  add(row: Row): void;
  add(fields: readonly Field[], rowNo: number, end: number): void;
  add(r: Row | readonly Field[], rowNo?: number, end?: number): void {
    const isRow = !Array.isArray(r);
    const fields = isRow ? (r as Row).fields : r as readonly Field[];
    if (this.nRows + 1 >= this.rowNo.length) this.growRows();
    const ri = this.nRows++;
    this.rowNo[ri] = isRow ? (r as Row).rowNo : rowNo!;
    this.rowEnd[ri] = isRow ? (r as Row).end : end!;
    this.rowFirst[ri] = this.nFields;
    const nf = fields.length;
    if (this.nFields + nf > this.kinds.length) this.growFields(nf);
    let fi = this.nFields;
    for (let i = 0; i < nf; i++, fi++) {
      const f = fields[i]!;
      let src: Buffer, start: number, stop: number;
      if (f instanceof SliceField) { src = f.src; start = f.start; stop = f.end; } else { src = f.value; start = 0; stop = src.length; }
      this.kinds[fi] = f.kind;
      if (src === this.spanSrc && start >= this.spanEnd && start - this.spanEnd <= MAX_GAP) {
        // extend the span over the gap and this field
        const grow = stop - this.spanEnd;
        if (this.pos + grow > this.data.length) this.grow(grow);
        this.fieldStart[fi] = this.spanAt + (start - this.spanStart);
        this.fieldEnd[fi] = this.spanAt + (stop - this.spanStart);
        this.spanEnd = stop;
        this.pos += grow;
        continue;
      }
      this.flushSpan();
      const n = stop - start;
      if (this.pos + n > this.data.length) this.grow(n);
      this.fieldStart[fi] = this.pos;
      this.fieldEnd[fi] = this.pos + n;
      if (f instanceof SliceField) {
        this.spanSrc = src; this.spanStart = start; this.spanEnd = stop; this.spanAt = this.pos;
      } else {
        const d = this.data;
        let p = this.pos;
        if (n <= 32) for (let j = start; j < stop; j++) d[p++] = src[j]!;
        else src.copy(d, p, start, stop);
      }
      this.pos += n;
    }
    this.nFields = fi;
  }

  /** copy the pending span (before its source may change) */
  private flushSpan(): void {
    const s = this.spanSrc;
    if (!s) return;
    const n = this.spanEnd - this.spanStart;
    if (n <= 32) for (let j = 0; j < n; j++) this.data[this.spanAt + j] = s[this.spanStart + j]!;
    else s.copy(this.data, this.spanAt, this.spanStart, this.spanEnd);
    this.spanSrc = null;
  }

  private grow(n: number): void {
    // a pending span stays pending: it is copied into the new buffer when flushed
    let cap = this.data.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const nb = this.alloc(cap);
    this.data.copy(nb, 0, 0, this.pos);
    this.buffers?.give(this.data.buffer as ArrayBuffer);
    this.data = nb;
  }

  private growRows(): void {
    const n = this.rowNo.length * 2;
    const a = new Float64Array(n); a.set(this.rowNo); this.rowNo = a;
    const b = new Float64Array(n); b.set(this.rowEnd); this.rowEnd = b;
    const c = new Uint32Array(n + 1); c.set(this.rowFirst); this.rowFirst = c;
  }

  private growFields(need: number): void {
    let n = this.kinds.length * 2;
    while (n < this.nFields + need) n *= 2;
    const a = new Uint32Array(n); a.set(this.fieldStart); this.fieldStart = a;
    const b = new Uint32Array(n); b.set(this.fieldEnd); this.fieldEnd = b;
    const c = new Uint8Array(n); c.set(this.kinds); this.kinds = c;
  }

  /**
   * Copy everything added so far out of the parser's buffers. Call before the parser moves on when the
   * packer is kept across parser batches (finish() does it too).
   */
  settle(): void {
    this.flushSpan();
  }

  /** give the current buffer back to the pool; the packer must not be used afterwards */
  dispose(): void {
    this.spanSrc = null;
    this.buffers?.give(this.data.buffer as ArrayBuffer);
    this.data = Buffer.alloc(0);
  }

  /** the packed rows; the packer starts a new batch */
  finish(): PackedRows {
    this.flushSpan();
    const rows = this.nRows, fields = this.nFields;
    const l = layout(rows, fields);
    const meta = new ArrayBuffer(l.size);
    new Uint32Array(meta, 0, 4).set([MAGIC, rows, fields, this.pos]);
    new Float64Array(meta, l.rowNo, rows).set(this.rowNo.subarray(0, rows));
    new Float64Array(meta, l.rowEnd, rows).set(this.rowEnd.subarray(0, rows));
    const first = new Uint32Array(meta, l.first, rows + 1);
    first.set(this.rowFirst.subarray(0, rows));
    first[rows] = fields;
    new Uint32Array(meta, l.fStart, fields).set(this.fieldStart.subarray(0, fields));
    new Uint32Array(meta, l.fEnd, fields).set(this.fieldEnd.subarray(0, fields));
    new Uint8Array(meta, l.kinds, fields).set(this.kinds.subarray(0, fields));
    const out: PackedRows = {
      data: this.data.buffer as ArrayBuffer, meta, rows, fields, dataBytes: this.pos,
      firstRowNo: rows ? this.rowNo[0]! : 0, endOffset: rows ? this.rowEnd[rows - 1]! : 0,
    };
    this.nRows = 0;
    this.nFields = 0;
    this.data = this.alloc(Math.max(this.capacity, this.pos + (this.pos >> 3)));
    this.pos = 0;
    return out;
  }
}

/** Read side (in the worker): typed views on a packed buffer and a reusable Field[] per row. */
export class PackedReader {
  readonly rows: number;
  readonly dataBytes: number;
  readonly rowNo: Float64Array;
  private readonly first: Uint32Array;
  private readonly fieldStart: Uint32Array;
  private readonly fieldEnd: Uint32Array;
  private readonly kinds: Uint8Array;
  private readonly data: Buffer;
  private readonly scratch: SliceField[] = [];
  private readonly out: Field[] = [];

  constructor(p: Pick<PackedRows, 'data' | 'meta'>) {
    const h = new Uint32Array(p.meta, 0, 4);
    if (h[0] !== MAGIC) throw new RangeError('not a packed row buffer');
    const rows = h[1]!, fields = h[2]!, dataLen = h[3]!;
    const l = layout(rows, fields);
    this.rows = rows;
    this.dataBytes = dataLen;
    this.rowNo = new Float64Array(p.meta, l.rowNo, rows);
    this.first = new Uint32Array(p.meta, l.first, rows + 1);
    this.fieldStart = new Uint32Array(p.meta, l.fStart, fields);
    this.fieldEnd = new Uint32Array(p.meta, l.fEnd, fields);
    this.kinds = new Uint8Array(p.meta, l.kinds, fields);
    this.data = Buffer.from(p.data, 0, dataLen);
  }

  /** row i's fields; the array and its Field objects are reused by the next call */
  row(i: number): Field[] {
    const a = this.first[i]!, b = this.first[i + 1]!;
    const n = b - a;
    const out = this.out;
    out.length = n;
    while (this.scratch.length < n) this.scratch.push(new SliceField(0 as FieldKind, this.data, 0, 0));
    for (let j = 0; j < n; j++) {
      const f = this.scratch[j]!;
      const fi = a + j;
      f.kind = this.kinds[fi]! as FieldKind;
      f.start = this.fieldStart[fi]!;
      f.end = this.fieldEnd[fi]!;
      out[j] = f;
    }
    return out;
  }
}
