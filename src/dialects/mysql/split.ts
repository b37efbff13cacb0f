/**
 * Splits a MySQL script into statements the way the `mysql` client does: quotes ('…' "…" `…`, with
 * backslash escapes in strings), comments (`-- ` needs a following space, `#`, `/* … *\/`), the
 * client-side `DELIMITER` command, and BEGIN…END bodies of triggers and routines written without
 * one. Each statement comes without its delimiter and without leading comments; `line` is the
 * 1-based line where it starts. Empty and comment-only chunks are dropped; `/*!…*\/` executable
 * comments count as statements.
 */
export function splitStatements(script: string): { sql: string; line: number }[] {
  const out: { sql: string; line: number }[] = []
  let delimiter = ';'
  let start = 0 // offset where the current chunk starts
  let depth = 0 // BEGIN/CASE nesting, only tracked for compound statements under the ';' delimiter
  let i = 0
  const n = script.length

  const flush = (end: number): void => {
    const chunk = script.slice(start, end)
    const lead = skipLeadingNoise(chunk)
    const sql = chunk.slice(lead).trim()
    if (sql !== '') {
      const startLine = lineAt(script, start + lead)
      out.push({ sql, line: startLine })
    }
    depth = 0
  }

  let atLineStart = true
  while (i < n) {
    const ch = script[i] as string
    if (atLineStart) {
      // DELIMITER is a client command: only at the start of a line, between statements.
      const rest = script.slice(i)
      const m = /^[ \t]*delimiter[ \t]+(\S+)[^\n]*(\n|$)/i.exec(rest)
      if (m && skipLeadingNoise(script.slice(start, i)) === i - start) {
        delimiter = m[1] as string
        i += m[0].length
        start = i
        continue
      }
      atLineStart = false
    }
    if (ch === '\n') {
      atLineStart = true
      i++
      continue
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      i = skipQuoted(script, i, ch)
      continue
    }
    if (ch === '#' || (ch === '-' && script[i + 1] === '-' && /[\s]/.test(script[i + 2] ?? '\n'))) {
      while (i < n && script[i] !== '\n') i++
      continue
    }
    if (ch === '/' && script[i + 1] === '*') {
      const end = script.indexOf('*/', i + 2)
      i = end < 0 ? n : end + 2
      continue
    }
    if (delimiter === ';' && /[a-z]/i.test(ch) && !/[\w$]/.test(script[i - 1] ?? ' ')) {
      const word = /^[a-z_]+/i.exec(script.slice(i, i + 12))?.[0]?.toUpperCase() ?? ''
      if ((word === 'BEGIN' || word === 'CASE') && isCompound(script.slice(start, i))) {
        if (word === 'CASE' || !/^BEGIN\s*(WORK\b|;)/i.test(script.slice(i, i + 12))) depth++
      } else if (word === 'END' && depth > 0) {
        const next = /^END\s+([a-z]+)/i.exec(script.slice(i, i + 20))?.[1]?.toUpperCase()
        if (next !== 'IF' && next !== 'LOOP' && next !== 'REPEAT' && next !== 'WHILE') depth--
      }
      i += Math.max(word.length, 1)
      continue
    }
    if (script.startsWith(delimiter, i) && depth === 0) {
      flush(i)
      i += delimiter.length
      start = i
      continue
    }
    i++
  }
  flush(n)
  return out
}

/**
 * A CREATE TRIGGER/PROCEDURE/FUNCTION/EVENT or an ALTER EVENT (which may set a new body), whose
 * body may hold `;` inside BEGIN…END.
 */
function isCompound(prefix: string): boolean {
  const text = prefix.slice(skipLeadingNoise(prefix))
  return (
    /^create\s+(definer\s*=\s*\S+\s+)?(or\s+replace\s+)?(definer\s*=\s*\S+\s+)?(aggregate\s+)?(trigger|procedure|function|event)\b/i.test(text) ||
    /^alter\s+(definer\s*=\s*\S+\s+)?event\b/i.test(text)
  )
}

function skipQuoted(text: string, at: number, quote: string): number {
  let i = at + 1
  while (i < text.length) {
    const ch = text[i]
    if (ch === '\\' && quote !== '`') {
      i += 2
      continue
    }
    if (ch === quote) {
      if (text[i + 1] === quote) {
        i += 2
        continue
      }
      return i + 1
    }
    i++
  }
  return text.length
}

/** Length of the leading whitespace and comments of `chunk` (executable `/*!` comments are content). */
function skipLeadingNoise(chunk: string): number {
  let i = 0
  for (;;) {
    while (i < chunk.length && /\s/.test(chunk[i] as string)) i++
    if (chunk[i] === '#' || (chunk.startsWith('--', i) && /\s/.test(chunk[i + 2] ?? '\n'))) {
      while (i < chunk.length && chunk[i] !== '\n') i++
      continue
    }
    if (chunk.startsWith('/*', i) && chunk[i + 2] !== '!') {
      const end = chunk.indexOf('*/', i + 2)
      i = end < 0 ? chunk.length : end + 2
      continue
    }
    return i
  }
}

function lineAt(text: string, offset: number): number {
  let line = 1
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++
  return line
}
