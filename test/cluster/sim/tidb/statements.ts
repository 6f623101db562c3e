// Statement dispatch of the simulated TiDB: the SQL an importer sends (DDL from the dump, USE, SHOW …, SET and
// @@variables, ADMIN CHECKSUM TABLE, ANALYZE TABLE, ALTER TABLE … AUTO_INCREMENT, the mysql.tidb GC rows,
// information_schema reads) and SELECTs over user tables answered from the simulated TiKV.
import { Cursor, SqlError, tokenize } from './lexer.js';
import { evaluate, parseExpr, toText, truth, type Expr, type Val } from './expr.js';
import { parseSelect, runSelect, type ColumnMeta, type ResultSet, type SelectStmt, type Source } from './select.js';
import { memSource, metaOf, systemSource, type ClusterAddrs, type ColSpec } from './sources.js';
import { SYSTEM_DBS, type Catalog, type SimTable } from './catalog.js';
import type { Session } from './session.js';
import type { Checksum } from './checksum.js';
import { parseInsert, type ParsedInsert } from './insert.js';

export type Result = { kind: 'ok'; affectedRows?: number; insertId?: bigint } | ({ kind: 'rows' } & ResultSet);

export interface FrontContext {
  catalog: Catalog;
  cluster: ClusterAddrs;
  checksum(t: SimTable): Promise<Checksum>;
  /** rows of a user table read from TiKV */
  tableSource(t: SimTable): Source;
  tso(): bigint;
  insert(t: SimTable, ins: ParsedInsert): { written: number; firstId: bigint };
}

const ok = (affectedRows = 0): Result => ({ kind: 'ok', affectedRows });
const rows = (r: ResultSet): Result => ({ kind: 'rows', ...r });
const unsupported = (what: string) => new SqlError(8200, `the TiDB simulator does not support ${what}`);

/** a single-table result, optionally filtered by SHOW's `LIKE 'pattern'` / `WHERE expr` on its first column */
function showResult(c: Cursor, s: Session, cols: ColSpec[], data: Val[][]): Result {
  const stmt: SelectStmt = { distinct: false, items: [{ e: { k: 'star' }, text: '*' }], orderBy: [], offset: 0 };
  if (c.eat('LIKE')) stmt.where = { k: 'like', e: { k: 'col', name: cols[0]![0] }, pat: parseExpr(c), not: false };
  else if (c.eat('WHERE')) stmt.where = parseExpr(c);
  c.end();
  return rows(runSelect(stmt, memSource(cols, data), s.env()));
}

function dbOf(s: Session, db?: string): string {
  const d = db ?? s.db;
  if (!d) throw new SqlError(1046, 'No database selected', '3D000');
  return d;
}

/** SET's right-hand side: a bare word (ON, utf8mb4) is its own name */
function setValue(c: Cursor, s: Session): string | undefined {
  if (c.eat('DEFAULT')) return undefined;
  const e: Expr = parseExpr(c);
  if (e.k === 'col' && !e.table) return e.name;
  const v = evaluate(e, { ...s.env(), column: (n) => n });
  return v === null ? '' : toText(v)!;
}

function runSet(c: Cursor, s: Session, ctx: FrontContext): Result {
  if (c.eat('CHARACTER', 'SET') || c.eat('CHARSET')) {
    const cs = c.ident();
    for (const n of ['character_set_client', 'character_set_connection', 'character_set_results']) s.vars.set('session', n, cs);
    if (c.eat('COLLATE')) s.vars.set('session', 'collation_connection', c.ident());
    c.end();
    return ok();
  }
  if (c.is('TRANSACTION') || c.is('PASSWORD') || c.is('ROLE')) return ok();
  do {
    let scope: 'global' | 'session' = 'session';
    let name: string;
    if (c.eat('NAMES')) {
      const cs = c.ident();
      for (const n of ['character_set_client', 'character_set_connection', 'character_set_results']) s.vars.set('session', n, cs);
      if (c.eat('COLLATE')) s.vars.set('session', 'collation_connection', c.ident());
      continue;
    }
    const t = c.peek();
    if (t?.t === 'sysvar') { c.next(); [scope, name] = t.v.split('.') as ['global' | 'session', string]; }
    else if (t?.t === 'var') {
      c.next();
      if (!c.eat('=')) c.want(':=');
      const v = evaluate(parseExpr(c), { ...s.env(), column: (n) => n });
      s.vars.user.set(t.v, toText(v) ?? '');
      continue;
    } else {
      if (c.eat('GLOBAL')) scope = 'global'; else if (!c.eat('SESSION')) c.eat('LOCAL');
      name = c.ident().toLowerCase();
    }
    if (!c.eat('=')) c.want(':=');
    const v = setValue(c, s);
    if (v === undefined) { if (scope === 'session') s.vars.session.delete(name); continue; }
    s.vars.set(scope, name, v);
    if (scope === 'global' && name === 'tidb_gc_life_time') ctx.catalog.tidbRows.get('tikv_gc_life_time')![0] = v;
  } while (c.eat(','));
  c.end();
  return ok();
}

