import type { Db } from '../db.js'
import type { Column, Options, Schema, Table } from '../schema/model.js'
import type { InsertTarget } from './insert.js'

/**
 * A column type described without any dialect's spelling: what `migrator copy` translates through.
 * Each dialect reads its own types into this (`CopySupport.toNeutral`) and writes it back out
 * (`CopySupport.fromNeutral`), so n dialects need n mappings instead of n².
 */
export type NeutralType =
  | { readonly kind: 'integer'; readonly bytes: 1 | 2 | 3 | 4 | 8; readonly unsigned?: boolean }
  | { readonly kind: 'decimal'; readonly precision?: number; readonly scale?: number }
  | { readonly kind: 'float'; readonly bits: 24 | 53 }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'text'; readonly length?: number; readonly fixed?: boolean }
  | { readonly kind: 'binary'; readonly length?: number }
  | { readonly kind: 'date' }
  | { readonly kind: 'time'; readonly precision?: number }
  | { readonly kind: 'timestamp'; readonly zone: boolean; readonly precision?: number }
  | { readonly kind: 'json' }
  | { readonly kind: 'uuid' }
  | { readonly kind: 'enum'; readonly labels: readonly string[] }
  /** No neutral equivalent (arrays, intervals, ranges, geometry, …): copied as its text form. */
  | { readonly kind: 'other'; readonly type: string }

/** Where a translated type is used, for targets whose keys cannot hold every type (MySQL TEXT). */
export interface TypeUse {
  /** The column is part of the primary key, a unique constraint, an index or a foreign key. */
  readonly keyed: boolean
}

/** A translated type, and what the translation loses (CP codes, src/copy/codes.ts). */
export interface MappedType {
  readonly type: string
  readonly loss?: { readonly code: CopyCode; readonly reason: string }
  /** The target has no enum type: a CHECK limits the column to these labels. */
  readonly checkLabels?: readonly string[]
}

/** A column default, as far as it translates between dialects. */
export type NeutralDefault =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'now' }

export type CopyCode = 'CP101' | 'CP102' | 'CP103' | 'CP104' | 'CP105' | 'CP106' | 'CP107' | 'CP108' | 'CP109' | 'CP110' | 'CP111' | 'CP112'

/**
 * What a dialect contributes to `migrator copy` (its `copy-types.ts`): the type mapping, how values
 * are read into and written from their common text form (src/copy/values.ts), and session setup.
 */
export interface CopySupport {
  /** The neutral description of `column`'s type; `schema` resolves named types (PostgreSQL enums). */
  toNeutral(column: Column, schema: Schema): NeutralType
  /**
   * Whether `column` of `table` numbers new rows by itself although inspection reports no identity
   * (SQLite's INTEGER PRIMARY KEY, an alias of the rowid).
   */
  generatesKey(table: Table, column: Column): boolean
  /** This dialect's type for `type`, in its inspected normal form. */
  fromNeutral(type: NeutralType, use: TypeUse): MappedType
  /** The column default in neutral form; undefined when it does not translate. */
  parseDefault(text: string, type: NeutralType): NeutralDefault | undefined
  /** `value` as a default expression of a column of `type`. */
  renderDefault(value: NeutralDefault, type: NeutralType): string
  /** The select-list expression that reads quoted column `column` for `readValue`. */
  readExpression(column: string, type: NeutralType): string
  /** A read value in its common text form (src/copy/values.ts); null for NULL. */
  readValue(raw: unknown, type: NeutralType): string | null
  /** The bind parameter that stores a common-text-form `value` in a column of `type`. */
  writeValue(value: string, type: NeutralType): unknown
  /** Inserts `rows` (values from `writeValue`, NULL as null) through `db`, in as few statements as the dialect allows. */
  insertRows(db: Db, target: InsertTarget, rows: readonly (readonly unknown[])[]): Promise<void>
  /** A decimal column rounds values with more fraction digits than its scale (SQLite stores them as they are). */
  readonly roundsDecimals: boolean
  /** Options every created table gets (MySQL: engine and a charset that holds all of Unicode). */
  readonly tableOptions: Options
  /**
   * Unique and foreign keys are added after the load (a cheap ALTER); false: they are created with
   * the tables (SQLite can add one only by rebuilding the table) and `prepareSession` stops
   * foreign-key enforcement.
   */
  readonly constraintsAfterLoad: boolean
  /** Session settings of a copy connection (UTC time zone; as target: no foreign-key checks). */
  prepareSession(db: Db, role: 'source' | 'target'): Promise<void>
  /** Statements that move the counter of identity column `column` of quoted table `table` past its maximum. */
  resetIdentity(db: Db, table: string, column: string): Promise<void>
}
