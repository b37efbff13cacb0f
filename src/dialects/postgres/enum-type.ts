import type { Column, Schema, SchemaObject, Table } from '../../schema/model.js'
import { qualify, quoteIdent } from './quote.js'

/**
 * How inspected text names one enum type. Inspection prints types as `format_type` does with the
 * search_path pinned to the inspected schemas: bare (`status`, `"Status"`) when the type is
 * visible there, schema-qualified otherwise, arrays as `status[]` (`_status` is the array type's
 * own name).
 */
export interface EnumType {
  readonly object: SchemaObject
  /** `"schema"."name"`: how generated SQL names the type. */
  readonly qualified: string
  /** Every spelling of the type's name that means this type, qualified before bare. */
  readonly spellings: readonly string[]
  /** The same for the array type's own name (`_status`). */
  readonly arraySpellings: readonly string[]
  /**
   * A type of the same name exists in another schema and nothing tells which of them the bare
   * name means (that depends on the order of the search_path), so bare spellings are left out.
   */
  readonly ambiguous: boolean
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

function forms(name: string): string[] {
  return [...new Set([quoteIdent(name), name])]
}

function qualifiedForms(schema: string | undefined, name: string): string[] {
  return forms(schema ?? 'public').flatMap((s) => forms(name).map((n) => `${s}.${n}`))
}

/** The spellings of enum `object` in `schema` (the whole inspected schema it belongs to). */
export function enumType(schema: Schema | undefined, object: SchemaObject): EnumType {
  const others = (schema?.objects ?? []).filter(
    (o) => (o.kind === 'enum' || o.kind === 'domain') && o.name === object.name && o.schema !== object.schema,
  )
  const used = new Set((schema?.tables ?? []).flatMap((t) => t.columns.map((c) => c.type.replace(/(\[\])+$/, ''))))
  const shownQualified = (o: SchemaObject): boolean => qualifiedForms(o.schema, o.name).some((f) => used.has(f))
  // A type printed qualified is not visible (an enum named like a built-in type, say); of several
  // same-named types, the bare name means the one no column names qualified.
  const bareIsOurs = !shownQualified(object) && others.every(shownQualified)
  const ambiguous = !bareIsOurs && !shownQualified(object)
  const spell = (name: string): string[] => [...qualifiedForms(object.schema, name), ...(bareIsOurs ? forms(name) : [])]
  return {
    object,
    qualified: qualify(object),
    spellings: spell(object.name),
    arraySpellings: spell(`_${object.name}`),
    ambiguous,
  }
}

/** Whether a column type names the enum (`scalar`), an array of it (`array`), or neither. */
export function columnTypeOf(type: EnumType, columnType: string): 'scalar' | 'array' | undefined {
  const base = columnType.replace(/(\[\])+$/, '')
  if (type.spellings.includes(base)) return base === columnType ? 'scalar' : 'array'
  return type.arraySpellings.includes(columnType) ? 'array' : undefined
}

function castPattern(type: EnumType, flags: string): RegExp {
  return new RegExp(`::\\s*(${type.spellings.map(escape).join('|')})(?![\\w$"])`, flags)
}

/** The text casts something to the type or an array of it (`'a'::status`, `NULL::status[]`). */
export function castsTo(type: EnumType, text: string): boolean {
  return castPattern(type, '').test(text)
}

/**
 * The text declares something of the type (or an array of it): an argument or RETURNS type of a
 * routine (`f(x status)`, `RETURNS SETOF status`), a domain's base type (`AS status NOT NULL`).
 * A parameter merely named like the type (`f(status text)`) does not count.
 */
export function declaresType(type: EnumType, text: string): boolean {
  const spelling = `(${type.spellings.map(escape).join('|')})(\\[\\])*`
  const end = `(?=\\s*[,)]|\\s*$|\\s+(DEFAULT|NOT|NULL|CHECK|COLLATE|CONSTRAINT)\\b)`
  return new RegExp(`(^|[^\\w$."])${spelling}${end}`, 'm').test(text)
}

/** Rewrites every cast to the type to name it schema-qualified, so the text means the same on any search_path. */
export function requalify(type: EnumType, text: string): string {
  return text.replace(castPattern(type, 'g'), `::${type.qualified}`)
}

/** Parses the elements of an array literal's text (`{a,"b c",NULL}`). */
function arrayElements(literal: string): string[] {
  const body = literal.trim().replace(/^\{/, '').replace(/\}$/, '')
  const out: string[] = []
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|([^,]*))\s*(?:,|$)/gy
  for (let m = re.exec(body); m !== null && m.index < body.length; m = re.exec(body)) {
    // An unquoted NULL is a null element; a label spelled NULL is always quoted.
    if (m[1] !== undefined) out.push(m[1].replace(/\\(.)/g, '$1'))
    else if (!/^null$/i.test((m[2] ?? '').trim())) out.push((m[2] ?? '').trim())
  }
  return out
}

/**
 * The labels the text casts to the type as constants: `'a'::status` names `a`,
 * `'{a,b}'::status[]` names `a` and `b`. Server-deparsed text spells every enum constant this way.
 */
export function labelsNamed(type: EnumType, text: string): string[] {
  const re = new RegExp(`'((?:[^']|'')*)'::\\s*(?:${type.spellings.map(escape).join('|')})(\\[\\])?(?![\\w$"])`, 'g')
  const out = new Set<string>()
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const literal = m[1]!.replace(/''/g, "'")
    for (const label of m[2] === undefined ? [literal] : arrayElements(literal)) out.add(label)
  }
  return [...out]
}

export interface EnumColumn {
  readonly table: Table
  readonly column: Column
  readonly array: boolean
}

/**
 * Columns of `schema` whose type is the enum or an array of it, in every schema. A partition's
 * columns belong to its parent (ALTER on the parent converts them), so partitions of a listed
 * table are left out.
 */
export function enumColumns(schema: Schema | undefined, type: EnumType): EnumColumn[] {
  const tables = schema?.tables ?? []
  const names = new Set(tables.map((t) => qualify(t)))
  const out: EnumColumn[] = []
  for (const table of tables) {
    const parent = table.options.partitionOf
    if (typeof parent === 'string' && names.has(parent)) continue
    for (const column of table.columns) {
      const kind = columnTypeOf(type, column.type)
      if (kind !== undefined) out.push({ table, column, array: kind === 'array' })
    }
  }
  return out
}
