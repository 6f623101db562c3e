// MySQL time values: parsing (TiDB types.ParseTime/ParseDuration rules for the common formats), fsp
// rounding with carry, TIMESTAMP session-zone → UTC conversion, and Time.ToPackedUint.

export interface CoreTime {
  year: number; month: number; day: number; hour: number; minute: number; second: number; micro: number;
}

export const ZERO_TIME: CoreTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, micro: 0 };

export function pack(t: CoreTime): bigint {
  const ymd = ((t.year * 13 + t.month) << 5) | t.day;
  const hms = (t.hour << 12) | (t.minute << 6) | t.second;
  return (((BigInt(ymd) << 17n) | BigInt(hms)) << 24n) | BigInt(t.micro);
}

export function unpack(p: bigint): CoreTime {
  const micro = Number(p & 0xffffffn);
  const ymdhms = p >> 24n;
  const ymd = Number(ymdhms >> 17n);
  const hms = Number(ymdhms & 0x1ffffn);
  const day = ymd & 31;
  const ym = ymd >> 5;
  return { year: Math.floor(ym / 13), month: ym % 13, day, hour: hms >> 12, minute: (hms >> 6) & 63, second: hms & 63, micro };
}

export function isZeroTime(t: CoreTime): boolean {
  return t.year === 0 && t.month === 0 && t.day === 0 && t.hour === 0 && t.minute === 0 && t.second === 0 && t.micro === 0;
}

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

/** Round a fraction digit string to fsp digits: returns micro (scaled to 6 digits) and carry (0/1 second). */
export function roundFrac(frac: string, fsp: number): { micro: number; carry: number } {
  const digits = frac.replace(/[^0-9]/g, '');
  let keep = digits.slice(0, fsp).padEnd(fsp, '0');
  let v = fsp === 0 ? 0 : parseInt(keep, 10);
  if (digits.length > fsp && digits.charCodeAt(fsp) >= 0x35) v++;
  let carry = 0;
  if (v >= 10 ** fsp) { v -= 10 ** fsp; carry = 1; }
  keep = String(v).padStart(fsp, '0');
  return { micro: fsp === 0 ? 0 : parseInt(keep.padEnd(6, '0'), 10), carry };
}

/** add seconds (may carry into minutes, hours, days, months, years) */
export function addSeconds(t: CoreTime, secs: number): CoreTime {
  if (secs === 0) return t;
  // setUTCFullYear: Date.UTC would map years 0-99 to 1900+
  const base = new Date(0);
  base.setUTCFullYear(t.year, t.month - 1, t.day);
  base.setUTCHours(t.hour, t.minute, t.second, 0);
  const r = new Date(base.getTime() + secs * 1000);
  return {
    year: r.getUTCFullYear(), month: r.getUTCMonth() + 1, day: r.getUTCDate(),
    hour: r.getUTCHours(), minute: r.getUTCMinutes(), second: r.getUTCSeconds(), micro: t.micro,
  };
}

export class TimeParseError extends Error {}

function twoDigitYear(y: number): number {
  return y < 70 ? 2000 + y : 1900 + y;
}

/**
 * Parse a DATE/DATETIME/TIMESTAMP literal. `isDate` drops the time part (no rounding), otherwise the
 * fraction is rounded to fsp (carry allowed). Returns the raw fields; validation is done by the caller.
 */
