import type { Db } from '../../db.js'
import { parseCommonDefault, sqlLiteral } from '../../copy/defaults.js'
import { commonText } from '../../copy/values.js'
import type { InsertTarget } from '../../copy/insert.js'
import type { CopySupport, MappedType, NeutralDefault, NeutralType } from '../../copy/types.js'
import type { Column, Schema } from '../../schema/model.js'
import { parseType } from './type-family.js'

/** PostgreSQL's side of `migrator copy`: types as `format_type` prints them. */
export const postgresCopy: CopySupport = {
  toNeutral(column: Column, schema: Schema): NeutralType {
    const type = column.type
    const family = parseType(type)
    switch (family.family) {
      case 'string':
        return { kind: 'text', ...(family.length === undefined ? {} : { length: family.length }), ...(family.padded ? { fixed: true } : {}) }
      case 'integer':
        return { kind: 'integer', bytes: family.bits === 16 ? 2 : family.bits === 32 ? 4 : 8 }
      case 'numeric':
        return { kind: 'decimal', ...(family.precision === undefined ? {} : { precision: family.precision, scale: family.scale }) }
      case 'float':
        return { kind: 'float', bits: family.bits === 32 ? 24 : 53 }
      case 'timestamp':
        return { kind: 'timestamp', zone: family.zone, precision: family.precision }
      case 'time':
        return family.zone ? { kind: 'other', type } : { kind: 'time', precision: family.precision }
      case 'date':
      case 'boolean':
      case 'uuid':
        return { kind: family.family }
      case 'other':
        break
    }
    if (type === 'json' || type === 'jsonb') return { kind: 'json' }
    if (type === 'bytea') return { kind: 'binary' }
    const labels = enumLabels(type, schema)
    return labels === undefined ? { kind: 'other', type } : { kind: 'enum', labels }
  },

  generatesKey: () => false,

  fromNeutral(type: NeutralType): MappedType {
    switch (type.kind) {
      case 'integer':
        if (type.bytes === 8 && type.unsigned === true) return { type: 'numeric(20,0)', loss: { code: 'CP101', reason: 'unsigned 64-bit integer stored as numeric(20,0)' } }
        return { type: signedBytes(type) <= 2 ? 'smallint' : signedBytes(type) <= 4 ? 'integer' : 'bigint' }
      case 'decimal':
        return { type: type.precision === undefined ? 'numeric' : `numeric(${type.precision},${type.scale ?? 0})` }
      case 'float':
        return { type: type.bits === 24 ? 'real' : 'double precision' }
      case 'boolean':
      case 'date':
      case 'uuid':
        return { type: type.kind }
      case 'text':
        if (type.length === undefined) return { type: 'text' }
        return { type: type.fixed === true ? `character(${type.length})` : `character varying(${type.length})` }
      case 'binary':
        return { type: 'bytea' }
      case 'time':
        return { type: `time${precision(type.precision)} without time zone` }
      case 'timestamp':
        return { type: `timestamp${precision(type.precision)} ${type.zone ? 'with' : 'without'} time zone` }
      case 'json':
        return { type: 'jsonb' }
      case 'enum':
        return { type: 'text', checkLabels: type.labels }
      case 'other':
        return { type: 'text', loss: { code: 'CP103', reason: `${type.type} copied as text` } }
    }
  },

  parseDefault(text: string, type: NeutralType): NeutralDefault | undefined {
    let value = text.trim()
    // Casts PostgreSQL adds to defaults: 'a'::character varying, (0)::numeric, '{}'::jsonb.
    for (let previous = ''; previous !== value; ) {
      previous = value
      value = value.replace(/::[a-z_ ]+(\(\d+(,\d+)?\))?(\[\])*$/i, '').replace(/^\((.*)\)$/s, '$1')
    }
    return parseCommonDefault(value, type)
  },

  renderDefault(value: NeutralDefault, type: NeutralType): string {
    return value.kind === 'now' ? 'CURRENT_TIMESTAMP' : sqlLiteral(value.value, type)
  },

  readExpression(column: string, type: NeutralType): string {
    switch (type.kind) {
      case 'timestamp':
        return type.zone ? `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')` : `to_char(${column}, 'YYYY-MM-DD HH24:MI:SS.US')`
      case 'date':
      case 'time':
      case 'json':
      case 'enum':
      case 'other':
        return `${column}::text`
      default:
        return column
    }
  },

  readValue: commonText,

  writeValue(value: string, type: NeutralType): unknown {
    // Text input forms: values go to the server inside array literals.
    if (type.kind === 'binary') return `\\x${value}`
    if (type.kind === 'timestamp' && type.zone) return `${value}+00`
    return value
  },

  /**
   * One statement per page: each column's values travel as one array parameter and unnest() turns
   * them back into rows, so the server parses a short statement instead of one with a parameter per value.
   */
  async insertRows(db: Db, target: InsertTarget, rows: readonly (readonly unknown[])[]): Promise<void> {
    const columns = target.columns.map((_, i) => rows.map((row) => row[i]))
    const arrays = target.types.map((type) => `?::${type}[]`).join(', ')
    await db.exec(`INSERT INTO ${target.table} (${target.columns.join(', ')})${target.alwaysIdentity ? ' OVERRIDING SYSTEM VALUE' : ''} SELECT * FROM unnest(${arrays})`, columns)
  },

  roundsDecimals: true,
  tableOptions: {},
  constraintsAfterLoad: true,

  async prepareSession(db: Db, role: 'source' | 'target'): Promise<void> {
    await db.exec("SET TIME ZONE 'UTC'")
    await db.exec("SET DateStyle = 'ISO, YMD'")
    // Each batch commits with its checkpoint row: a crash loses at most the batches it had not
    // acknowledged, which the checkpoint then copies again.
    if (role === 'target') await db.exec('SET synchronous_commit = off')
  },

  async resetIdentity(db: Db, table: string, column: string): Promise<void> {
    await db.query(`SELECT setval(pg_get_serial_sequence(?, ?), coalesce(max(${quote(column)}), 0) + 1, false) FROM ${table}`, [table, column])
  },
}

/** The width of a signed integer that holds every value of `type` (unsigned needs one more byte). */
function signedBytes(type: { readonly bytes: number; readonly unsigned?: boolean }): number {
  return type.unsigned === true ? type.bytes + 1 : type.bytes
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

/** `(3)` for a declared precision other than PostgreSQL's default of 6; nothing for 6. */
function precision(value: number | undefined): string {
  return value === undefined || value === 6 ? '' : `(${value})`
}

/** The labels of enum type `type` (as a column names it) from the inspected enum objects. */
function enumLabels(type: string, schema: Schema): string[] | undefined {
  const bare = type.replace(/"/g, '').split('.').pop()
  const object = schema.objects.find((o) => o.kind === 'enum' && o.name === bare)
  if (object === undefined) return undefined
  const list = /AS ENUM\s*\((.*)\)\s*$/is.exec(object.definition)?.[1] ?? ''
  return [...list.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!.replace(/''/g, "'"))
}
