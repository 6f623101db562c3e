// One client connection's state and the functions its expressions may call.
import { SqlError } from './lexer.js';
import type { Val } from './expr.js';
import type { BaseEnv } from './select.js';
import { MYSQL_VERSION, TIDB_VERSION_TEXT, Variables } from './variables.js';

export class Session {
  db?: string;
  readonly vars: Variables;
  lastInsertId = 0n;

  constructor(readonly connectionId: number, readonly user: string, globals: Map<string, string>) {
    this.vars = new Variables(globals);
  }

  /** what expressions see besides columns */
  env(): BaseEnv {
    return {
      sysvar: (name) => {
        const v = this.vars.get(name);
        if (v === undefined) throw new SqlError(1193, `Unknown system variable '${name.replace(/^(session|global)\./, '')}'`);
        return /^-?\d+$/.test(v) ? BigInt(v) : v;
      },
      userVar: (name) => this.vars.user.get(name) ?? null,
      call: (name, args) => this.call(name, args),
    };
  }

  private call(name: string, args: Val[]): Val {
    switch (name) {
      case 'VERSION': return MYSQL_VERSION;
      case 'TIDB_VERSION': return TIDB_VERSION_TEXT;
      case 'DATABASE': case 'SCHEMA': return this.db ?? null;
      case 'USER': case 'CURRENT_USER': case 'SESSION_USER': case 'SYSTEM_USER': return `${this.user}@127.0.0.1`;
      case 'CONNECTION_ID': return BigInt(this.connectionId);
      case 'CURRENT_RESOURCE_GROUP': return 'default';
      case 'LAST_INSERT_ID': return this.lastInsertId;
      case 'NOW': case 'CURRENT_TIMESTAMP': case 'LOCALTIME': case 'LOCALTIMESTAMP': case 'SYSDATE':
        return new Date().toISOString().slice(0, 19).replace('T', ' ');
      case 'UTC_TIMESTAMP': return new Date().toISOString().slice(0, 19).replace('T', ' ');
      case 'CONCAT': return args.some((a) => a === null) ? null : args.map((a) => (Buffer.isBuffer(a) ? a.toString() : String(a))).join('');
      case 'LOWER': case 'LCASE': return args[0] === null ? null : String(args[0]).toLowerCase();
      case 'UPPER': case 'UCASE': return args[0] === null ? null : String(args[0]).toUpperCase();
      case 'LENGTH': return args[0] === null ? null : BigInt(Buffer.isBuffer(args[0]) ? args[0].length : Buffer.byteLength(String(args[0])));
      case 'HEX': return args[0] === null ? null : Buffer.isBuffer(args[0]) ? args[0].toString('hex').toUpperCase()
        : typeof args[0] === 'bigint' ? args[0].toString(16).toUpperCase() : Buffer.from(String(args[0])).toString('hex').toUpperCase();
      case 'IFNULL': return args[0] ?? args[1] ?? null;
      case 'COALESCE': return args.find((a) => a !== null) ?? null;
      default: throw new SqlError(1305, `FUNCTION ${name.toLowerCase()} does not exist`, '42000');
    }
  }
}
