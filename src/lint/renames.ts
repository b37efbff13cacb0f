import type { Schema } from '../schema/model.js'

const IDENT = String.raw`(?:"(?:[^"]|"")+"|\x60(?:[^\x60]|\x60\x60)+\x60|\[[^\]]+\]|[A-Za-z_][\w$]*)`
const NAME = String.raw`((?:${IDENT}\s*\.\s*)?${IDENT})`
const RENAME_COLUMN = new RegExp(String.raw`^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?${NAME}\s+RENAME\s+(?:COLUMN\s+)?(${IDENT})\s+TO\s+(${IDENT})\s*;?\s*$`, 'i')
const RENAME_TABLE = new RegExp(String.raw`^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?${NAME}\s+RENAME\s+TO\s+${NAME}\s*;?\s*$`, 'i')
const RENAME_TABLE_MYSQL = new RegExp(String.raw`^\s*RENAME\s+TABLE\s+${NAME}\s+TO\s+${NAME}\s*;?\s*$`, 'i')

/**
 * Marks in `after` the renames the statements spell out (`ALTER TABLE … RENAME [COLUMN] a TO b`,
 * `ALTER TABLE a RENAME TO b`, `RENAME TABLE a TO b`) as `renamedFrom`, so diffing the schemas
 * before and after a file reports a rename (BC101/BC102) instead of a drop and an add (DS101/DS102).
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
    const column = RENAME_COLUMN.exec(sql)
    if (column !== null) {
      const owner = last(column[1]!)
      const map = columns.get(owner) ?? new Map<string, string>()
      map.set(unquote(column[3]!), unquote(column[2]!))
      columns.set(owner, map)
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
