// Seeded input generation for the fuzz tests: a PRNG, mutators that know what parsers care about (quotes,
// escapes, separators, keywords, truncation), and writers for the three compressed formats the source layer
// reads. Everything derives from one seed, so a failing case replays exactly from (seed, index).
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { crc32c } from '../../src/source/snappy.js';
import { prng } from '../harness/prng.js';


export class Rng {
  readonly next: () => number;
  constructor(seed: number) { this.next = prng(seed); }
  int(n: number): number { return Math.floor(this.next() * n); }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]!; }
  chance(p: number): boolean { return this.next() < p; }
}

/** Case i of a run gets its own stream, so a single case replays without running the ones before it. */
export function caseRng(seed: number, i: number): Rng {
  return new Rng((Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(i + 1, 0xc2b2ae35)) >>> 0);
}

const SQL_TOKENS = ["'", '"', '`', '\\', '(', ')', ',', ';', '\n', ' ', '/*', '*/', '/*!40101 ', '-- ', '#', 'INSERT INTO t VALUES ',
  'REPLACE INTO `d`.`t` (`a`,b) VALUES ', 'VALUES', 'NULL', '0x', "X'", "b'", '_binary ', '_utf8mb4', '1e', '-', '.', '\\0', "''", '""',
  '\r\n', '\u4e2d', '\xff', '\xef\xbb\xbf', 'SET NAMES binary;', ')', '(', 'DEFAULT'];
const CSV_TOKENS = [',', '"', '""', '\\', '\\N', '\n', '\r', '\r\n', '|', '||', ';', "'", 'NULL', ' ', '\t', 'xxx', '\xff', '\u4e2d', '#END#'];

/** One random mutation of `b` (a few kinds at once for larger inputs). */
export function mutate(rng: Rng, b: Buffer, tokens: readonly string[] = SQL_TOKENS): Buffer {
  let out = b;
  const n = 1 + rng.int(out.length > 64 ? 6 : 3);
  for (let k = 0; k < n; k++) {
    const at = out.length ? rng.int(out.length + 1) : 0;
    switch (rng.int(8)) {
      case 0: { // flip a byte
        if (!out.length) break;
        out = Buffer.from(out);
        out[Math.min(at, out.length - 1)] = rng.int(256);
        break;
      }
      case 1: // insert a token
        out = Buffer.concat([out.subarray(0, at), Buffer.from(rng.pick(tokens), 'latin1'), out.subarray(at)]);
        break;
      case 2: { // delete a range
        const len = 1 + rng.int(16);
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + len)]);
        break;
      }
      case 3: { // duplicate a range
        const len = 1 + rng.int(64);
        out = Buffer.concat([out.subarray(0, at + len), out.subarray(at, at + len), out.subarray(at + len)]);
        break;
      }
      case 4: // truncate
        out = out.subarray(0, at);
        break;
      case 5: { // random bytes
        const r = Buffer.alloc(1 + rng.int(8));
        for (let i = 0; i < r.length; i++) r[i] = rng.int(256);
        out = Buffer.concat([out.subarray(0, at), r, out.subarray(at)]);
        break;
      }
      case 6: { // a long run (row-size limits, refill paths)
        const r = Buffer.alloc(rng.pick([100, 5000, 70_000]), rng.pick(tokens).charCodeAt(0) & 0xff);
        out = Buffer.concat([out.subarray(0, at), r, out.subarray(at)]);
        break;
      }
      default: { // swap two halves
        out = Buffer.concat([out.subarray(at), out.subarray(0, at)]);
      }
    }
  }
  return out;
}

export { CSV_TOKENS, SQL_TOKENS };

/** Seed dumps: what mydumper/dumpling write, plus odd but valid forms. */
export function sqlSeeds(): Buffer[] {
  const rows = Array.from({ length: 40 }, (_, i) => `(${i},'name ${i} \\'q\\' \\\\ \\n',${i % 3 ? 'NULL' : "''"},0x${(i * 7919).toString(16).padStart(4, '0')},${-i}.5e-3,_binary 'b\\0${i}')`);
  return [
    `/*!40101 SET NAMES binary*/;\n/*!40014 SET FOREIGN_KEY_CHECKS=0*/;\nINSERT INTO \`t\` VALUES\n${rows.join(',\n')};\n`,
    `-- dumpling\nSET @x = 'a;b';\nINSERT INTO \`db\`.\`t\` (\`id\`,\`v\`) VALUES (1,"x""y"),(2,'it''s');\nREPLACE INTO t VALUES (b'101',X'00ff',N'n',DEFAULT,TRUE);\n`,
    `INSERT INTO t VALUES ('\u4e2d\u6587 \u{1F600}'),('a\\Zb\\%c\\_');\n# trailing comment\n`,
  ].map((s) => Buffer.from(s, 'utf8'));
}

