import type { ReferentialAction } from '../../schema/model.js'
import { identValue, isSignificant, tokenize } from './tokenize.js'
import type { Token } from './tokenize.js'

/**
 * Parses the CREATE TABLE and CREATE INDEX texts SQLite stores in sqlite_schema, for the facts no
 * pragma reports: constraint names, CHECK and generated-column expressions, column collations,
 * AUTOINCREMENT, DEFERRABLE, index expressions and partial-index predicates.
 *
 * Expressions are returned in a normal form: their tokens joined by a single space wherever the
 * source had whitespace or comments, and by nothing where it had none. The form is idempotent, so an
 * expression the planner writes back parses to the same text.
 */

export interface ParsedForeignKey {
  readonly name?: string
  readonly columns: readonly string[]
  readonly refTable: string
  readonly refColumns: readonly string[]
  readonly onDelete: ReferentialAction
  readonly onUpdate: ReferentialAction
  readonly deferrable?: 'IMMEDIATE' | 'DEFERRED'
  /** `MATCH name` as written (SQLite parses it and enforces every FK as SIMPLE). */
  readonly match?: string
}

export interface ParsedColumn {
  readonly name: string
  readonly collation?: string
  readonly generated?: { readonly expression: string; readonly stored: boolean }
  readonly autoincrement: boolean
  /** `NOT NULL ON CONFLICT x`: the algorithm, upper case. */
  readonly notNullOnConflict?: string
}

/** One column of a PRIMARY KEY or UNIQUE column list. */
export interface ParsedKeyColumn {
  readonly name: string
  readonly collation?: string
  readonly desc: boolean
}

export interface ParsedConstraint {
  readonly name?: string
  readonly columns: readonly string[]
  /** The columns with their COLLATE and ASC/DESC (a column constraint: its own column, no collation). */
  readonly parts: readonly ParsedKeyColumn[]
  /** `ON CONFLICT x`: the algorithm, upper case. */
  readonly onConflict?: string
  /** Declared on its column (`id INTEGER PRIMARY KEY`) rather than as a table constraint. */
  readonly columnConstraint: boolean
}

export interface ParsedCheck {
  readonly name?: string
  readonly expression: string
}

export interface ParsedTable {
  readonly name: string
  readonly columns: readonly ParsedColumn[]
  readonly primaryKey?: ParsedConstraint
  /** Column-level and table-level UNIQUE constraints, in text order. */
  readonly uniques: readonly ParsedConstraint[]
  /** Column-level and table-level CHECK constraints, in text order. */
  readonly checks: readonly ParsedCheck[]
  /** Column-level REFERENCES and table-level FOREIGN KEY constraints, in text order. */
  readonly foreignKeys: readonly ParsedForeignKey[]
}

export interface ParsedIndexPart {
  readonly column?: string
  readonly expression?: string
  readonly desc: boolean
  readonly collation?: string
}

export interface ParsedIndex {
  readonly name: string
  readonly table: string
  readonly unique: boolean
  readonly parts: readonly ParsedIndexPart[]
  readonly where?: string
}

/** A significant token and whether whitespace or a comment preceded it. */
interface Tok extends Token {
  readonly spaced: boolean
  /** A word's text upper-cased once ('' for other tokens): keywords are compared many times each. */
  readonly upper: string
}

const COLUMN_CONSTRAINT_START = new Set([
  'CONSTRAINT', 'PRIMARY', 'NOT', 'NULL', 'UNIQUE', 'CHECK', 'DEFAULT', 'COLLATE', 'REFERENCES', 'GENERATED', 'AS',
])
const TABLE_CONSTRAINT_START = new Set(['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN'])

class Cursor {
  private pos = 0
  readonly toks: readonly Tok[]

  constructor(sql: string) {
    const out: Tok[] = []
    let spaced = false
    for (const token of tokenize(sql)) {
      if (!isSignificant(token)) {
        spaced = true
        continue
      }
      out.push({ kind: token.kind, text: token.text, start: token.start, end: token.end, spaced, upper: token.kind === 'word' ? token.text.toUpperCase() : '' })
      spaced = false
    }
    this.toks = out
  }

  peek(offset = 0): Tok | undefined {
    return this.toks[this.pos + offset]
  }

  /** Upper-cased word at the cursor ('' when it is not a bare word). */
  word(offset = 0): string {
    const t = this.peek(offset)
    return t?.upper ?? ''
  }

