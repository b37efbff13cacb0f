import type { Driver } from '../dialects/dialect.js'
import { qualifiedName, type Column, type Schema, type Table } from '../schema/model.js'

/** Rows the seeder inserts into each table it fills. */
export const ROWS_PER_TABLE = 3

/** A table the seeder could not fill, and why (its insert error, or a missing parent row). */
export interface SeedProblem {
  readonly table: string
  readonly reason: string
}

/**
 * Fills tables with rows shaped by their columns, for `migrator test`: values follow each column's
 * type (numbers, text within its length and numeric precision, dates, uuids, json, emails), take
 * the values a column allows (enum and set labels, a CHECK's `IN (…)` list, a CHECK's or domain's
 * numeric bounds), stay distinct across the whole run (one counter, so primary keys and uniques
 * hold when a table is seeded again by a later migration), take foreign keys from rows
 * already in the parent (parents are seeded first), and leave NULL in nullable plain columns of
 * every third row. Identity and generated columns are left to the database. A table that refuses a
 * row is reported, never thrown: the round trip still runs, with fewer rows to compare.
 */
export class Seeder {
  /** One counter for every row of the run, so no two seeded rows share a value (partitions share their parent's keys). */
  private count = 0

  constructor(private readonly driver: Driver) {}

  /** Seeds `tables` (qualified names) of `schema` and their foreign-key ancestors, parents first. */
  async seed(schema: Schema, tables: ReadonlySet<string>): Promise<SeedProblem[]> {
    const problems: SeedProblem[] = []
    for (const table of parentsFirst(schema, tables)) {
      const problem = await this.seedTable(schema, table)
      if (problem !== undefined) problems.push(problem)
    }
    return problems
  }

  private async seedTable(schema: Schema, table: Table): Promise<SeedProblem | undefined> {
    const name = qualifiedName(table)
    const parents = new Map<string, Record<string, unknown>[]>()
    for (const fk of table.foreignKeys) {
      const parent = schema.tables.find((t) => qualifiedName(t) === qualifiedName({ schema: fk.refSchema ?? table.schema, name: fk.refTable }))
      if (parent === undefined) continue
      const cols = fk.refColumns.map((c) => this.driver.quoteIdent(c)).join(', ')
      const rows = await this.driver.db.query(`SELECT ${cols} FROM ${this.tableSql(parent)} WHERE ${fk.refColumns.map((c) => `${this.driver.quoteIdent(c)} IS NOT NULL`).join(' AND ')}`)
      parents.set(fk.name ?? fk.columns.join(','), rows)
    }
    const columns = table.columns.filter((c) => c.generated === undefined && c.identity === undefined)
    for (let row = 0; row < ROWS_PER_TABLE; row++) {
      const n = ++this.count
      const values = new Map<string, unknown>()
      for (const fk of table.foreignKeys) {
        const rows = parents.get(fk.name ?? fk.columns.join(',')) ?? []
        const parentRow = rows[(n - 1) % Math.max(rows.length, 1)]
        const selfReference = qualifiedName({ schema: fk.refSchema ?? table.schema, name: fk.refTable }) === name
        fk.columns.forEach((column, i) => {
          const value = parentRow === undefined || selfReference ? null : parentRow[fk.refColumns[i] ?? column]
          if (!values.has(column)) values.set(column, value)
        })
      }
      const missing = columns.find((c) => values.get(c.name) === null && !c.nullable)
      if (missing !== undefined) return { table: name, reason: `no parent row to reference in column ${missing.name}` }
      for (const column of columns) {
        if (!values.has(column.name)) values.set(column.name, this.value(schema, table, column, n))
      }
      const names = columns.map((c) => c.name)
      const sql =
        names.length === 0
          ? `INSERT INTO ${this.tableSql(table)} DEFAULT VALUES`
          : `INSERT INTO ${this.tableSql(table)} (${names.map((c) => this.driver.quoteIdent(c)).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`
      try {
        await this.driver.db.exec(sql, names.map((c) => values.get(c)))
      } catch (error) {
        // Drivers prefix the statement (`INSERT … - message`); the reason is what follows it.
        const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? ''
        const prefixed = message.indexOf(' - ')
        return { table: name, reason: message.startsWith('INSERT ') && prefixed > 0 ? message.slice(prefixed + 3) : message }
      }
    }
    return undefined
  }

  private tableSql(table: { readonly schema?: string; readonly name: string }): string {
    return table.schema === undefined ? this.driver.quoteIdent(table.name) : `${this.driver.quoteIdent(table.schema)}.${this.driver.quoteIdent(table.name)}`
  }

