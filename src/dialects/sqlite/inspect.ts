import { foldAscii } from '../../schema/plan.js'
import type { Db } from '../../db.js'
import type { InspectOptions } from '../dialect.js'
import { MigratorError } from '../../errors.js'
import type {
  Check,
  Column,
  ForeignKey,
  Index,
  Options,
  PrimaryKey,
  ReferentialAction,
  Schema,
  SchemaObject,
  Table,
  Unique,
  View,
} from '../../schema/model.js'
import { canonical } from '../../schema/equal.js'
import { keyOptions } from './key-options.js'
import { normalizeDefault, normalizeType } from './normalize.js'
import { parseCreateIndex as parseIndex, parseCreateTable as parseTable } from './parse.js'
import type { ParsedForeignKey, ParsedIndex, ParsedTable } from './parse.js'
import { groupBy } from '../../schema/group-by.js'

interface SchemaRow {
  readonly type: 'table' | 'index' | 'view' | 'trigger'
  readonly name: string
  readonly tbl_name: string
  readonly sql: string | null
}

interface TableListRow {
  readonly name: string
  readonly type: string
  readonly wr: number
  readonly strict: number
}

interface ColumnRow {
  readonly tbl: string
  readonly cid: number
  readonly name: string
  readonly type: string
  readonly notnull: number
  readonly dflt_value: string | null
  readonly pk: number
  readonly hidden: number
}

interface ForeignKeyRow {
  readonly tbl: string
  readonly id: number
  readonly seq: number
  readonly table: string
  readonly from: string
  readonly to: string | null
  readonly on_update: string
  readonly on_delete: string
}

/**
 * Parses by CREATE text, remembered: a database is inspected again and again while most of its
 * tables stay as they were (`migrator test` inspects the whole scratch database three times per
 * migration), and parsing is most of the cost of building a table. Parses are pure and their
 * results only read; the memory is bounded.
 */
function remembered<T>(parse: (sql: string) => T): (sql: string) => T {
  const known = new Map<string, T>()
  return (sql) => {
    let parsed = known.get(sql)
    if (parsed === undefined) {
      if (known.size >= 20_000) known.clear()
      parsed = parse(sql)
      known.set(sql, parsed)
    }
    return parsed
  }
}
const parseCreateTable = remembered<ParsedTable>(parseTable)
const parseCreateIndex = remembered<ParsedIndex>(parseIndex)

// Ordinary tables only: virtual tables may belong to a module this connection has not loaded.
const ORDINARY = `m.type = 'table' AND substr(m.name, 1, 7) <> 'sqlite_' AND m.sql NOT LIKE 'CREATE VIRTUAL TABLE%'`

const QUERIES = {
  objects: `SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE substr(name, 1, 7) <> 'sqlite_' ORDER BY name`,
  tableList: `SELECT name, type, wr, strict FROM pragma_table_list WHERE schema = 'main'`,
  columns: `SELECT m.name AS tbl, c.cid, c.name, c.type, c."notnull", c.dflt_value, c.pk, c.hidden
    FROM sqlite_schema AS m JOIN pragma_table_xinfo(m.name) AS c
    WHERE ${ORDINARY} ORDER BY m.name, c.cid`,
  foreignKeys: `SELECT m.name AS tbl, f.id, f.seq, f."table", f."from", f."to", f.on_update, f.on_delete
    FROM sqlite_schema AS m JOIN pragma_foreign_key_list(m.name) AS f
    WHERE ${ORDINARY} ORDER BY m.name, f.id, f.seq`,
} as const

/**
 * Reads the main database's schema with a fixed set of four catalog queries, then builds the
 * neutral model in SQLite's normal form:
 * - tables, views and objects sorted by name; columns in declared order;
 * - types lower case with whitespace collapsed; `DEFAULT NULL` is no default, keyword defaults
 *   (`current_timestamp`, `true`) upper case;
 * - AUTOINCREMENT is `identity: { always: false }` on the primary-key column;
 * - uniques, checks and foreign keys sorted by content, so declaration order does not matter;
 * - the clauses no pragma reports kept in `options`: ON CONFLICT, key column COLLATE/ASC/DESC
 *   (key-options.ts), `NOT NULL ON CONFLICT` on the column, FK `MATCH`;
 * - FK target tables and columns in their declared spelling (REFERENCES may spell them in other case);
 * - views, triggers and virtual tables keep the CREATE text exactly as stored.
 * Virtual-table shadow tables, `sqlite_*` tables and `options.exclude` are left out.
 */
