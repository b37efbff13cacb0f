import { identValue, tokenize } from './tokenize.js'
import { quoteString } from './quote.js'

/**
 * better-sqlite3 is compiled with SQLITE_DQS=0, so a double-quoted string literal such as
 * `json_extract(x, "$.a")` is an error, while the sqlite3 shell before 3.41 and most other builds
 * accept it in DDL: SQLite's legacy rule is that a double-quoted name that resolves to no column is
 * a string. Schema files written for those builds (the Temporal schema is one) must still apply.
 *
 * When SQLite reports the error it raises for exactly this case, this returns `sql` with every
 * `"<name>"` token replaced by the equivalent single-quoted string, the rewrite SQLite would have
 * made itself; otherwise undefined.
 */
export function rewriteDoubleQuotedString(sql: string, error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : ''
  const match = /^no such column: "(.*)" - should this be a string literal in single-quotes\?$/s.exec(message)
  if (match === null) return undefined
  const name = match[1]!
  let changed = false
  const out = tokenize(sql)
    .map((t) => {
      if (t.kind === 'ident' && t.text.startsWith('"') && identValue(t) === name) {
        changed = true
        return quoteString(name)
      }
      return t.text
    })
    .join('')
  return changed ? out : undefined
}

/** True for the statements the legacy rule applied to by default: schema definitions. */
export function isDdl(sql: string): boolean {
  return /^\s*CREATE\b/i.test(sql)
}