  /** The value of `column` in the table's `n`th seeded row. */
  private value(schema: Schema, table: Table, column: Column, n: number): unknown {
    const keyed = isKeyColumn(table, column.name)
    if (column.nullable && !keyed && n % 3 === 0) return null
    const labels = labelsOf(schema, table, column)
    if (labels.length > 0) return keyed ? labels[(n - 1) % labels.length] : labels[0]
    const domain = domainOf(schema, column.type)
    const type = (domain?.base ?? column.type).toLowerCase()
    const rules = [...table.checks.map((c) => ({ expression: c.expression, name: column.name })), ...(domain === undefined ? [] : [{ expression: domain.definition, name: 'VALUE' }])]
    const bounds = boundsOf(rules)
    if (bounds !== undefined && isNumeric(type)) return within(bounds, n, /int|serial|year/.test(type))
    if (/mail/i.test(column.name) && isText(type)) return `user${n}@example.com`
    if (isText(type) && usedAsJson(table, column.name)) return JSON.stringify({ seed: n, Title: `seed ${n}` })
    return typedValue(type, n)
  }
}

function isNumeric(type: string): boolean {
  return /int|serial|numeric|decimal|real|double|float|money|number|year/.test(type)
}

function isText(type: string): boolean {
  return /char|text|clob|string/.test(type) || type === ''
}

/** Whether a generated column or CHECK of the table reads the column as JSON (SQLite JSON in TEXT). */
function usedAsJson(table: Table, column: string): boolean {
  const expressions = [...table.columns.map((c) => c.generated?.expression ?? ''), ...table.checks.map((c) => c.expression)]
  return expressions.some((e) => /json/i.test(e) && mentions(e, column))
}

