import type { Change, TableChange } from '../../schema/changes.js'
import { assertNever } from '../../schema/changes.js'
import type { Check, Column, ForeignKey, Index, Options, SchemaObject, Table, Unique, View } from '../../schema/model.js'
import { UnsupportedChangeError } from '../../errors.js'
import { guardOf, type Plan, type Risk, type Statement } from '../../schema/plan.js'
import type { PlanOptions } from '../dialect.js'
import type { Flavor } from './flavor.js'
import { alterColumnLosses } from './lossy.js'
import { isLiteralDefault } from './normalize.js'
import { partitionClause, partitionSteps } from './partitions.js'
import { alterEvent } from './events.js'
import { isVersioned } from './versioning.js'
import { alterSequence } from './sequences.js'
import { quoteIdent as q, quoteString } from './quote.js'

/**
 * Turns changes into MySQL statements, each paired with the statements that undo it alone: the
 * runner undoes a failed migration statement by statement, newest first, because MySQL commits
 * DDL implicitly. Pure: no queries.
 */
export function plan(changes: readonly Change[], flavor: Flavor, options: PlanOptions = {}): Plan {
  const statements: Statement[] = []
  for (const change of changes) statements.push(...planChange(change, flavor, options))
  // DDL commits implicitly anyway; the runner's statement-by-statement undo comes from
  // capabilities.transactionalDdl, so no statement needs a `no-transaction` file.
  return { statements, transactional: true }
}

function stmt(source: Change, sql: string, reverse: readonly string[], comment: string, risks: readonly Risk[] = []): Statement {
  return { sql, reverse, source, comment, risks: reverse.length === 0 ? [...risks, 'irreversible'] : risks }
}

function planChange(change: Change, flavor: Flavor, options: PlanOptions): Statement[] {
  switch (change.kind) {
    case 'createTable':
      return [stmt(change, createTable(change.table, flavor), [`DROP TABLE ${q(change.table.name)}`], `create table ${change.table.name}`)]
    case 'dropTable':
      return [
        stmt(change, `DROP TABLE ${q(change.table.name)}`, [createTable(change.table, flavor)], `drop table ${change.table.name}`, ['data-loss']),
      ]
    case 'renameTable':
      return [
        stmt(
          change,
          `RENAME TABLE ${q(change.from.name)} TO ${q(change.to.name)}`,
          [`RENAME TABLE ${q(change.to.name)} TO ${q(change.from.name)}`],
          `rename table ${change.from.name} to ${change.to.name}`,
        ),
      ]
    case 'alterTable':
      return alterTable(change, flavor, options)
    case 'createView':
      return [stmt(change, createView(change.view), [`DROP VIEW ${q(change.view.name)}`], `create view ${change.view.name}`)]
    case 'dropView':
      return [stmt(change, `DROP VIEW ${q(change.view.name)}`, [createView(change.view)], `drop view ${change.view.name}`)]
    case 'createObject':
      return [stmt(change, createObject(change.object), [dropObject(change.object)], `create ${change.object.kind} ${change.object.name}`)]
    case 'dropObject':
      return [stmt(change, dropObject(change.object), [createObject(change.object)], `drop ${change.object.kind} ${change.object.name}`)]
    case 'alterObject':
      if (change.to.kind === 'sequence') {
        return [stmt(change, alterSequence(change.to), [alterSequence(change.from)], `alter sequence ${change.to.name}`)]
      }
      if (change.to.kind === 'event') {
        const forward = alterEvent(change.from, change.to)
        const backward = alterEvent(change.to, change.from)
        if (forward !== undefined) return [stmt(change, forward, backward === undefined ? [dropObject(change.to), createObject(change.from)] : [backward], `alter event ${change.to.name}`)]
      }
      // Triggers, routines (and an event losing its ENDS) cannot be altered in place: drop the old
      // one, create the new one.
      return [
        stmt(change, dropObject(change.from), [createObject(change.from)], `drop ${change.from.kind} ${change.from.name} (to recreate it)`),
        stmt(change, createObject(change.to), [dropObject(change.to)], `create ${change.to.kind} ${change.to.name}`),
      ]
    default:
      return assertNever(change)
  }
}

// ---------------------------------------------------------------------------------------------
// Definitions

