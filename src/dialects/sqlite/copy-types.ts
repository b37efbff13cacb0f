import type { Db } from '../../db.js'
import { parseCommonDefault, sqlLiteral } from '../../copy/defaults.js'
import { commonText } from '../../copy/values.js'
import { insertValues } from '../../copy/insert.js'
import type { CopySupport, MappedType, NeutralDefault, NeutralType } from '../../copy/types.js'
import type { Column, Table } from '../../schema/model.js'

/** Significant digits an 8-byte float (how SQLite stores NUMERIC values with a fraction) keeps. */
const FLOAT_DIGITS = 15

/**
 * SQLite's side of `migrator copy`. SQLite stores any value in any column; the declared type names
 * chosen here keep the neutral type recognizable when the database is copied on again.
 */
export const sqliteCopy: CopySupport = {
  toNeutral(column: Column): NeutralType {
    const type = column.type
    if (/^(bool|boolean)$/.test(type)) return { kind: 'boolean' }
    if (/^tinyint$/.test(type)) return { kind: 'integer', bytes: 1 }
    if (/^(smallint|int2)$/.test(type)) return { kind: 'integer', bytes: 2 }
    if (/^(mediumint)$/.test(type)) return { kind: 'integer', bytes: 3 }
    // INTEGER holds 64 bits whatever it is called.
    if (/int/.test(type)) return { kind: 'integer', bytes: 8 }
    const decimal = /^(?:numeric|decimal)(?:\((\d+)(?:,\s*(\d+))?\))?$/.exec(type)
    if (decimal !== null) return decimal[1] === undefined ? { kind: 'decimal' } : { kind: 'decimal', precision: Number(decimal[1]), scale: Number(decimal[2] ?? 0) }
    if (/^(real|double|double precision|float)$/.test(type)) return { kind: 'float', bits: 53 }
    const chars = /^(n?varchar|character varying|varying character|nchar|char|character)\((\d+)\)$/.exec(type)
    if (chars !== null) return { kind: 'text', length: Number(chars[2]), ...(/char$|^character$/.test(chars[1]!) && !/var/.test(chars[1]!) ? { fixed: true } : {}) }
    if (/^(text|clob)$/.test(type)) return { kind: 'text' }
    if (type === 'blob') return { kind: 'binary' }
    if (type === 'date') return { kind: 'date' }
    if (type === 'time') return { kind: 'time' }
    if (/^(datetime|timestamp)$/.test(type)) return { kind: 'timestamp', zone: false }
    if (/^(timestamptz|timestamp with time zone)$/.test(type)) return { kind: 'timestamp', zone: true }
    if (/^jsonb?$/.test(type)) return { kind: 'json' }
    if (type === 'uuid') return { kind: 'uuid' }
    return { kind: 'other', type: type === '' ? 'untyped' : type }
  },

  // INTEGER PRIMARY KEY is the rowid: SQLite numbers new rows by it.
  generatesKey(table: Table, column: Column): boolean {
    return column.type === 'integer' && table.primaryKey?.columns.length === 1 && table.primaryKey.columns[0] === column.name
  },

  fromNeutral(type: NeutralType): MappedType {
    switch (type.kind) {
      case 'integer':
        return type.bytes === 8 && type.unsigned === true
          ? { type: 'numeric(20,0)', loss: { code: 'CP101', reason: 'unsigned 64-bit integer: values above 2^63-1 are stored as floats' } }
          : { type: 'integer' }
      case 'decimal':
        // NUMERIC affinity turns decimals into 8-byte floats; text keeps every digit.
        if (type.precision === undefined || type.precision > FLOAT_DIGITS) {
          return { type: 'text', loss: { code: 'CP101', reason: `${type.precision === undefined ? 'unbounded numeric' : `numeric(${type.precision},${type.scale ?? 0})`} stored as text (SQLite's numbers keep ${FLOAT_DIGITS} digits)` } }
        }
        return { type: `numeric(${type.precision},${type.scale ?? 0})` }
      case 'float':
        return { type: 'real' }
      case 'boolean':
      case 'date':
      case 'time':
      case 'json':
      case 'uuid':
        return { type: type.kind }
      case 'text':
        if (type.length === undefined) return { type: 'text' }
        return { type: `${type.fixed === true ? 'char' : 'varchar'}(${type.length})` }
      case 'binary':
        return { type: 'blob' }
      case 'timestamp':
        return { type: type.zone ? 'timestamptz' : 'datetime' }
      case 'enum':
        return { type: 'text', checkLabels: type.labels }
      case 'other':
        return { type: 'text', loss: { code: 'CP103', reason: `${type.type} copied as text` } }
    }
  },

  parseDefault(text: string, type: NeutralType): NeutralDefault | undefined {
    return parseCommonDefault(text.replace(/^\((.*)\)$/s, '$1'), type)
  },

  renderDefault(value: NeutralDefault, type: NeutralType): string {
    if (value.kind === 'now') return 'CURRENT_TIMESTAMP'
    if (type.kind === 'boolean') return value.value === 'true' ? '1' : '0'
    return sqlLiteral(value.value, type)
  },

  readExpression(column: string, type: NeutralType): string {
    // better-sqlite3 returns integers as doubles: text keeps all 64 bits (and decimals their digits).
    return type.kind === 'integer' || type.kind === 'decimal' ? `CAST(${column} AS TEXT)` : column
  },

  readValue: commonText,

  writeValue(value: string, type: NeutralType): unknown {
    if (type.kind === 'binary') return Buffer.from(value, 'hex')
    if (type.kind === 'boolean') return value === 'true' ? 1 : value === 'false' ? 0 : value
    if (type.kind === 'float') return Number(value)
    return value
  },

  // SQLITE_MAX_VARIABLE_NUMBER since 3.32.
  insertRows: (db, target, rows) => insertValues(db, target, rows, 32766),

  roundsDecimals: false,
  tableOptions: {},
  constraintsAfterLoad: false,

  async prepareSession(db: Db, role: 'source' | 'target'): Promise<void> {
    // Foreign keys exist from the start (adding one later rebuilds the table); rows arrive parents
    // first, but a table that references itself may not be in key order.
    if (role === 'target') await db.exec('PRAGMA foreign_keys = OFF')
  },

  // Explicit values move an AUTOINCREMENT counter (sqlite_sequence) past themselves.
  async resetIdentity(): Promise<void> {},
}
