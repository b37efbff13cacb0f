/** Quotes an identifier for SQLite: `a"b` → `"a""b"`. Any name round-trips. */
export function quoteIdent(name: string): string {
  return `"${name.split('"').join('""')}"`
}

/** Quotes a string literal: `it's` → `'it''s'`. */
export function quoteString(value: string): string {
  return `'${value.split("'").join("''")}'`
}