const BLOB_TYPES = /^(tiny|medium|long)?(text|blob)\b|^json$|^(geometry|point|linestring|polygon|multipoint|multilinestring|multipolygon|geometrycollection)$/

export function columnDef(column: Column, flavor: Flavor): string {
  const parts = [q(column.name), column.type]
  if (column.collation !== undefined) parts.push(`COLLATE ${column.collation}`)
  if (column.generated !== undefined) {
    parts.push(`GENERATED ALWAYS AS (${column.generated.expression}) ${column.generated.stored ? 'STORED' : 'VIRTUAL'}`)
    // MariaDB rejects NULL/NOT NULL on generated columns; say it only when it matters.
    if (!column.nullable) parts.push('NOT NULL')
  } else {
    parts.push(column.nullable ? 'NULL' : 'NOT NULL')
    if (column.default !== undefined) {
      const literal = isLiteralDefault(column.default) && (flavor.literalDefaultsOnBlobs || !BLOB_TYPES.test(column.type))
      parts.push(`DEFAULT ${literal ? column.default : `(${column.default})`}`)
    }
  }
  const onUpdate = column.options?.onUpdate
  if (typeof onUpdate === 'string') parts.push(`ON UPDATE ${onUpdate}`)
  if (column.identity !== undefined) parts.push('AUTO_INCREMENT')
  if (column.comment !== undefined) parts.push(`COMMENT ${quoteString(column.comment)}`)
  if (column.options?.invisible === true) parts.push('INVISIBLE')
  return parts.join(' ')
}

export function indexDef(index: Index, flavor: Flavor): string {
  const kind =
    index.method === 'fulltext' ? 'FULLTEXT ' : index.method === 'spatial' ? 'SPATIAL ' : index.unique ? 'UNIQUE ' : ''
  const parts = index.parts.map((part) => {
    const base = part.column !== undefined ? q(part.column) : `(${part.expression ?? ''})`
    const length = part.options?.length
    return `${base}${typeof length === 'string' ? `(${length})` : ''}${part.desc === true ? ' DESC' : ''}`
  })
  let sql = `${kind}INDEX ${q(index.name)} (${parts.join(', ')})`
  if (typeof index.options?.comment === 'string') sql += ` COMMENT ${quoteString(index.options.comment)}`
  if (index.options?.invisible === true) {
    if (flavor.invisibleIndexKeyword === null) throw new UnsupportedChangeError(`${flavor.label} has no invisible indexes (index ${index.name})`)
    sql += ` ${flavor.invisibleIndexKeyword}`
  }
  return sql
}

function fkDef(fk: ForeignKey): string {
  const ref = fk.refSchema === undefined ? q(fk.refTable) : `${q(fk.refSchema)}.${q(fk.refTable)}`
  return (
    `${fk.name === undefined ? '' : `CONSTRAINT ${q(fk.name)} `}FOREIGN KEY (${fk.columns.map(q).join(', ')}) ` +
    `REFERENCES ${ref} (${fk.refColumns.map(q).join(', ')}) ON DELETE ${fk.onDelete} ON UPDATE ${fk.onUpdate}`
  )
}

function checkDef(check: Check): string {
  const name = check.name === undefined ? '' : `CONSTRAINT ${q(check.name)} `
  return `${name}CHECK (${check.expression})${check.options?.enforced === false ? ' NOT ENFORCED' : ''}`
}

function uniqueDef(unique: Unique): string {
  return `${unique.name === undefined ? '' : `CONSTRAINT ${q(unique.name)} `}UNIQUE (${unique.columns.map(q).join(', ')})`
}

function tableOptions(table: Table): string {
  const out: string[] = []
  const { engine, charset, collation } = table.options
  if (typeof engine === 'string') out.push(`ENGINE=${engine}`)
  if (typeof charset === 'string') out.push(`DEFAULT CHARSET=${charset}`)
  if (typeof collation === 'string') out.push(`COLLATE=${collation}`)
  if (typeof table.options.rowFormat === 'string') out.push(`ROW_FORMAT=${table.options.rowFormat}`)
  if (typeof table.options.keyBlockSize === 'string') out.push(`KEY_BLOCK_SIZE=${table.options.keyBlockSize}`)
  if (table.comment !== undefined) out.push(`COMMENT=${quoteString(table.comment)}`)
  if (isVersioned(table.options)) out.push('WITH SYSTEM VERSIONING')
  return out.join(' ')
}

