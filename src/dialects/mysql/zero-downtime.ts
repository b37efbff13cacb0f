import type { Column, Table } from '../../schema/model.js'
import type { Step, ZeroDowntimeSql } from '../../zero-downtime/dialect-sql.js'
import type { Flavor } from './flavor.js'
import { columnDef, indexDef } from './plan.js'
import { quoteIdent } from './quote.js'

const MAX_IDENT = 64

/**
 * `ALTER TABLE … ADD COLUMN …, ALGORITHM=INSTANT` (MySQL 8.0.12, MariaDB 10.3.2): catalog only, no
 * table copy. A version gate of the flavor (candidate for flavor.ts, kept here while this is new).
 */
export function supportsInstantAddColumn(flavor: Flavor): boolean {
  const [major, minor, patch] = flavor.version
  const atLeast = (a: number, b: number, c: number): boolean => (major !== a ? major > a : minor !== b ? minor > b : patch >= c)
  return flavor.mariadb ? atLeast(10, 3, 2) : atLeast(8, 0, 12)
}

/**
 * MySQL/MariaDB forms for expand/contract migrations. Every ALTER names its ALGORITHM (and LOCK), so
 * the server refuses instead of silently copying the table under a lock. Sync triggers are one
 * BEFORE INSERT and one BEFORE UPDATE trigger, each a single SET statement (no BEGIN…END, so no
 * DELIMITER). Foreign keys have no online form (INPLACE needs foreign_key_checks=0): left ordinary.
 */
