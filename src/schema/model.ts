/**
 * The dialect-neutral schema model: plain readonly JSON data. Inspectors produce it in a normal form
 * (types, defaults and expressions exactly as the server reports them), so two schemas inspected by
 * the same dialect compare with `===` on their fields. `options` hold dialect extras (SQLite
 * `withoutRowid`/`strict`, MySQL `engine`/`charset`, PostgreSQL `unlogged`) that the differ only
 * compares.
 */

export type Options = Readonly<Record<string, string | boolean>>

export interface Column {
  readonly name: string
  /** Normalized type as the dialect reports it, lower case: `integer`, `varchar(20)`, `numeric(10,2)`. */
  readonly type: string
  readonly nullable: boolean
  /** Default as a SQL expression in the dialect's normal form (`'abc'`, `0`, `CURRENT_TIMESTAMP`). */
  readonly default?: string
  readonly generated?: { readonly expression: string; readonly stored: boolean }
  /** `GENERATED ALWAYS|BY DEFAULT AS IDENTITY`, MySQL AUTO_INCREMENT, SQLite AUTOINCREMENT. */
  readonly identity?: { readonly always: boolean }
  readonly collation?: string
  readonly comment?: string
  /** Declared by the target to get a real RENAME instead of drop + add. Never set by inspection. */
  readonly renamedFrom?: string
  readonly options?: Options
}

export interface PrimaryKey {
  readonly name?: string
  readonly columns: readonly string[]
  /** Dialect extras: SQLite `onConflict`, per-column `order`/`collations`; PostgreSQL `comment`. */
  readonly options?: Options
}

/** One key part of an index: a column or an expression. */
export interface IndexPart {
  readonly column?: string
  readonly expression?: string
  readonly desc?: boolean
  readonly collation?: string
  /** Dialect extras: PostgreSQL `opclass`/`nulls`, MySQL prefix `length`. */
  readonly options?: Options
}

export interface Index {
  readonly name: string
  readonly parts: readonly IndexPart[]
  readonly unique: boolean
  /** Partial index predicate, without the WHERE keyword. */
  readonly where?: string
  /** Access method or kind: `btree`, `gin`, `fulltext`, … (dialect decides the default). */
  readonly method?: string
  readonly options?: Options
}

/** A UNIQUE constraint (as opposed to a unique index). */
export interface Unique {
  readonly name?: string
  readonly columns: readonly string[]
  /** Dialect extras: SQLite `onConflict`, per-column `order`/`collations`; PostgreSQL `deferrable` (`IMMEDIATE`/`DEFERRED`), `nullsNotDistinct`, `comment`. */
  readonly options?: Options
}

export type ReferentialAction = 'NO ACTION' | 'RESTRICT' | 'CASCADE' | 'SET NULL' | 'SET DEFAULT'

export interface ForeignKey {
  readonly name?: string
  readonly columns: readonly string[]
  readonly refSchema?: string
  readonly refTable: string
  readonly refColumns: readonly string[]
  readonly onDelete: ReferentialAction
  readonly onUpdate: ReferentialAction
  readonly deferrable?: 'IMMEDIATE' | 'DEFERRED'
  readonly options?: Options
}

export interface Check {
  readonly name?: string
  readonly expression: string
  readonly options?: Options
}

export interface Table {
  readonly schema?: string
  readonly name: string
  /** Declared by the target to get a real RENAME instead of drop + create. Never set by inspection. */
  readonly renamedFrom?: string
  readonly columns: readonly Column[]
  readonly primaryKey?: PrimaryKey
  readonly indexes: readonly Index[]
  readonly uniques: readonly Unique[]
  readonly foreignKeys: readonly ForeignKey[]
  readonly checks: readonly Check[]
  readonly comment?: string
  readonly options: Options
}

export interface View {
  readonly schema?: string
  readonly name: string
  /** The full definition as the server stores it (SQLite: the CREATE VIEW text; others: the query). */
  readonly definition: string
  readonly materialized?: boolean
  readonly options?: Options
}

/**
 * Everything else that is created and dropped as a whole and compared by definition: triggers,
 * enum types, sequences, functions, extensions, domains, scheduled events (MySQL), namespaces
 * (`schema`: PostgreSQL schemas, named by `name` alone) and row-level security policies.
 * `definition` is the text that creates it in the dialect's normal form; `table` names the table a
 * trigger or policy belongs to.
 */
export interface SchemaObject {
  readonly kind: 'schema' | 'trigger' | 'policy' | 'enum' | 'sequence' | 'function' | 'extension' | 'domain' | 'event' | 'other'
  readonly schema?: string
  readonly name: string
  readonly table?: string
  readonly definition: string
  readonly options?: Options
}

export interface Schema {
  readonly tables: readonly Table[]
  readonly views: readonly View[]
  readonly objects: readonly SchemaObject[]
}

export const emptySchema: Schema = { tables: [], views: [], objects: [] }

/** `schema.name` when a schema is set, otherwise `name`: the key tables and views are matched by. */
export function qualifiedName(item: { readonly schema?: string; readonly name: string }): string {
  return item.schema === undefined ? item.name : `${item.schema}.${item.name}`
}
