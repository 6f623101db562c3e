// The conversion context Lightning's kv.NewSession builds (encoding.md §9.2): strictness from sql_mode,
// zero-date flags, and the session time zone that TIMESTAMP input is read in.

export interface Session {
  strict: boolean;
  allowInvalidDates: boolean;
  noZeroDate: boolean;
  noZeroInDate: boolean;
  /** IgnoreZeroInDate: not strict, or ALLOW_INVALID_DATES */
  ignoreZeroInDate: boolean;
  timeZone: string;
  sqlMode: string;
}

/** Lightning's default sql-mode (non-strict) */
export const DEFAULT_SQL_MODE = 'ONLY_FULL_GROUP_BY,NO_AUTO_CREATE_USER';

export function makeSession(sqlMode = DEFAULT_SQL_MODE, timeZone = 'UTC'): Session {
  const modes = new Set(sqlMode.toUpperCase().split(',').map((s) => s.trim()).filter(Boolean));
  const strict = modes.has('STRICT_TRANS_TABLES') || modes.has('STRICT_ALL_TABLES') || modes.has('TRADITIONAL');
  const allowInvalidDates = modes.has('ALLOW_INVALID_DATES');
  return {
    strict,
    allowInvalidDates,
    noZeroDate: modes.has('NO_ZERO_DATE') || modes.has('TRADITIONAL'),
    noZeroInDate: modes.has('NO_ZERO_IN_DATE') || modes.has('TRADITIONAL'),
    ignoreZeroInDate: !strict || allowInvalidDates,
    timeZone,
    sqlMode,
  };
}
