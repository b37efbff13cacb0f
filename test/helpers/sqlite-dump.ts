import Database from 'better-sqlite3'

/**
 * A logical dump of a SQLite file: every schema entry's SQL and every row of every table, in a
 * stable order. Two equal dumps mean the same schema, data and history.
 */
export function dumpSqlite(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    const entries = db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name").all() as {
      type: string; name: string; sql: string | null
    }[]
    const lines = entries.map((e) => `${e.type} ${e.name}: ${e.sql ?? ''}`)
    for (const entry of entries.filter((e) => e.type === 'table' && !e.name.startsWith('sqlite_'))) {
      const quoted = `"${entry.name.replace(/"/g, '""')}"`
      for (const row of db.prepare(`SELECT * FROM ${quoted} ORDER BY rowid`).all()) lines.push(`${entry.name} ${JSON.stringify(row)}`)
    }
    return lines.join('\n')
  } finally {
    db.close()
  }
}

/** Runs SQL against a SQLite file directly (outside migrator), e.g. to insert data or edit by hand. */
export function execSqlite(file: string, sql: string): void {
  const db = new Database(file)
  try {
    db.exec(sql)
  } finally {
    db.close()
  }
}

export function querySqlite<Row>(file: string, sql: string): Row[] {
  const db = new Database(file, { readonly: true })
  try {
    return db.prepare(sql).all() as Row[]
  } finally {
    db.close()
  }
}
