// Checks golden vector files (../shared/vectors format, every `kind` in its README) against this encoder.
// CLI: node dist/src/encode/check-vectors.js FILE... → concise failures, then "N passed, M failed"; exit 1 on failure.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { crc64 } from './crc64.js';
import { KVChecksum } from './checksum.js';
import { collationKey } from './collation/index.js';
import { encodeKey, encodeValue } from './datum.js';
import { convertField, fieldFromInput } from './convert.js';
import { makeSession } from './session.js';
import { fieldTypeFromLoose, type LooseType } from './types.js';
import { recordKey, commonHandle } from './tablecodec.js';
import { encodeRowV2 } from './rowv2.js';
import { TableEncoder } from './table.js';
import { fromVectorTableInfo } from './schema/model.js';
import { Flag } from './types.js';

export interface VectorCase {
  kind: string;
  name: string;
  [k: string]: unknown;
}

export interface CheckResult {
  passed: number;
  failed: number;
  failures: string[];
  byKind: Record<string, { passed: number; failed: number }>;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function diffHint(got: string, want: string): string {
  let i = 0;
  while (i < got.length && i < want.length && got[i] === want[i]) i++;
  const cut = (s: string): string => (s.length > i + 40 ? s.slice(Math.max(0, i - 10), i + 40) + '…' : s.slice(Math.max(0, i - 10)));
  return `differs at hex offset ${i}: got …${cut(got)} want …${cut(want)}`;
}

/** returns null on success, else a one-line reason */
export function checkCase(c: VectorCase): string | null {
  const sess = (): ReturnType<typeof makeSession> => makeSession(c.sql_mode as string | undefined, (c.time_zone as string | undefined) ?? 'UTC');
  const cmp = (got: string, want: string): string | null => (got === want ? null : diffHint(got, want));
  switch (c.kind) {
    case 'crc64': {
      const got = crc64(Buffer.from(c.data as string, 'hex')).toString();
      return got === c.expect ? null : `got ${got} want ${String(c.expect)}`;
    }
    case 'checksum': {
      const ck = new KVChecksum();
      for (const p of c.pairs as { key: string; val: string }[]) ck.update(Buffer.from(p.key, 'hex'), Buffer.from(p.val, 'hex'));
      const e = c.expect as { checksum: string; kvs: number; bytes: number };
      const g = ck.toJSON();
      return g.checksum === String(e.checksum) && g.kvs === e.kvs && g.bytes === e.bytes ? null : `got ${JSON.stringify(g)} want ${JSON.stringify(e)}`;
    }
    case 'collation-key':
      return cmp(hex(collationKey(c.collation as string, Buffer.from(c.input as string, 'hex'))), c.expect as string);
    case 'datum-key': case 'datum-value': {
      const ft = fieldTypeFromLoose(c.type as LooseType);
      const d = convertField(fieldFromInput(c.value), ft, sess());
      return cmp(hex(c.kind === 'datum-key' ? encodeKey([d]) : encodeValue([d])), c.expect as string);
    }
    case 'record-key': {
      const h = c.handle as { int?: string; common?: { type: LooseType; value: unknown }[] };
      const tid = BigInt(c.table_id as string);
      let key: Buffer;
      if (h.int !== undefined) key = recordKey(tid, { int: BigInt.asIntN(64, BigInt(h.int)) });
      else {
        const s = sess();
        const ds = h.common!.map((x) => {
          const ft = fieldTypeFromLoose(x.type);
          ft.Flag |= Flag.NotNull | Flag.PriKey;
          return convertField(fieldFromInput(x.value), ft, s);
        });
        key = recordKey(tid, { common: commonHandle(ds) });
      }
      return cmp(hex(key), c.expect as string);
    }
    case 'row-v2': {
      const s = sess();
      const cols = c.columns as { id: number; type: LooseType; value: unknown }[];
      const ds = cols.map((x) => convertField(fieldFromInput(x.value), fieldTypeFromLoose(x.type), s));
      return cmp(hex(encodeRowV2(cols.map((x) => x.id), ds)), c.expect as string);
    }
    case 'table-row': {
      const ti = fromVectorTableInfo(c.table_info as Parameters<typeof fromVectorTableInfo>[0]);
      const enc = new TableEncoder(ti, {
        sqlMode: c.sql_mode as string | undefined, timeZone: (c.time_zone as string | undefined) ?? 'UTC',
        rowFormatVersion: (c.row_format_version as 1 | 2 | undefined) ?? 2,
      });
      const rowID = c.handle !== undefined ? BigInt.asIntN(64, BigInt(c.handle as string)) : 1n;
      const pairs = enc.encodeRow((c.row as unknown[]).map(fieldFromInput), rowID);
      const want = c.expect as { key: string; val: string }[];
      if (pairs.length !== want.length) return `got ${pairs.length} pairs want ${want.length}`;
      for (let i = 0; i < want.length; i++) {
        const k = cmp(hex(pairs[i]!.key), want[i]!.key);
        if (k) return `pair ${i} key ${k}`;
        const v = cmp(hex(pairs[i]!.val), want[i]!.val);
        if (v) return `pair ${i} val ${v}`;
      }
      return null;
    }
    default:
      return `unknown kind ${c.kind}`;
  }
}

export function checkVectors(cases: VectorCase[], result?: CheckResult): CheckResult {
  const r = result ?? { passed: 0, failed: 0, failures: [], byKind: {} };
  for (const c of cases) {
    let why: string | null;
    try {
      why = checkCase(c);
    } catch (e) {
      why = `threw ${e instanceof Error ? e.message : String(e)}`;
    }
    const k = (r.byKind[c.kind] ??= { passed: 0, failed: 0 });
    if (why === null) { r.passed++; k.passed++; } else { r.failed++; k.failed++; r.failures.push(`${c.kind} ${c.name}: ${why}`); }
  }
  return r;
}

export function checkVectorFiles(files: string[]): CheckResult {
  const r: CheckResult = { passed: 0, failed: 0, failures: [], byKind: {} };
  for (const f of files) {
    const data = JSON.parse(readFileSync(f, 'utf8')) as VectorCase[] | VectorCase;
    checkVectors(Array.isArray(data) ? data : [data], r);
  }
  return r;
}

function main(argv: string[]): number {
  const files = argv.filter((a) => !a.startsWith('-'));
  const verbose = argv.includes('-v') || argv.includes('--verbose');
  if (files.length === 0) {
    process.stderr.write('usage: check-vectors [-v] FILE...\n');
    return 2;
  }
  const r = checkVectorFiles(files);
  const limit = verbose ? Infinity : 50;
  r.failures.slice(0, limit).forEach((l) => process.stdout.write(`FAIL ${l}\n`));
  if (r.failures.length > limit) process.stdout.write(`… ${r.failures.length - limit} more failures (-v for all)\n`);
  for (const [k, v] of Object.entries(r.byKind)) process.stdout.write(`${k}: ${v.passed} passed, ${v.failed} failed\n`);
  process.stdout.write(`${r.passed} passed, ${r.failed} failed\n`);
  return r.failed > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = main(process.argv.slice(2));
