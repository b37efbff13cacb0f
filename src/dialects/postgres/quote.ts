/** Quotes a PostgreSQL identifier, doubling embedded double quotes: `a"b` → `"a""b"`. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

/** Quotes a string literal, doubling embedded single quotes (standard_conforming_strings is on since 9.1). */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`
}

/** `"schema"."name"`, or `"name"` when no schema is known. */
export function qualify(item: { readonly schema?: string; readonly name: string }): string {
  return item.schema === undefined ? quoteIdent(item.name) : `${quoteIdent(item.schema)}.${quoteIdent(item.name)}`
}
