import type { Schema } from '../schema/model.js'

const IDENT = String.raw`(?:"(?:[^"]|"")+"|\x60(?:[^\x60]|\x60\x60)+\x60|\[[^\]]+\]|[A-Za-z_][\w$]*)`
const NAME = String.raw`((?:${IDENT}\s*\.\s*)?${IDENT})`
const RENAME_COLUMN = new RegExp(String.raw`^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?${NAME}\s+RENAME\s+(?:COLUMN\s+)?(${IDENT})\s+TO\s+(${IDENT})\s*;?\s*$`, 'i')
const RENAME_TABLE = new RegExp(String.raw`^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?${NAME}\s+RENAME\s+TO\s+${NAME}\s*;?\s*$`, 'i')
const RENAME_TABLE_MYSQL = new RegExp(String.raw`^\s*RENAME\s+TABLE\s+${NAME}\s+TO\s+${NAME}\s*;?\s*$`, 'i')
const ALTER_TABLE = new RegExp(String.raw`^\s*ALTER\s+TABLE\s+${NAME}\s+([\s\S]*)$`, 'i')
/** MySQL clauses of one ALTER TABLE, which may list several: `DROP COLUMN n, CHANGE COLUMN n__new n …`. */
const CHANGE_CLAUSE = new RegExp(String.raw`(?:^|,)\s*(?:CHANGE\s+(?:COLUMN\s+)?(${IDENT})\s+(${IDENT})\s|RENAME\s+COLUMN\s+(${IDENT})\s+TO\s+(${IDENT}))`, 'gi')
const COPY = new RegExp(String.raw`^\s*INSERT\s+INTO\s+${NAME}\s*\(([^)]*)\)\s*SELECT\s+([\s\S]+?)\s+FROM\s+${NAME}\s*;?\s*$`, 'i')
const PLAIN = new RegExp(String.raw`^\s*${IDENT}\s*$`)

/**
 * Marks in `after` the renames the statements spell out (`ALTER TABLE … RENAME [COLUMN] a TO b`,
 * MySQL `ALTER TABLE … CHANGE [COLUMN] a b …` (also as one clause among several), `ALTER TABLE a RENAME TO b`, `RENAME TABLE a TO b`,
 * and a table rebuild's `INSERT INTO copy (b, …) SELECT a, … FROM t`, which carries column a's
 * values into b) as `renamedFrom`, so diffing the schemas before and after a file reports a rename
 * (BC101/BC102) instead of a drop and an add (DS101/DS102) that would count as data lost.
 */
export function withDeclaredRenames(after: Schema, statements: readonly string[]): Schema {
  const tables = new Map<string, string>()
  const columns = new Map<string, Map<string, string>>()
  for (const raw of statements) {
    const sql = raw.replace(/^\s*(--[^\n]*\n\s*)+/, '')
    const table = RENAME_TABLE.exec(sql) ?? RENAME_TABLE_MYSQL.exec(sql)
    if (table !== null) {
      tables.set(last(table[2]!), last(table[1]!))
      continue
    }
    const rename = (owner: string, from: string, to: string): void => {
      if (from.toLowerCase() === to.toLowerCase()) return
      const map = columns.get(owner) ?? new Map<string, string>()
      map.set(to, from)
      columns.set(owner, map)
    }
    const column = RENAME_COLUMN.exec(sql)
    if (column !== null) {
      rename(last(column[1]!), unquote(column[2]!), unquote(column[3]!))
      continue
    }
    const alter = ALTER_TABLE.exec(sql)
    if (alter !== null) {
      // String literals (a DEFAULT) are blanked first: their text is never a clause.
      for (const clause of alter[2]!.replace(/'(?:[^'\\]|\\.|'')*'/g, "''").matchAll(CHANGE_CLAUSE)) {
        rename(last(alter[1]!), unquote(clause[1] ?? clause[3]!), unquote(clause[2] ?? clause[4]!))
      }
      continue
    }
    const copy = COPY.exec(sql)
    if (copy !== null) {
      // The copy is renamed to the source's name at the end of the rebuild.
      const targets = copy[2]!.split(',')
      const values = copy[3]!.split(',')
      if (targets.length !== values.length || !values.every((v) => PLAIN.test(v))) continue
      targets.forEach((target, i) => rename(last(copy[4]!), unquote(values[i]!), unquote(target)))
    }
  }
  if (tables.size === 0 && columns.size === 0) return after
  return {
    ...after,
    tables: after.tables.map((t) => {
      const from = tables.get(t.name)
      const renamed = columns.get(t.name) ?? columns.get(from ?? '')
      return {
        ...t,
        ...(from === undefined ? {} : { renamedFrom: from }),
        columns: renamed === undefined ? t.columns : t.columns.map((c) => (renamed.has(c.name) ? { ...c, renamedFrom: renamed.get(c.name) } : c)),
      }
    }),
  }
}

function last(name: string): string {
  const parts = name.match(new RegExp(IDENT, 'g')) ?? [name]
  return unquote(parts.at(-1) ?? name)
}

function unquote(ident: string): string {
  const t = ident.trim()
  if (t.startsWith('"')) return t.slice(1, -1).replace(/""/g, '"')
  if (t.startsWith('`')) return t.slice(1, -1).replace(/``/g, '`')
  if (t.startsWith('[')) return t.slice(1, -1)
  return t
}
