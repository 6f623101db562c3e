// Parsers hand out fields as (buffer, start, end) triples and only make a Buffer view when `value` is read:
// creating millions of small typed-array views was ~60% of parse time (mostly GC). Consumers that care
// about speed may read `src`/`start`/`end` directly; everyone else just uses `value` as the contract says.
import type { Field, FieldKind } from './types.js';

const EMPTY = Buffer.alloc(0);

export class SliceField implements Field {
  constructor(public kind: FieldKind, public src: Buffer, public start: number, public end: number) {}

  get value(): Buffer {
    return this.start === 0 && this.end === this.src.length ? this.src : this.src.subarray(this.start, this.end);
  }

  set value(b: Buffer) {
    this.src = b; this.start = 0; this.end = b.length;
  }

  get length(): number {
    return this.end - this.start;
  }

  static of(kind: FieldKind, b: Buffer = EMPTY): SliceField {
    return new SliceField(kind, b, 0, b.length);
  }
}