/** UPDATE mysql.tidb SET col = expr, … [WHERE expr] — the only table the simulator updates by SQL */
function runUpdate(c: Cursor, s: Session, ctx: FrontContext): Result {
  const q = c.qualified();
  if ((q.db ?? s.db ?? '').toLowerCase() !== 'mysql' || q.name.toLowerCase() !== 'tidb') throw unsupported('UPDATE on tables other than mysql.tidb');
  c.want('SET');
  const sets: [string, Expr][] = [];
  do { const col = c.ident().toUpperCase(); c.want('='); sets.push([col, parseExpr(c)]); } while (c.eat(','));
  const where = c.eat('WHERE') ? parseExpr(c) : undefined;
  c.end();
  let n = 0;
  for (const [name, row] of ctx.catalog.tidbRows) {
    const env = { ...s.env(), column: (col: string) => ({ VARIABLE_NAME: name, VARIABLE_VALUE: row[0], COMMENT: row[1] } as Record<string, Val>)[col.toUpperCase()] ?? null };
    if (where && truth(evaluate(where, env)) !== true) continue;
    for (const [col, e] of sets) {
      const v = toText(evaluate(e, env)) ?? '';
      if (col === 'VARIABLE_VALUE') row[0] = v; else if (col === 'COMMENT') row[1] = v; else throw new SqlError(1054, `Unknown column '${col}' in 'field list'`);
    }
    if (name === 'tikv_gc_life_time') s.vars.set('global', 'tidb_gc_life_time', row[0]);
    n++;
  }
  return ok(n);
}

function tableList(c: Cursor, s: Session, ctx: FrontContext): SimTable[] {
  const out: SimTable[] = [];
  do { const q = c.qualified(); out.push(ctx.catalog.table(dbOf(s, q.db), q.name)); } while (c.eat(','));
  c.end();
  return out;
}

function showCreateTable(t: SimTable, ctx: FrontContext): string {
  let sql = t.createSql.replace(/^CREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?((`[^`]+`|[\w$]+)\s*\.\s*)?(`[^`]+`|[\w$]+)/i, `CREATE TABLE \`${t.info.name.O}\``);
  if (ctx.catalog.autoIncColumn(t) && t.autoIdNext > 1n) {
    if (/\)[^()]*\bAUTO_INCREMENT\s*=?\s*\d+/i.test(sql)) sql = sql.replace(/(\)[^()]*\bAUTO_INCREMENT\s*=?\s*)\d+/i, `$1${t.autoIdNext}`);
    else sql += ` AUTO_INCREMENT=${t.autoIdNext}`;
  }
  return sql;
}

