import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'

/** What a mysqldump / mariadb-dump file holds, read in one pass. */
export interface DumpContents {
  /** Each table it creates (name unquoted), with the rows its INSERT statements hold. */
  readonly tables: ReadonlyMap<string, number>
  /** The views it creates. */
  readonly views: ReadonlySet<string>
  /** It ends with the tool's `-- Dump completed` line: it was not cut short. */
  readonly complete: boolean
  /**
   * Its statements without the data (INSERTs, table locks, key toggles), comments and blank lines:
   * what a `--no-data` dump of the same database prints, to compare schemas by.
   */
  readonly schema: string
}

const CREATE_TABLE = /^CREATE TABLE `((?:[^`]|``)+)` \($/
const VIEW = /^\/\*!50001 VIEW `((?:[^`]|``)+)` AS /
const INSERT = /^INSERT INTO `((?:[^`]|``)+)` VALUES/
const DATA_LINE = /^(LOCK TABLES |UNLOCK TABLES;|\/\*!40000 ALTER TABLE `(?:[^`]|``)+` (DISABLE|ENABLE) KEYS \*\/;)/

/**
 * Reads a dump written by mysqldump/mariadb-dump (with the comments they write by default). Rows
 * are counted per table as the tuples of its extended INSERTs: `(` at nesting depth 0 outside
 * string literals, whose `\`-escapes the tools always write.
 */
export async function readDump(file: string): Promise<DumpContents> {
  const tables = new Map<string, number>()
  const views = new Set<string>()
  const schema: string[] = []
  let last = ''
  let insert: InsertScanner | undefined
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (line.trim() !== '') last = line
    if (insert !== undefined) {
      if (insert.scan(line)) insert = undefined
      continue
    }
    const rows = INSERT.exec(line)
    if (rows !== null) {
      const table = unquote(rows[1]!)
      const scanner = new InsertScanner((n) => tables.set(table, (tables.get(table) ?? 0) + n))
      if (!scanner.scan(line.slice(rows[0].length))) insert = scanner
      continue
    }
    const created = CREATE_TABLE.exec(line)
    if (created !== null && !tables.has(unquote(created[1]!))) tables.set(unquote(created[1]!), 0)
    const view = VIEW.exec(line)
    if (view !== null) views.add(unquote(view[1]!))
    if (line.trim() !== '' && !line.startsWith('--') && !DATA_LINE.test(line)) schema.push(line)
  }
  return { tables, views, complete: last.startsWith('-- Dump completed'), schema: schema.join('\n') }
}

function unquote(name: string): string {
  return name.replace(/``/g, '`')
}

/** Counts the row tuples of one INSERT … VALUES statement, line by line; `scan` is true at its end. */
class InsertScanner {
  private depth = 0
  private quote: string | undefined
  private escaped = false

  constructor(private readonly rows: (n: number) => void) {}

  scan(text: string): boolean {
    let found = 0
    for (const ch of text) {
      if (this.quote !== undefined) {
        if (this.escaped) this.escaped = false
        else if (ch === '\\') this.escaped = true
        else if (ch === this.quote) this.quote = undefined
      } else if (ch === "'" || ch === '"') this.quote = ch
      else if (ch === '(') {
        if (this.depth === 0) found++
        this.depth++
      } else if (ch === ')') this.depth--
      else if (ch === ';' && this.depth === 0) {
        this.rows(found)
        return true
      }
    }
    this.rows(found)
    return false
  }
}