  is(text: string, offset = 0): boolean {
    const t = this.peek(offset)
    return t !== undefined && (t.kind === 'word' ? t.upper === text : t.text === text)
  }

  next(): Tok {
    const t = this.toks[this.pos]
    if (t === undefined) throw new Error('unexpected end of statement')
    this.pos++
    return t
  }

  accept(...texts: string[]): boolean {
    if (!texts.every((text, i) => this.is(text, i))) return false
    this.pos += texts.length
    return true
  }

  expect(text: string): void {
    if (!this.accept(text)) throw new Error(`expected ${text} near "${this.peek()?.text ?? 'end'}"`)
  }

  done(): boolean {
    return this.pos >= this.toks.length
  }

  /** Every remaining token; the cursor moves to the end. */
  rest(): Tok[] {
    const out = this.toks.slice(this.pos)
    this.pos = this.toks.length
    return out
  }

  /** A name: identifier, quoted identifier, or (as SQLite allows) a string literal. */
  name(): string {
    return identValue(this.next())
  }

  /** Tokens of a balanced `( … )` group, cursor on the `(`; returns the inner tokens. */
  group(): Tok[] {
    this.expect('(')
    const inner: Tok[] = []
    let depth = 0
    for (;;) {
      const t = this.next()
      if (t.text === '(') depth++
      else if (t.text === ')') {
        if (depth === 0) return inner
        depth--
      }
      inner.push(t)
    }
  }

  /** Tokens up to (not including) a top-level `,` or `)` or one of `stops`. */
  until(stops: ReadonlySet<string> = new Set()): Tok[] {
    const out: Tok[] = []
    let depth = 0
    while (!this.done()) {
      const t = this.peek()!
      if (depth === 0 && (t.text === ',' || t.text === ')' || stops.has(t.upper))) break
      if (t.text === '(') depth++
      if (t.text === ')') depth--
      out.push(this.next())
    }
    return out
  }
}

/** Joins tokens in the normal form described above. */
export function joinTokens(toks: readonly Tok[]): string {
  return toks.map((t, i) => (i > 0 && t.spaced ? ' ' : '') + t.text).join('')
}

/** The normal form of a standalone expression text. */
export function normalizeExpression(sql: string): string {
  return joinTokens(new Cursor(sql).toks)
}

/** Parses a stored CREATE TABLE statement. Throws on text it cannot follow. */
export function parseCreateTable(sql: string): ParsedTable {
  const c = new Cursor(sql)
  c.expect('CREATE')
  if (!c.accept('TEMP')) c.accept('TEMPORARY')
  c.expect('TABLE')
  c.accept('IF', 'NOT', 'EXISTS')
  let name = c.name()
  if (c.accept('.')) name = c.name()

  const columns: ParsedColumn[] = []
  const uniques: ParsedConstraint[] = []
  const checks: ParsedCheck[] = []
  const foreignKeys: ParsedForeignKey[] = []
  let primaryKey: ParsedConstraint | undefined
  // CREATE TABLE … AS SELECT has no definition list.
  if (!c.is('(')) return { name, columns, uniques, checks, foreignKeys }
  c.expect('(')
  for (;;) {
    if (TABLE_CONSTRAINT_START.has(c.word())) {
      const constraintName = c.accept('CONSTRAINT') ? c.name() : undefined
      const keyword = c.word()
      if (c.accept('PRIMARY', 'KEY')) {
        const parts = keyColumns(c)
        primaryKey = { name: constraintName, columns: parts.map((p) => p.name), parts, onConflict: conflict(c), columnConstraint: false }
      } else if (c.accept('UNIQUE')) {
        const parts = keyColumns(c)
        uniques.push({ name: constraintName, columns: parts.map((p) => p.name), parts, onConflict: conflict(c), columnConstraint: false })
      } else if (c.accept('CHECK')) {
        checks.push({ name: constraintName, expression: joinTokens(c.group()) })
      } else if (c.accept('FOREIGN', 'KEY')) {
        const cols = columnList(c)
        foreignKeys.push(references(c, constraintName, cols))
      } else {
        throw new Error(`unexpected table constraint ${keyword}`)
      }
    } else {
      const column = columnDefinition(c, uniques, checks, foreignKeys)
      columns.push(column.column)
      if (column.primaryKey !== undefined) primaryKey = column.primaryKey
    }
    if (c.accept(',')) continue
    c.expect(')')
    break
  }
  return { name, columns, primaryKey, uniques, checks, foreignKeys }
}

