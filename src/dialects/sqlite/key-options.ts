import type { Options } from '../../schema/model.js'
import type { ParsedConstraint } from './parse.js'
import { quoteIdent } from './quote.js'

/**
 * The SQLite clauses of a PRIMARY KEY or UNIQUE constraint that the neutral model keeps in
 * `options`, so a table rebuild writes them back and a change to one is a diff:
 * - `onConflict`: the ON CONFLICT algorithm (absent: ABORT, the default);
 * - `order`: `ASC`/`DESC` per column, comma-separated, present only when some column is DESC;
 * - `collations`: the COLLATE per column (empty for none), present only when some column has one;
 * - `columnConstraint` (primary keys): declared on its column with DESC (`id INTEGER PRIMARY KEY
 *   DESC`), which SQLite does not make the rowid, unlike the table constraint `PRIMARY KEY (id DESC)`.
 */
export function keyOptions(parsed: ParsedConstraint | undefined, primaryKey: boolean): Options | undefined {
  if (parsed === undefined) return undefined
  const options: Record<string, string | boolean> = {}
  const desc = parsed.parts.some((p) => p.desc)
  if (parsed.onConflict !== undefined) options.onConflict = parsed.onConflict
  if (desc) options.order = parsed.parts.map((p) => (p.desc ? 'DESC' : 'ASC')).join(',')
  if (parsed.parts.some((p) => p.collation !== undefined)) options.collations = parsed.parts.map((p) => p.collation ?? '').join(',')
  if (primaryKey && desc && parsed.columnConstraint) options.columnConstraint = true
  return Object.keys(options).length === 0 ? undefined : options
}

/** `"a" COLLATE "NOCASE" DESC, "b"`: a key's column list with the clauses `options` keeps. */
export function keyColumnsSql(columns: readonly string[], options: Options | undefined): string {
  const order = typeof options?.order === 'string' ? options.order.split(',') : []
  const collations = typeof options?.collations === 'string' ? options.collations.split(',') : []
  return columns
    .map((name, i) => {
      let sql = quoteIdent(name)
      if (collations[i] !== undefined && collations[i] !== '') sql += ` COLLATE ${quoteIdent(collations[i]!)}`
      if (order[i] === 'DESC') sql += ' DESC'
      return sql
    })
    .join(', ')
}

/** ` ON CONFLICT x` when `options` keep an algorithm, else ''. */
export function conflictSql(options: Options | undefined): string {
  return typeof options?.onConflict === 'string' ? ` ON CONFLICT ${options.onConflict}` : ''
}
