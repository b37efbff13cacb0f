import type { Db } from '../../db.js'
import type { InspectOptions } from '../dialect.js'
import type {
  Check,
  Column,
  ForeignKey,
  Index,
  IndexPart,
  PrimaryKey,
  ReferentialAction,
  Schema,
  SchemaObject,
  Table,
  View,
} from '../../schema/model.js'
import type { Flavor } from './flavor.js'
import { catalogQueries } from './queries.js'
import { normalizeDefault, normalizeType, onUpdateOf, str, stripQualifier, strOrNull } from './normalize.js'
import { quoteIdent, quoteString } from './quote.js'
import { groupBy } from '../../schema/group-by.js'
import { partitionHeadNeeded, partitionOptions } from './partitions.js'
import { eventTimesInUtc, parseEvents } from './events.js'
import { parseSequences, sequenceQuery } from './sequences.js'

type Row = Record<string, unknown>

interface CatalogRows {
  readonly tables: Row[]
  readonly columns: Row[]
  readonly indexes: Row[]
  readonly foreignKeys: Row[]
  readonly checks: Row[]
  readonly views: Row[]
  readonly triggers: Row[]
  readonly routines: Row[]
  readonly parameters: Row[]
  readonly partitions: Row[]
  /** `{ tableName, sql }`: SHOW CREATE TABLE of the tables partitionHeadNeeded names. */
  readonly createStatements: Row[]
  readonly events: Row[]
  readonly sequences: Row[]
}

/**
 * Inspects the whole database with a fixed number of information_schema queries (eleven, one
 * more reading all MariaDB sequences when there are any, and a SHOW CREATE TABLE per table
 * partitioned by KEY or SYSTEM_TIME), then
 * parses the rows into the neutral model in this dialect's normal form. Unique keys are reported
 * as unique indexes (MySQL has no separate UNIQUE constraint); `uniques` is always empty.
 */
export async function inspect(db: Db, database: string, flavor: Flavor, options: InspectOptions = {}): Promise<Schema> {
  const q = catalogQueries(flavor)
  const run = (sql: string | undefined): Promise<Row[]> => (sql === undefined ? Promise.resolve([]) : db.query<Row>(sql, sql.split('?').slice(1).map(() => database)))
  // One session: run sequentially (a pool of one connection serializes them anyway).
  const tables = await run(q.tables)
  const partitions = await run(q.partitions)
  const sequences = sequenceQuery(database, tables.filter((t) => str(t.type) === 'SEQUENCE').map((t) => str(t.name)))
  const rows: CatalogRows = {
    tables: tables.filter((t) => str(t.type) !== 'SEQUENCE'),
    sequences: sequences === undefined ? [] : await db.query<Row>(sequences),
    columns: await run(q.columns),
    indexes: await run(q.indexes),
    foreignKeys: await run(q.foreignKeys),
    checks: await run(q.checks),
    views: await run(q.views),
    triggers: await run(q.triggers),
    routines: await run(q.routines),
    parameters: await run(q.parameters),
    partitions,
    createStatements: await showCreate(db, database, partitions),
    events: await eventTimesInUtc(db, await run(q.events)),
  }
  return parseCatalog(rows, database, flavor, new Set(options.exclude ?? []))
}

/**
 * SHOW CREATE TABLE of the partitioned tables whose PARTITION BY clause information_schema does
 * not carry in full (KEY's ALGORITHM, SYSTEM_TIME's INTERVAL or LIMIT): one query per such table.
 */
async function showCreate(db: Db, database: string, partitions: readonly Row[]): Promise<Row[]> {
  const out: Row[] = []
  for (const name of new Set(partitions.filter(partitionHeadNeeded).map((p) => str(p.tableName)))) {
    const [shown] = await db.query<Row>(`SHOW CREATE TABLE ${quoteIdent(database)}.${quoteIdent(name)}`)
    out.push({ tableName: name, sql: shown?.['Create Table'] })
  }
  return out
}