function columnDefinition(
  c: Cursor,
  uniques: ParsedConstraint[],
  checks: ParsedCheck[],
  foreignKeys: ParsedForeignKey[],
): { column: ParsedColumn; primaryKey?: ParsedConstraint } {
  const name = c.name()
  // The declared type: words and one parenthesized group, up to the first constraint keyword.
  while (!c.done() && !c.is(',') && !c.is(')') && !COLUMN_CONSTRAINT_START.has(c.word())) {
    if (c.is('(')) c.group()
    else c.next()
  }
  let collation: string | undefined
  let generated: ParsedColumn['generated']
  let autoincrement = false
  let notNullOnConflict: string | undefined
  let primaryKey: ParsedConstraint | undefined
  while (!c.done() && !c.is(',') && !c.is(')')) {
    const constraintName = c.accept('CONSTRAINT') ? c.name() : undefined
    if (c.accept('PRIMARY', 'KEY')) {
      const desc = c.accept('DESC')
      if (!desc) c.accept('ASC')
      const onConflict = conflict(c)
      if (c.accept('AUTOINCREMENT')) autoincrement = true
      primaryKey = { name: constraintName, columns: [name], parts: [{ name, desc }], onConflict, columnConstraint: true }
    } else if (c.accept('NOT', 'NULL')) {
      notNullOnConflict = conflict(c)
    } else if (c.accept('NULL')) {
      conflict(c)
    } else if (c.accept('UNIQUE')) {
      uniques.push({ name: constraintName, columns: [name], parts: [{ name, desc: false }], onConflict: conflict(c), columnConstraint: true })
    } else if (c.accept('CHECK')) {
      checks.push({ name: constraintName, expression: joinTokens(c.group()) })
    } else if (c.accept('DEFAULT')) {
      // The value comes from pragma_table_xinfo; only step over it here.
      if (c.is('(')) c.group()
      else {
        if (c.is('+') || c.is('-')) c.next()
        const value = c.next()
        // A blob literal x'00' lexes as the word x followed by a string.
        if (/^x$/i.test(value.text) && c.peek()?.kind === 'string' && !c.peek()!.spaced) c.next()
      }
    } else if (c.accept('COLLATE')) {
      collation = c.name().toUpperCase()
    } else if (c.accept('REFERENCES')) {
      foreignKeys.push(references(c, constraintName, [name], true))
    } else if (c.accept('GENERATED', 'ALWAYS', 'AS') || c.accept('AS')) {
      const expression = joinTokens(c.group())
      const stored = c.accept('STORED')
      if (!stored) c.accept('VIRTUAL')
      generated = { expression, stored }
    } else {
      throw new Error(`unexpected "${c.peek()?.text}" in definition of column ${name}`)
    }
  }
  return {
    column: { name, collation: collation === 'BINARY' ? undefined : collation, generated, autoincrement, notNullOnConflict },
    primaryKey,
  }
}

/** `( name, … )` → the names (a REFERENCES or FOREIGN KEY column list). */
function columnList(c: Cursor): string[] {
  return keyColumns(c).map((p) => p.name)
}

/** `( name [COLLATE x] [ASC|DESC], … )`, as PRIMARY KEY and UNIQUE take it. */
function keyColumns(c: Cursor): ParsedKeyColumn[] {
  const out: ParsedKeyColumn[] = []
  c.expect('(')
  for (;;) {
    const name = c.name()
    const collation = c.accept('COLLATE') ? c.name().toUpperCase() : undefined
    const desc = c.accept('DESC')
    if (!desc) c.accept('ASC')
    out.push({ name, collation: collation === 'BINARY' ? undefined : collation, desc })
    if (c.accept(',')) continue
    c.expect(')')
    return out
  }
}

/** `ON CONFLICT x`: the algorithm, upper case; undefined when absent or ABORT (SQLite's default). */
function conflict(c: Cursor): string | undefined {
  const algorithm = c.accept('ON', 'CONFLICT') ? c.next().text.toUpperCase() : undefined
  return algorithm === 'ABORT' ? undefined : algorithm
}

