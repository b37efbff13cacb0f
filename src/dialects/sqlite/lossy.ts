import type { PlanOptions } from '../dialect.js'
import { tableNameBefore } from '../loss-source.js'
import { assertNever, type Change } from '../../schema/changes.js'
import type { Column, Table } from '../../schema/model.js'
import { foldAscii, type ValueLoss } from '../../schema/plan.js'
import { quoteIdent } from './quote.js'
import { hasRowidAlias } from './rebuild.js'

/** How a column stores what is written to it: a non-STRICT affinity, or a STRICT column type. */
type Storage =
  | { readonly strict: false; readonly affinity: 'integer' | 'text' | 'blob' | 'real' | 'numeric' }
  | { readonly strict: true; readonly type: 'integer' | 'text' | 'blob' | 'real' | 'any' }

/** https://www.sqlite.org/datatype3.html#determination_of_column_affinity, and STRICT column types. */
function storageOf(type: string, strict: boolean): Storage {
  const t = type.toLowerCase()
  if (strict) return { strict, type: t === 'int' ? 'integer' : (t as 'integer' | 'text' | 'blob' | 'real' | 'any') }
  if (t.includes('int')) return { strict, affinity: 'integer' }
  if (t.includes('char') || t.includes('clob') || t.includes('text')) return { strict, affinity: 'text' }
  if (t.includes('blob') || t === '') return { strict, affinity: 'blob' }
  if (t.includes('real') || t.includes('floa') || t.includes('doub')) return { strict, affinity: 'real' }
  return { strict, affinity: 'numeric' }
}

/**
 * The stored values a table rebuild would not keep (see Driver.valueLosses). A rebuild copies
 * every row into the new definition, so each column whose affinity changes (or that a table
 * turning STRICT now type-checks) converts its values: text that reads as a number becomes one
 * (`'007'` → 7), numbers become text or reals, and a STRICT table rejects what does not fit. Named
 * as table and columns are before the migration (guards run before its first statement).
 */
export function columnValueLosses(change: Change, options: PlanOptions = {}): ValueLoss[] {
  if (change.kind !== 'alterTable') return []
  const same = (a: string, b: string): boolean => foldAscii(a) === foldAscii(b)
  const table = tableNameBefore(change, options.current, same)
  const renamedFrom = new Map(change.changes.flatMap((c) => (c.kind === 'renameColumn' ? [[foldAscii(c.to.name), c.from.name] as const] : [])))
  return change.to.columns.flatMap((to) => {
    const name = renamedFrom.get(foldAscii(to.name)) ?? to.name
    const from = change.from.columns.find((c) => same(c.name, name))
    // Added and generated columns are not copied; a rowid alias holds integers only.
    if (from === undefined || to.generated !== undefined || isRowidAlias(change.from, from)) return []
    return storageLosses(from, change.from, to, change.to, quoteIdent(name)).map((loss) => ({ table, column: name, from: quoteIdent(table), ...loss }))
  })
}

/** One way a conversion loses values: a predicate over the column (NULL never matches) and why. */
interface Loss {
  readonly where: string
  readonly reason: string
}

function isRowidAlias(table: Table, column: Column): boolean {
  return hasRowidAlias(table) && table.primaryKey?.columns[0] === column.name
}

function storageLosses(fromColumn: Column, fromTable: Table, toColumn: Column, toTable: Table, col: string): Loss[] {
  const from = storageOf(fromColumn.type, fromTable.options.strict === true)
  const to = storageOf(toColumn.type, toTable.options.strict === true)
  const kind = to.strict ? to.type : to.affinity
  // Values already stored under the same rule (or a STRICT type, under its own affinity) stay as they are.
  if (!to.strict && kind === (from.strict ? from.type : from.affinity)) return []
  if (to.strict && from.strict && from.type === to.type) return []
  const text = (where: string, reason: string): Loss => ({ where: `typeof(${col}) = 'text' AND (${where})`, reason })
  const integer = (where: string, reason: string): Loss => ({ where: `typeof(${col}) = 'integer' AND (${where})`, reason })
  const real = (where: string, reason: string): Loss => ({ where: `typeof(${col}) = 'real' AND (${where})`, reason })
  const rejected = (storage: string): Loss => ({ where: `typeof(${col}) = '${storage}'`, reason: `a ${storage} value, which the STRICT ${kind} column rejects` })
  // Comparing with a NUMERIC-affinity operand converts text exactly as storing it would: equal
  // means the text is a well-formed number that a numeric column stores as one.
  const number = `${col} = CAST(${col} AS NUMERIC)`
  // Exact for any integer: SQLite compares integers with reals without rounding.
  const integerToReal = integer(`CAST(${col} AS REAL) <> ${col}`, 'an integer a real cannot hold exactly')
  const realToText = real(`CAST(CAST(${col} AS TEXT) AS REAL) <> ${col}`, 'a real whose text form reads back as another number')
  // A real reads back with `.0` when integral: '7' stored as 7.0 keeps its number.
  const textToReal = `CAST(CAST(${col} AS REAL) AS TEXT) NOT IN (${col}, ${col} || '.0')`
  switch (kind) {
    case 'integer':
      if (to.strict) {
        return [
          text(`CAST(CAST(${col} AS INTEGER) AS TEXT) <> ${col}`, "text that is not an integer as written ('abc', '1.5', '007')"),
          real(`CAST(${col} AS INTEGER) <> ${col}`, 'a real that is not an integer'),
          rejected('blob'),
        ]
      }
      return [text(`${number} AND CAST(CAST(${col} AS NUMERIC) AS TEXT) <> ${col}`, "text that would be stored as a number spelled differently ('007' → 7)")]
    case 'numeric':
      return [text(`${number} AND CAST(CAST(${col} AS NUMERIC) AS TEXT) <> ${col}`, "text that would be stored as a number spelled differently ('007' → 7)")]
    case 'real':
      if (to.strict) return [text(`NOT (${number}) OR ${textToReal}`, "text that is not a number as written ('abc', '007')"), integerToReal, rejected('blob')]
      return [text(`${number} AND ${textToReal}`, "text that would be stored as a number spelled differently ('007' → 7.0)"), integerToReal]
    case 'text':
      return to.strict ? [realToText, rejected('blob')] : [realToText]
    case 'blob':
      return to.strict ? [{ where: `typeof(${col}) NOT IN ('blob', 'null')`, reason: 'a value that is not a blob, which the STRICT blob column rejects' }] : []
    case 'any':
      return []
    default:
      return assertNever(kind)
  }
}
