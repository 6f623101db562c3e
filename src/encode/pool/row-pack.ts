// Parsed rows packed into one transferable ArrayBuffer (the encode pool's input): parsers hand out fields
// that are views into their read buffers, valid only until the next batch, so rows are copied once here and
// then moved to a worker without another copy. Two buffers: `data` (the field bytes back to back, written in
// place: no copy at finish) and `meta` (little endian, typed-array aligned):
//   u32 MAGIC ‖ u32 rows ‖ u32 fields ‖ u32 dataLen ‖ f64 rowNo[rows] ‖ f64 rowEnd[rows] ‖
//   u32 rowFirstField[rows+1] ‖ u32 fieldEnd[fields] ‖ u8 kind[fields]
import { SliceField } from '../../parse/field.js';
import type { Field, FieldKind, Row } from '../../parse/types.js';
import type { BufferPool } from './buffers.js';

const MAGIC = 0x4b50524c; // "LRPK"

export interface PackedRows {
  /** field bytes [0, dataBytes) */
  data: ArrayBuffer;
  meta: ArrayBuffer;
  rows: number;
  fields: number;
  /** bytes of field values (the source-size measure the pool reports) */
  dataBytes: number;
  /** rowNo of the first row, and offset just past the last row (the chunk's resume point) */
  firstRowNo: number;
  endOffset: number;
}


export class RowPacker {
  // metadata in reused typed arrays (JS arrays of numbers showed up in profiles), copied out at finish()
  private rowNo = new Float64Array(1024);
  private rowEnd = new Float64Array(1024);
  private rowFirst = new Uint32Array(1025);
  private fieldEnd = new Uint32Array(4096);
  private kinds = new Uint8Array(4096);
  private nRows = 0;
  private nFields = 0;
  private data: Buffer;
  private pos = 0;

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

  /** copy one row's fields (any Field; SliceFields without making a view) */
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
    const fieldEnd = this.fieldEnd, kinds = this.kinds;
    let fi = this.nFields;
    for (let i = 0; i < nf; i++) {
      const f = fields[i]!;
      let src: Buffer, start: number, stop: number;
      if (f instanceof SliceField) { src = f.src; start = f.start; stop = f.end; } else { src = f.value; start = 0; stop = src.length; }
      const n = stop - start;
      if (this.pos + n > this.data.length) this.grow(n);
      const d = this.data;
      let p = this.pos;
      if (n <= 32) for (let j = start; j < stop; j++) d[p++] = src[j]!;
      else p += src.copy(d, p, start, stop);
      this.pos = p;
      fieldEnd[fi] = p;
      kinds[fi++] = f.kind;
    }
    this.nFields = fi;
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
    const a = new Uint32Array(n); a.set(this.fieldEnd); this.fieldEnd = a;
    const b = new Uint8Array(n); b.set(this.kinds); this.kinds = b;
  }

  private grow(n: number): void {
    let cap = this.data.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const nb = this.alloc(cap);
    this.data.copy(nb, 0, 0, this.pos);
    this.buffers?.give(this.data.buffer as ArrayBuffer);
    this.data = nb;
  }

  /** give the current buffer back to the pool; the packer must not be used afterwards */
  dispose(): void {
    this.buffers?.give(this.data.buffer as ArrayBuffer);
    this.data = Buffer.alloc(0);
  }

  /** the packed rows; the packer starts a new batch */
  finish(): PackedRows {
    const rows = this.nRows, fields = this.nFields;
    const offRowNo = 16, offRowEnd = offRowNo + rows * 8, offFirst = offRowEnd + rows * 8;
    const offFieldEnd = offFirst + (rows + 1) * 4, offKinds = offFieldEnd + fields * 4;
    const meta = new ArrayBuffer(offKinds + fields);
    new Uint32Array(meta, 0, 4).set([MAGIC, rows, fields, this.pos]);
    new Float64Array(meta, offRowNo, rows).set(this.rowNo.subarray(0, rows));
    new Float64Array(meta, offRowEnd, rows).set(this.rowEnd.subarray(0, rows));
    const first = new Uint32Array(meta, offFirst, rows + 1);
    first.set(this.rowFirst.subarray(0, rows));
    first[rows] = fields;
    new Uint32Array(meta, offFieldEnd, fields).set(this.fieldEnd.subarray(0, fields));
    new Uint8Array(meta, offKinds, fields).set(this.kinds.subarray(0, fields));
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
  private readonly fieldEnd: Uint32Array;
  private readonly kinds: Uint8Array;
  private readonly data: Buffer;
  private readonly scratch: SliceField[] = [];
  private readonly out: Field[] = [];

  constructor(p: Pick<PackedRows, 'data' | 'meta'>) {
    const h = new Uint32Array(p.meta, 0, 4);
    if (h[0] !== MAGIC) throw new RangeError('not a packed row buffer');
    const rows = h[1]!, fields = h[2]!, dataLen = h[3]!;
    const offRowNo = 16, offRowEnd = offRowNo + rows * 8, offFirst = offRowEnd + rows * 8;
    const offFieldEnd = offFirst + (rows + 1) * 4, offKinds = offFieldEnd + fields * 4;
    this.rows = rows;
    this.dataBytes = dataLen;
    this.rowNo = new Float64Array(p.meta, offRowNo, rows);
    this.first = new Uint32Array(p.meta, offFirst, rows + 1);
    this.fieldEnd = new Uint32Array(p.meta, offFieldEnd, fields);
    this.kinds = new Uint8Array(p.meta, offKinds, fields);
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
      f.start = fi === 0 ? 0 : this.fieldEnd[fi - 1]!;
      f.end = this.fieldEnd[fi]!;
      out[j] = f;
    }
    return out;
  }
}