export async function inspectSchema(db: Db, options: InspectOptions = {}): Promise<Schema> {
  const objects = await db.query<SchemaRow>(QUERIES.objects)
  const tableList = await db.query<TableListRow>(QUERIES.tableList)
  const columnRows = await db.query<ColumnRow>(QUERIES.columns)
  const fkRows = await db.query<ForeignKeyRow>(QUERIES.foreignKeys)

  const excluded = new Set((options.exclude ?? []).map(foldAscii))
  const listed = new Map(tableList.map((t) => [foldAscii(t.name), t]))
  const isExcluded = (name: string) => excluded.has(foldAscii(name)) || listed.get(foldAscii(name))?.type === 'shadow'
  const columnsOf = groupBy(columnRows, (r) => r.tbl)
  const fksOf = groupBy(fkRows, (r) => r.tbl)
  const indexesOf = groupBy(
    objects.filter((o) => o.type === 'index' && o.sql !== null),
    (o) => foldAscii(o.tbl_name),
  )

  // Tables by folded name with their columns' declared spellings: a REFERENCES clause may spell
  // both differently (SQLite matches them case-insensitively), and the model uses the declared ones.
  const declared = new Map<string, { name: string; columns: (name: string) => string }>()
  for (const [table, rows] of columnsOf) declared.set(foldAscii(table), { name: table, columns: canonicalizer(rows.map((r) => r.name)) })

  const tables: Table[] = []
  const views: View[] = []
  const others: SchemaObject[] = []
  for (const row of objects) {
    if (row.sql === null || isExcluded(row.name)) continue
    if (row.type === 'table') {
      if (/^CREATE\s+VIRTUAL\s+TABLE/i.test(row.sql)) {
        others.push({ kind: 'other', name: row.name, definition: row.sql })
        continue
      }
      tables.push(
        buildTable(row.name, row.sql, {
          columns: columnsOf.get(row.name) ?? [],
          foreignKeys: fksOf.get(row.name) ?? [],
          indexes: indexesOf.get(foldAscii(row.name)) ?? [],
          listed: listed.get(foldAscii(row.name)),
          declared,
        }),
      )
    } else if (row.type === 'view') {
      views.push({ name: row.name, definition: row.sql })
    } else if (row.type === 'trigger' && !isExcluded(row.tbl_name)) {
      others.push({ kind: 'trigger', name: row.name, table: row.tbl_name, definition: row.sql })
    }
  }
  return { tables: tables.sort(byName), views: views.sort(byName), objects: others.sort(byName) }
}

