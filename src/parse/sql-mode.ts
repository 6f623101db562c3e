// The two sql-mode flags that change how a dump's text is read ([tidb] sql-mode, as Go's NewChunkParser takes
// it). Combination modes expand as in MySQL: ANSI and the 5.7 compatibility modes include ANSI_QUOTES.
export interface SqlModeFlags {
  ansiQuotes: boolean;
  noBackslashEscapes: boolean;
}

const WITH_ANSI_QUOTES = new Set(['ANSI_QUOTES', 'ANSI', 'DB2', 'MAXDB', 'MSSQL', 'ORACLE', 'POSTGRESQL']);

/** `sqlModeFlags(cfg.tidb.sqlMode)` → options for parseSql. */
export function sqlModeFlags(sqlMode: string): SqlModeFlags {
  const modes = sqlMode.split(',').map((m) => m.trim().toUpperCase());
  return {
    ansiQuotes: modes.some((m) => WITH_ANSI_QUOTES.has(m)),
    noBackslashEscapes: modes.includes('NO_BACKSLASH_ESCAPES'),
  };
}