export function createTable(table: Table, flavor: Flavor): string {
  const lines = table.columns.map((c) => columnDef(c, flavor))
  if (table.primaryKey !== undefined) lines.push(`PRIMARY KEY (${table.primaryKey.columns.map(q).join(', ')})`)
  for (const index of table.indexes) lines.push(indexDef(index, flavor))
  for (const unique of table.uniques) lines.push(uniqueDef(unique))
  for (const fk of table.foreignKeys) lines.push(fkDef(fk))
  for (const check of table.checks) lines.push(checkDef(check))
  const options = [tableOptions(table), partitionClause(table.options)].filter((o) => o !== '').join('\n')
  return `CREATE TABLE ${q(table.name)} (\n  ${lines.join(',\n  ')}\n)${options === '' ? '' : ` ${options}`}`
}

function createView(view: View): string {
  const algorithm = typeof view.options?.algorithm === 'string' ? `ALGORITHM=${view.options.algorithm} ` : ''
  const security = view.options?.security === 'INVOKER' ? 'SQL SECURITY INVOKER ' : ''
  const check = view.options?.checkOption
  const withCheck = typeof check === 'string' ? ` WITH ${check} CHECK OPTION` : ''
  return `CREATE ${algorithm}${security}VIEW ${q(view.name)} AS ${view.definition}${withCheck}`
}

/** The DROP keyword of an object: triggers, functions, events, and procedures (kind 'other'). */
function objectKeyword(object: SchemaObject): string | undefined {
  if (object.kind === 'trigger') return 'TRIGGER'
  if (object.kind === 'event') return 'EVENT'
  if (object.kind === 'sequence') return 'SEQUENCE'
  if (object.kind === 'function') return 'FUNCTION'
  if (object.kind === 'other' && object.options?.routine === 'PROCEDURE') return 'PROCEDURE'
  return undefined
}

function createObject(object: SchemaObject): string {
  if (objectKeyword(object) === undefined) {
    throw new UnsupportedChangeError(`MySQL has no ${object.kind} objects (${object.name}); remove it from the target`)
  }
  return object.definition
}

function dropObject(object: SchemaObject): string {
  const keyword = objectKeyword(object)
  if (keyword === undefined) {
    throw new UnsupportedChangeError(`MySQL has no ${object.kind} objects (${object.name}); remove it from the target`)
  }
  return `DROP ${keyword} ${q(object.name)}`
}

// ---------------------------------------------------------------------------------------------
// ALTER TABLE

/** Execution order of table changes: what others depend on is dropped first and added last. */
const PHASE: Readonly<Record<TableChange['kind'], number>> = {
  dropForeignKey: 0,
  dropCheck: 1,
  dropIndex: 2,
  dropUnique: 2,
  dropPrimaryKey: 3,
  renameColumn: 4,
  dropColumn: 5,
  addColumn: 6,
  alterColumn: 7,
  addPrimaryKey: 8,
  renameIndex: 9,
  addIndex: 9,
  addUnique: 9,
  addCheck: 10,
  addForeignKey: 11,
  alterComment: 12,
  alterOptions: 12,
}

