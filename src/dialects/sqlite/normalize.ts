/**
 * The SQLite normal form of declared types and defaults, shared by the inspector (which produces
 * it) and the planner (which writes it back so a second inspection reads the same text).
 */

/** `DECIMAL(20,  5)` → `decimal(20,5)`; `double  precision` → `double precision`. */
export function normalizeType(declared: string): string {
  return declared
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/\s*([(),])\s*/g, '$1')
    .trim()
}

const KEYWORD_LITERALS = new Set(['NULL', 'TRUE', 'FALSE', 'CURRENT_TIME', 'CURRENT_DATE', 'CURRENT_TIMESTAMP'])

/**
 * A default as SQLite stores it (the declared text), or undefined for none / `DEFAULT NULL`. Keyword
 * values are upper case: SQLite keeps `current_timestamp` as written, yet it is the same default.
 */
export function normalizeDefault(stored: string | null): string | undefined {
  if (stored === null || /^null$/i.test(stored)) return undefined
  return KEYWORD_LITERALS.has(stored.toUpperCase()) ? stored.toUpperCase() : stored
}

/** A default SQLite accepts without parentheses: a literal, a signed number or a keyword value. */
export function isLiteralDefault(text: string): boolean {
  return (
    isConstantLiteral(text) ||
    KEYWORD_LITERALS.has(text.toUpperCase())
  )
}

/**
 * A default ALTER TABLE ADD COLUMN accepts: a constant, not CURRENT_* and not a parenthesized
 * expression (https://www.sqlite.org/lang_altertable.html#altertabaddcol).
 */
export function isConstantLiteral(text: string): boolean {
  return (
    /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(text) ||
    /^[+-]?0x[0-9a-f]+$/i.test(text) ||
    /^'(?:[^']|'')*'$/.test(text) ||
    /^"(?:[^"]|"")*"$/.test(text) ||
    /^x'[0-9a-f]*'$/i.test(text) ||
    /^(null|true|false)$/i.test(text)
  )
}

/** The DEFAULT clause value for a normalized default: expressions get their parentheses back. */
export function renderDefault(text: string): string {
  return isLiteralDefault(text) ? text : `(${text})`
}
