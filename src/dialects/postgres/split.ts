/**
 * Splits a PostgreSQL script into statements. Understands dollar quotes (`$$`, `$tag$`), string
 * literals with `''` escapes, `E'…'` literals with backslash escapes, quoted identifiers, `--` line
 * comments and nested block comments. Each statement keeps its text without the trailing `;`;
 * `line` is the 1-based line of its first non-blank, non-comment character. Chunks that hold only
 * whitespace and comments are dropped.
 */
export function splitStatements(sql: string): { readonly sql: string; readonly line: number }[] {
  const out: { sql: string; line: number }[] = []
  let line = 1
  // Line and offset of the first significant character of the statement being read.
  let firstAt = -1
  let firstLine = 1
  let i = 0
  const n = sql.length

  const mark = (): void => {
    if (firstAt < 0) {
      firstAt = i
      firstLine = line
    }
  }
  const flush = (end: number): void => {
    if (firstAt >= 0) {
      const text = sql.slice(firstAt, end).trim()
      if (text !== '') out.push({ sql: text, line: firstLine })
    }
    firstAt = -1
  }

  while (i < n) {
    const ch = sql[i]!
    const next = sql[i + 1]
    if (ch === '\n') {
      line++
      i++
    } else if (ch === '-' && next === '-') {
      while (i < n && sql[i] !== '\n') i++
    } else if (ch === '/' && next === '*') {
      let depth = 1
      i += 2
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++
          i += 2
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--
          i += 2
        } else {
          if (sql[i] === '\n') line++
          i++
        }
      }
    } else if (ch === "'" || ch === '"') {
      mark()
      // E'…' strings treat backslash as an escape; the E was already consumed as a word character.
      const backslashes = ch === "'" && i > 0 && /[eE]/.test(sql[i - 1]!) && !/[\w$]/.test(sql[i - 2] ?? ' ')
      i++
      while (i < n) {
        const c = sql[i]!
        if (c === '\n') line++
        if (backslashes && c === '\\') {
          if (sql[i + 1] === '\n') line++
          i += 2
          continue
        }
        if (c === ch) {
          if (sql[i + 1] === ch) {
            i += 2
            continue
          }
          i++
          break
        }
        i++
      }
    } else if (ch === '$' && !/[\w$]/.test(sql[i - 1] ?? ' ')) {
      const tag = /^\$([A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(sql.slice(i, i + 64))
      if (tag === null) {
        mark()
        i++
        continue
      }
      mark()
      const close = sql.indexOf(tag[0], i + tag[0].length)
      const end = close < 0 ? n : close + tag[0].length
      for (let k = i; k < end; k++) if (sql[k] === '\n') line++
      i = end
    } else if (ch === ';') {
      flush(i)
      i++
    } else {
      if (!/\s/.test(ch)) mark()
      i++
    }
  }
  flush(n)
  return out
}
