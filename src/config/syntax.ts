/** Where a config file fails to parse, 1-based, and why. */
export interface SyntaxProblem {
  readonly line: number
  readonly column: number
  readonly message: string
}

/**
 * The syntax error of a `.ts`/`.js` config as the module loader (jiti) reports it: its message ends
 * with the file's `path:line:column` on a line of its own. Undefined for any other failure (the
 * file threw, an import is missing).
 */
export function moduleSyntaxError(error: unknown): SyntaxProblem | undefined {
  const text = error instanceof Error ? error.message : String(error)
  const match = /^\s*(?:\w*Error: )?([\s\S]*?)\s*\n\s*\S+:(\d+):(\d+)\s*$/.exec(text)
  if (match === null || !/ParseError|SyntaxError/.test(text)) return undefined
  return { message: match[1]!, line: Number(match[2]), column: Number(match[3]) }
}

/**
 * The first syntax error in JSON text, or undefined when it parses. JSON.parse does not always say
 * where (`Unexpected token 'x'` carries no position), so this scans the text itself.
 */
export function jsonSyntaxError(text: string): SyntaxProblem | undefined {
  let at = 0
  const fail = (message: string): never => {
    throw Object.assign(new Error(message), { at })
  }
  const space = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at]!)) at++
  }
  const expect = (char: string) => {
    if (text[at] !== char) fail(at >= text.length ? `unexpected end of the file, expected "${char}"` : `unexpected ${show(text[at]!)}, expected "${char}"`)
    at++
  }
  const string = () => {
    expect('"')
    while (text[at] !== '"') {
      if (at >= text.length) fail('unterminated string')
      const c = text[at]!
      if (c < ' ') fail('control character in a string (write \\n, \\t, …)')
      if (c === '\\') {
        at++
        if (text[at] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) fail('bad \\u escape')
          at += 4
        } else if (!'"\\/bfnrt'.includes(text[at] ?? '')) fail('bad escape in a string')
      }
      at++
    }
    at++
  }
  const value = (): void => {
    space()
    const c = text[at]
    if (c === '{') {
      at++
      space()
      if (text[at] === '}') return void at++
      for (;;) {
        space()
        if (text[at] !== '"') fail(text[at] === '}' ? 'trailing comma before "}"' : `expected a "quoted" key, got ${show(text[at])}`)
        string()
        space()
        expect(':')
        value()
        space()
        if (text[at] === ',') at++
        else return expect('}')
      }
    }
    if (c === '[') {
      at++
      space()
      if (text[at] === ']') return void at++
      for (;;) {
        value()
        space()
        if (text[at] === ',') {
          at++
          space()
          if (text[at] === ']') fail('trailing comma before "]"')
        } else return expect(']')
      }
    }
    if (c === '"') return string()
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(at))
    if (literal === null) fail(c === undefined ? 'unexpected end of the file' : `unexpected ${show(c)}`)
    at += literal![0].length
  }
  try {
    value()
    space()
    if (at < text.length) fail(`unexpected ${show(text[at]!)} after the value`)
    return undefined
  } catch (error) {
    const before = text.slice(0, at).split('\n')
    return { message: (error as Error).message, line: before.length, column: before.at(-1)!.length + 1 }
  }
}

function show(char: string | undefined): string {
  if (char === undefined) return 'end of the file'
  return char === "'" ? `"'"` : `'${char}'`
}
