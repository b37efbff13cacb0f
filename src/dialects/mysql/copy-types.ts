import type { Db } from '../../db.js'
import { parseCommonDefault, sqlLiteral } from '../../copy/defaults.js'
import { commonText } from '../../copy/values.js'
import { insertValues } from '../../copy/insert.js'
import type { CopySupport, MappedType, NeutralDefault, NeutralType, TypeUse } from '../../copy/types.js'
import type { Column } from '../../schema/model.js'

const INTEGER_BYTES: Readonly<Record<string, 1 | 2 | 3 | 4 | 8>> = { tinyint: 1, smallint: 2, mediumint: 3, int: 4, integer: 4, bigint: 8 }
const INTEGER_NAMES: Readonly<Record<number, string>> = { 1: 'tinyint', 2: 'smallint', 3: 'mediumint', 4: 'int', 8: 'bigint' }
/** Longest VARCHAR whose utf8mb4 bytes (4 per character) fit a row's 65,535. */
const MAX_VARCHAR = 16383
/** A key on unbounded text gets this length instead (utf8mb4 keys stay within 3072 bytes). */
const KEY_LENGTH = 255

/** MySQL/MariaDB's side of `migrator copy`: types as information_schema prints them. */
export const mysqlCopy: CopySupport = {
  toNeutral(column: Column): NeutralType {
    const type = column.type
    if (type === 'tinyint(1)') return { kind: 'boolean' }
    const integer = /^(tinyint|smallint|mediumint|int|integer|bigint)(?:\(\d+\))?( unsigned)?/.exec(type)
    if (integer !== null) return { kind: 'integer', bytes: INTEGER_BYTES[integer[1]!]!, ...(integer[2] === undefined ? {} : { unsigned: true }) }
    const decimal = /^(?:decimal|numeric)(?:\((\d+)(?:,(\d+))?\))?/.exec(type)
    if (decimal !== null) return { kind: 'decimal', precision: Number(decimal[1] ?? 10), scale: Number(decimal[2] ?? 0) }
    if (/^(float|real)\b/.test(type)) return { kind: 'float', bits: type.startsWith('real') ? 53 : 24 }
    if (/^double\b/.test(type)) return { kind: 'float', bits: 53 }
    const chars = /^(char|varchar)\((\d+)\)/.exec(type)
    if (chars !== null) return { kind: 'text', length: Number(chars[2]), ...(chars[1] === 'char' ? { fixed: true } : {}) }
    if (/^(tiny|medium|long)?text$/.test(type)) return { kind: 'text' }
    const binary = /^(?:var)?binary\((\d+)\)/.exec(type)
    if (binary !== null) return { kind: 'binary', length: Number(binary[1]) }
    if (/^(tiny|medium|long)?blob$/.test(type)) return { kind: 'binary' }
    const time = /^(time|datetime|timestamp)(?:\((\d)\))?$/.exec(type)
    if (time !== null) {
      const precision = Number(time[2] ?? 0)
      return time[1] === 'time' ? { kind: 'time', precision } : { kind: 'timestamp', zone: time[1] === 'timestamp', precision }
    }
    if (type === 'date' || type === 'json' || type === 'uuid') return { kind: type }
    const labels = /^enum\((.*)\)$/s.exec(type)?.[1]
    if (labels !== undefined) return { kind: 'enum', labels: [...labels.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!.replace(/''/g, "'")) }
    return { kind: 'other', type }
  },

  generatesKey: () => false,

  fromNeutral(type: NeutralType, use: TypeUse): MappedType {
    switch (type.kind) {
      case 'integer':
        return { type: `${INTEGER_NAMES[type.bytes]!}${type.unsigned === true ? ' unsigned' : ''}` }
      case 'decimal': {
        if (type.precision === undefined) return { type: 'decimal(65,30)', loss: { code: 'CP101', reason: 'unbounded numeric stored as decimal(65,30)' } }
        const precision = Math.min(type.precision, 65)
        const scale = Math.min(type.scale ?? 0, 30, precision)
        const mapped = `decimal(${precision},${scale})`
        return precision === type.precision && scale === (type.scale ?? 0) ? { type: mapped } : { type: mapped, loss: { code: 'CP101', reason: `numeric(${type.precision},${type.scale ?? 0}) stored as ${mapped}` } }
      }
      case 'float':
        return { type: type.bits === 24 ? 'float' : 'double' }
      case 'boolean':
        return { type: 'tinyint(1)' }
      case 'text':
        if (type.length !== undefined && type.length <= MAX_VARCHAR) return { type: type.fixed === true && type.length <= 255 ? `char(${type.length})` : `varchar(${type.length})` }
        return use.keyed ? { type: `varchar(${KEY_LENGTH})`, loss: { code: 'CP110', reason: `unbounded text in a key stored as varchar(${KEY_LENGTH})` } } : { type: 'longtext' }
      case 'binary':
        if (type.length !== undefined && type.length <= 65535) return { type: `varbinary(${type.length})` }
        return use.keyed ? { type: `varbinary(${KEY_LENGTH})`, loss: { code: 'CP110', reason: `unbounded binary in a key stored as varbinary(${KEY_LENGTH})` } } : { type: 'longblob' }
      case 'date':
        return { type: 'date' }
      case 'time':
        return { type: `time${precision(type.precision)}` }
      case 'timestamp':
        // TIMESTAMP holds only 1970–2038: DATETIME with UTC values keeps every instant.
        return type.zone
          ? { type: `datetime${precision(type.precision)}`, loss: { code: 'CP102', reason: 'timestamp with time zone stored as UTC in DATETIME' } }
          : { type: `datetime${precision(type.precision)}` }
      case 'json':
        return { type: 'json' }
      case 'uuid':
        return { type: 'char(36)' }
      case 'enum':
        return { type: `enum(${type.labels.map((label) => `'${label.replace(/'/g, "''")}'`).join(',')})` }
      case 'other':
        return { type: use.keyed ? `varchar(${KEY_LENGTH})` : 'longtext', loss: { code: 'CP103', reason: `${type.type} copied as text` } }
    }
  },

  parseDefault: parseCommonDefault,

  renderDefault(value: NeutralDefault, type: NeutralType): string {
    if (value.kind === 'now') return type.kind === 'timestamp' && (type.precision ?? 0) > 0 ? `current_timestamp(${type.precision})` : 'current_timestamp()'
    if (type.kind === 'boolean') return value.value === 'true' ? '1' : '0'
    return sqlLiteral(value.value, type)
  },

  readExpression(column: string, type: NeutralType): string {
    switch (type.kind) {
      // The text protocol prints FLOAT with 6 digits; as DOUBLE it keeps every bit.
      case 'float':
        return type.bits === 24 ? `CAST(${column} AS DOUBLE)` : column
      case 'date':
        return `DATE_FORMAT(${column}, '%Y-%m-%d')`
      case 'time':
        return `TIME_FORMAT(${column}, '%H:%i:%s.%f')`
      case 'timestamp':
        return `DATE_FORMAT(${column}, '%Y-%m-%d %H:%i:%s.%f')`
      default:
        return column
    }
  },

  readValue: commonText,

  writeValue(value: string, type: NeutralType): unknown {
    if (type.kind === 'binary') return Buffer.from(value, 'hex')
    if (type.kind === 'boolean') return value === 'true' ? 1 : value === 'false' ? 0 : value
    return value
  },

  // The text protocol has no parameter limit; statements stay within max_allowed_packet by size.
  insertRows: (db, target, rows) => insertValues(db, target, rows, 65535),

  // Binary collation: keys compare the way PostgreSQL and SQLite compare them ('a' ≠ 'A').
  roundsDecimals: true,
  tableOptions: { engine: 'InnoDB', charset: 'utf8mb4', collation: 'utf8mb4_bin' },
  constraintsAfterLoad: true,

  async prepareSession(db: Db): Promise<void> {
    // TIMESTAMP columns convert through the session time zone: UTC reads and writes them as stored.
    await db.exec("SET time_zone = '+00:00'")
  },

  // Explicit values move AUTO_INCREMENT past themselves as they are inserted.
  async resetIdentity(): Promise<void> {},
}

/** Fractional-second digits: MySQL's default is none, so a source that does not say (SQLite) gets all six. */
function precision(value: number | undefined): string {
  return value === 0 ? '' : `(${Math.min(value ?? 6, 6)})`
}
