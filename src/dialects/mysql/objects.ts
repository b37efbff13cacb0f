import { quoteIdent } from './quote.js'
import { tokenize, type Token } from './tokens.js'

/**
 * The schema objects one MySQL/MariaDB statement (as splitStatements returns it) creates, changes,
 * drops or writes rows of, as sorted keys: `table \`t\`` (tables, views and sequences share one
 * namespace), `column \`t\`.\`c\``, `index \`t\`.\`i\`` (indexes and named constraints, PRIMARY
 * included), `trigger \`x\``, `routine \`x\``, `event \`x\``. Column and index names are lower-cased,
 * as the server compares them; table names are kept as written.
 *
 * Understands CREATE/DROP TABLE, INDEX, VIEW, SEQUENCE, TRIGGER, PROCEDURE, FUNCTION and EVENT,
 * ALTER TABLE (column, index, constraint, rename and table-option clauses), ALTER VIEW, RENAME
 * TABLE, TRUNCATE and single-table INSERT, REPLACE, UPDATE and DELETE. Returns undefined for
 * anything else and for any part it cannot read (an unnamed index or constraint, a multi-table
 * UPDATE, partition clauses, executable comments): callers must then assume nothing. Pure.
 */
export function statementObjects(sql: string): string[] | undefined {
  const tokens = tokenize(sql)
  if (tokens === undefined) return undefined
  const c = new Cursor(tokens)
  let found: string[] | undefined
  switch (c.next()) {
    case 'CREATE':
      found = create(c)
      break
    case 'DROP':
      found = drop(c)
      break
    case 'ALTER':
      found = alter(c)
      break
    case 'RENAME':
      found = c.accept('TABLE') || c.accept('TABLES') ? renameTables(c) : undefined
      break
    case 'TRUNCATE': {
      c.accept('TABLE')
      const table = c.name()
      found = table !== undefined && c.atEnd() ? [tableKey(table)] : undefined
      break
    }
    case 'INSERT':
    case 'REPLACE':
      found = insert(c)
      break
    case 'UPDATE':
      found = update(c)
      break
    case 'DELETE':
      found = deleteFrom(c)
      break
    default:
      found = undefined
  }
  return found === undefined ? undefined : [...new Set(found)].sort()
}

type Name = readonly string[]

function tableKey(name: Name): string {
  return `table ${name.map(quoteIdent).join('.')}`
}

function columnKey(table: Name, column: string): string {
  return `column ${table.map(quoteIdent).join('.')}.${quoteIdent(column.toLowerCase())}`
}

function indexKey(table: Name, index: string): string {
  return `index ${table.map(quoteIdent).join('.')}.${quoteIdent(index.toLowerCase())}`
}

/** CREATE [OR REPLACE] [TEMPORARY] TABLE | [UNIQUE|FULLTEXT|SPATIAL] INDEX | VIEW | TRIGGER | … */
function create(c: Cursor): string[] | undefined {
  c.acceptAll('OR', 'REPLACE')
  c.accept('TEMPORARY')
  if (c.accept('TABLE') || c.accept('SEQUENCE')) {
    c.acceptAll('IF', 'NOT', 'EXISTS')
    const table = c.name()
    return table === undefined ? undefined : [tableKey(table)]
  }
  if (c.accept('UNIQUE') || c.accept('FULLTEXT') || c.accept('SPATIAL')) {
    if (!c.accept('INDEX') && !c.accept('KEY')) return undefined
    return indexOn(c, ['IF', 'NOT', 'EXISTS'])
  }
  if (c.accept('INDEX')) return indexOn(c, ['IF', 'NOT', 'EXISTS'])
  return definedObject(c, true)
}

/** `[IF [NOT] EXISTS] name [USING …] ON table`, after CREATE/DROP INDEX. */
function indexOn(c: Cursor, ifClause: readonly string[]): string[] | undefined {
  c.acceptAll(...ifClause)
  const index = c.ident()
  if (index === undefined) return undefined
  if (c.accept('USING')) c.next()
  if (!c.accept('ON')) return undefined
  const table = c.name()
  return table === undefined ? undefined : [tableKey(table), indexKey(table, index)]
}

/**
 * VIEW, TRIGGER, PROCEDURE, FUNCTION or EVENT after CREATE or ALTER and their ALGORITHM, DEFINER
 * and SQL SECURITY clauses (`creating`: an IF NOT EXISTS may follow the kind).
 */
