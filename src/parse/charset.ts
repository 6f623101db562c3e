// data-character-set: convert CSV field bytes to UTF-8 (Go CharsetConvertor). binary/ascii pass through;
// utf8mb4 is validated (Go passes invalid UTF-8 through and TiDB rejects it later with a less useful
// message, so we fail early naming file/offset/row); latin1 (= cp1252, as MySQL), gbk and gb18030 are
// decoded with iconv-lite and unconvertible bytes become data-invalid-char-replace.
// character-set (schema files): auto = UTF-8 when valid, else GB18030.
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { Codes, ConfigError, SourceError, type ErrorContext } from '../errors.js';

export type DataCharset = 'binary' | 'utf8mb4' | 'utf8' | 'latin1' | 'gbk' | 'gb18030' | 'ascii';

const ICONV: Record<string, string> = { latin1: 'win1252', gbk: 'gbk', gb18030: 'gb18030' };

export type FieldDecoder = (value: Buffer, ctx: ErrorContext & { file: string }) => Buffer;

function asciiOnly(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i]! & 0x80) return false;
  return true;
}

/** Index of the first byte that is not part of a valid UTF-8 sequence. */
export function firstInvalidUtf8(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (n === 0 || i + n > b.length) return i;
    if (!isUtf8(b.subarray(i, i + n))) return i;
    i += n;
  }
  return -1;
}

/**
 * A decoder for `data-character-set` (`undefined` = nothing to do).
 * `replace` is data-invalid-char-replace (default U+FFFD).
 */
export function makeFieldDecoder(charset: string, replace = '\uFFFD'): FieldDecoder | undefined {
  const cs = charset.toLowerCase();
  if (cs === 'binary' || cs === 'ascii') return undefined;
  if (cs === 'utf8mb4' || cs === 'utf8') {
    return (v, ctx) => {
      if (asciiOnly(v) || isUtf8(v)) return v;
      const at = firstInvalidUtf8(v);
      throw new SourceError(Codes.InvalidCharset, `invalid ${cs} byte sequence 0x${v.subarray(at, at + 4).toString('hex')} in a field (byte ${at} of the field)`,
        { ...ctx, expected: `valid ${cs} data (or set data-character-set = "binary")` });
    };
  }
  const enc = ICONV[cs];
  if (!enc) throw new ConfigError(`unsupported data-character-set "${charset}" (binary, utf8mb4, utf8, latin1, gbk, gb18030, ascii)`);
  const rep = replace === '\uFFFD' ? null : replace;
  return (v) => {
    if (asciiOnly(v)) return v;
    let s = iconv.decode(v, enc);
    if (rep !== null && s.includes('\uFFFD')) s = s.replaceAll('\uFFFD', rep);
    return Buffer.from(s, 'utf8');
  };
}

/** Decode a schema file for `character-set` (auto | utf8mb4 | gb18030 | latin1 | binary). */
export function decodeSchemaText(b: Buffer, characterSet = 'auto', file = ''): string {
  const cs = characterSet.toLowerCase();
  if (cs === 'auto') return isUtf8(b) ? b.toString('utf8') : iconv.decode(b, 'gb18030');
  if (cs === 'binary') return b.toString('latin1');
  if (cs === 'utf8mb4' || cs === 'utf8') {
    if (!isUtf8(b)) throw new SourceError(Codes.InvalidCharset, 'schema file is not valid UTF-8', { file, offset: firstInvalidUtf8(b) });
    return b.toString('utf8');
  }
  const enc = ICONV[cs];
  if (!enc) throw new ConfigError(`unsupported character-set "${characterSet}"`);
  return iconv.decode(b, enc);
}