/** A PostgreSQL domain's base type and CREATE DOMAIN text, when `type` names one. */
function domainOf(schema: Schema, type: string): { base: string; definition: string } | undefined {
  const name = type.replace(/"/g, '')
  const domain = schema.objects.find((o) => o.kind === 'domain' && (o.name === name || qualifiedName(o) === name))
  const base = domain === undefined ? undefined : /\sAS\s+(.+?)(\s+(DEFAULT|NOT NULL|NULL|CHECK|CONSTRAINT|COLLATE)\b|$)/i.exec(domain.definition)?.[1]
  return domain === undefined || base === undefined ? undefined : { base, definition: domain.definition }
}

function mentions(expression: string, column: string): boolean {
  return new RegExp(`(^|[^A-Za-z0-9_])${column.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^A-Za-z0-9_]|$)`).test(expression)
}

/**
 * Numeric bounds simple CHECKs put on a column (`x >= 0 AND x <= 1`, `x > 0`, `0 < x`, `x BETWEEN
 * 1 AND 5`, a domain's `VALUE >= 1901`), from each rule naming `name`; undefined when there are none.
 */
function boundsOf(rules: readonly { expression: string; name: string }[]): { lo?: number; hi?: number } | undefined {
  let lo: number | undefined
  let hi: number | undefined
  const number = String.raw`\(*\s*(-?\d+(?:\.\d+)?)\s*\)*(?:::\w+)?`
  for (const { expression, name } of rules) {
    const col = String.raw`[\["'\`]?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\]"'\`]?\)*`
    for (const m of expression.matchAll(new RegExp(`${col}\\s*(>=|>|<=|<)\\s*${number}`, 'gi'))) {
      const value = Number(m[2])
      if (m[1]?.startsWith('>')) lo = Math.max(lo ?? -Infinity, m[1] === '>' ? value + 1e-6 : value)
      else hi = Math.min(hi ?? Infinity, m[1] === '<' ? value - 1e-6 : value)
    }
    for (const m of expression.matchAll(new RegExp(`${number}\\s*(>=|>|<=|<)\\s*\\(*${col}`, 'gi'))) {
      const value = Number(m[1])
      if (m[2]?.startsWith('<')) lo = Math.max(lo ?? -Infinity, m[2] === '<' ? value + 1e-6 : value)
      else hi = Math.min(hi ?? Infinity, m[2] === '>' ? value - 1e-6 : value)
    }
    for (const m of expression.matchAll(new RegExp(`${col}\\s+BETWEEN\\s+${number}\\s+AND\\s+${number}`, 'gi'))) {
      lo = Math.max(lo ?? -Infinity, Number(m[1]))
      hi = Math.min(hi ?? Infinity, Number(m[2]))
    }
  }
  return lo === undefined && hi === undefined ? undefined : { lo, hi }
}

/** The `n`th value within `bounds`: spread over the range, whole numbers for integer types. */
function within(bounds: { lo?: number; hi?: number }, n: number, integer: boolean): number {
  const lo = bounds.lo ?? (bounds.hi ?? 0) - 1_000_000
  const hi = bounds.hi ?? lo + 1_000_000
  const start = integer ? Math.ceil(lo) : lo
  const span = (integer ? Math.floor(hi) : hi) - start
  if (span <= 0) return start
  if (integer) return start + (n % (span + 1))
  return Math.round((start + (span * (n % 97)) / 97) * 1000) / 1000
}

/** A value of SQL type `type` (lower case, as inspected) that differs for each `n`. */
export function typedValue(type: string, n: number): unknown {
  // An array type (PostgreSQL `text[]`): a one-element array literal of the element type's value.
  const element = /^(.*?)\s*\[\d*\]$/.exec(type)?.[1]
  if (element !== undefined) {
    const value = typedValue(element, n)
    return `{"${(Buffer.isBuffer(value) ? `\\x${value.toString('hex')}` : String(value)).replace(/["\\]/g, '\\$&')}"}`
  }
  const base = type.replace(/\(.*$/, '').trim()
  const length = Number(/\((\d+)/.exec(type)?.[1] ?? '0')
  if (/^(bool|boolean)$/.test(base) || type === 'tinyint(1)' || type === 'bit(1)') return n % 2
  if (/^(tinyint|int1)/.test(base)) return 10 + (n % 100)
  if (base === 'year') return 1901 + (n % 250)
  if (/^(smallint|int2|smallserial)/.test(base)) return 1000 + (n % 30000)
  if (/(int|serial)/.test(base)) return 1_000_000 + n
  if (/^(numeric|decimal|number)/.test(base)) {
    // numeric(p,s) holds p - s digits before the point.
    const [precision, scale = 0] = (/\((\d+)\s*(?:,\s*(\d+))?\)/.exec(type)?.slice(1) ?? []).filter((d) => d !== undefined).map(Number)
    const digits = precision === undefined ? 9 : Math.min(precision - scale, 9)
    return digits <= 0 ? 0 : (1000 + n) % 10 ** digits
  }
  if (/^(real|double|float|money)/.test(base)) return 1000 + n
  if (/^uuid$/.test(base)) return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`
  if (/^(timestamp|datetime)/.test(base)) return new Date(Date.UTC(2024, 0, 1, 0, 0, n % 86400)).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')
  if (/^date$/.test(base)) return new Date(Date.UTC(2024, 0, 1) + n * 86_400_000).toISOString().slice(0, 10)
  if (/^time/.test(base)) return `00:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}`
  if (/^(json|jsonb)$/.test(base)) return JSON.stringify({ seed: n, text: 'é ✓' })
  if (/^(bytea|blob|binary|varbinary|tinyblob|mediumblob|longblob)$/.test(base)) return Buffer.from(`seed ${n}`)
  if (/^(inet|cidr)$/.test(base)) return `10.0.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`
  // Text: unicode where the length allows, always distinct, within char(n)/varchar(n).
  const text = length > 0 && length < 12 ? String(n) : `seed ${n} é ✓`
  return length > 0 ? text.slice(-length) : text
}

/** Whether `column` is part of the table's primary key, a unique constraint or a unique index. */
function isKeyColumn(table: Table, column: string): boolean {
  return (
    (table.primaryKey?.columns.includes(column) ?? false) ||
    table.uniques.some((u) => u.columns.includes(column)) ||
    table.indexes.some((i) => i.unique && i.parts.some((p) => p.column === column))
  )
}

/**
 * The only values a column accepts when it says so: a MySQL `enum('a','b')` type, a PostgreSQL
 * enum type's labels, a MySQL `set(...)`'s members, or the string literals of a CHECK listing the
 * column's allowed values (`status IN ('a','b')`).
 */
function labelsOf(schema: Schema, table: Table, column: Column): string[] {
  const inline = /^(enum|set)\((.*)\)$/i.exec(column.type)
  if (inline !== null) return literals(inline[2] ?? '')
  const typeName = column.type.replace(/"/g, '')
  const enumType = schema.objects.find((o) => o.kind === 'enum' && (o.name === typeName || qualifiedName(o) === typeName))
  if (enumType !== undefined) return literals(enumType.definition.slice(enumType.definition.indexOf('(')))
  for (const check of table.checks) {
    // Only a list of allowed values: `col IN ('a', 'b')`, PostgreSQL's `col = ANY (ARRAY['a'::text, …])`.
    const name = column.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    if (new RegExp(`(^|[^A-Za-z0-9_])[\\["'\`]?${name}[\\]"'\`]?\\)?(::[a-z ]+)?\\s+(IN\\s*\\(|=\\s*ANY\\s*\\()`, 'i').test(check.expression)) {
      const found = literals(check.expression)
      if (found.length > 0) return found
    }
  }
  return []
}

/** The single-quoted string literals of `text`, unescaped. */
function literals(text: string): string[] {
  return [...text.matchAll(/'((?:[^']|'')*)'/g)].map((m) => (m[1] ?? '').replace(/''/g, "'"))
}

/**
 * `tables` and every table they reference, parents before children (a table in a reference cycle
 * comes after the tables of the cycle it does not need).
 */
function parentsFirst(schema: Schema, tables: ReadonlySet<string>): Table[] {
  const byName = new Map(schema.tables.map((t) => [qualifiedName(t), t]))
  const ordered: Table[] = []
  const visiting = new Set<string>()
  const done = new Set<string>()
  const visit = (name: string): void => {
    const table = byName.get(name)
    if (table === undefined || done.has(name) || visiting.has(name)) return
    visiting.add(name)
    for (const fk of table.foreignKeys) visit(qualifiedName({ schema: fk.refSchema ?? table.schema, name: fk.refTable }))
    visiting.delete(name)
    done.add(name)
    ordered.push(table)
  }
  for (const name of [...tables].sort()) visit(name)
  return ordered
}
