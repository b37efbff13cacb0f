import type { Schema, Table } from '../../schema/model.js'
import { Cursor } from './objects.js'
import { tokenize } from './tokens.js'

/** A schema object one statement leaves present or absent. Names as written; `table` may be qualified. */
type ObjectRef =
  | { readonly kind: 'table' | 'view' | 'trigger' | 'event'; readonly name: readonly string[] }
  | { readonly kind: 'column' | 'index' | 'foreignKey' | 'check' | 'constraint'; readonly table: readonly string[]; readonly name: string }
  | { readonly kind: 'primaryKey'; readonly table: readonly string[] }

/** What one statement leaves behind: objects there afterwards, and objects gone afterwards. */
export interface StatementEffects {
  readonly present: readonly ObjectRef[]
  readonly absent: readonly ObjectRef[]
}

/**
 * Whether a MySQL/MariaDB DDL statement took effect in `schema` (the live schema of `database`,
 * inspected after the statement ran or did not): true when all it creates is there and all it
 * drops is gone, false when all it creates is missing and all it drops is still there, undefined
 * when its effect is not a matter of presence or the schema answers neither way. DDL is atomic per
 * statement on these servers, so one readable clause of an ALTER TABLE decides for all. Pure.
 */
export function statementTookEffect(sql: string, schema: Schema, database: string): boolean | undefined {
  const effects = statementEffects(sql)
  if (effects === undefined) return undefined
  const refs = [...effects.present.map((ref) => ({ ref, after: true })), ...effects.absent.map((ref) => ({ ref, after: false }))]
  const found = refs.map(({ ref, after }) => ({ there: isThere(ref, schema, database), after }))
  if (found.some((f) => f.there === undefined)) return undefined
  if (found.every((f) => f.there === f.after)) return true
  if (found.every((f) => f.there !== f.after)) return false
  return undefined
}

/**
 * What a statement creates and drops, read from its text: CREATE TABLE / SEQUENCE / INDEX / VIEW /
 * TRIGGER / EVENT, DROP TABLE / SEQUENCE / VIEW / INDEX / TRIGGER / EVENT, RENAME TABLE and the ALTER TABLE clauses that add, drop or
 * rename a column, index, key or constraint, or rename the table. Undefined for anything else
 * (OR REPLACE and TEMPORARY forms, a changed column definition, table options, data) and for text
 * it cannot read. Pure.
 */
export function statementEffects(sql: string): StatementEffects | undefined {
  const tokens = tokenize(sql)
  if (tokens === undefined) return undefined
  const c = new Cursor(tokens)
  const effects = (() => {
    switch (c.next()) {
      case 'CREATE':
        return create(c)
      case 'DROP':
        return drop(c)
      case 'ALTER':
        return alter(c)
      case 'RENAME':
        return c.accept('TABLE') || c.accept('TABLES') ? renameTables(c) : undefined
      default:
        return undefined
    }
  })()
  return effects === undefined || effects.present.length + effects.absent.length === 0 ? undefined : effects
}

function create(c: Cursor): StatementEffects | undefined {
  if (c.isWord('OR') || c.isWord('TEMPORARY')) return undefined
  // A sequence lives among the tables (MariaDB).
  if (c.accept('TABLE') || c.accept('SEQUENCE')) {
    c.acceptAll('IF', 'NOT', 'EXISTS')
    const name = c.name()
    return name === undefined ? undefined : { present: [{ kind: 'table', name }], absent: [] }
  }
  if (c.accept('UNIQUE') || c.accept('FULLTEXT') || c.accept('SPATIAL')) {
    if (!c.accept('INDEX') && !c.accept('KEY')) return undefined
  } else if (!c.accept('INDEX')) return definedObject(c)
  c.acceptAll('IF', 'NOT', 'EXISTS')
  const index = c.ident()
  if (c.accept('USING')) c.next()
  const table = c.accept('ON') ? c.name() : undefined
  return index === undefined || table === undefined ? undefined : { present: [{ kind: 'index', table, name: index }], absent: [] }
}

/** CREATE [ALGORITHM=…] [DEFINER=…] [SQL SECURITY …] VIEW | TRIGGER | EVENT name. */
function definedObject(c: Cursor): StatementEffects | undefined {
  for (;;) {
    if (c.accept('ALGORITHM') || c.accept('DEFINER')) {
      if (!c.acceptSymbol('=')) return undefined
      c.next()
      if (c.acceptSymbol('@')) c.next()
    } else if (c.accept('SQL')) {
      if (!c.accept('SECURITY')) return undefined
      c.next()
    } else break
  }
  const kind = c.next()
  if (kind !== 'VIEW' && kind !== 'TRIGGER' && kind !== 'EVENT') return undefined
  c.acceptAll('IF', 'NOT', 'EXISTS')
  const name = c.name()
  return name === undefined ? undefined : { present: [{ kind: kind === 'VIEW' ? 'view' : kind === 'EVENT' ? 'event' : 'trigger', name }], absent: [] }
}