export function parseDatetime(input: string, fsp: number, isDate: boolean): CoreTime {
  const s = input.trim();
  let timePart = '';
  let frac = '';
  let fields: number[];
  let yearDigits = 4;
  if (/^\d+(\.\d*)?$/.test(s)) {
    // pure number: YYYYMMDD[hhmmss] / YYMMDD[hhmmss]
    const dot = s.indexOf('.');
    const num = dot >= 0 ? s.slice(0, dot) : s;
    frac = dot >= 0 ? s.slice(dot + 1) : '';
    let y: number, rest: string;
    if (num.length === 8 || num.length === 14) { y = +num.slice(0, 4); rest = num.slice(4); }
    else if (num.length === 6 || num.length === 12) { y = twoDigitYear(+num.slice(0, 2)); rest = num.slice(2); }
    else if (num.length === 5 || num.length === 11) { y = twoDigitYear(+num.slice(0, 1)); rest = num.slice(1); }
    else throw new TimeParseError(`invalid time format: '${input}'`);
    const mo = +rest.slice(0, 2), d = +rest.slice(2, 4);
    const h = rest.length > 4 ? +rest.slice(4, 6) : 0, mi = rest.length > 4 ? +rest.slice(6, 8) : 0, se = rest.length > 4 ? +rest.slice(8, 10) : 0;
    if (rest.length <= 4) frac = '';
    fields = [y, mo, d, h, mi, se];
    return finish(fields, frac, fsp, isDate);
  }
  const m = /^(\d+)[^0-9](\d+)[^0-9](\d+)(?:(?:[ T]+|[^0-9])(.*))?$/.exec(s);
  if (!m) throw new TimeParseError(`invalid time format: '${input}'`);
  const datePart = m[1]!;
  yearDigits = datePart.length;
  let y = +datePart;
  if (yearDigits <= 2) y = twoDigitYear(y);
  timePart = (m[4] ?? '').trim();
  let h = 0, mi = 0, se = 0;
  if (timePart) {
    const tm = /^(\d+)(?:[^0-9](\d+))?(?:[^0-9](\d+))?(?:\.(\d*))?$/.exec(timePart);
    if (!tm) throw new TimeParseError(`invalid time format: '${input}'`);
    h = +tm[1]!; mi = tm[2] ? +tm[2] : 0; se = tm[3] ? +tm[3] : 0; frac = tm[4] ?? '';
  }
  fields = [y, +m[2]!, +m[3]!, h, mi, se];
  return finish(fields, frac, fsp, isDate);
}

function finish(f: number[], frac: string, fsp: number, isDate: boolean): CoreTime {
  let t: CoreTime = { year: f[0]!, month: f[1]!, day: f[2]!, hour: f[3]!, minute: f[4]!, second: f[5]!, micro: 0 };
  if (t.hour > 23 || t.minute > 59 || t.second > 59) throw new TimeParseError('invalid time value');
  if (isDate) return { ...t, hour: 0, minute: 0, second: 0, micro: 0 };
  const { micro, carry } = roundFrac(frac, fsp);
  t.micro = micro;
  if (carry) {
    if (t.month === 0 || t.day === 0) t.second += 1; // no calendar carry on zero dates
    else t = addSeconds(t, 1);
  }
  return t;
}

/** validity of a date under the session flags (non-zero parts, day within month) */
export function checkDate(t: CoreTime, allowInvalid: boolean, ignoreZeroInDate: boolean): string | null {
  if (isZeroTime(t)) return null;
  if (t.month > 12 || t.day > 31 || t.year > 9999) return 'out of range';
  if (t.month === 0 || t.day === 0) return ignoreZeroInDate ? null : 'zero in date';
  if (!allowInvalid && t.day > daysInMonth(t.year, t.month)) return 'invalid date';
  return null;
}

/** Parse a fixed zone name: 'UTC'/'SYSTEM'→0, '+08:00'/'-05:30' → offset seconds; named zones via Intl. */
export function zoneOffsetSeconds(zone: string, utcMs?: number): number {
  const z = zone.trim();
  if (z === '' || /^(utc|system|gmt|z)$/i.test(z)) return 0;
  const m = /^([+-])(\d{1,2}):(\d{2})$/.exec(z);
  if (m) return (m[1] === '-' ? -1 : 1) * (+m[2]! * 3600 + +m[3]! * 60);
  const ms = utcMs ?? 0;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: z, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms));
  const g = (t: string): number => +parts.find((p) => p.type === t)!.value;
  const local = Date.UTC(g('year'), g('month') - 1, g('day'), g('hour'), g('minute'), g('second'));
  return Math.round((local - Math.floor(ms / 1000) * 1000) / 1000);
}