function definedObject(c: Cursor, creating: boolean): string[] | undefined {
  for (;;) {
    if (c.accept('ALGORITHM')) {
      if (!c.acceptSymbol('=')) return undefined
      c.next()
    } else if (c.accept('DEFINER')) {
      if (!c.acceptSymbol('=')) return undefined
      c.next()
      if (c.acceptSymbol('@')) c.next()
      else if (c.acceptSymbol('(')) c.acceptSymbol(')')
    } else if (c.accept('SQL')) {
      if (!c.accept('SECURITY')) return undefined
      c.next()
    } else if (!c.accept('AGGREGATE')) break
  }
  const kind = c.next()
  const key = kind === 'VIEW' ? 'table' : kind === 'TRIGGER' ? 'trigger' : kind === 'PROCEDURE' || kind === 'FUNCTION' ? 'routine' : kind === 'EVENT' ? 'event' : undefined
  if (key === undefined || (!creating && key !== 'table')) return undefined
  if (creating) c.acceptAll('IF', 'NOT', 'EXISTS')
  const name = c.name()
  if (name === undefined) return undefined
  return [key === 'table' ? tableKey(name) : `${key} ${name.map(quoteIdent).join('.')}`]
}

function drop(c: Cursor): string[] | undefined {
  c.accept('TEMPORARY')
  if (c.accept('TABLE') || c.accept('TABLES') || c.accept('VIEW') || c.accept('SEQUENCE')) {
    c.acceptAll('IF', 'EXISTS')
    const tables: string[] = []
    do {
      const table = c.name()
      if (table === undefined) return undefined
      tables.push(tableKey(table))
    } while (c.acceptSymbol(','))
    if (!c.accept('RESTRICT')) c.accept('CASCADE')
    return c.atEnd() ? tables : undefined
  }
  if (c.accept('INDEX')) {
    if (!c.accept('ONLINE')) c.accept('OFFLINE')
    return indexOn(c, ['IF', 'EXISTS'])
  }
  const kind = c.next()
  const key = kind === 'TRIGGER' ? 'trigger' : kind === 'PROCEDURE' || kind === 'FUNCTION' ? 'routine' : kind === 'EVENT' ? 'event' : undefined
  if (key === undefined) return undefined
  c.acceptAll('IF', 'EXISTS')
  const name = c.name()
  return name === undefined || !c.atEnd() ? undefined : [`${key} ${name.map(quoteIdent).join('.')}`]
}

function alter(c: Cursor): string[] | undefined {
  c.accept('ONLINE')
  c.accept('IGNORE')
  if (!c.accept('TABLE')) return definedObject(c, false)
  c.acceptAll('IF', 'EXISTS')
  const table = c.name()
  if (table === undefined) return undefined
  const found = [tableKey(table)]
  for (const spec of c.clauses()) {
    const objects = alterSpec(new Cursor(spec), table)
    if (objects === undefined) return undefined
    found.push(...objects)
  }
  return found
}

/** Words that start an ALTER TABLE clause changing the table itself, not a named part of it. */
const TABLE_OPTIONS: ReadonlySet<string> = new Set([
  'ALGORITHM', 'LOCK', 'FORCE', 'ORDER', 'CONVERT', 'DEFAULT', 'CHARACTER', 'CHARSET', 'COLLATE', 'COMMENT', 'ENGINE',
  'AUTO_INCREMENT', 'ROW_FORMAT', 'KEY_BLOCK_SIZE', 'STATS_AUTO_RECALC', 'STATS_PERSISTENT', 'STATS_SAMPLE_PAGES',
  'PACK_KEYS', 'CHECKSUM', 'MAX_ROWS', 'MIN_ROWS', 'AVG_ROW_LENGTH', 'DELAY_KEY_WRITE', 'ENCRYPTED', 'ENCRYPTION_KEY_ID',
  'PAGE_CHECKSUM', 'PAGE_COMPRESSED', 'PAGE_COMPRESSION_LEVEL', 'TRANSACTIONAL', 'ENABLE', 'DISABLE',
])