/** The foreign-key clause after REFERENCES (consumed here when `afterReferences`). */
function references(c: Cursor, name: string | undefined, columns: readonly string[], afterReferences = false): ParsedForeignKey {
  if (!afterReferences) c.expect('REFERENCES')
  const refTable = c.name()
  const refColumns = c.is('(') ? columnList(c) : []
  let onDelete: ReferentialAction = 'NO ACTION'
  let onUpdate: ReferentialAction = 'NO ACTION'
  let deferrable: ParsedForeignKey['deferrable']
  let match: string | undefined
  for (;;) {
    if (c.accept('ON')) {
      const which = c.next().text.toUpperCase()
      const action = referentialAction(c)
      if (which === 'DELETE') onDelete = action
      else onUpdate = action
    } else if (c.accept('MATCH')) {
      match = c.name().toUpperCase()
    } else if (c.accept('NOT', 'DEFERRABLE')) {
      if (c.accept('INITIALLY')) c.next()
      deferrable = undefined
    } else if (c.accept('DEFERRABLE')) {
      deferrable = 'IMMEDIATE'
      if (c.accept('INITIALLY', 'DEFERRED')) deferrable = 'DEFERRED'
      else c.accept('INITIALLY', 'IMMEDIATE')
    } else {
      return { name, columns, refTable, refColumns, onDelete, onUpdate, deferrable, match }
    }
  }
}

function referentialAction(c: Cursor): ReferentialAction {
  if (c.accept('SET', 'NULL')) return 'SET NULL'
  if (c.accept('SET', 'DEFAULT')) return 'SET DEFAULT'
  if (c.accept('CASCADE')) return 'CASCADE'
  if (c.accept('RESTRICT')) return 'RESTRICT'
  c.expect('NO')
  c.expect('ACTION')
  return 'NO ACTION'
}

/** Parses a stored CREATE INDEX statement. */
export function parseCreateIndex(sql: string): ParsedIndex {
  const c = new Cursor(sql)
  c.expect('CREATE')
  const unique = c.accept('UNIQUE')
  c.expect('INDEX')
  c.accept('IF', 'NOT', 'EXISTS')
  let name = c.name()
  if (c.accept('.')) name = c.name()
  c.expect('ON')
  const table = c.name()
  const parts: ParsedIndexPart[] = []
  c.expect('(')
  for (;;) {
    parts.push(indexPart(c.until()))
    if (c.accept(',')) continue
    c.expect(')')
    break
  }
  const where = c.accept('WHERE') ? joinTokens(c.rest()) : undefined
  return { name, table, unique, parts, where: where === '' ? undefined : where }
}

function indexPart(toks: Tok[]): ParsedIndexPart {
  let rest = toks
  let desc = false
  const lastWord = (t: Tok | undefined) => t?.upper ?? ''
  if (lastWord(rest[rest.length - 1]) === 'DESC' || lastWord(rest[rest.length - 1]) === 'ASC') {
    desc = lastWord(rest[rest.length - 1]) === 'DESC'
    rest = rest.slice(0, -1)
  }
  let collation: string | undefined
  if (rest.length >= 3 && lastWord(rest[rest.length - 2]) === 'COLLATE') {
    collation = identValue(rest[rest.length - 1]!).toUpperCase()
    rest = rest.slice(0, -2)
  }
  const only = rest.length === 1 ? rest[0]! : undefined
  if (only !== undefined && (only.kind === 'word' || only.kind === 'ident')) {
    return { column: identValue(only), desc, collation }
  }
  return { expression: joinTokens(stripParens(rest)), desc, collation }
}

/** Removes parentheses that wrap the whole token list: `(a + b)` → `a + b`. */
function stripParens(toks: Tok[]): Tok[] {
  let out = toks
  while (out.length >= 2 && out[0]!.text === '(' && out[out.length - 1]!.text === ')' && wrapsAll(out)) {
    out = out.slice(1, -1).map((t, i) => (i === 0 ? { ...t, spaced: false } : t))
  }
  return out
}

function wrapsAll(toks: readonly Tok[]): boolean {
  let depth = 0
  for (let i = 0; i < toks.length; i++) {
    if (toks[i]!.text === '(') depth++
    else if (toks[i]!.text === ')') depth--
    if (depth === 0 && i < toks.length - 1) return false
  }
  return true
}