/** local (session zone) → UTC; zero stays zero */
export function localToUTC(t: CoreTime, zone: string): CoreTime {
  if (isZeroTime(t)) return t;
  let off = zoneOffsetSeconds(zone);
  if (!/^([+-]\d|utc|system|gmt|z)/i.test(zone.trim()) && zone.trim() !== '') {
    const guess = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) - off * 1000;
    off = zoneOffsetSeconds(zone, guess);
  }
  return addSeconds(t, -off);
}

export function utcToLocal(t: CoreTime, zone: string): CoreTime {
  if (isZeroTime(t)) return t;
  const ms = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  return addSeconds(t, zoneOffsetSeconds(zone, ms));
}

/** seconds since epoch of a UTC CoreTime (for TIMESTAMP range checks) */
export function epochSeconds(t: CoreTime): number {
  const d = new Date(0);
  d.setUTCFullYear(t.year, t.month - 1, t.day);
  d.setUTCHours(t.hour, t.minute, t.second, 0);
  return d.getTime() / 1000;
}

export function formatTime(t: CoreTime, tp: 'date' | 'datetime', fsp: number): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const date = `${p(t.year, 4)}-${p(t.month)}-${p(t.day)}`;
  if (tp === 'date') return date;
  const frac = fsp > 0 ? '.' + p(t.micro, 6).slice(0, fsp) : '';
  return `${date} ${p(t.hour)}:${p(t.minute)}:${p(t.second)}${frac}`;
}

// ---- durations ----
export const MAX_DURATION_NS = 838 * 3600e9 + 59 * 60e9 + 59e9;

/** Parse TIME text to nanoseconds, rounded to fsp. Throws TimeParseError on bad input or out of range. */
export function parseDuration(input: string, fsp: number): number {
  let s = input.trim();
  let neg = false;
  if (s.startsWith('-')) { neg = true; s = s.slice(1).trim(); }
  let days = 0, h = 0, m = 0, sec = 0, frac = '';
  const dm = /^(\d+)\s+(.*)$/.exec(s);
  if (dm) { days = +dm[1]!; s = dm[2]!; }
  const dot = s.indexOf('.');
  if (dot >= 0) { frac = s.slice(dot + 1); s = s.slice(0, dot); }
  if (!/^[\d:]*$/.test(s) || !/^\d*$/.test(frac)) throw new TimeParseError(`invalid time format: '${input}'`);
  if (s.includes(':')) {
    const p = s.split(':');
    if (p.length > 3) throw new TimeParseError(`invalid time format: '${input}'`);
    h = +(p[0] || 0); m = +(p[1] || 0); sec = p.length > 2 ? +(p[2] || 0) : 0;
  } else {
    // HHMMSS / MMSS / SS
    const n = s.padStart(6, '0');
    h = +n.slice(0, n.length - 4); m = +n.slice(-4, -2); sec = +n.slice(-2);
  }
  if (m > 59 || sec > 59) throw new TimeParseError(`invalid time value: '${input}'`);
  h += days * 24;
  const { micro, carry } = roundFrac(frac, fsp);
  let ns = ((h * 3600 + m * 60 + sec + carry) * 1e6 + micro) * 1000;
  if (ns > MAX_DURATION_NS) throw new TimeParseError(`time out of range: '${input}'`);
  if (neg) ns = -ns;
  return ns === 0 ? 0 : ns;
}

export function formatDuration(ns: number, fsp: number): string {
  const neg = ns < 0;
  let us = Math.round(Math.abs(ns) / 1000);
  const micro = us % 1e6;
  us = (us - micro) / 1e6;
  const s = us % 60, m = Math.floor(us / 60) % 60, h = Math.floor(us / 3600);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${neg ? '-' : ''}${p(h)}:${p(m)}:${p(s)}${fsp > 0 ? '.' + String(micro).padStart(6, '0').slice(0, fsp) : ''}`;
}
