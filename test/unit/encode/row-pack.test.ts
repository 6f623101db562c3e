// RowPacker copies spans of parser buffers; whatever the mix of fields, what the worker reads back must be
// the exact field bytes, even after the parser has overwritten its buffers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RowPacker, PackedReader } from '../../../src/encode/pool/row-pack.js';
import { SliceField } from '../../../src/parse/field.js';
import { FieldKind, type Field } from '../../../src/parse/types.js';
import { BufferPool } from '../../../src/encode/pool/buffers.js';


const spec = fc.record({
  src: fc.integer({ min: 0, max: 2 }),
  gap: fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 200, max: 400 })),
  len: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 100, max: 3000 })),
  plain: fc.integer({ min: 0, max: 9 }).map((x) => x < 3),
  kind: fc.constantFrom(FieldKind.Str, FieldKind.Num, FieldKind.Null, FieldKind.Bin),
});

/** distinct, non-repeating-looking contents per source buffer (filled natively: the test runs 300 times) */
const PATTERNS = [0, 1, 2].map((k) => Buffer.from(Array.from({ length: 251 + k * 2 }, (_, i) => (i * 31 + k * 7) & 0xff)));

test('packed rows read back byte for byte (spans, gaps, plain buffers, growth, reused parser buffers)', () => {
  fc.assert(fc.property(fc.array(fc.array(fc.array(spec, { maxLength: 6 }), { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 16, max: 4096 }), (batches, cap) => {
    const pool = new BufferPool(2);
    const packer = new RowPacker(cap, pool);
    const want: { kind: number; bytes: string }[][] = [];
    let rowNo = 0;
    for (const rows of batches) {
      // one "parser batch": three source buffers, fields cut from them left to right
      const srcs = [0, 1, 2].map((k) => Buffer.alloc(200_000).fill(PATTERNS[k]!));
      const pos = [0, 0, 0];
      for (const r of rows) {
        const fields: Field[] = r.map((f) => {
          const start = pos[f.src]! + f.gap;
          pos[f.src] = start + f.len;
          const src = srcs[f.src]!;
          if (f.plain) return { kind: f.kind, value: Buffer.from(src.subarray(start, start + f.len)) };
          return new SliceField(f.kind, src, start, start + f.len);
        });
        want.push(fields.map((f) => ({ kind: f.kind, bytes: f.value.toString('hex') })));
        packer.add(fields, ++rowNo, rowNo * 10);
      }
      packer.settle();
      for (const s of srcs) s.fill(0xee); // the parser moves on and reuses its memory
    }
    const p = packer.finish();
    const rd = new PackedReader(p);
    assert.equal(rd.rows, want.length);
    assert.equal(p.firstRowNo, 1);
    assert.equal(p.endOffset, rowNo * 10);
    for (let i = 0; i < rd.rows; i++) {
      const got = rd.row(i).map((f) => ({ kind: f.kind, bytes: f.value.toString('hex') }));
      assert.deepEqual(got, want[i]);
    }
  }), { numRuns: 300, seed: 7 });
});