export function csvSeeds(): Buffer[] {
  const rows = Array.from({ length: 40 }, (_, i) => `${i},"v ${i}, ""quoted""",\\N,${i % 2 ? '' : 'x\\,y'},"multi\nline"`);
  return [
    `id,v,n,e,m\n${rows.join('\n')}\n`,
    'a|b|c\r\n1|"x|y"|\\N\r\n2|NULL|""\r\n',
    'xxx1,a\njunk\nxxx2,"b"\n\n  \n',
  ].map((s) => Buffer.from(s, 'utf8'));
}

export type Compression = 'gzip' | 'zstd' | 'snappy';

/** zstd frame of raw blocks (no compressor in node 20); real compressed frames come from the zstd CLI when present */
function zstdRaw(data: Buffer): Buffer {
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xa0]), Buffer.alloc(4)];
  parts[1]!.writeUInt32LE(data.length);
  const BLOCK = 128 * 1024;
  for (let i = 0; i === 0 || i < data.length; i += BLOCK) {
    const chunk = data.subarray(i, i + BLOCK);
    const last = i + BLOCK >= data.length ? 1 : 0;
    const h = last | (chunk.length << 3);
    parts.push(Buffer.from([h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff]), chunk);
  }
  return Buffer.concat(parts);
}

let zstdCli: boolean | undefined;
function zstdCompress(data: Buffer): Buffer {
  if (zstdCli === undefined) {
    try { execFileSync('zstd', ['--version'], { stdio: 'ignore' }); zstdCli = true; } catch { zstdCli = false; }
  }
  if (zstdCli) return execFileSync('zstd', ['-q', '-c', '-3'], { input: data, maxBuffer: 64 << 20 });
  return zstdRaw(data);
}

function maskedCrc(b: Buffer): number {
  const c = crc32c(b);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** snappy framing format: stream id, then chunks of ≤64 KiB, compressed (literal-only block) or stored */
function snappyFrame(data: Buffer, rng: Rng): Buffer {
  const parts: Buffer[] = [Buffer.from([0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59])];
  for (let i = 0; i < data.length; i += 65536) {
    const chunk = data.subarray(i, i + 65536);
    let body: Buffer, type: number;
    if (rng.chance(0.5)) {
      type = 0x01; body = chunk;
    } else { // block: varint length, then one literal per 60 bytes
      type = 0x00;
      const lits: Buffer[] = [];
      let n = chunk.length;
      const v: number[] = [];
      do { v.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0)); n >>>= 7; } while (n);
      lits.push(Buffer.from(v));
      for (let j = 0; j < chunk.length; j += 60) {
        const piece = chunk.subarray(j, j + 60);
        lits.push(Buffer.from([(piece.length - 1) << 2]), piece);
      }
      body = Buffer.concat(lits);
    }
    const h = Buffer.alloc(8);
    h[0] = type; h.writeUIntLE(body.length + 4, 1, 3); h.writeUInt32LE(maskedCrc(chunk), 4);
    parts.push(h, body);
  }
  return Buffer.concat(parts);
}

export function compress(kind: Compression, data: Buffer, rng: Rng): Buffer {
  if (kind === 'gzip') return gzipSync(data, { level: 1 + rng.int(9) });
  if (kind === 'zstd') return rng.chance(0.5) ? zstdCompress(data) : zstdRaw(data);
  return snappyFrame(data, rng);
}

/** Bytes in chunks of random sizes (exercises every refill boundary). */
export async function* randomChunks(rng: Rng, b: Buffer): AsyncGenerator<Buffer> {
  let i = 0;
  const max = rng.pick([1, 7, 64, 4096, 1 << 20]);
  while (i < b.length) {
    const n = 1 + rng.int(max);
    yield Buffer.from(b.subarray(i, i + n));
    i += n;
  }
}