export function parseCatalog(rows: CatalogRows, database: string, flavor: Flavor, exclude: ReadonlySet<string>): Schema {
  const byTable = (list: Row[]): Map<string, Row[]> => groupBy(list, (row) => str(row.tableName))
  const columnsOf = byTable(rows.columns)
  const indexesOf = byTable(rows.indexes)
  const fksOf = byTable(rows.foreignKeys)
  const checksOf = byTable(rows.checks)
  const partitionsOf = byTable(rows.partitions)
  const createOf = new Map(rows.createStatements.map((row) => [str(row.tableName), str(row.sql)]))

  const tables: Table[] = []
  for (const t of rows.tables) {
    const name = str(t.name)
    if (exclude.has(name)) continue
    const tableCollation = strOrNull(t.collation)
    const checkRows = checksOf.get(name) ?? []
    // MariaDB stores JSON as LONGTEXT plus a column-level CHECK (json_valid(`col`)) named after it.
    const jsonColumns = new Set(
      checkRows
        .filter((c) => str(c.level) === 'Column' && str(c.clause) === `json_valid(${quoteIdent(str(c.name))})`)
        .map((c) => str(c.name)),
    )
    const columns = (columnsOf.get(name) ?? []).map((c) => parseColumn(c, tableCollation, jsonColumns, flavor, database))
    const { primaryKey, indexes } = parseIndexes(indexesOf.get(name) ?? [])
    const checks: Check[] = checkRows
      .filter((c) => !jsonColumns.has(str(c.name)) || str(c.level) !== 'Column')
      .map((c) => ({
        name: str(c.name),
        expression: str(c.clause),
        ...(str(c.enforced) === 'NO' ? { options: { enforced: false } } : {}),
      }))
    const options: Record<string, string | boolean> = {}
    if (t.engine !== null && t.engine !== undefined) options.engine = str(t.engine)
    if (t.charset !== null && t.charset !== undefined) options.charset = str(t.charset)
    if (tableCollation !== null) options.collation = tableCollation
    // Declared storage options, as CREATE_OPTIONS lists them (`row_format=COMPRESSED key_block_size=8`).
    const rowFormat = /\brow_format=(\w+)/i.exec(str(t.createOptions))
    const keyBlockSize = /\bkey_block_size=(\d+)/i.exec(str(t.createOptions))
    if (rowFormat !== null) options.rowFormat = (rowFormat[1] as string).toUpperCase()
    if (keyBlockSize !== null && keyBlockSize[1] !== '0') options.keyBlockSize = keyBlockSize[1] as string
    if (str(t.type) === 'SYSTEM VERSIONED') options.systemVersioning = true
    Object.assign(options, partitionOptions(partitionsOf.get(name) ?? [], createOf.get(name)))
    const comment = str(t.comment)
    tables.push({
      name,
      columns,
      ...(primaryKey ? { primaryKey } : {}),
      indexes,
      uniques: [],
      foreignKeys: parseForeignKeys(fksOf.get(name) ?? [], database),
      checks,
      ...(comment !== '' ? { comment } : {}),
      options,
    })
  }

  const views: View[] = rows.views.map((v) => {
    const options: Record<string, string> = {}
    if (str(v.security) === 'INVOKER') options.security = 'INVOKER'
    if (str(v.checkOption) !== 'NONE' && str(v.checkOption) !== '') options.checkOption = str(v.checkOption)
    if (str(v.algorithm) !== 'UNDEFINED' && str(v.algorithm) !== '') options.algorithm = str(v.algorithm)
    return {
      name: str(v.name),
      definition: stripQualifier(str(v.definition), database),
      ...(Object.keys(options).length > 0 ? { options } : {}),
    }
  })

  const objects: SchemaObject[] = rows.triggers
    .filter((t) => !exclude.has(str(t.tableName)))
    .map((t) => ({
      kind: 'trigger',
      name: str(t.name),
      table: str(t.tableName),
      definition:
        `CREATE TRIGGER ${quoteIdent(str(t.name))} ${str(t.timing)} ${str(t.event)} ON ` +
        `${quoteIdent(str(t.tableName))} FOR EACH ROW ${str(t.body)}`,
    }))

  objects.push(...parseRoutines(rows.routines, rows.parameters))
  objects.push(...parseEvents(rows.events, flavor.eventReplicaDisable))
  objects.push(...parseSequences(rows.sequences))
  return { tables, views, objects }
}

/**
 * Functions (kind 'function') and procedures (kind 'other', options.routine 'PROCEDURE': their
 * names live in a separate namespace), rebuilt as CREATE statements without DEFINER.
 */
function parseRoutines(routines: Row[], parameters: Row[]): SchemaObject[] {
  const paramsOf = groupBy(parameters, (p) => `${str(p.type)} ${str(p.routine)}`)
  return routines.map((r): SchemaObject => {
    const type = str(r.type).toUpperCase() === 'FUNCTION' ? 'FUNCTION' : 'PROCEDURE'
    const name = str(r.name)
    const params = (paramsOf.get(`${str(r.type)} ${name}`) ?? [])
      .map((p) => `${type === 'PROCEDURE' ? `${str(p.mode)} ` : ''}${quoteIdent(str(p.name))} ${normalizeType(str(p.dataType))}`)
      .join(', ')
    let definition = `CREATE ${type} ${quoteIdent(name)}(${params})`
    if (type === 'FUNCTION') definition += ` RETURNS ${normalizeType(str(r.returnType))}`
    if (str(r.isDeterministic) === 'YES') definition += ' DETERMINISTIC'
    if (str(r.dataAccess) !== '' && str(r.dataAccess) !== 'CONTAINS SQL') definition += ` ${str(r.dataAccess)}`
    if (str(r.security) === 'INVOKER') definition += ' SQL SECURITY INVOKER'
    if (str(r.comment) !== '') definition += ` COMMENT ${quoteString(str(r.comment))}`
    definition += `\n${str(r.body)}`
    return type === 'FUNCTION'
      ? { kind: 'function', name, definition }
      : { kind: 'other', name, definition, options: { routine: 'PROCEDURE' } }
  })
}

