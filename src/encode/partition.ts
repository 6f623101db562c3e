// Physical table id of a row in a partitioned table: HASH = abs(v % num), RANGE = first LESS THAN bound
// above v, LIST = the definition listing v; NULL goes to the first partition. The partition expression must
// be a plain column reference (TiDB allows more; anything else is a clear error).
import { LightningError, Codes } from '../errors.js';
import { K, type Datum } from './datum.js';
import { PartitionType, type TableInfo } from './schema/model.js';

function exprColumn(t: TableInfo): number {
  const p = t.partition!;
  const name = (p.columns?.[0]?.L ?? p.expr.replace(/`/g, '').trim()).toLowerCase();
  const c = t.cols.find((x) => x.name.L === name);
  if (!c) throw new LightningError(Codes.NotImplemented, `partition expression ${p.expr} is not supported (only a plain column)`, { context: { table: t.name.O } });
  return c.offset;
}

function intValue(d: Datum): bigint | null {
  switch (d.k) {
    case K.Null: return null;
    case K.Int: case K.Uint: case K.Enum: case K.Set: case K.Bit: return BigInt(d.v);
    case K.Time: return null;
    default: throw new LightningError(Codes.NotImplemented, 'partitioning on a non-integer value is not supported');
  }
}

export function choosePartition(t: TableInfo, datums: Datum[]): number {
  const p = t.partition!;
  const v = intValue(datums[exprColumn(t)]!);
  const defs = p.definitions;
  if (v === null) return defs[0]!.id;
  if (p.type === PartitionType.Hash) {
    const num = BigInt(p.num || defs.length);
    let r = v % num;
    if (r < 0n) r = -r;
    return defs[Number(r)]!.id;
  }
  if (p.type === PartitionType.Range) {
    for (const d of defs) {
      const b = d.less_than?.[0] ?? 'MAXVALUE';
      if (b.toUpperCase() === 'MAXVALUE' || v < BigInt(b)) return d.id;
    }
    throw new LightningError(Codes.EncodeKV, `Table has no partition for value ${v}`, { context: { table: t.name.O } });
  }
  if (p.type === PartitionType.List) {
    for (const d of defs) if (d.in_values?.some((tuple) => tuple[0] !== undefined && tuple[0].toUpperCase() !== 'NULL' && BigInt(tuple[0]) === v)) return d.id;
    throw new LightningError(Codes.EncodeKV, `Table has no partition for value ${v}`, { context: { table: t.name.O } });
  }
  throw new LightningError(Codes.NotImplemented, `partition type ${p.type} is not supported`, { context: { table: t.name.O } });
}