function runShow(c: Cursor, s: Session, ctx: FrontContext): Result {
  const cat = ctx.catalog;
  const full = c.eat('FULL');
  if (c.eat('DATABASES') || c.eat('SCHEMAS')) {
    const names = ['INFORMATION_SCHEMA', 'METRICS_SCHEMA', 'PERFORMANCE_SCHEMA', 'mysql', ...[...cat.dbs.values()].map((d) => d.name)].sort();
    return showResult(c, s, [['Database', 'str']], names.map((n) => [n]));
  }
  if (c.eat('TABLES')) {
    const db = dbOf(s, c.eat('FROM') || c.eat('IN') ? c.ident() : undefined);
    const names = [...cat.database(db).tables.values()].map((t) => t.info.name.O).sort();
    const cols: ColSpec[] = full ? [[`Tables_in_${db}`, 'str'], ['Table_type', 'str']] : [[`Tables_in_${db}`, 'str']];
    return showResult(c, s, cols, names.map((n) => (full ? [n, 'BASE TABLE'] : [n])));
  }
  if (c.eat('CREATE', 'TABLE')) {
    const q = c.qualified();
    c.end();
    const t = cat.table(dbOf(s, q.db), q.name);
    return rows({ columns: [metaOf(['Table', 'str']), metaOf(['Create Table', 'str'])], rows: [[t.info.name.O, showCreateTable(t, ctx)]] });
  }
  if (c.eat('CREATE', 'DATABASE') || c.eat('CREATE', 'SCHEMA')) {
    c.eat('IF', 'NOT', 'EXISTS');
    const d = cat.database(c.ident());
    c.end();
    return rows({ columns: [metaOf(['Database', 'str']), metaOf(['Create Database', 'str'])],
      rows: [[d.name, `CREATE DATABASE \`${d.name}\` /*!40100 DEFAULT CHARACTER SET ${d.charset} COLLATE ${d.collate} */`]] });
  }
  if (c.eat('TABLE')) {
    const q = c.qualified();
    c.want('NEXT_ROW_ID');
    c.end();
    const t = cat.table(dbOf(s, q.db), q.name);
    const out: Val[][] = [];
    if (!t.info.pk_is_handle) out.push([t.db.name, t.info.name.O, '_tidb_rowid', t.autoIdNext, '_TIDB_ROWID']);
    const ai = cat.autoIncColumn(t);
    if (ai) out.push([t.db.name, t.info.name.O, ai, t.autoIdNext, 'AUTO_INCREMENT']);
    if (t.info.auto_random_bits) out.push([t.db.name, t.info.name.O, t.info.cols.find((x) => x.type.Flag & 2)?.name.O ?? '', t.autoRandomBase, 'AUTO_RANDOM']);
    return rows({ columns: (['DB_NAME', 'TABLE_NAME', 'COLUMN_NAME', 'NEXT_GLOBAL_ROW_ID', 'ID_TYPE'] as const).map((n) => metaOf([n, n === 'NEXT_GLOBAL_ROW_ID' ? 'int' : 'str'])), rows: out });
  }
  const scope = c.eat('GLOBAL') ? 'global' : 'session';
  if (scope === 'session' && !c.eat('SESSION')) c.eat('LOCAL');
  if (c.eat('VARIABLES')) return showResult(c, s, [['Variable_name', 'str'], ['Value', 'str']], s.vars.all(scope));
  if (c.eat('STATUS')) return showResult(c, s, [['Variable_name', 'str'], ['Value', 'str']], []);
  if (c.eat('WARNINGS') || c.eat('ERRORS')) { c.end(); return rows({ columns: [metaOf(['Level', 'str']), metaOf(['Code', 'int']), metaOf(['Message', 'str'])], rows: [] }); }
  if (c.eat('GRANTS')) { c.eat('FOR'); while (!c.done()) c.next(); return rows({ columns: [metaOf([`Grants for ${s.user}@%`, 'str'])], rows: [[`GRANT ALL PRIVILEGES ON *.* TO '${s.user}'@'%' WITH GRANT OPTION`]] }); }
  if (c.eat('COLUMNS') || c.eat('FIELDS')) {
    if (!c.eat('FROM')) c.want('IN');
    const q = c.qualified();
    const db = c.eat('FROM') || c.eat('IN') ? c.ident() : q.db;
    const t = cat.table(dbOf(s, db), q.name);
    const src = systemSource(cat, 'information_schema', 'columns', ctx.cluster)!;
    const mine = [...src.rows()].filter((r) => r(1) === t.db.name && r(2) === t.info.name.O)
      .map((r) => [r(3), r(15), r(6), r(16), r(5), r(17)]);
    return showResult(c, s, [['Field', 'str'], ['Type', 'str'], ['Null', 'str'], ['Key', 'str'], ['Default', 'str'], ['Extra', 'str']], mine);
  }
  throw unsupported(`SHOW ${c.restFrom(1).slice(0, 40)}`);
}

function runCreate(c: Cursor, sql: string, s: Session, ctx: FrontContext): Result {
  if (c.eat('DATABASE') || c.eat('SCHEMA')) {
    const ifNot = c.eat('IF', 'NOT', 'EXISTS');
    const name = c.ident();
    let charset: string | undefined, collate: string | undefined;
    while (!c.done()) {
      if (c.eat('DEFAULT')) continue;
      if (c.eat('CHARACTER', 'SET') || c.eat('CHARSET')) { c.eat('='); charset = c.ident().toLowerCase(); } else if (c.eat('COLLATE')) { c.eat('='); collate = c.ident().toLowerCase(); } else c.next();
    }
    ctx.catalog.createDatabase(name, ifNot, charset, collate);
    return ok(1);
  }
  c.eat('TEMPORARY');
  if (c.eat('TABLE')) {
    const ifNot = c.eat('IF', 'NOT', 'EXISTS');
    const q = c.qualified();
    if (c.is('LIKE')) throw unsupported('CREATE TABLE … LIKE');
    const t = ctx.catalog.createTable(dbOf(s, q.db), sql, ifNot);
    if (t) t.updateTimestamp = ctx.tso();
    return ok();
  }
  if (c.eat('USER') || c.eat('ROLE')) return ok();
  throw unsupported(`CREATE ${c.peek()?.v ?? ''}`);
}