function buildTable(
  name: string,
  sql: string,
  facts: {
    columns: readonly ColumnRow[]
    foreignKeys: readonly ForeignKeyRow[]
    indexes: readonly SchemaRow[]
    listed?: TableListRow
    declared: ReadonlyMap<string, { name: string; columns: (name: string) => string }>
  },
): Table {
  let parsed: ParsedTable
  try {
    parsed = parseCreateTable(sql)
  } catch (error) {
    throw new MigratorError(
      'inspect',
      `cannot read the definition of table "${name}" (${(error as Error).message}); please report this with the table's CREATE TABLE text`,
      { cause: error },
    )
  }
  const canon = canonicalizer(facts.columns.map((c) => c.name))
  const parsedColumn = new Map(parsed.columns.map((c) => [foldAscii(c.name), c]))

  const columns: Column[] = facts.columns
    .filter((row) => row.hidden !== 1)
    .map((row) => {
      const p = parsedColumn.get(foldAscii(row.name))
      const dflt = normalizeDefault(row.dflt_value)
      return compact<Column>({
        name: row.name,
        type: normalizeType(row.type),
        nullable: row.notnull === 0,
        default: dflt,
        generated: p?.generated === undefined ? undefined : { expression: p.generated.expression, stored: row.hidden === 3 },
        identity: p?.autoincrement === true ? { always: false } : undefined,
        collation: p?.collation,
        options: p?.notNullOnConflict === undefined || row.notnull === 0 ? undefined : { notNullOnConflict: p.notNullOnConflict },
      })
    })

  const pkColumns = facts.columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name)
  const primaryKey = pkColumns.length === 0 ? undefined : compact<PrimaryKey>({ name: parsed.primaryKey?.name, columns: pkColumns, options: keyOptions(parsed.primaryKey, true) })

  const uniques: Unique[] = parsed.uniques
    .map((u) => compact<Unique>({ name: u.name, columns: u.columns.map(canon), options: keyOptions(u, false) }))
    .sort(byContent)
  const checks: Check[] = parsed.checks.map((c) => compact<Check>({ name: c.name, expression: c.expression })).sort(byContent)
  const foreignKeys = buildForeignKeys(facts.foreignKeys, parsed.foreignKeys, canon, facts.declared)

  const indexes: Index[] = facts.indexes
    .map((row) => {
      const idx = parseCreateIndex(row.sql!)
      return compact<Index>({
        name: row.name,
        unique: idx.unique,
        parts: idx.parts.map((p) =>
          compact({
            column: p.column === undefined ? undefined : canon(p.column),
            expression: p.expression,
            desc: p.desc ? true : undefined,
            collation: p.collation === 'BINARY' ? undefined : p.collation,
          }),
        ),
        where: idx.where,
      })
    })
    .sort(byName)

  const options: Record<string, boolean> = {}
  if (facts.listed?.wr === 1) options.withoutRowid = true
  if (facts.listed?.strict === 1) options.strict = true

  return compact<Table>({
    name,
    columns,
    primaryKey,
    indexes,
    uniques,
    foreignKeys,
    checks,
    options: options as Options,
  })
}

/** FKs as SQLite resolved them (pragma), with the name and DEFERRABLE only the text knows. */
function buildForeignKeys(
  rows: readonly ForeignKeyRow[],
  parsed: readonly ParsedForeignKey[],
  canon: (name: string) => string,
  declared: ReadonlyMap<string, { name: string; columns: (name: string) => string }>,
): ForeignKey[] {
  const unused = [...parsed]
  const key = (columns: readonly string[], table: string) => `${columns.map(foldAscii).join(',')}>${foldAscii(table)}`
  const out: ForeignKey[] = []
  for (const group of groupBy(rows, (r) => r.id).values()) {
    const first = group[0]!
    const columns = group.map((r) => canon(r.from))
    const ref = declared.get(foldAscii(first.table))
    const refColumns = group.every((r) => r.to === null) ? [] : group.map((r) => (ref === undefined ? (r.to ?? '') : ref.columns(r.to ?? '')))
    const at = unused.findIndex((p) => key(p.columns, p.refTable) === key(columns, first.table))
    const match = at >= 0 ? unused.splice(at, 1)[0] : undefined
    out.push(
      compact<ForeignKey>({
        name: match?.name,
        columns,
        refTable: ref?.name ?? first.table,
        refColumns,
        onDelete: first.on_delete as ReferentialAction,
        onUpdate: first.on_update as ReferentialAction,
        deferrable: match?.deferrable,
        options: match?.match === undefined ? undefined : { match: match.match },
      }),
    )
  }
  return out.sort(byContent)
}

/** Maps a column name as written anywhere to the table's declared spelling (names are case-insensitive). */
function canonicalizer(names: readonly string[]): (name: string) => string {
  const map = new Map(names.map((n) => [foldAscii(n), n]))
  return (name) => map.get(foldAscii(name)) ?? name
}

/** Drops keys whose value is undefined, so inspected schemas deep-equal regardless of origin. */
function compact<T extends object>(value: T): T {
  const out: Partial<T> = {}
  for (const key in value) if (value[key] !== undefined) out[key] = value[key]
  return out as T
}

function byName(a: { readonly name: string }, b: { readonly name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}

function byContent(a: object, b: object): number {
  const x = canonical(a)
  const y = canonical(b)
  return x < y ? -1 : x > y ? 1 : 0
}