function drop(c: Cursor): StatementEffects | undefined {
  if (c.isWord('TEMPORARY')) return undefined
  const kind =
    c.accept('TABLE') || c.accept('TABLES') || c.accept('SEQUENCE')
      ? 'table'
      : c.accept('VIEW') ? 'view' : c.accept('TRIGGER') ? 'trigger' : c.accept('EVENT') ? 'event' : c.accept('INDEX') ? 'index' : undefined
  if (kind === undefined) return undefined
  c.acceptAll('IF', 'EXISTS')
  if (kind === 'index') {
    const index = c.ident()
    const table = c.accept('ON') ? c.name() : undefined
    return index === undefined || table === undefined ? undefined : { present: [], absent: [{ kind: 'index', table, name: index }] }
  }
  const absent: ObjectRef[] = []
  do {
    const name = c.name()
    if (name === undefined) return undefined
    absent.push({ kind, name })
  } while (c.acceptSymbol(','))
  return { present: [], absent }
}

function alter(c: Cursor): StatementEffects | undefined {
  c.accept('ONLINE')
  c.accept('IGNORE')
  if (!c.accept('TABLE')) return undefined
  c.acceptAll('IF', 'EXISTS')
  const table = c.name()
  if (table === undefined) return undefined
  const present: ObjectRef[] = []
  const absent: ObjectRef[] = []
  for (const clause of c.clauses()) {
    const spec = new Cursor(clause)
    if (spec.accept('RENAME') && (spec.accept('TO') || spec.accept('AS') || spec.acceptSymbol('=') || !spec.isWord('COLUMN', 'INDEX', 'KEY'))) {
      // A renamed table: its other clauses' objects now live under the new name; the names decide.
      const to = spec.name()
      return to === undefined ? undefined : { present: [{ kind: 'table', name: to }], absent: [{ kind: 'table', name: table }] }
    }
    const effect = alterClause(new Cursor(clause), table)
    if (effect === undefined) continue
    present.push(...effect.present)
    absent.push(...effect.absent)
  }
  return { present, absent }
}

/** One ALTER TABLE clause; undefined when what it does is not a matter of presence. */
function alterClause(c: Cursor, table: readonly string[]): StatementEffects | undefined {
  const named = (kind: 'column' | 'index' | 'foreignKey' | 'check' | 'constraint', name: string | undefined, after: boolean): StatementEffects | undefined => {
    if (name === undefined) return undefined
    const ref: ObjectRef = { kind, table, name }
    return after ? { present: [ref], absent: [] } : { present: [], absent: [ref] }
  }
  if (c.accept('ADD')) {
    if (c.accept('COLUMN')) {
      c.acceptAll('IF', 'NOT', 'EXISTS')
      return c.isSymbol('(') ? undefined : named('column', c.ident(), true)
    }
    if (c.accept('INDEX') || c.accept('KEY')) return named('index', keyName(c), true)
    if (c.accept('UNIQUE') || c.accept('FULLTEXT') || c.accept('SPATIAL')) {
      if (!c.accept('INDEX')) c.accept('KEY')
      return named('index', keyName(c), true)
    }
    if (c.accept('PRIMARY')) return c.accept('KEY') ? { present: [{ kind: 'primaryKey', table }], absent: [] } : undefined
    if (c.accept('CONSTRAINT')) {
      c.acceptAll('IF', 'NOT', 'EXISTS')
      const constraint = c.isWord('PRIMARY', 'UNIQUE', 'FOREIGN', 'CHECK') ? undefined : c.ident()
      if (c.accept('PRIMARY')) return c.accept('KEY') ? { present: [{ kind: 'primaryKey', table }], absent: [] } : undefined
      if (c.accept('UNIQUE')) {
        if (!c.accept('INDEX')) c.accept('KEY')
        return named('index', keyName(c) ?? constraint, true)
      }
      if (c.accept('FOREIGN')) return named('foreignKey', constraint, true)
      return c.accept('CHECK') ? named('check', constraint, true) : undefined
    }
    if (c.isWord('FOREIGN', 'CHECK', 'PARTITION', 'PERIOD', 'SYSTEM', 'IF') || c.isSymbol('(')) return undefined
    return named('column', c.ident(), true)
  }
  if (c.accept('DROP')) {
    if (c.accept('COLUMN')) {
      c.acceptAll('IF', 'EXISTS')
      return named('column', c.ident(), false)
    }
    if (c.accept('INDEX') || c.accept('KEY')) {
      c.acceptAll('IF', 'EXISTS')
      return named('index', c.ident(), false)
    }
    if (c.accept('PRIMARY')) return c.accept('KEY') ? { present: [], absent: [{ kind: 'primaryKey', table }] } : undefined
    if (c.accept('FOREIGN')) {
      if (!c.accept('KEY')) return undefined
      c.acceptAll('IF', 'EXISTS')
      return named('foreignKey', c.ident(), false)
    }
    if (c.accept('CHECK')) return named('check', c.ident(), false)
    if (c.accept('CONSTRAINT')) {
      c.acceptAll('IF', 'EXISTS')
      return named('constraint', c.ident(), false)
    }
    if (c.isWord('PARTITION', 'PERIOD', 'SYSTEM', 'IF', 'DEFAULT')) return undefined
    return named('column', c.ident(), false)
  }
  if (c.accept('CHANGE')) {
    c.accept('COLUMN')
    c.acceptAll('IF', 'EXISTS')
    return renamed('column', table, c.ident(), c.ident())
  }
  if (c.accept('RENAME')) {
    const kind = c.accept('COLUMN') ? 'column' : c.accept('INDEX') || c.accept('KEY') ? 'index' : undefined
    if (kind === undefined) return undefined
    const from = c.ident()
    return renamed(kind, table, from, c.accept('TO') ? c.ident() : undefined)
  }
  return undefined
}

