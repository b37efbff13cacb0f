import { isSignificant, tokenize } from './tokenize.js'
import type { Token } from './tokenize.js'

export interface SplitStatement {
  readonly sql: string
  /** 1-based line of the statement's first token. */
  readonly line: number
}

/**
 * Splits a SQLite script into statements. Semicolons inside quotes, comments and the BEGIN … END
 * body of CREATE TRIGGER (where CASE … END may nest) do not end a statement. Each statement runs
 * from its first to its last significant token, so leading comments and the trailing semicolon are
 * not part of it; chunks holding only comments or whitespace are dropped. CRLF input keeps its
 * line endings inside statements; line numbers count LF.
 */
export function splitStatements(sql: string): SplitStatement[] {
  const tokens = tokenize(sql)
  const out: SplitStatement[] = []
  let current: Token[] = []
  // Inside a trigger body: the number of CASE … END still open, or -1 outside any body.
  let caseDepth = -1

  const flush = () => {
    const first = current[0]
    const last = current[current.length - 1]
    if (first !== undefined && last !== undefined) {
      out.push({ sql: sql.slice(first.start, last.end), line: lineOf(sql, first.start) })
    }
    current = []
    caseDepth = -1
  }

  for (const token of tokens) {
    if (!isSignificant(token)) continue
    const word = token.kind === 'word' ? token.text.toUpperCase() : ''
    if (token.text === ';' && caseDepth < 0) {
      flush()
      continue
    }
    current.push(token)
    if (caseDepth < 0) {
      if (word === 'BEGIN' && isCreateTrigger(current)) caseDepth = 0
    } else if (word === 'CASE') {
      caseDepth++
    } else if (word === 'END') {
      caseDepth = caseDepth > 0 ? caseDepth - 1 : -1
    }
  }
  flush()
  return out
}

/** `CREATE [TEMP|TEMPORARY] TRIGGER …` */
function isCreateTrigger(tokens: readonly Token[]): boolean {
  const words = tokens.slice(0, 3).map((t) => (t.kind === 'word' ? t.text.toUpperCase() : ''))
  if (words[0] !== 'CREATE') return false
  return words[1] === 'TRIGGER' || ((words[1] === 'TEMP' || words[1] === 'TEMPORARY') && words[2] === 'TRIGGER')
}

function lineOf(sql: string, offset: number): number {
  let line = 1
  for (let i = sql.indexOf('\n'); i >= 0 && i < offset; i = sql.indexOf('\n', i + 1)) line++
  return line
}
