// A growable window over an AsyncIterable<Buffer> for restartable byte-level parsers.
// Parsers work on `buf` synchronously; when a unit (row, statement header) runs past the end they call
// fill(unitStart), which keeps the unfinished tail and appends at least as many new bytes as it keeps
// (doubling), so a huge row costs O(n) re-scanning, not O(n²). Old buffers are never written to, so
// views handed out earlier stay valid.
import { Codes, SourceError } from '../errors.js';

const EMPTY = Buffer.alloc(0);

export class ChunkReader {
  /** current window */
  buf: Buffer = EMPTY;
  /** absolute (decompressed-stream) offset of buf[0] */
  base: number;
  /** no more input after buf */
  eof = false;
  private readonly it: AsyncIterator<Buffer>;

  constructor(input: AsyncIterable<Buffer>, startOffset: number, private readonly file: string,
    private readonly maxUnit: number) {
    this.it = input[Symbol.asyncIterator]();
    this.base = startOffset;
  }

  /**
   * Drop buf[0..keepFrom), read more. Returns false when the input is exhausted (eof set).
   * `row` is only for the error message when the kept unit exceeds maxUnit.
   */
  async fill(keepFrom: number, row: number): Promise<boolean> {
    const keep = this.buf.subarray(keepFrom);
    this.base += keepFrom;
    if (keep.length > this.maxUnit) {
      throw new SourceError(Codes.RowTooLarge, `row is larger than the maximum row size ${this.maxUnit} bytes`,
        { file: this.file, offset: this.base, row, expected: `a row of at most ${this.maxUnit} bytes` });
    }
    const parts: Buffer[] = keep.length ? [keep] : [];
    let got = 0;
    const want = Math.max(1, keep.length);
    while (got < want) {
      const r = await this.it.next();
      if (r.done) { this.eof = true; break; }
      const b = r.value;
      if (b.length === 0) continue;
      parts.push(b);
      got += b.length;
    }
    this.buf = parts.length === 1 ? parts[0]! : parts.length === 0 ? EMPTY : Buffer.concat(parts);
    return got > 0;
  }

  /** Length of a UTF-8 BOM at the start of buf (0 or 3), reading more if needed; Go's parsers skip it. */
  async bomLength(): Promise<number> {
    while (this.buf.length < 3 && !this.eof) await this.fill(0, 1);
    const b = this.buf;
    return b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}

export const DEFAULT_MAX_ROW_SIZE = 64 * 1024 * 1024;
export const DEFAULT_BATCH_BYTES = 1024 * 1024;
export const DEFAULT_BATCH_ROWS = 8192;