function runAlter(c: Cursor, s: Session, ctx: FrontContext): Result {
  c.want('TABLE');
  const q = c.qualified();
  const t = ctx.catalog.table(dbOf(s, q.db), q.name);
  const force = c.eat('FORCE');
  if (c.eat('AUTO_INCREMENT') || c.eat('AUTO_ID_CACHE')) {
    c.eat('=');
    const n = BigInt(c.next().v);
    c.end();
    ctx.catalog.rebaseAutoId(t, n, force);
  } else if (c.eat('AUTO_RANDOM_BASE')) {
    c.eat('=');
    const n = BigInt(c.next().v);
    c.end();
    ctx.catalog.rebaseAutoRandom(t, n);
  } else throw unsupported(`ALTER TABLE ${c.restFrom(c.i).slice(0, 40)}`);
  t.updateTimestamp = ctx.tso();
  return ok();
}

export async function execute(sql: string, s: Session, ctx: FrontContext): Promise<Result> {
  const c = new Cursor(tokenize(sql), sql);
  if (c.done()) throw new SqlError(1065, 'Query was empty', '42000');
  const head = c.peek()!.v.toUpperCase();
  switch (head) {
    case 'SELECT': {
      const stmt = parseSelect(c);
      let source: Source | undefined;
      if (stmt.from) {
        const db = dbOf(s, stmt.from.db);
        source = systemSource(ctx.catalog, db, stmt.from.name, ctx.cluster) ?? ctx.tableSource(ctx.catalog.table(db, stmt.from.name));
      }
      return rows(runSelect(stmt, source, s.env()));
    }
    case 'SET': c.next(); return runSet(c, s, ctx);
    case 'USE': {
      c.next();
      const db = c.ident();
      c.end();
      s.db = SYSTEM_DBS.find((x) => x.toLowerCase() === db.toLowerCase()) ?? ctx.catalog.database(db).name;
      return ok();
    }
    case 'BEGIN': case 'START': case 'COMMIT': case 'ROLLBACK': return ok();
    case 'CREATE': c.next(); return runCreate(c, sql, s, ctx);
    case 'DROP': {
      c.next();
      if (c.eat('DATABASE') || c.eat('SCHEMA')) { const ifEx = c.eat('IF', 'EXISTS'); const n = c.ident(); c.end(); ctx.catalog.dropDatabase(n, ifEx); return ok(); }
      c.eat('TEMPORARY');
      if (!c.eat('TABLE')) c.want('TABLES');
      const ifEx = c.eat('IF', 'EXISTS');
      do { const q = c.qualified(); ctx.catalog.dropTable(dbOf(s, q.db), q.name, ifEx); } while (c.eat(','));
      c.end();
      return ok();
    }
    case 'TRUNCATE': { c.next(); c.eat('TABLE'); const q = c.qualified(); c.end(); ctx.catalog.truncateTable(dbOf(s, q.db), q.name); return ok(); }
    case 'ALTER': c.next(); return runAlter(c, s, ctx);
    case 'ANALYZE': { c.next(); c.want('TABLE'); for (const t of tableList(c, s, ctx)) t.analyzeCount++; return ok(); }
    case 'ADMIN': {
      c.next();
      c.want('CHECKSUM');
      c.want('TABLE');
      const out: Val[][] = [];
      for (const t of tableList(c, s, ctx)) {
        const x = await ctx.checksum(t);
        out.push([t.db.name, t.info.name.O, x.checksum, x.totalKvs, x.totalBytes]);
      }
      const u64 = (name: string): ColumnMeta => ({ ...metaOf([name, 'int']), flags: 128 | 32 | 1 });
      return rows({ columns: [metaOf(['Db_name', 'str']), metaOf(['Table_name', 'str']), u64('Checksum_crc64_xor'), u64('Total_kvs'), u64('Total_bytes')], rows: out });
    }
    case 'SHOW': c.next(); return runShow(c, s, ctx);
    case 'DESC': case 'DESCRIBE': case 'EXPLAIN': {
      c.next();
      const rest = c.restFrom(c.i);
      return execute(`SHOW COLUMNS FROM ${rest}`, s, ctx);
    }
    case 'UPDATE': c.next(); return runUpdate(c, s, ctx);
    case 'REPLACE':
    case 'INSERT': {
      const ins = parseInsert(c);
      const r = ctx.insert(ctx.catalog.table(dbOf(s, ins.db), ins.table), ins);
      if (r.firstId) s.lastInsertId = r.firstId;
      return { kind: 'ok', affectedRows: r.written, insertId: r.firstId };
    }
    default: throw unsupported(`statements starting with ${head}`);
  }
}
