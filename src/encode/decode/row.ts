// Row values back to per-column-id datums: row format v2 (0x80 header, util/rowcodec) and the legacy v1
// (EncodeValue(colID) ‖ EncodeValue(datum) pairs). `types` maps a column id to its FieldType; ids the map
// does not know are kept raw (v1) or skipped (v2 has no self-describing values).
import { K, NULL, type Datum } from '../datum.js';
import type { FieldType } from '../types.js';
import { decodeOne, decodeRowV2Value, toColumnDatum } from './datum.js';

export const ROW_V2_VERSION = 0x80;

/** the decoded cells of one row value: column id → datum (NULL for ids in the null list) */
export interface RowCells {
  format: 1 | 2;
  cells: Map<number, Datum>;
  /** row v2 header flag bit 1: a row checksum follows the data (TiDB 7.1+, off by default) */
  checksum?: boolean;
  /** v2 ids present in the value that `types` did not know (their bytes cannot be typed) */
  unknownIds?: number[];
}

export function decodeRowValue(b: Uint8Array, types: (id: number) => FieldType | undefined): RowCells {
  if (b.length > 0 && b[0] === ROW_V2_VERSION) return decodeRowV2(b, types);
  return decodeRowV1(b, types);
}

export function decodeRowV2(b: Uint8Array, types: (id: number) => FieldType | undefined): RowCells {
  if (b.length < 6 || b[0] !== ROW_V2_VERSION) throw new RangeError('row v2: bad header');
  const flags = b[1]!;
  const large = (flags & 1) !== 0;
  const notNull = b[2]! | (b[3]! << 8);
  const nulls = b[4]! | (b[5]! << 8);
  const idW = large ? 4 : 1;
  const offW = large ? 4 : 2;
  const idsStart = 6;
  const offsStart = idsStart + (notNull + nulls) * idW;
  const dataStart = offsStart + notNull * offW;
  if (dataStart > b.length) throw new RangeError('row v2: truncated header');
  const u32 = (p: number): number => (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x1000000;
  const id = (i: number): number => (large ? u32(idsStart + i * 4) : b[idsStart + i]!);
  const endOff = (i: number): number => (large ? u32(offsStart + i * 4) : b[offsStart + i * 2]! | (b[offsStart + i * 2 + 1]! << 8));
  const cells = new Map<number, Datum>();
  const unknown: number[] = [];
  let prev = 0;
  for (let i = 0; i < notNull; i++) {
    const e = endOff(i);
    if (e < prev || dataStart + e > b.length) throw new RangeError('row v2: offset out of range');
    const cid = id(i);
    const ft = types(cid);
    if (ft) cells.set(cid, decodeRowV2Value(b, dataStart + prev, dataStart + e, ft));
    else unknown.push(cid);
    prev = e;
  }
  for (let i = 0; i < nulls; i++) cells.set(id(notNull + i), NULL);
  const out: RowCells = { format: 2, cells };
  if (flags & 2) out.checksum = true;
  if (unknown.length) out.unknownIds = unknown;
  return out;
}

export function decodeRowV1(b: Uint8Array, types: (id: number) => FieldType | undefined): RowCells {
  const cells = new Map<number, Datum>();
  if (b.length === 1 && b[0] === 0) return { format: 1, cells }; // empty row
  for (let p = 0; p < b.length;) {
    const [idD, n1] = decodeOne(b, p);
    p += n1;
    if (idD.k !== K.Int) throw new RangeError('row v1: column id is not an int');
    const [d, n2] = decodeOne(b, p);
    p += n2;
    const cid = Number(idD.v);
    const ft = types(cid);
    cells.set(cid, ft ? toColumnDatum(d, ft) : d);
  }
  return { format: 1, cells };
}