export function mysqlZeroDowntimeSql(flavor: Flavor): ZeroDowntimeSql {
  const instant = supportsInstantAddColumn(flavor)
  const t = (table: Table): string => quoteIdent(table.name)
  const nullable = (column: Column): string => columnDef({ ...column, nullable: true }, flavor)
  const names = (table: Table, a: Column, b: Column): { insert: string; update: string } => {
    const base = [table.name, a.name, b.name].join('_').slice(0, MAX_IDENT - 4)
    return { insert: `${base}_ins`, update: `${base}_upd` }
  }
  const sql: ZeroDowntimeSql = {
    maxIdentifierLength: MAX_IDENT,
    quoteIdent,
    qualify: t,

    addNullableColumn(table, column) {
      const algorithm = instant ? 'ALGORITHM=INSTANT' : 'ALGORITHM=INPLACE, LOCK=NONE'
      return [step(`ALTER TABLE ${t(table)} ADD COLUMN ${nullable(column)}, ${algorithm}`, [`ALTER TABLE ${t(table)} DROP COLUMN ${quoteIdent(column.name)}`])]
    },

    addNotNullColumnInstantly(table, column) {
      if (!instant || column.default === undefined || !/^\s*(?:'(?:[^'\\]|''|\\.)*'|-?\d+(?:\.\d+)?|NULL)\s*$/i.test(column.default)) return undefined
      return step(`ALTER TABLE ${t(table)} ADD COLUMN ${columnDef(column, flavor)}, ALGORITHM=INSTANT`, [`ALTER TABLE ${t(table)} DROP COLUMN ${quoteIdent(column.name)}`])
    },

    setNotNull(table, column) {
      // NULL → NOT NULL rebuilds the table in place while allowing concurrent reads and writes.
      return [
        step(`ALTER TABLE ${t(table)} MODIFY COLUMN ${columnDef({ ...column, nullable: false }, flavor)}, ALGORITHM=INPLACE, LOCK=NONE`, [
          `ALTER TABLE ${t(table)} MODIFY COLUMN ${nullable(column)}, ALGORITHM=INPLACE, LOCK=NONE`,
        ]),
      ]
    },

    dropNotNull(table, column) {
      return [
        step(`ALTER TABLE ${t(table)} MODIFY COLUMN ${nullable(column)}, ALGORITHM=INPLACE, LOCK=NONE`, [
          `ALTER TABLE ${t(table)} MODIFY COLUMN ${columnDef({ ...column, nullable: false }, flavor)}, ALGORITHM=INPLACE, LOCK=NONE`,
        ]),
      ]
    },

    setDefault(table, column) {
      if (column.default === undefined) return []
      // Only the default differs from the live column: a catalog change, which INSTANT guarantees.
      return [
        step(`ALTER TABLE ${t(table)} MODIFY COLUMN ${columnDef(column, flavor)}, ALGORITHM=INSTANT`, [
          `ALTER TABLE ${t(table)} ALTER COLUMN ${quoteIdent(column.name)} DROP DEFAULT`,
        ]),
      ]
    },

    dropColumn(table, column) {
      return step(`ALTER TABLE ${t(table)} DROP COLUMN ${quoteIdent(column.name)}`, [`ALTER TABLE ${t(table)} ADD COLUMN ${nullable(column)}`])
    },

    createSync(table, a, b) {
      const { insert, update } = names(table, a, b)
      const A = `NEW.${quoteIdent(a.name)}`
      const B = `NEW.${quoteIdent(b.name)}`
      const oldA = `OLD.${quoteIdent(a.name)}`
      const oldB = `OLD.${quoteIdent(b.name)}`
      // Assignments run left to right: the second sees the first's result.
      return [
        step(`CREATE TRIGGER ${quoteIdent(insert)} BEFORE INSERT ON ${t(table)} FOR EACH ROW SET ${B} = COALESCE(${B}, ${A}), ${A} = COALESCE(${A}, ${B})`, [
          `DROP TRIGGER ${quoteIdent(insert)}`,
        ]),
        step(
          `CREATE TRIGGER ${quoteIdent(update)} BEFORE UPDATE ON ${t(table)} FOR EACH ROW ` +
            `SET ${B} = IF(NOT (${A} <=> ${oldA}), ${A}, ${B}), ${A} = IF((${A} <=> ${oldA}) AND NOT (${B} <=> ${oldB}), ${B}, ${A})`,
          [`DROP TRIGGER ${quoteIdent(update)}`],
        ),
      ]
    },

    dropSync(table, a, b) {
      const { insert, update } = names(table, a, b)
      const created = sql.createSync(table, a, b)
      return [step(`DROP TRIGGER ${quoteIdent(update)}`, [created[1]!.sql]), step(`DROP TRIGGER ${quoteIdent(insert)}`, [created[0]!.sql])]
    },

    // Assignment converts between column types (strict mode rejects values that do not fit).
    convert: (expr) => expr,
    isDistinct: (a, b) => `NOT (${a} <=> ${b})`,

    swapColumns(table, old, replacement, final) {
      const { insert, update } = names(table, old, replacement)
      // One ALTER drops the old column and renames the new one: nobody sees the table without it.
      // The triggers go right after (between the two, writes fail on the triggers' missing column
      // rather than silently losing the value); the down recreates them with the columns.
      return [
        step(`ALTER TABLE ${t(table)} DROP COLUMN ${quoteIdent(old.name)}, CHANGE COLUMN ${quoteIdent(replacement.name)} ${columnDef(final, flavor)}`, [
          `ALTER TABLE ${t(table)} CHANGE COLUMN ${quoteIdent(final.name)} ${columnDef({ ...final, name: replacement.name, default: undefined }, flavor)}, ADD COLUMN ${nullable(old)}`,
          `UPDATE ${t(table)} SET ${quoteIdent(old.name)} = ${quoteIdent(replacement.name)}`,
          ...sql.createSync(table, old, replacement).map((s) => s.sql),
          ...(old.nullable ? [] : sql.setNotNull(table, old).map((s) => s.sql)),
        ]),
        step(`DROP TRIGGER IF EXISTS ${quoteIdent(update)}`, []),
        step(`DROP TRIGGER IF EXISTS ${quoteIdent(insert)}`, []),
      ]
    },

    createIndex(table, index) {
      if (index.method === 'fulltext' || index.method === 'spatial') return undefined
      return [step(`ALTER TABLE ${t(table)} ADD ${indexDef(index, flavor)}, ALGORITHM=INPLACE, LOCK=NONE`, [`ALTER TABLE ${t(table)} DROP INDEX ${quoteIdent(index.name)}`])]
    },

    addForeignKey: () => undefined,
  }
  return sql
}

function step(sql: string, reverse: readonly string[]): Step {
  return { sql, reverse, transactional: true }
}
