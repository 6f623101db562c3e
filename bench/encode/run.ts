// Encode benchmark: a sysbench-like table (id int PK, k int, c char(120), pad char(60), KEY k_1(k)) as parsed
// rows → record + index KV pairs + KV checksum, one core. Prints source MB/s (bytes of the equivalent SQL
// dump), KV pairs/s and peak RSS. ROWS=1000000 by default. The peer in the same run is a plain Buffer copy
// of the source bytes (memcpy bound) so numbers from a noisy shared machine can be read relative to it.
import { FieldKind, type Field } from '../../src/parse/types.js';
import { TableEncoder, type KVSink } from '../../src/encode/table.js';
import { KVChecksum } from '../../src/encode/checksum.js';
import { buildTableInfo } from '../../src/encode/schema/create-table.js';

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const BATCH = 10_000;

const ddl = `CREATE TABLE sbtest1 (
  id int NOT NULL AUTO_INCREMENT,
  k int NOT NULL DEFAULT '0',
  c char(120) NOT NULL DEFAULT '',
  pad char(60) NOT NULL DEFAULT '',
  PRIMARY KEY (id),
  KEY k_1 (k)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;

function digits(n: number): string {
  let s = '';
  for (let i = 0; i < n; i += 12) s += String(Math.floor(Math.random() * 1e11)).padStart(11, '0') + '-';
  return s.slice(0, n);
}

/** a pool of distinct c/pad strings (sysbench style) reused across rows, as the parser would hand them */
const cPool = Array.from({ length: 1000 }, () => Buffer.from(digits(119)));
const padPool = Array.from({ length: 1000 }, () => Buffer.from(digits(59)));

function makeBatch(start: number): { rows: Field[][]; srcBytes: number } {
  const rows: Field[][] = [];
  let srcBytes = 0;
  for (let i = 0; i < BATCH && start + i < ROWS; i++) {
    const id = Buffer.from(String(start + i + 1));
    const k = Buffer.from(String((Math.random() * ROWS) | 0));
    const c = cPool[(start + i) % 1000]!;
    const pad = padPool[(start * 7 + i) % 1000]!;
    rows.push([{ kind: FieldKind.Num, value: id }, { kind: FieldKind.Num, value: k }, { kind: FieldKind.Str, value: c }, { kind: FieldKind.Str, value: pad }]);
    srcBytes += id.length + k.length + c.length + pad.length + 10; // "(,,'',''),"
  }
  return { rows, srcBytes };
}

class BatchSink implements KVSink {
  data = Buffer.allocUnsafe(4 << 20);
  index = Buffer.allocUnsafe(1 << 20);
  dpos = 0;
  ipos = 0;
  pairs = 0;
  readonly ckData = new KVChecksum();
  readonly ckIndex = new KVChecksum();
  push(isIndex: boolean, key: Buffer, val: Buffer): void {
    const need = 8 + key.length + val.length;
    if (isIndex) {
      if (this.ipos + need > this.index.length) this.ipos = 0; // flush point in a real pipeline
      this.ipos = put(this.index, this.ipos, key, val);
      this.ckIndex.update(key, val);
    } else {
      if (this.dpos + need > this.data.length) this.dpos = 0;
      this.dpos = put(this.data, this.dpos, key, val);
      this.ckData.update(key, val);
    }
    this.pairs++;
  }
}

function put(buf: Buffer, pos: number, key: Buffer, val: Buffer): number {
  buf.writeUInt32LE(key.length, pos);
  key.copy(buf, pos + 4);
  pos += 4 + key.length;
  buf.writeUInt32LE(val.length, pos);
  val.copy(buf, pos + 4);
  return pos + 4 + val.length;
}

function main(): void {
  const table = buildTableInfo(ddl, { tableID: 100 });
  const enc = new TableEncoder(table, { sqlMode: 'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION' });
  const sink = new BatchSink();
  let src = 0;
  let encNs = 0n;
  let peerNs = 0n;
  const scratch = Buffer.allocUnsafe(4 << 20);
  for (let start = 0; start < ROWS; start += BATCH) {
    const { rows, srcBytes } = makeBatch(start);
    src += srcBytes;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < rows.length; i++) enc.encodeRowTo(sink, rows[i]!, start + i + 1);
    const t1 = process.hrtime.bigint();
    let p = 0;
    for (const r of rows) for (const f of r) { if (p + f.value.length > scratch.length) p = 0; p += f.value.copy(scratch, p); }
    peerNs += process.hrtime.bigint() - t1;
    encNs += t1 - t0;
  }
  const secs = Number(encNs) / 1e9;
  const mb = src / 1e6;
  const ck = new KVChecksum();
  ck.add(sink.ckData);
  ck.add(sink.ckIndex);
  const rss = process.resourceUsage().maxRSS / 1024;
  console.log(`rows ${ROWS}, source ${mb.toFixed(1)} MB (as SQL), encode+checksum ${secs.toFixed(2)} s on one core`);
  console.log(`encode: ${(mb / secs).toFixed(1)} MB/s per core, ${((sink.pairs / secs) / 1e6).toFixed(2)} M KV pairs/s, ${((ROWS / secs) / 1e3).toFixed(0)} k rows/s`);
  console.log(`peer (memcpy of the field bytes): ${(mb / (Number(peerNs) / 1e9)).toFixed(0)} MB/s`);
  console.log(`checksum ${JSON.stringify(ck.toJSON())}`);
  console.log(`peak RSS ${rss.toFixed(0)} MB (goal >= 60 MB/s per core; shared 2-core machine, numbers are noisy)`);
}

main();
