/**
 * A lexer for SQLite SQL text, shared by the statement splitter and the DDL parser. It knows the
 * quoting forms SQLite accepts ('string', "ident", `ident`, [ident]) and both comment forms, so
 * semicolons, parentheses and keywords inside them are never mistaken for structure.
 */

export type TokenKind = 'word' | 'ident' | 'string' | 'number' | 'punct' | 'comment' | 'space'

export interface Token {
  readonly kind: TokenKind
  /** The exact source text of the token. */
  readonly text: string
  /** Offset of the first character in the source. */
  readonly start: number
  /** Offset just past the last character. */
  readonly end: number
}

const OPERATORS = ['->>', '->', '||', '<=', '>=', '==', '!=', '<>', '<<', '>>'] as const

// Sticky: each matches at `lastIndex` only, so a token is measured without copying the rest of the text.
const SPACE_RUN = /\s+/y
const NUMBER = /0x[0-9a-f]+|[0-9]*\.?[0-9]+(e[+-]?[0-9]+)?|[0-9]+\./iy
const WORD_RUN = /[A-Za-z0-9_$\u0080-\uffff]+/y

/** End offset of `pattern` matched at `start`, or undefined when it does not match there. */
function matchEnd(pattern: RegExp, sql: string, start: number): number | undefined {
  pattern.lastIndex = start
  return pattern.test(sql) ? pattern.lastIndex : undefined
}

/** Splits `sql` into tokens, whitespace and comments included; unterminated quotes run to the end. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  const n = sql.length
  const push = (kind: TokenKind, end: number) => {
    tokens.push({ kind, text: sql.slice(i, end), start: i, end })
    i = end
  }
  while (i < n) {
    const c = sql[i]!
    const next = sql[i + 1]
    if (/\s/.test(c)) {
      push('space', matchEnd(SPACE_RUN, sql, i) ?? i + 1)
    } else if (c === '-' && next === '-') {
      const nl = sql.indexOf('\n', i)
      push('comment', nl < 0 ? n : nl)
    } else if (c === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2)
      push('comment', close < 0 ? n : close + 2)
    } else if (c === "'" || c === '"' || c === '`') {
      push(c === "'" ? 'string' : 'ident', quotedEnd(sql, i, c))
    } else if (c === '[') {
      const close = sql.indexOf(']', i + 1)
      push('ident', close < 0 ? n : close + 1)
    } else if (/[0-9]/.test(c) || (c === '.' && next !== undefined && /[0-9]/.test(next))) {
      push('number', matchEnd(NUMBER, sql, i) ?? i + 1)
    } else if (/[A-Za-z_$\u0080-\uffff]/.test(c)) {
      push('word', matchEnd(WORD_RUN, sql, i) ?? i + 1)
    } else {
      const op = OPERATORS.find((o) => sql.startsWith(o, i))
      push('punct', i + (op?.length ?? 1))
    }
  }
  return tokens
}

/** End offset of a quoted token starting at `start`; a doubled quote is an escaped quote. */
function quotedEnd(sql: string, start: number, quote: string): number {
  let j = start + 1
  while (j < sql.length) {
    if (sql[j] === quote) {
      if (sql[j + 1] === quote) j += 2
      else return j + 1
    } else j++
  }
  return sql.length
}

/** True for tokens that carry meaning (not whitespace or comments). */
export function isSignificant(token: Token): boolean {
  return token.kind !== 'space' && token.kind !== 'comment'
}

/** The name an identifier token denotes: quotes removed and doubled quotes collapsed. */
export function identValue(token: Token): string {
  const t = token.text
  if (token.kind === 'ident' || token.kind === 'string') {
    const open = t[0]!
    if (open === '[') return t.slice(1, t.endsWith(']') ? -1 : undefined)
    const inner = t.length >= 2 && t.endsWith(open) ? t.slice(1, -1) : t.slice(1)
    return inner.split(open + open).join(open)
  }
  return t
}
