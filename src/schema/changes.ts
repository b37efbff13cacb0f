import type {
  Check,
  Column,
  ForeignKey,
  Index,
  Options,
  PrimaryKey,
  SchemaObject,
  Table,
  Unique,
  View,
} from './model.js'

/** Which aspects of a column differ; a planner picks the cheapest statement that covers them. */
export type ColumnAspect = 'type' | 'nullable' | 'default' | 'generated' | 'identity' | 'collation' | 'comment' | 'options'

/** One change inside a table. `alterTable` carries both whole tables so SQLite can rebuild. */
export type TableChange =
  | { readonly kind: 'addColumn' | 'dropColumn'; readonly column: Column }
  | { readonly kind: 'alterColumn'; readonly from: Column; readonly to: Column; readonly aspects: readonly ColumnAspect[] }
  | { readonly kind: 'renameColumn'; readonly from: Column; readonly to: Column }
  | { readonly kind: 'addIndex' | 'dropIndex'; readonly index: Index }
  | { readonly kind: 'renameIndex'; readonly from: Index; readonly to: Index }
  | { readonly kind: 'addUnique' | 'dropUnique'; readonly unique: Unique }
  | { readonly kind: 'addForeignKey' | 'dropForeignKey'; readonly foreignKey: ForeignKey }
  | { readonly kind: 'addCheck' | 'dropCheck'; readonly check: Check }
  | { readonly kind: 'addPrimaryKey' | 'dropPrimaryKey'; readonly primaryKey: PrimaryKey }
  | { readonly kind: 'alterComment'; readonly from?: string; readonly to?: string }
  | { readonly kind: 'alterOptions'; readonly from: Options; readonly to: Options }

export type Change =
  | { readonly kind: 'createTable' | 'dropTable'; readonly table: Table }
  | { readonly kind: 'renameTable'; readonly from: Table; readonly to: Table }
  | { readonly kind: 'alterTable'; readonly from: Table; readonly to: Table; readonly changes: readonly TableChange[] }
  | { readonly kind: 'createView' | 'dropView'; readonly view: View }
  | { readonly kind: 'createObject' | 'dropObject'; readonly object: SchemaObject }
  /** Same kind and name, different definition; planners may alter in place (enum ADD VALUE) or drop + create. */
  | { readonly kind: 'alterObject'; readonly from: SchemaObject; readonly to: SchemaObject }

/** A drop + add (or drop + create) that looks like a rename; reported, never applied silently. */
export interface RenameCandidate {
  readonly kind: 'table' | 'column'
  readonly table: string
  readonly from: string
  readonly to: string
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`)
}