/** The named parts one ALTER TABLE clause touches ([] for table options). */
function alterSpec(c: Cursor, table: Name): string[] | undefined {
  const column = (): string[] | undefined => {
    const name = c.ident()
    return name === undefined ? undefined : [columnKey(table, name)]
  }
  const index = (name: string | undefined): string[] | undefined => (name === undefined ? undefined : [indexKey(table, name)])
  if (c.accept('ADD')) {
    if (c.accept('COLUMN')) {
      c.acceptAll('IF', 'NOT', 'EXISTS')
      return column()
    }
    if (c.accept('INDEX') || c.accept('KEY')) return index(namedKey(c))
    if (c.accept('FULLTEXT') || c.accept('SPATIAL') || c.accept('UNIQUE')) {
      if (!c.accept('INDEX')) c.accept('KEY')
      return index(namedKey(c))
    }
    if (c.accept('PRIMARY')) return c.accept('KEY') ? index('PRIMARY') : undefined
    if (c.accept('CONSTRAINT')) {
      c.acceptAll('IF', 'NOT', 'EXISTS')
      const constraint = c.isWord('PRIMARY', 'UNIQUE', 'FOREIGN', 'CHECK') ? undefined : c.ident()
      if (c.accept('PRIMARY')) return c.accept('KEY') ? index('PRIMARY') : undefined
      if (c.accept('UNIQUE')) {
        if (!c.accept('INDEX')) c.accept('KEY')
        return index(namedKey(c) ?? constraint)
      }
      if (c.accept('FOREIGN')) return c.accept('KEY') ? index(constraint ?? namedKey(c)) : undefined
      return c.accept('CHECK') ? index(constraint) : undefined
    }
    if (c.accept('FOREIGN')) return c.accept('KEY') ? index(namedKey(c)) : undefined
    if (c.isWord('CHECK', 'PARTITION', 'PERIOD', 'SYSTEM', 'IF') || c.isSymbol('(')) return undefined
    return column()
  }
  if (c.accept('DROP')) {
    if (c.accept('COLUMN')) {
      c.acceptAll('IF', 'EXISTS')
      return column()
    }
    if (c.accept('INDEX') || c.accept('KEY') || c.accept('CONSTRAINT') || c.accept('CHECK')) {
      c.acceptAll('IF', 'EXISTS')
      return index(c.ident())
    }
    if (c.accept('PRIMARY')) return c.accept('KEY') ? index('PRIMARY') : undefined
    if (c.accept('FOREIGN')) {
      if (!c.accept('KEY')) return undefined
      c.acceptAll('IF', 'EXISTS')
      return index(c.ident())
    }
    if (c.isWord('PARTITION', 'PERIOD', 'SYSTEM', 'IF', 'DEFAULT')) return undefined
    return column()
  }
  if (c.accept('MODIFY')) {
    c.accept('COLUMN')
    c.acceptAll('IF', 'EXISTS')
    return column()
  }
  if (c.accept('CHANGE')) {
    c.accept('COLUMN')
    c.acceptAll('IF', 'EXISTS')
    const from = c.ident()
    const to = c.ident()
    return from === undefined || to === undefined ? undefined : [columnKey(table, from), columnKey(table, to)]
  }
  if (c.accept('ALTER')) {
    if (c.accept('INDEX') || c.accept('KEY') || c.accept('CHECK') || c.accept('CONSTRAINT')) return index(c.ident())
    c.accept('COLUMN')
    return column()
  }
  if (c.accept('RENAME')) {
    const isColumn = c.accept('COLUMN')
    if (isColumn || c.accept('INDEX') || c.accept('KEY')) {
      const from = c.ident()
      const to = c.accept('TO') ? c.ident() : undefined
      if (from === undefined || to === undefined) return undefined
      return isColumn ? [columnKey(table, from), columnKey(table, to)] : [indexKey(table, from), indexKey(table, to)]
    }
    if (!c.accept('TO') && !c.accept('AS')) c.acceptSymbol('=')
    const name = c.name()
    return name === undefined || !c.atEnd() ? undefined : [tableKey(name)]
  }
  return c.isWord(...TABLE_OPTIONS) ? [] : undefined
}

/** The name an index or foreign key is given after its keyword, or undefined when it has none. */
function namedKey(c: Cursor): string | undefined {
  c.acceptAll('IF', 'NOT', 'EXISTS')
  return c.isWord('USING') || c.isSymbol('(') ? undefined : c.ident()
}