function alterTable(change: Extract<Change, { kind: 'alterTable' }>, flavor: Flavor, options: PlanOptions): Statement[] {
  const { from, to } = change
  const t = q(to.name)
  const alter = (clause: string): string => `ALTER TABLE ${t} ${clause}`
  const ordered = change.changes
    .map((c, i) => ({ c, i }))
    .sort((a, b) => PHASE[a.c.kind] - PHASE[b.c.kind] || addOrder(a.c, to) - addOrder(b.c, to) || a.i - b.i)
    .map(({ c }) => c)
  const dropped = new Set(change.changes.flatMap((c) => (c.kind === 'dropColumn' ? [c.column.name] : [])))
  const renamed = new Map(change.changes.flatMap((c) => (c.kind === 'renameColumn' ? [[c.from.name, c.to.name] as const] : [])))
  // Index drops and adds in the same table run as ONE statement: InnoDB checks that every foreign
  // key keeps a usable index only at the end of an ALTER, and silently drops an FK's auto-created
  // index when another index covers it, so separate statements can fail either way round. Drops
  // of indexes on dropped columns stay separate and early (the column drop would remove them).
  const indexDrops = change.changes.flatMap((c) =>
    c.kind === 'dropIndex' && !c.index.parts.some((p) => p.column !== undefined && dropped.has(p.column)) ? [c.index] : [],
  )
  const indexAdds = change.changes.flatMap((c) => (c.kind === 'addIndex' ? [c.index] : []))
  const alteredAfterRename = new Map(
    change.changes.flatMap((c) => (c.kind === 'alterColumn' && renamedTo(change.changes, c.to.name) ? [[c.to.name, c] as const] : [])),
  )
  const keyGroup = autoIncrementKeyGroup(change.changes, from, alteredAfterRename)
  // A primary key swapped while foreign keys elsewhere need an index on its columns: the new key
  // or index must exist in the same statement that drops the old one. So a dropped primary key,
  // the new one and the index changes go in ONE statement too.
  const swapsKey = keyGroup.size === 0 && change.changes.some((c) => c.kind === 'dropPrimaryKey') && change.changes.some((c) => c.kind === 'addPrimaryKey' || c.kind === 'addIndex')
  const swapGroup = new Set<TableChange>(
    swapsKey ? change.changes.filter((c) => c.kind === 'dropPrimaryKey' || c.kind === 'addPrimaryKey' || c.kind === 'addIndex' || (c.kind === 'dropIndex' && indexDrops.includes(c.index))) : [],
  )
  const combineIndexes = !swapsKey && indexDrops.length > 0 && indexAdds.length > 0
  const combinedDrops = new Set(combineIndexes ? indexDrops : [])

  const out: Statement[] = []
  const add = (sql: string, reverse: readonly string[], comment: string, risks: readonly Risk[] = [], guards: readonly string[] = []): void => {
    out.push({ ...stmt(change, sql, reverse, comment, risks), ...(guards.length > 0 ? { guards } : {}) })
  }
  // The check-before queries of a column's type change: the values it would not keep exactly.
  const guardsOf = (c: Extract<TableChange, { kind: 'alterColumn' }> | undefined): string[] =>
    c === undefined ? [] : alterColumnLosses(change, c, options).map(guardOf)
  const where = (name: string): string => `${to.name}.${name}`
  // Undo puts a dropped column back after its nearest surviving predecessor (named as it is then).
  const restoredPosition = (column: string): string => {
    const at = from.columns.findIndex((col) => col.name === column)
    for (let i = at - 1; i >= 0; i--) {
      const name = (from.columns[i] as Column).name
      if (!dropped.has(name)) return ` AFTER ${q(renamed.get(name) ?? name)}`
    }
    return ' FIRST'
  }
  const lastOfKeyGroup = ordered.filter((c) => keyGroup.has(c)).at(-1)
  const lastOfSwapGroup = ordered.filter((c) => swapGroup.has(c)).at(-1)

  for (const c of ordered) {
    if (swapGroup.has(c)) {
      if (c !== lastOfSwapGroup) continue
      const members = change.changes.filter((m) => swapGroup.has(m))
      const pk = (columns: readonly string[]): string => `ADD PRIMARY KEY (${columns.map(q).join(', ')})`
      const forward: string[] = []
      const backward: string[] = []
      for (const m of members) if (m.kind === 'dropPrimaryKey') forward.push('DROP PRIMARY KEY')
      for (const m of members) if (m.kind === 'dropIndex') forward.push(`DROP INDEX ${q(m.index.name)}`)
      for (const m of members) if (m.kind === 'addPrimaryKey') forward.push(pk(m.primaryKey.columns))
      for (const m of members) if (m.kind === 'addIndex') forward.push(`ADD ${indexDef(m.index, flavor)}`)
      for (const m of members) if (m.kind === 'addPrimaryKey') backward.push('DROP PRIMARY KEY')
      for (const m of members) if (m.kind === 'addIndex') backward.push(`DROP INDEX ${q(m.index.name)}`)
      for (const m of members) if (m.kind === 'dropPrimaryKey') backward.push(pk(m.primaryKey.columns))
      for (const m of members) if (m.kind === 'dropIndex') backward.push(`ADD ${indexDef(m.index, flavor)}`)
      add(alter(forward.join(', ')), [alter(backward.join(', '))], `change primary key and indexes of ${to.name}`, ['long-lock'])
      continue
    }
    if (keyGroup.has(c)) {
      if (c !== lastOfKeyGroup) continue
      // AUTO_INCREMENT must be a key in every state the server checks, and it checks each ALTER
      // TABLE as a whole: the key change and the columns gaining or losing AUTO_INCREMENT (and
      // key columns dropped with the key) go in ONE statement.
      const members = change.changes.filter((m) => keyGroup.has(m))
      const forward: string[] = []
      const backward: string[] = []
      const pkOf = (columns: readonly string[]): string => `ADD PRIMARY KEY (${columns.map(q).join(', ')})`
      for (const m of members) if (m.kind === 'dropPrimaryKey') forward.push('DROP PRIMARY KEY')
      for (const m of members) if (m.kind === 'addPrimaryKey') backward.push('DROP PRIMARY KEY')
      for (const m of members) {
        if (m.kind === 'dropColumn') {
          forward.push(`DROP COLUMN ${q(m.column.name)}`)
          backward.push(`ADD COLUMN ${columnDef(m.column, flavor)}${restoredPosition(m.column.name)}`)
        } else if (m.kind === 'addColumn') {
          forward.push(`ADD COLUMN ${columnDef(m.column, flavor)}${position(to.columns, m.column.name)}`)
          backward.push(`DROP COLUMN ${q(m.column.name)}`)
        } else if (m.kind === 'alterColumn') {
          forward.push(`MODIFY COLUMN ${columnDef(m.to, flavor)}`)
          backward.push(`MODIFY COLUMN ${columnDef(m.from, flavor)}`)
        }
      }
      for (const m of members) if (m.kind === 'addPrimaryKey') forward.push(pkOf(m.primaryKey.columns))
      for (const m of members) if (m.kind === 'dropPrimaryKey') backward.push(pkOf(m.primaryKey.columns))
      const risks: Risk[] = ['long-lock', ...(members.some((m) => m.kind === 'dropColumn') ? (['data-loss'] as const) : [])]
      const guards = members.flatMap((m) => (m.kind === 'alterColumn' ? guardsOf(m) : []))
      add(alter(forward.join(', ')), [alter(backward.join(', '))], `change primary key and AUTO_INCREMENT of ${to.name}`, risks, guards)
      continue
    }
    switch (c.kind) {
      case 'addColumn':
        add(alter(`ADD COLUMN ${columnDef(c.column, flavor)}${position(to.columns, c.column.name)}`), [alter(`DROP COLUMN ${q(c.column.name)}`)], `add column ${where(c.column.name)}`)
        break
      case 'dropColumn':
        add(alter(`DROP COLUMN ${q(c.column.name)}`), [alter(`ADD COLUMN ${columnDef(c.column, flavor)}${restoredPosition(c.column.name)}`)], `drop column ${where(c.column.name)}`, ['data-loss'])
        break
      case 'alterColumn': {
        if (alteredAfterRename.has(c.to.name)) break
        const virtual = (col: Column): boolean => col.generated !== undefined && !col.generated.stored
        if (virtual(c.from) !== virtual(c.to)) {
          // A VIRTUAL column cannot be modified into anything else, nor anything into one (MySQL
          // and MariaDB): it is dropped and added again, computed anew (it holds no values of its
          // own), with the indexes that use it. A regular column passes through STORED on the
          // way (MODIFY keeps its values, then the swap); a stored one needs only the swap.
          const droppedIndexes = new Set(change.changes.flatMap((d) => (d.kind === 'dropIndex' ? [d.index.name] : [])))
          const indexes = from.indexes.filter((i) => !droppedIndexes.has(i.name) && i.parts.some((p) => p.column === c.from.name))
          const swap = (old: Column, now: Column, at: string): string =>
            alter([...indexes.map((i) => `DROP INDEX ${q(i.name)}`), `DROP COLUMN ${q(old.name)}`, `ADD COLUMN ${columnDef(now, flavor)}${at}`, ...indexes.map((i) => `ADD ${indexDef(i, flavor)}`)].join(', '))
          const generatedSide = virtual(c.to) ? c.to : c.from
          const stored: Column = { ...generatedSide, generated: { ...generatedSide.generated!, stored: true } }
          const comment = `alter column ${where(c.to.name)} (${c.aspects.join(', ')}: dropped and added again)`
          const forward = (a: Column, b: Column): string => swap(a, b, position(to.columns, c.to.name))
          const backward = (a: Column, b: Column): string => swap(a, b, restoredPosition(c.from.name))
          if (virtual(c.to)) {
            const viaStored = c.from.generated === undefined
            if (viaStored) add(alter(`MODIFY COLUMN ${columnDef(stored, flavor)}`), [alter(`MODIFY COLUMN ${columnDef(c.from, flavor)}`)], `alter column ${where(c.to.name)} (generated: stored first)`, ['rewrite'])
            add(forward(viaStored ? stored : c.from, c.to), [backward(c.to, viaStored ? stored : c.from)], comment, ['rewrite'])
          } else {
            const viaStored = c.to.generated === undefined
            add(forward(c.from, viaStored ? stored : c.to), [backward(viaStored ? stored : c.to, c.from)], comment, ['rewrite'])
            if (viaStored) add(alter(`MODIFY COLUMN ${columnDef(c.to, flavor)}`), [alter(`MODIFY COLUMN ${columnDef(stored, flavor)}`)], `alter column ${where(c.to.name)} (generated: values kept)`, ['rewrite'])
          }
          break
        }
        const risks: Risk[] = c.aspects.some((a) => a === 'type' || a === 'collation' || a === 'generated') ? ['rewrite'] : []
        add(alter(`MODIFY COLUMN ${columnDef(c.to, flavor)}`), [alter(`MODIFY COLUMN ${columnDef(c.from, flavor)}`)], `alter column ${where(c.to.name)} (${c.aspects.join(', ')})`, risks, guardsOf(c))
        break
      }
      case 'renameColumn': {
        const altered = alteredAfterRename.get(c.to.name)
        const target = altered?.to ?? c.to
        const same = columnDef({ ...c.from, name: c.to.name }, flavor) === columnDef(target, flavor)
        if (same && flavor.supportsRenameColumn) {
          add(alter(`RENAME COLUMN ${q(c.from.name)} TO ${q(c.to.name)}`), [alter(`RENAME COLUMN ${q(c.to.name)} TO ${q(c.from.name)}`)], `rename column ${where(c.from.name)} to ${c.to.name}`)
        } else {
          add(alter(`CHANGE COLUMN ${q(c.from.name)} ${columnDef(target, flavor)}`), [alter(`CHANGE COLUMN ${q(c.to.name)} ${columnDef(c.from, flavor)}`)], `rename column ${where(c.from.name)} to ${c.to.name}`, same ? [] : ['rewrite'], guardsOf(altered))
        }
        break
      }
      case 'addIndex':
        if (combineIndexes) {
          if (c.index !== indexAdds[0]) break
          const clauses = [...indexDrops.map((i) => `DROP INDEX ${q(i.name)}`), ...indexAdds.map((i) => `ADD ${indexDef(i, flavor)}`)]
          const undo = [...indexAdds.map((i) => `DROP INDEX ${q(i.name)}`), ...indexDrops.map((i) => `ADD ${indexDef(i, flavor)}`)]
          const names = (list: readonly Index[]): string => list.map((i) => i.name).join(', ')
          add(alter(clauses.join(', ')), [alter(undo.join(', '))], `change indexes on ${to.name}: drop ${names(indexDrops)}; add ${names(indexAdds)}`)
          break
        }
        add(alter(`ADD ${indexDef(c.index, flavor)}`), [alter(`DROP INDEX ${q(c.index.name)}`)], `add index ${c.index.name} on ${to.name}`)
        break
      case 'dropIndex':
        if (combinedDrops.has(c.index)) break
        add(alter(`DROP INDEX ${q(c.index.name)}`), [alter(`ADD ${indexDef(c.index, flavor)}`)], `drop index ${c.index.name} on ${to.name}`)
        break
      case 'renameIndex':
        if (flavor.supportsRenameIndex) {
          add(alter(`RENAME INDEX ${q(c.from.name)} TO ${q(c.to.name)}`), [alter(`RENAME INDEX ${q(c.to.name)} TO ${q(c.from.name)}`)], `rename index ${c.from.name} on ${to.name} to ${c.to.name}`)
        } else {
          add(
            alter(`DROP INDEX ${q(c.from.name)}, ADD ${indexDef(c.to, flavor)}`),
            [alter(`DROP INDEX ${q(c.to.name)}, ADD ${indexDef(c.from, flavor)}`)],
            `rename index ${c.from.name} on ${to.name} to ${c.to.name}`,
          )
        }
        break
      case 'addUnique':
        add(alter(`ADD ${uniqueDef(c.unique)}`), c.unique.name === undefined ? [] : [alter(`DROP INDEX ${q(c.unique.name)}`)], `add unique ${c.unique.name ?? c.unique.columns.join(',')} on ${to.name}`)
        break
      case 'dropUnique':
        if (c.unique.name === undefined) throw new UnsupportedChangeError(`cannot drop an unnamed UNIQUE constraint on ${to.name}`)
        add(alter(`DROP INDEX ${q(c.unique.name)}`), [alter(`ADD ${uniqueDef(c.unique)}`)], `drop unique ${c.unique.name} on ${to.name}`)
        break
      case 'addForeignKey':
        add(
          alter(`ADD ${fkDef(c.foreignKey)}`),
          c.foreignKey.name === undefined ? [] : [alter(`DROP FOREIGN KEY ${q(c.foreignKey.name)}`)],
          `add foreign key ${c.foreignKey.name ?? c.foreignKey.columns.join(',')} on ${to.name}`,
        )
        break
      case 'dropForeignKey':
        if (c.foreignKey.name === undefined) throw new UnsupportedChangeError(`cannot drop an unnamed foreign key on ${to.name}`)
        add(alter(`DROP FOREIGN KEY ${q(c.foreignKey.name)}`), [alter(`ADD ${fkDef(c.foreignKey)}`)], `drop foreign key ${c.foreignKey.name} on ${to.name}`)
        break
      case 'addCheck':
        add(
          alter(`ADD ${checkDef(c.check)}`),
          c.check.name === undefined ? [] : [alter(`DROP ${flavor.dropCheckKeyword} ${q(c.check.name)}`)],
          `add check ${c.check.name ?? ''} on ${to.name}`,
        )
        break
      case 'dropCheck':
        if (c.check.name === undefined) throw new UnsupportedChangeError(`cannot drop an unnamed CHECK constraint on ${to.name}`)
        add(alter(`DROP ${flavor.dropCheckKeyword} ${q(c.check.name)}`), [alter(`ADD ${checkDef(c.check)}`)], `drop check ${c.check.name} on ${to.name}`)
        break
      case 'addPrimaryKey':
        add(alter(`ADD PRIMARY KEY (${c.primaryKey.columns.map(q).join(', ')})`), [alter('DROP PRIMARY KEY')], `add primary key on ${to.name}`, ['long-lock'])
        break
      case 'dropPrimaryKey':
        add(alter('DROP PRIMARY KEY'), [alter(`ADD PRIMARY KEY (${c.primaryKey.columns.map(q).join(', ')})`)], `drop primary key on ${to.name}`, ['long-lock'])
        break
      case 'alterComment':
        add(alter(`COMMENT = ${quoteString(c.to ?? '')}`), [alter(`COMMENT = ${quoteString(c.from ?? '')}`)], `alter comment of ${to.name}`)
        break
      case 'alterOptions': {
        const forward = optionsClause(c.from, c.to)
        const backward = optionsClause(c.to, c.from)
        if (forward !== '') {
          const rewrite = /CONVERT|ENGINE|ROW_FORMAT|KEY_BLOCK_SIZE/.test(forward)
          add(alter(forward), backward === '' ? [] : [alter(backward)], `alter options of ${to.name}`, rewrite ? ['rewrite'] : [])
        }
        // MariaDB system versioning: added before a SYSTEM_TIME partitioning needs it, dropped
        // after that partitioning is gone. Dropping it deletes the history rows (rowLosses, versioning.ts).
        const versioning = isVersioned(c.from) === isVersioned(c.to) ? undefined : isVersioned(c.to)
        if (versioning === true) add(alter('ADD SYSTEM VERSIONING'), [alter('DROP SYSTEM VERSIONING')], `add system versioning to ${to.name}`, ['rewrite'])
        // Partitioning changes cannot share an ALTER TABLE with other clauses.
        for (const step of partitionSteps(to.name, c.from, c.to)) {
          add(step.sql, step.reverse, step.comment, step.risks)
          if (step.dropped.length > 0) out.push({ ...out.pop()!, deletesRows: true })
        }
        if (versioning === false) {
          add(alter('DROP SYSTEM VERSIONING'), [alter('ADD SYSTEM VERSIONING')], `drop system versioning of ${to.name} (deletes its history rows)`, ['data-loss', 'rewrite'])
        }
        break
      }
      default:
        assertNever(c)
    }
  }
  return out
}

