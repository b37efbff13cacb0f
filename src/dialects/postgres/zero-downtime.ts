import type { Column, ForeignKey, Index, Table } from '../../schema/model.js'
import type { Step, ZeroDowntimeSql } from '../../zero-downtime/dialect-sql.js'
import { qualify, quoteIdent } from './quote.js'

const MAX_IDENT = 63

/**
 * PostgreSQL forms for expand/contract migrations:
 * - NOT NULL through `CHECK (c IS NOT NULL) NOT VALID` + `VALIDATE` (SHARE UPDATE EXCLUSIVE: writes
 *   go on) + `SET NOT NULL` (PostgreSQL 12+ skips its scan when a valid CHECK proves it) + drop the
 *   CHECK; each step in its own transaction, so the brief ACCESS EXCLUSIVE locks are never held
 *   across the validation scan;
 * - sync triggers: one plpgsql function + one BEFORE INSERT OR UPDATE row trigger;
 * - `CREATE INDEX CONCURRENTLY`, after dropping an INVALID leftover of a failed earlier build;
 * - foreign keys `NOT VALID` + `VALIDATE CONSTRAINT`.
 */
export const postgresZeroDowntimeSql: ZeroDowntimeSql = {
  maxIdentifierLength: MAX_IDENT,
  quoteIdent,
  qualify,

  addNullableColumn(table, column) {
    const q = qualify(table)
    const drop = `ALTER TABLE ${q} DROP COLUMN ${quoteIdent(column.name)}`
    if (column.default === undefined || isConstant(column.default)) {
      return [step(`ALTER TABLE ${q} ADD COLUMN ${definition(column, true)}`, [drop])]
    }
    // A volatile default would rewrite every row while holding ACCESS EXCLUSIVE: add the column
    // bare (catalog only), give new rows the default, and leave old rows to the backfill.
    return [
      step(`ALTER TABLE ${q} ADD COLUMN ${definition({ ...column, default: undefined }, true)}`, [drop]),
      step(`ALTER TABLE ${q} ALTER COLUMN ${quoteIdent(column.name)} SET DEFAULT ${column.default}`, []),
    ]
  },

  addNotNullColumnInstantly(table, column) {
    // PostgreSQL 11+ stores a constant default in the catalog: no rewrite, no scan for NOT NULL.
    if (column.default === undefined || !isConstant(column.default)) return undefined
    return step(`ALTER TABLE ${qualify(table)} ADD COLUMN ${definition(column, false)}`, [`ALTER TABLE ${qualify(table)} DROP COLUMN ${quoteIdent(column.name)}`])
  },

  setNotNull(table, column) {
    const q = qualify(table)
    const check = quoteIdent(name([table.name, column.name, 'not_null']))
    const col = quoteIdent(column.name)
    return [
      step(`ALTER TABLE ${q} ADD CONSTRAINT ${check} CHECK (${col} IS NOT NULL) NOT VALID`, [`ALTER TABLE ${q} DROP CONSTRAINT IF EXISTS ${check}`], false),
      step(`ALTER TABLE ${q} VALIDATE CONSTRAINT ${check}`, [], false),
      step(`ALTER TABLE ${q} ALTER COLUMN ${col} SET NOT NULL`, [`ALTER TABLE ${q} ALTER COLUMN ${col} DROP NOT NULL`], false),
      step(`ALTER TABLE ${q} DROP CONSTRAINT ${check}`, [], false),
    ]
  },

  // Catalog only, and the contract runs in one transaction: nobody sees the old column without its
  // triggers. The step exists for its reverse, which restores NOT NULL when a down re-adds the column.
  dropNotNull(table, column) {
    const q = qualify(table)
    const col = quoteIdent(column.name)
    return [step(`ALTER TABLE ${q} ALTER COLUMN ${col} DROP NOT NULL`, [`ALTER TABLE ${q} ALTER COLUMN ${col} SET NOT NULL`])]
  },

  setDefault(table, column) {
    if (column.default === undefined) return []
    const q = qualify(table)
    const col = quoteIdent(column.name)
    return [step(`ALTER TABLE ${q} ALTER COLUMN ${col} SET DEFAULT ${column.default}`, [`ALTER TABLE ${q} ALTER COLUMN ${col} DROP DEFAULT`])]
  },

  dropColumn(table, column) {
    const q = qualify(table)
    return step(`ALTER TABLE ${q} DROP COLUMN ${quoteIdent(column.name)}`, [`ALTER TABLE ${q} ADD COLUMN ${definition(column, true)}`])
  },

  createSync(table, a, b) {
    const { fn, trigger } = syncNames(table, a, b)
    const A = `NEW.${quoteIdent(a.name)}`
    const B = `NEW.${quoteIdent(b.name)}`
    const body = [
      'BEGIN',
      "  IF TG_OP = 'INSERT' THEN",
      `    IF ${B} IS NULL THEN ${B} := ${convert(A, a, b)}; END IF;`,
      `    IF ${A} IS NULL THEN ${A} := ${convert(B, b, a)}; END IF;`,
      `  ELSIF ${isDistinct(A, `OLD.${quoteIdent(a.name)}`, a)} THEN`,
      `    ${B} := ${convert(A, a, b)};`,
      `  ELSIF ${isDistinct(B, `OLD.${quoteIdent(b.name)}`, b)} THEN`,
      `    ${A} := ${convert(B, b, a)};`,
      '  END IF;',
      '  RETURN NEW;',
      'END',
    ].join('\n')
    return [
      step(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $migrator$\n${body}\n$migrator$`, [`DROP FUNCTION ${fn}()`]),
      step(`CREATE TRIGGER ${quoteIdent(trigger)} BEFORE INSERT OR UPDATE ON ${qualify(table)} FOR EACH ROW EXECUTE FUNCTION ${fn}()`, [
        `DROP TRIGGER ${quoteIdent(trigger)} ON ${qualify(table)}`,
      ]),
    ]
  },

  dropSync(table, a, b) {
    const created = this.createSync(table, a, b)
    const { fn, trigger } = syncNames(table, a, b)
    return [
      step(`DROP TRIGGER ${quoteIdent(trigger)} ON ${qualify(table)}`, [created[1]!.sql]),
      step(`DROP FUNCTION ${fn}()`, [created[0]!.sql]),
    ]
  },

  convert,
  isDistinct,

  swapColumns(table, old, replacement, final) {
    // One transaction (the contract file is transactional): readers never see the table without the column.
    const q = qualify(table)
    const oldCol = quoteIdent(old.name)
    return [
      ...this.dropSync(table, old, replacement),
      step(`ALTER TABLE ${q} DROP COLUMN ${oldCol}`, [
        `ALTER TABLE ${q} ADD COLUMN ${definition(old, true)}`,
        `UPDATE ${q} SET ${oldCol} = ${convert(quoteIdent(replacement.name), replacement, old)}`,
        ...(old.nullable ? [] : [`ALTER TABLE ${q} ALTER COLUMN ${oldCol} SET NOT NULL`]),
      ]),
      step(`ALTER TABLE ${q} RENAME COLUMN ${quoteIdent(replacement.name)} TO ${quoteIdent(final.name)}`, [
        `ALTER TABLE ${q} RENAME COLUMN ${quoteIdent(final.name)} TO ${quoteIdent(replacement.name)}`,
      ]),
      ...this.setDefault(table, final),
    ]
  },

  createIndex(table, index) {
    const target = qualify({ schema: table.schema, name: index.name })
    return [
      // A build killed or failed earlier leaves an INVALID index under this name; the diff saw none.
      step(`DROP INDEX CONCURRENTLY IF EXISTS ${target}`, [], false),
      step(createIndex(table, index), [`DROP INDEX CONCURRENTLY IF EXISTS ${target}`], false),
    ]
  },

  addForeignKey(table, fk) {
    const q = qualify(table)
    const constraint = quoteIdent(fk.name ?? name([table.name, ...fk.columns, 'fkey']))
    return [
      step(`ALTER TABLE ${q} ADD CONSTRAINT ${constraint} ${foreignKeyClause(fk)} NOT VALID`, [`ALTER TABLE ${q} DROP CONSTRAINT IF EXISTS ${constraint}`], false),
      step(`ALTER TABLE ${q} VALIDATE CONSTRAINT ${constraint}`, [], false),
    ]
  },
}

function step(sql: string, reverse: readonly string[], transactional = true): Step {
  return { sql, reverse, transactional }
}

function name(parts: readonly string[]): string {
  return parts.join('_').slice(0, MAX_IDENT)
}

function syncNames(table: Table, a: Column, b: Column): { fn: string; trigger: string } {
  const base = name([table.name, a.name, b.name, 'sync'])
  return { fn: qualify({ schema: table.schema, name: base }), trigger: base }
}

function convert(expr: string, from: Column, to: Column): string {
  return from.type === to.type ? expr : `CAST(${expr} AS ${to.type})`
}

/** Types without an equality operator (json, xml) or whose `=` is not identity (box compares areas). */
const NO_EQUALITY = /^(?:json|xml|point|line|lseg|box|path|polygon|circle)(?:\[\])*$/

function isDistinct(a: string, b: string, column: Column): string {
  return NO_EQUALITY.test(column.type) ? `CAST(${a} AS text) IS DISTINCT FROM CAST(${b} AS text)` : `${a} IS DISTINCT FROM ${b}`
}

/** A literal, optionally cast (`'active'::text`, `0`, `true`, `NULL::integer`): stored in the catalog, no rewrite. */
function isConstant(expression: string): boolean {
  return /^\s*(?:'(?:[^']|'')*'|-?\d+(?:\.\d+)?|true|false|null)(?:::[a-z_ ]+(?:\(\d+(?:,\d+)?\))?(?:\[\])?)?\s*$/i.test(expression)
}

function definition(column: Column, nullable: boolean): string {
  let sql = `${quoteIdent(column.name)} ${column.type}`
  if (column.collation !== undefined) sql += ` COLLATE ${column.collation}`
  if (column.default !== undefined) sql += ` DEFAULT ${column.default}`
  if (!nullable && !column.nullable) sql += ' NOT NULL'
  return sql
}

function createIndex(table: Table, index: Index): string {
  const parts = index.parts.map((part) => {
    let sql = part.column !== undefined ? quoteIdent(part.column) : `(${part.expression ?? ''})`
    if (part.collation !== undefined) sql += ` COLLATE ${part.collation}`
    if (typeof part.options?.opclass === 'string') sql += ` ${part.options.opclass}`
    if (part.desc === true) sql += ' DESC'
    if (part.options?.nulls === 'first') sql += ' NULLS FIRST'
    if (part.options?.nulls === 'last') sql += ' NULLS LAST'
    return sql
  })
  let sql = `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY ${quoteIdent(index.name)} ON ${qualify(table)}`
  if (index.method !== undefined && index.method !== 'btree') sql += ` USING ${index.method}`
  sql += ` (${parts.join(', ')})`
  if (typeof index.options?.include === 'string') sql += ` INCLUDE (${index.options.include})`
  if (index.options?.nullsNotDistinct === true) sql += ' NULLS NOT DISTINCT'
  if (typeof index.options?.with === 'string') sql += ` WITH (${index.options.with})`
  if (index.where !== undefined) sql += ` WHERE ${index.where}`
  return sql
}

function foreignKeyClause(fk: ForeignKey): string {
  const cols = (names: readonly string[]): string => names.map(quoteIdent).join(', ')
  let sql = `FOREIGN KEY (${cols(fk.columns)}) REFERENCES ${qualify({ schema: fk.refSchema, name: fk.refTable })} (${cols(fk.refColumns)})`
  if (fk.options?.match === 'FULL') sql += ' MATCH FULL'
  if (fk.onUpdate !== 'NO ACTION') sql += ` ON UPDATE ${fk.onUpdate}`
  if (fk.onDelete !== 'NO ACTION') sql += ` ON DELETE ${fk.onDelete}`
  if (fk.deferrable !== undefined) sql += ` DEFERRABLE INITIALLY ${fk.deferrable}`
  return sql
}
