/** One token of a MySQL statement: a word (keyword or bare name), a `quoted` name, a string, a number or one symbol. */
export interface Token {
  readonly kind: 'word' | 'quoted' | 'string' | 'number' | 'symbol'
  /** Words as written; quoted names and strings without their quotes, escapes resolved. */
  readonly text: string
}

/**
 * Tokenizes one statement (as splitStatements returns it). Comments are skipped; returns undefined
 * when the text holds an executable comment (`/*!…*\/`), whose content the server may or may not
 * run, so no reading of the statement can be trusted. Double quotes delimit strings, as they do
 * unless the server runs with ANSI_QUOTES.
 */
export function tokenize(sql: string): Token[] | undefined {
  const tokens: Token[] = []
  let i = 0
  while (i < sql.length) {
    const ch = sql[i] as string
    if (/\s/.test(ch)) {
      i++
    } else if (ch === '#' || (sql.startsWith('--', i) && /\s/.test(sql[i + 2] ?? '\n'))) {
      while (i < sql.length && sql[i] !== '\n') i++
    } else if (sql.startsWith('/*', i)) {
      if (sql[i + 2] === '!') return undefined
      const end = sql.indexOf('*/', i + 2)
      i = end < 0 ? sql.length : end + 2
    } else if (ch === '`' || ch === "'" || ch === '"') {
      const { text, end } = quoted(sql, i, ch)
      tokens.push({ kind: ch === '`' ? 'quoted' : 'string', text })
      i = end
    } else if (/[\p{L}\p{N}_$]/u.test(ch)) {
      const word = /^[\p{L}\p{N}_$]+/u.exec(sql.slice(i))![0]
      tokens.push({ kind: /^\d+$/.test(word) ? 'number' : 'word', text: word })
      i += word.length
    } else {
      tokens.push({ kind: 'symbol', text: ch })
      i++
    }
  }
  return tokens
}

/** The quoted text starting at `at` (backslash escapes in strings, doubled quotes everywhere). */
function quoted(sql: string, at: number, quote: string): { text: string; end: number } {
  let text = ''
  let i = at + 1
  while (i < sql.length) {
    const ch = sql[i] as string
    if (ch === '\\' && quote !== '`') {
      text += sql[i + 1] ?? ''
      i += 2
    } else if (ch === quote && sql[i + 1] === quote) {
      text += quote
      i += 2
    } else if (ch === quote) {
      return { text, end: i + 1 }
    } else {
      text += ch
      i++
    }
  }
  return { text, end: i }
}