/** `a TO b [, c TO d] …` after RENAME TABLE. */
function renameTables(c: Cursor): string[] | undefined {
  const tables: string[] = []
  do {
    const from = c.name()
    const to = c.accept('TO') ? c.name() : undefined
    if (from === undefined || to === undefined) return undefined
    tables.push(tableKey(from), tableKey(to))
  } while (c.acceptSymbol(','))
  return c.atEnd() ? tables : undefined
}

function insert(c: Cursor): string[] | undefined {
  while (c.accept('LOW_PRIORITY') || c.accept('DELAYED') || c.accept('HIGH_PRIORITY') || c.accept('IGNORE')) continue
  c.accept('INTO')
  const table = c.name()
  return table === undefined ? undefined : [tableKey(table)]
}

/** Single-table UPDATE only: with a join or a table list the written tables are not certain. */
function update(c: Cursor): string[] | undefined {
  while (c.accept('LOW_PRIORITY') || c.accept('IGNORE')) continue
  const table = c.name()
  if (table === undefined) return undefined
  if (!c.isWord('SET')) {
    c.accept('AS')
    c.ident()
  }
  return c.accept('SET') ? [tableKey(table)] : undefined
}

/** Single-table DELETE only (multi-table forms name the written tables apart from FROM). */
function deleteFrom(c: Cursor): string[] | undefined {
  while (c.accept('LOW_PRIORITY') || c.accept('QUICK') || c.accept('IGNORE')) continue
  if (!c.accept('FROM')) return undefined
  const table = c.name()
  if (table === undefined) return undefined
  if (!c.atEnd() && !c.isWord('WHERE', 'ORDER', 'LIMIT', 'PARTITION', 'RETURNING')) {
    c.accept('AS')
    c.ident()
  }
  return c.atEnd() || c.isWord('WHERE', 'ORDER', 'LIMIT', 'PARTITION', 'RETURNING') ? [tableKey(table)] : undefined
}

/** Reads tokens front to back; keywords match words only, never quoted names. Also read by effects.ts. */
export class Cursor {
  private at = 0

  constructor(private readonly tokens: readonly Token[]) {}

  atEnd(): boolean {
    return this.at >= this.tokens.length
  }

  /** The current token as an upper-cased word (undefined for anything else), and moves past it. */
  next(): string | undefined {
    const token = this.tokens[this.at++]
    return token?.kind === 'word' ? token.text.toUpperCase() : undefined
  }

  isWord(...words: readonly string[]): boolean {
    const token = this.tokens[this.at]
    return token?.kind === 'word' && words.includes(token.text.toUpperCase())
  }

  isSymbol(symbol: string): boolean {
    const token = this.tokens[this.at]
    return token?.kind === 'symbol' && token.text === symbol
  }

  accept(word: string): boolean {
    if (!this.isWord(word)) return false
    this.at++
    return true
  }

  /** Moves past `words` only when all of them come next, in order. */
  acceptAll(...words: readonly string[]): boolean {
    const all = words.every((word, k) => {
      const token = this.tokens[this.at + k]
      return token?.kind === 'word' && token.text.toUpperCase() === word
    })
    if (all) this.at += words.length
    return all
  }

  acceptSymbol(symbol: string): boolean {
    if (!this.isSymbol(symbol)) return false
    this.at++
    return true
  }

  /** One identifier (bare or quoted). */
  ident(): string | undefined {
    const token = this.tokens[this.at]
    if (token === undefined || (token.kind !== 'word' && token.kind !== 'quoted')) return undefined
    this.at++
    return token.text
  }

  /** A possibly qualified name: `t`, `db`.`t`. */
  name(): Name | undefined {
    const first = this.ident()
    if (first === undefined) return undefined
    if (!this.isSymbol('.')) return [first]
    this.at++
    const second = this.ident()
    return second === undefined ? undefined : [first, second]
  }

  /** The tokens not read yet, split at commas outside parentheses (the clauses of an ALTER TABLE). */
  clauses(): Token[][] {
    const rest = this.tokens.slice(this.at)
    if (rest.length === 0) return []
    const parts: Token[][] = [[]]
    let depth = 0
    for (const token of rest) {
      if (token.kind === 'symbol' && token.text === '(') depth++
      if (token.kind === 'symbol' && token.text === ')') depth--
      if (depth === 0 && token.kind === 'symbol' && token.text === ',') parts.push([])
      else parts.at(-1)!.push(token)
    }
    return parts
  }
}
