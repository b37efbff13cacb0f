/** Quotes a MySQL identifier with backticks, doubling any backtick inside: a`b → `a``b`. */
export function quoteIdent(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`'
}

/**
 * Quotes a string literal for DDL, where bindings are not allowed (COMMENT '…'). Doubles quotes and
 * escapes backslashes, which MySQL treats as escapes unless NO_BACKSLASH_ESCAPES is set.
 */
export function quoteString(value: string): string {
  return "'" + value.replace(/\\/g, '\\\\').replace(/'/g, "''").replace(/\0/g, '\\0') + "'"
}
