/**
 * Whether a default in a database's normal form is a literal (a string, number, NULL, TRUE/FALSE,
 * CURRENT_TIMESTAMP and its kin) rather than an expression, which SQLite and MySQL want wrapped in
 * parentheses after DEFAULT.
 */
export function isLiteralDefault(expression: string): boolean {
  return /^('(?:[^']|'')*'|[-+]?\d+(\.\d+)?([eE][-+]?\d+)?|NULL|TRUE|FALSE|CURRENT_(TIMESTAMP|DATE|TIME)(\(\d*\))?)$/i.test(expression.trim())
}

/** The items of a SQL list of string literals (`'a', 'it''s'`). */
export function stringLiterals(list: string): string[] {
  return [...list.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!.replace(/''/g, "'"))
}