/**
 * The changes of one table that must share an ALTER TABLE because of AUTO_INCREMENT: a primary
 * key dropped or added together with a column that gains, loses, brings or takes AUTO_INCREMENT,
 * plus the old key's columns dropped alongside. Empty when there is no such pair.
 */
function autoIncrementKeyGroup(changes: readonly TableChange[], from: Table, alteredAfterRename: ReadonlyMap<string, unknown>): Set<TableChange> {
  const keyChanges = changes.filter((c) => c.kind === 'dropPrimaryKey' || c.kind === 'addPrimaryKey')
  const autoIncrement = changes.filter(
    (c) =>
      ((c.kind === 'addColumn' || c.kind === 'dropColumn') && c.column.identity !== undefined) ||
      (c.kind === 'alterColumn' && c.aspects.includes('identity') && !alteredAfterRename.has(c.to.name)),
  )
  if (keyChanges.length === 0 || autoIncrement.length === 0) return new Set()
  const keyColumns = new Set(changes.some((c) => c.kind === 'dropPrimaryKey') ? (from.primaryKey?.columns ?? []) : [])
  const droppedKeyColumns = changes.filter((c) => c.kind === 'dropColumn' && keyColumns.has(c.column.name))
  return new Set([...keyChanges, ...autoIncrement, ...droppedKeyColumns])
}