function parseColumn(c: Row, tableCollation: string | null, jsonColumns: ReadonlySet<string>, flavor: Flavor, database: string): Column {
  const name = str(c.name)
  const extra = str(c.extra)
  const dataType = str(c.dataType).toLowerCase()
  const json = dataType === 'json' || (jsonColumns.has(name) && dataType === 'longtext')
  const type = json ? 'json' : normalizeType(str(c.columnType))
  const generatedKind = /\b(VIRTUAL|STORED|PERSISTENT) GENERATED\b|\bPERSISTENT\b|\bVIRTUAL\b/i.exec(extra)
  const generation = strOrNull(c.generation)
  const generated =
    generatedKind && generation !== null && generation !== ''
      ? { expression: generation, stored: !/VIRTUAL/i.test(generatedKind[0]) }
      : undefined
  // MariaDB qualifies a sequence in a default (`nextval(\`db\`.\`s\`)`): unqualified, as in views.
  const raw = generated ? undefined : normalizeDefault(strOrNull(c.columnDefault), dataType, extra, flavor)
  const dflt = raw === undefined ? undefined : stripQualifier(raw, database)
  const collation = strOrNull(c.collation)
  const comment = str(c.comment)
  const options: Record<string, string | boolean> = {}
  const onUpdate = onUpdateOf(extra)
  if (onUpdate !== undefined) options.onUpdate = onUpdate
  if (/\bINVISIBLE\b/i.test(extra)) options.invisible = true
  return {
    name,
    type,
    nullable: str(c.nullable) === 'YES',
    ...(dflt !== undefined ? { default: dflt } : {}),
    ...(generated ? { generated } : {}),
    ...(/auto_increment/i.test(extra) ? { identity: { always: false } } : {}),
    ...(!json && collation !== null && collation !== tableCollation ? { collation } : {}),
    ...(comment !== '' ? { comment } : {}),
    ...(Object.keys(options).length > 0 ? { options } : {}),
  }
}

function parseIndexes(rows: Row[]): { primaryKey?: PrimaryKey; indexes: Index[] } {
  const groups = groupBy(rows, (row) => str(row.name))
  let primaryKey: PrimaryKey | undefined
  const indexes: Index[] = []
  for (const [name, parts] of groups) {
    parts.sort((a, b) => Number(a.seq) - Number(b.seq))
    if (name === 'PRIMARY') {
      primaryKey = { columns: parts.map((p) => str(p.columnName)) }
      continue
    }
    const first = parts[0] as Row
    const kind = str(first.indexType).toUpperCase()
    const method = kind === 'FULLTEXT' ? 'fulltext' : kind === 'SPATIAL' ? 'spatial' : undefined
    const options: Record<string, string | boolean> = {}
    if (Number(first.invisible) === 1) options.invisible = true
    if (str(first.comment) !== '') options.comment = str(first.comment)
    indexes.push({
      name,
      parts: parts.map((p): IndexPart => {
        const column = strOrNull(p.columnName)
        const expression = strOrNull(p.expression)
        const length = p.subPart === null || p.subPart === undefined ? undefined : String(p.subPart)
        return {
          ...(column !== null ? { column } : { expression: expression ?? '' }),
          ...(str(p.collation) === 'D' ? { desc: true } : {}),
          ...(length !== undefined && method === undefined ? { options: { length } } : {}),
        }
      }),
      unique: Number(first.nonUnique) === 0,
      ...(method ? { method } : {}),
      ...(Object.keys(options).length > 0 ? { options } : {}),
    })
  }
  indexes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return { ...(primaryKey ? { primaryKey } : {}), indexes }
}

function parseForeignKeys(rows: Row[], database: string): ForeignKey[] {
  const groups = groupBy(rows, (row) => str(row.name))
  return [...groups.entries()].map(([name, parts]) => {
    parts.sort((a, b) => Number(a.position) - Number(b.position))
    const first = parts[0] as Row
    const refSchema = str(first.refSchema)
    return {
      name,
      columns: parts.map((p) => str(p.columnName)),
      ...(refSchema !== '' && refSchema !== database ? { refSchema } : {}),
      refTable: str(first.refTable),
      refColumns: parts.map((p) => str(p.refColumn)),
      onDelete: str(first.onDelete) as ReferentialAction,
      onUpdate: str(first.onUpdate) as ReferentialAction,
    }
  })
}