/** A column or index renamed from `from` to `to`; a CHANGE that keeps the name changes only the definition. */
function renamed(kind: 'column' | 'index', table: readonly string[], from: string | undefined, to: string | undefined): StatementEffects | undefined {
  if (from === undefined || to === undefined || from.toLowerCase() === to.toLowerCase()) return undefined
  return { present: [{ kind, table, name: to }], absent: [{ kind, table, name: from }] }
}

/** The name given after INDEX/KEY, or undefined for an unnamed one (its name is generated). */
function keyName(c: Cursor): string | undefined {
  c.acceptAll('IF', 'NOT', 'EXISTS')
  return c.isWord('USING') || c.isSymbol('(') ? undefined : c.ident()
}

/** `a TO b [, c TO d] …`: the names that end up present and those that end up gone. */
function renameTables(c: Cursor): StatementEffects | undefined {
  const pairs: { from: readonly string[]; to: readonly string[] }[] = []
  do {
    const from = c.name()
    const to = c.accept('TO') ? c.name() : undefined
    if (from === undefined || to === undefined) return undefined
    pairs.push({ from, to })
  } while (c.acceptSymbol(','))
  if (!c.atEnd()) return undefined
  const key = (name: readonly string[]): string => name.join('.')
  const sources = new Set(pairs.map((p) => key(p.from)))
  const targets = new Set(pairs.map((p) => key(p.to)))
  // A swap through a temporary name ends with the same names present: not a matter of presence.
  return {
    present: pairs.filter((p) => !sources.has(key(p.to))).map((p) => ({ kind: 'table', name: p.to })),
    absent: pairs.filter((p) => !targets.has(key(p.from))).map((p) => ({ kind: 'table', name: p.from })),
  }
}

/** Whether `ref` is in `schema`; undefined when that cannot be told (another database, a name that differs only in case). */
function isThere(ref: ObjectRef, schema: Schema, database: string): boolean | undefined {
  switch (ref.kind) {
    case 'table':
    case 'view':
    case 'trigger':
    case 'event': {
      const local = localName(ref.name, database)
      if (local === undefined) return undefined
      if (ref.kind === 'view') return lookup(schema.views.map((v) => v.name), local)
      if (ref.kind === 'trigger' || ref.kind === 'event') return lookup(schema.objects.filter((o) => o.kind === ref.kind).map((o) => o.name), local)
      // Tables, views and sequences share one namespace.
      const sequences = schema.objects.filter((o) => o.kind === 'sequence').map((o) => o.name)
      return lookup([...schema.tables.map((t) => t.name), ...schema.views.map((v) => v.name), ...sequences], local)
    }
    default: {
      const local = localName(ref.table, database)
      if (local === undefined) return undefined
      const tableThere = lookup(schema.tables.map((t) => t.name), local)
      if (tableThere !== true) return tableThere
      const table = schema.tables.find((t) => t.name === local)!
      if (ref.kind === 'primaryKey') return table.primaryKey !== undefined
      return partNames(table, ref.kind).includes(ref.name.toLowerCase())
    }
  }
}

/** The lower-cased names of one kind of a table's parts (the server compares them without case). */
function partNames(table: Table, kind: 'column' | 'index' | 'foreignKey' | 'check' | 'constraint'): string[] {
  const columns = table.columns.map((c) => c.name)
  const indexes = [...table.indexes.map((i) => i.name), ...table.uniques.flatMap((u) => (u.name === undefined ? [] : [u.name]))]
  const foreignKeys = table.foreignKeys.flatMap((f) => (f.name === undefined ? [] : [f.name]))
  const checks = table.checks.flatMap((c) => (c.name === undefined ? [] : [c.name]))
  const chosen = kind === 'column' ? columns : kind === 'index' ? indexes : kind === 'foreignKey' ? foreignKeys : kind === 'check' ? checks : [...indexes, ...foreignKeys, ...checks]
  return chosen.map((name) => name.toLowerCase())
}

/** The unqualified name, when `name` is in `database`. */
function localName(name: readonly string[], database: string): string | undefined {
  if (name.length === 1) return name[0]
  return name[0] === database ? name[1] : undefined
}

/**
 * Exact presence of a table-level name. A name found only with other letter case is undefined:
 * whether the server folds table names (lower_case_table_names) is not known here.
 */
function lookup(names: readonly string[], name: string): boolean | undefined {
  if (names.includes(name)) return true
  return names.some((n) => n.toLowerCase() === name.toLowerCase()) ? undefined : false
}