function renamedTo(changes: readonly TableChange[], name: string): boolean {
  return changes.some((c) => c.kind === 'renameColumn' && c.to.name === name)
}

/** Adds run in target column order so that each AFTER names a column that already exists. */
function addOrder(c: TableChange, to: Table): number {
  return c.kind === 'addColumn' ? to.columns.findIndex((col) => col.name === c.column.name) : 0
}

function position(columns: readonly Column[], name: string): string {
  const at = columns.findIndex((c) => c.name === name)
  if (at <= 0) return at === 0 ? ' FIRST' : ''
  return ` AFTER ${q((columns[at - 1] as Column).name)}`
}

/**
 * ENGINE, ROW_FORMAT, KEY_BLOCK_SIZE and the default charset/collation. A charset or collation change converts the existing
 * columns too (CONVERT TO), because the target's columns follow its table default.
 */
function optionsClause(from: Options, to: Options): string {
  const clauses: string[] = []
  if (typeof to.engine === 'string' && to.engine !== from.engine) clauses.push(`ENGINE=${to.engine}`)
  if ((typeof to.charset === 'string' && to.charset !== from.charset) || (typeof to.collation === 'string' && to.collation !== from.collation)) {
    const charset = typeof to.charset === 'string' ? to.charset : undefined
    const collation = typeof to.collation === 'string' ? ` COLLATE ${to.collation}` : ''
    clauses.push(charset === undefined ? `COLLATE=${to.collation as string}` : `CONVERT TO CHARACTER SET ${charset}${collation}`)
  }
  // Storage options a table declares; going back to none is the server's default.
  if (from.rowFormat !== to.rowFormat) clauses.push(`ROW_FORMAT=${typeof to.rowFormat === 'string' ? to.rowFormat : 'DEFAULT'}`)
  if (from.keyBlockSize !== to.keyBlockSize) clauses.push(`KEY_BLOCK_SIZE=${typeof to.keyBlockSize === 'string' ? to.keyBlockSize : '0'}`)
  return clauses.join(', ')
}
