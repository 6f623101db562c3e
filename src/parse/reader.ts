// A growable window over an AsyncIterable<Buffer> for restartable byte-level parsers.
// Parsers work on `buf` synchronously; when a unit (row, statement header) runs past the end they call
// fill(unitStart), which keeps the unfinished tail and appends at least as many new bytes as it keeps
// (doubling), so a huge row costs O(n) re-scanning, not O(n²). Old buffers are never written to, so
// views handed out earlier stay valid.
//
// Copies: a unit that straddles two input buffers is joined in a small fresh buffer (its tail + the first
// MIN_JOIN bytes of the next input buffer), not by concatenating the whole next buffer: once the parser has
// moved past the joined bytes, the next fill returns a view of the input buffer itself. Concatenating every
// 1 MiB read cost 0.3 s of the main thread per 200 MB dump (and as much memory again for the GC to sweep).
import { Codes, SourceError } from '../errors.js';

const EMPTY = Buffer.alloc(0);
/** the least number of new bytes appended to a kept tail */
const MIN_JOIN = 16 << 10;

export class ChunkReader {
  /** current window */
  buf: Buffer = EMPTY;
  /** absolute (decompressed-stream) offset of buf[0] */
  base: number;
  /** no more input after buf */
  eof = false;
  private readonly it: AsyncIterator<Buffer>;
  /** the input buffer buf ends in: buf[viewFrom..] = src[srcAt..srcAt + buf.length - viewFrom], the rest is unread */
  private src: Buffer = EMPTY;
  private srcAt = 0;
  private viewFrom = 0;

  constructor(input: AsyncIterable<Buffer>, startOffset: number, private readonly file: string,
    private readonly maxUnit: number) {
    this.it = input[Symbol.asyncIterator]();
    this.base = startOffset;
  }

  /** input bytes read but not yet in buf */
  private unread(): Buffer {
    return this.src.subarray(this.srcAt + this.buf.length - this.viewFrom);
  }

  /**
   * Drop buf[0..keepFrom), read more. Returns false when the input is exhausted (eof set).
   * `row` is only for the error message when the kept unit exceeds maxUnit.
   */
  async fill(keepFrom: number, row: number): Promise<boolean> {
    let unread = this.unread();
    if (keepFrom >= this.viewFrom && unread.length) {
      // the kept bytes lie in the current input buffer: a view of it to its end, nothing copied
      this.base += keepFrom;
      this.srcAt += keepFrom - this.viewFrom;
      this.viewFrom = 0;
      this.buf = this.src.subarray(this.srcAt);
      return true;
    }
    const keep = this.buf.subarray(keepFrom);
    this.base += keepFrom;
    if (keep.length > this.maxUnit) {
      throw new SourceError(Codes.RowTooLarge, `row is larger than the maximum row size ${this.maxUnit} bytes`,
        { file: this.file, offset: this.base, row, expected: `a row of at most ${this.maxUnit} bytes` });
    }
    const parts: Buffer[] = keep.length ? [keep] : [];
    const want = keep.length ? Math.max(MIN_JOIN, keep.length) : 1;
    let got = 0;
    let last: Buffer = EMPTY;
    while (got < want) {
      if (!unread.length) {
        const r = await this.it.next();
        if (r.done) { this.eof = true; break; }
        if (r.value.length === 0) continue;
        this.src = r.value;
        this.srcAt = 0;
        unread = r.value;
      }
      // nothing kept: the whole input buffer is the window; else only what the join needs
      last = keep.length ? unread.subarray(0, want - got) : unread;
      this.srcAt = last.byteOffset - this.src.byteOffset;
      parts.push(last);
      got += last.length;
      unread = unread.subarray(last.length);
    }
    this.buf = parts.length === 1 ? parts[0]! : parts.length === 0 ? EMPTY : Buffer.concat(parts);
    if (got > 0) this.viewFrom = this.buf.length - last.length;
    else { this.src = EMPTY; this.srcAt = 0; this.viewFrom = this.buf.length; }
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
